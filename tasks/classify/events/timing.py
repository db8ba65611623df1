"""Time in a sentence: is it news as of the story's date, or a recap of something older?"""

from __future__ import annotations

import re
from datetime import date

from tasks.classify.events.cues import cue
from tasks.classify.events.model import RECAP_DAYS

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december")
_MONTHS = {name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
          r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_NOT_A_YEAR = r"(?!\s+(?:domestic |annual |full-year )?(?:sales|revenue|turnover))"

# Dates as news writes them, read into year, month and day where given. An English year needs a
# preposition or a month before it ("in 2021", "May 2021"), so that "2021 sales" is not a date.
_DATED = re.compile(
    rf"\b(?:in|since|during|from|back in|as of|until|on|by|of)\s+(?:(?:early|late|mid-?)\s*)?"
    rf"(?:(?:(?P<day_a>\d{{1,2}})\s+)?(?P<month_a>{_MONTH})(?:\s+(?P<day_b>{_DAY}),?)?\s+)?"
    rf"(?P<year>(?:19|20)\d\d)\b{_NOT_A_YEAR}"
    rf"|\b(?:(?P<day_c>\d{{1,2}})\s+)?(?P<month_b>{_MONTH})(?:\s+(?P<day_d>{_DAY}),?)?\s+(?P<year_b>(?:19|20)\d\d)\b"
    r"|(?:于|於|在|自|从|從|早在|至)?(?P<year_c>(?:19|20)\d\d)\s*年"
    r"(?:\s*(?P<month_c>\d{1,2})\s*月(?:\s*(?P<day_e>\d{1,2})\s*[日号號])?)?"
    r"(?!度|全年|中国境内|中國境內|销售|銷售|营收|營收)",
    re.IGNORECASE,
)
# Dates without a year ("on July 24", "in April", "24 July", 7月24日, 去年7月): the year is the story's,
# or the one before when that month and day are still to come.
_YEARLESS = re.compile(
    rf"\b(?:(?P<day_a>\d{{1,2}})\s+(?P<month_a>{_MONTH})|(?P<month_b>{_MONTH})(?:\s+(?P<day_b>{_DAY}))?)"
    rf"(?![\w.])(?!,?\s+(?:19|20)\d\d)"
    r"|(?<![\d年])(?P<last>去年|今年)?(?P<month_c>\d{1,2})\s*月(?:\s*(?P<day_c>\d{1,2})\s*[日号號])?(?![\d份])",
    re.IGNORECASE,
)
# Bare month names that are also ordinary words count only after a preposition.
_AMBIGUOUS_MONTHS = {"may", "mar", "jan", "jun", "sep", "dec", "oct", "aug", "nov"}
# The past perfect tells what happened before the news ("the CAC had launched a review on July 2"), except
# in reported speech, where it is only the tense shifted back ("the regulator said it had opened a probe").
_PAST_PERFECT = re.compile(
    r"\bhad (?:\w+ly )?(?:launched|opened|begun|started|fined|ordered|imposed|announced|summoned|banned|blocked"
    r"|suspended|removed|halted|placed|put|slapped|hit|levied|initiated|issued|told|asked|required|urged|instructed"
    r"|warned|demanded|approved|rejected|cleared|called in|penali[sz]ed|punished|probed|investigated"
    r"|been (?:fined|hit|ordered|probed|investigated|penali[sz]ed))\b", re.IGNORECASE)
_REPORTED = re.compile(r"\b(?:said|says|announced|stated|added|confirmed|disclosed|revealed|noted|told \w+)\b"
                       r"[^.;]{0,50}$", re.IGNORECASE)
_OPENING_TIME = re.compile(
    r"\s*(?:(?:in|on|since|back in|during|by|as of)\s+(?:(?:early|late|mid-?)\s*)?(?:\w+\s+){0,2}(?:19|20)\d\d\b"
    r"|(?:last|a) (?:year|month|week)\b|(?:19|20)\d\d\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?|去年|前年|此前)",
    re.IGNORECASE,
)


def _first(groups: dict[str, str | None], *names: str) -> str | None:
    return next((groups[n] for n in names if groups.get(n)), None)


def _date_parts(match: re.Match[str]) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) of a match of either pattern; None where the text does not say."""
    groups = match.groupdict()
    year_text = _first(groups, "year", "year_b", "year_c")
    month_text = _first(groups, "month_a", "month_b", "month_c")
    day_text = _first(groups, "day_a", "day_b", "day_c", "day_d", "day_e")
    month = None
    if month_text:
        month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.rstrip(".").lower()[:3])
    day = int(re.sub(r"\D", "", day_text)) if day_text else None
    return (int(year_text) if year_text else None,
            month if month and 1 <= month <= 12 else None,
            day if day and 1 <= day <= 31 else None)


def _older(year: int | None, month: int | None, day: int | None, reference: date) -> bool:
    """A date well before the story's: an earlier year, two months, or (with a day) a week."""
    if year is None:
        return False
    if month is None:
        return year < reference.year
    if day is None:
        return (reference.year - year) * 12 + (reference.month - month) >= 2
    try:
        return (reference - date(year, month, day)).days >= RECAP_DAYS
    except ValueError:  # 2月30日
        return False


