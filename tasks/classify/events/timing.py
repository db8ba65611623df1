"""Time in a sentence: is it news as of the story's date, or a recap of something older?"""

from __future__ import annotations

import re
from datetime import date

from tasks.classify.events.cues import cue

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}


_EN_DATE = re.compile(
    r"\b(?:in|since|during|from|back in|as of|until|on|by|of)\s+(?:(?:early|late|mid-?)\s*)?"
    r"(?:(?P<month>January|February|March|April|May|June|July|August|September|October|November|December)"
    r"(?:\s+\d{1,2},?)?\s+)?(?P<year>(?:19|20)\d\d)\b(?!\s+(?:domestic |annual |full-year )?(?:sales|revenue|turnover))"
    r"|\b(?P<month2>January|February|March|April|May|June|July|August|September|October|November|December)"
    r"(?:\s+\d{1,2},?)?\s+(?P<year2>(?:19|20)\d\d)\b"
)


_EN_MONTH_ONLY = re.compile(
    r"\b(?:in|since|during|from|back in|until|by)\s+(?:(?:early|late|mid-?)\s*)?"
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December)\b(?!\s+\d)"
)


_ZH_MONTH_ONLY = re.compile(r"(?<![\d年])(?:今年|去年)?(?P<month>\d{1,2})\s*月(?!\d)")


_ZH_DATE = re.compile(
    r"(?:于|於|在|自|从|從|早在|至)?(?P<year>(?:19|20)\d\d)\s*年(?:\s*(?P<month>\d{1,2})\s*月)?(?!度|全年|中国境内|中國境內|销售|銷售|营收|營收)"
)


RECAP = cue(
    r"\blast year\b", r"\ba year ago\b", r"\byears ago\b", r"\byears earlier\b", r"\ba year earlier\b",
    r"\bpreviously\b", r"\bwhich was (?:fined|hit|penalized|penalised|ordered|probed)\b", r"\bthat was (?:fined|hit)\b",
    r"\bwho was (?:fined|hit)\b", r"\bhad been (?:fined|hit|ordered|probed|investigated)\b",
    r"\bafter (?:being|it was|it had been) (?:fined|hit|penali[sz]ed)\b", r"\bsince (?:being|it was) fined\b",
    r"\bonce fined\b", r"\brecord fine it\b", r"\bits (?:\d{4} |earlier |previous |record )?(?:fine|penalty)\b",
    r"\bthe (?:\d{4} )?(?:record )?(?:fine|penalty) (?:it|imposed on it)\b", r"\bwas fined\b[^.;]{0,60}\bin (?:19|20)\d\d\b",
    r"\bstill\b[^.;]{0,30}\brecover", r"\bin the wake of\b", r"\bsince the crackdown\b", r"\bcrackdown that\b",
    r",\s*(?:which was |once )?fined\b(?:[^,]|,\d){0,60},\s", r"\b(?:was|were|had been) then\b",
    r"\b(?:months?|years?) (?:after|before|earlier)\b", r"\b(?:comes?|came|coming)\b[^.;]{0,40}\bafter\b",
    r"\b(?:days?|weeks?) ago\b", r"\bfor (?:a|one|two|three|several|\d+) (?:years?|months?)\b", r"\bhad already\b", r"\blast (?:week|month)\b", r"\bearlier this (?:week|month|year)\b",
    r"\bsince then\b", r"[一二三四五六七八九十两兩几幾\d]+\s*(?:天|日|周|週|个月|個月|月|星期)前", r"本月初", r"上周", r"上週",
    r"上个月", r"上個月",
    r"曾", r"此前", r"去年", r"前年", r"早前", r"早在", r"年前", r"以来", r"以來", r"当年", r"當年", r"彼时", r"彼時",
    r"此後", r"之前", r"被罚后", r"被罰後", r"受罚后", r"罚款后", r"回顾", r"回顧", r"回看", r"过去[一二三四五两几\d]+年",
    r"過去[一二三四五兩幾\d]+年",
)


def reference_date(text: str, published: date | None) -> date | None:
    """The article's date, or failing that the end of the latest year the text mentions."""
    if published:
        return published
    years = [int(m.group("year") or m.group("year2")) for m in _EN_DATE.finditer(text)]
    years += [int(m.group("year")) for m in _ZH_DATE.finditer(text)]
    return date(max(years), 12, 31) if years else None


def _is_recap(sentence: str, reference: date | None, exact: bool = True) -> bool:
    """True when the sentence tells of the past: recap words, or a date well before the article's."""
    if RECAP.search(sentence):
        return True
    if reference is None:
        return False
    for pattern in (_EN_DATE, _ZH_DATE):
        for match in pattern.finditer(sentence):
            groups = match.groupdict()
            year = int(groups.get("year") or groups["year2"])
            month_text = groups.get("month") or groups.get("month2")
            if month_text and not month_text.isdigit():
                month = _MONTHS[month_text.lower()]
            elif month_text:
                month = max(1, min(12, int(month_text)))
            else:
                month = None
            if month is None:
                if year < reference.year:
                    return True
            elif (reference.year - year) * 12 + (reference.month - month) >= 2:
                return True
    for pattern in (_EN_MONTH_ONLY, _ZH_MONTH_ONLY) if exact else ():
        for match in pattern.finditer(sentence):
            text = match.group("month")
            month = int(text) if text.isdigit() else _MONTHS[text.lower()]
            if 1 <= month <= 12 and (reference.month - month) % 12 >= 2:
                return True
    return False


_SUBORDINATE = re.compile(r"\s*(?:when|after|as|since|following|before)\b", re.IGNORECASE)


_CLAUSE = re.compile(r"[,;:，；：]|\s[-–—]\s")


def is_recap_at(sentence: str, position: int, reference: date | None, exact: bool) -> bool:
    """Recap check for the clause holding the trigger, and for a short opening clause
    ("In 2021, ...", "此前，...") that dates the whole sentence."""
    bounds = [0] + [m.end() for m in _CLAUSE.finditer(sentence)] + [len(sentence) + 1]
    clauses = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    index = next((i for i, (a, b) in enumerate(clauses) if a <= position < b), 0)
    here = clauses[index]
    if _is_recap(sentence[here[0]:here[1]], reference, exact):
        return True
    if index:
        before = clauses[index - 1]
        # "... in late December, when the regulator published draft rules"; "2021年4月，阿里因...被罚"
        short = before[1] - before[0] <= 14
        if (short or _SUBORDINATE.match(sentence[here[0]:here[1]])) and _is_recap(
                sentence[before[0]:before[1]], reference, exact):
            return True
    first = clauses[0]
    return first != here and first[1] - first[0] <= 25 and _is_recap(sentence[first[0]:first[1]], reference, exact)