def _yearless_older(match: re.Match[str], reference: date) -> bool:
    _, month, day = _date_parts(match)
    if month is None:
        return False
    bare = match.group("month_b")
    if bare and not match.group("day_b") and bare.rstrip(".").lower()[:3] in _AMBIGUOUS_MONTHS:
        lead = match.string[max(0, match.start() - 12):match.start()].lower()
        if not re.search(r"\b(?:in|since|during|from|until|by|of|early|late|mid-?)\s*$", lead):
            return False  # "may", "March" as words
    last = match.group("last")
    year = reference.year - (1 if last == "去年" else 0)
    if last is None and (month, day or 1) > (reference.month, reference.day):
        if _deadline(match):
            return False  # 应在3月21日前完成整改 in a story of 14 March: this year's deadline, not last March
        year -= 1  # "in November" in a story of March: last November
    return _older(year, month, day, reference)


_DEADLINE_BEFORE = re.compile(r"(?:应|應|须|須|需|要|务必|務必|by|before|until|no later than|deadline of)\s*(?:在|于|於)?\s*$",
                              re.IGNORECASE)
_DEADLINE_AFTER = re.compile(r"\s*(?:前|之前|以前|截止|为限|為限)")


def _deadline(match: re.Match[str]) -> bool:
    """A date the sentence sets as a time limit: "by March 21", 3月21日前, 应在…之前."""
    lead = match.string[max(0, match.start() - 12):match.start()]
    return bool(_DEADLINE_BEFORE.search(lead) or _DEADLINE_AFTER.match(match.string, match.end()))


RECAP = cue(
    r"\blast year\b", r"\ba year ago\b", r"\byears ago\b", r"\byears earlier\b", r"\ba year earlier\b",
    r"\bpreviously\b", r"\bwhich was (?:fined|hit|penalized|penalised|ordered|probed)\b", r"\bthat was (?:fined|hit)\b",
    r"\bwho was (?:fined|hit)\b",

    r"\bafter (?:being|it was|it had been) (?:fined|hit|penali[sz]ed)\b", r"\bsince (?:being|it was) fined\b",
    r"\bonce fined\b", r"\brecord fine it\b", r"\bits (?:\d{4} |earlier |previous |record )?(?:fine|penalty)\b",
    r"\bthe (?:\d{4} )?(?:record )?(?:fine|penalty) (?:it|imposed on it)\b", r"\bwas fined\b[^.;]{0,60}\bin (?:19|20)\d\d\b",
    r"\bstill\b[^.;]{0,30}\brecover", r"\bin the wake of\b", r"\bsince the crackdown\b", r"\bcrackdown that\b",
    r",\s*(?:which was |once )?fined\b(?:[^,]|,\d){0,60},\s", r"\b(?:was|were|had been) then\b",
    r"\b(?:months?|years?) (?:after|before|earlier)\b", r"\b(?:comes?|came|coming)\b[^.;]{0,40}\bafter\b",
    r"\b(?:days?|weeks?) ago\b", r"\bfor (?:a|one|two|three|several|\d+) (?:years?|months?)\b", r"\bhad already\b", r"\blast (?:week|month)\b", r"\bearlier this (?:week|month|year)\b",
    r"\bsince then\b", r"(?<![月\d一二三四五六七八九十两兩几幾])[一二三四五六七八九十两兩几幾\d]+\s*(?:天|日|周|週|个月|個月|月|星期)前", r"本月初", r"上周", r"上週",
    r"上个月", r"上個月", r"(?:昨日|昨天|前日|前天)已",  # "had already, yesterday": background to today's news
    r"曾", r"此前", r"当时", r"當時", r"去年", r"前年", r"早前", r"早在", r"年前", r"以来", r"以來", r"当年", r"當年", r"彼时", r"彼時",
    r"此後", r"(?<![日号號])之前", r"被罚后", r"被罰後", r"受罚后", r"罚款后", r"回顾", r"回顧", r"回看", r"过去[一二三四五两几\d]+年",
    r"過去[一二三四五兩幾\d]+年",
)


def reference_date(text: str, published: date | None) -> date | None:
    """The article's date, or failing that the end of the latest year the text mentions."""
    if published:
        return published
    years = [year for match in _DATED.finditer(text) if (year := _date_parts(match)[0])]
    return date(max(years), 12, 31) if years else None


def mentions_date(sentence: str) -> bool:
    """A date of its own, with or without a year: a clause that has one is dated by it, not by the one before."""
    return bool(_DATED.search(sentence) or _YEARLESS.search(sentence))


def is_recap(sentence: str, reference: date | None, exact: bool = True) -> bool:
    """True when the sentence tells of the past: recap words, or a date well before the article's.

    Dates without a year count only when the article's own date is known (`exact`)."""
    if RECAP.search(sentence):
        return True
    if any(not _REPORTED.search(sentence[:m.start()]) for m in _PAST_PERFECT.finditer(sentence)):
        return True
    if reference is None:
        return False
    if any(_older(*_date_parts(match), reference) for match in _DATED.finditer(sentence)):
        return True
    return exact and any(_yearless_older(match, reference) for match in _YEARLESS.finditer(sentence))


_PAST_OPENER_ZH = re.compile(r"\s*(?:此前|早前|去年|前年|早在|过去|過去)")


# (and a relative clause: "..., which resulted in fines of ...", told of what the clause before names)
_SUBORDINATE = re.compile(r"\s*(?:when|after|as|since|following|before|which)\b", re.IGNORECASE)


_CLAUSE = re.compile(r"(?:[;:；：]|[,，](?!\d{3}\b))(?!\s*(?:19|20)\d\d)|\s[-–—]\s")  # not the comma of 400,000


# A decree's own formula: passed at an earlier meeting, published now ("已经…常务会议通过，现予公布").
_PROMULGATED_NOW = re.compile(r"现予(?:公布|发布|印发)|現予(?:公布|發布|印發)|\bis hereby (?:promulgated|published|issued)\b")


AFTER_ACTION = 70  # characters after an action word that can still date it ("was fined 400,000 yuan over it in July")
_SUBJECT_EARLIER = re.compile(r"\s*(?:[\w.’'-]+\s+){1,4}earlier\s+(?:\w+\s+)?\w+ed\b", re.IGNORECASE)


def is_recap_at(sentence: str, position: int, reference: date | None, exact: bool) -> bool:
    """Recap check for the clause holding the trigger, and for a short opening clause
    ("In 2021, ...", "此前，...") that dates the whole sentence."""
    if _PROMULGATED_NOW.search(sentence):
        return False
    if _SUBJECT_EARLIER.match(sentence):  # "Regulators earlier suspended A and summoned B": both are background
        return True
    bounds = [0] + [m.end() for m in _CLAUSE.finditer(sentence)] + [len(sentence) + 1]
    clauses = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    index = next((i for i, (a, b) in enumerate(clauses) if a <= position < b), 0)
    here = clauses[index]
    # What follows the action far into its clause dates something else ("... on the company, citing its
    # acquisition of China Music in 2016").
    if is_recap(sentence[here[0]:min(here[1], position + AFTER_ACTION)], reference, exact):
        return True
    if index:
        before = clauses[index - 1]
        # "... in late December, when the regulator published draft rules"; "2021年4月，阿里因...被罚"
        short = before[1] - before[0] <= 14
        # "此前包括腾讯、美团等平台企业，分别接受…立案调查": the clause before opens with the past, and this one goes on
        # with it
        if _PAST_OPENER_ZH.match(sentence, before[0]) and not mentions_date(sentence[here[0]:here[1]]):
            return True
        if (short or _SUBORDINATE.match(sentence[here[0]:here[1]])) and is_recap(
                sentence[before[0]:before[1]], reference, exact):
            return True
    first = clauses[0]
    if first != here and first[1] - first[0] <= 25 and is_recap(sentence[first[0]:first[1]], reference, exact):
        return True
    # A time phrase that opens the sentence ("In 2021 Tencent was ordered ..., with a fine of ...") dates all of it.
    opening = _OPENING_TIME.match(sentence)
    return bool(opening and is_recap(opening.group(0), reference, exact))
