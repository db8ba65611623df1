"""Which amount is the fine, and which company a sentence's action falls on."""

from __future__ import annotations

import re
from datetime import date

from tasks.classify.companies import CompanyMatch
from tasks.classify.events.cues import (
    BACKGROUND,
    COMPARISON,
    EACH,
    FOR_COMPANY,
    NOT_AMOUNT_AFTER,
    NOT_AMOUNT_BEFORE,
    PASSIVE_BEFORE,
    RESPECTIVELY,
    REVENUE,
    TRIGGERS,
)
from tasks.classify.events.timing import is_recap_at
from tasks.classify.money import CURRENCY_CODES, Money
from tasks.common.text import HAN, HAN_CHARS, Sentence

# An untracked company named after the trigger: "a probe into Google", "fined CNKI",
# "a cybersecurity review of products sold by US chipmaker Micron Technology".
# (Not an amount's currency code: "the maximum penalty of CNY500,000".)
_UNTRACKED_EN = re.compile(rf"\b(?!(?:{'|'.join(CURRENCY_CODES)})\d)(?P<name>[A-Z][A-Za-z0-9&\-]+(?:\s+(?:[A-Z][A-Za-z0-9&\-]+|of|and)){{0,3}})")


_UNTRACKED_ZH = re.compile(
    r"[对對](?P<name>[" + HAN_CHARS + r"A-Za-z（）()]{2,16}?(?:有限公司|有限责任公司|有限責任公司)?)(?:公司)?"
    r"(?:作出|做出|處以|处以|立案|实施|實施|启动|啟動|开展|開展|进行|進行|依法|罚款|罰款|予以)"
)

# "因谷歌公司涉嫌违反反垄断法，依法对其开展立案调查": 其 is the one the cause names.
_CAUSE_SUBJECT_ZH = re.compile(r"(?:因|由于|由於)(?P<name>[" + HAN_CHARS + r"A-Za-z]{2,12}?)(?:公司|集团|集團)?"
                               r"(?:涉嫌|存在|违反|違反)[^。；]*?[对對]其")


_GENERIC_NAMES = {
    "The", "China", "Chinese", "Beijing", "State", "Administration", "Monday", "Tuesday", "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday", "It", "Its", "This", "That", "A", "An", "US", "U.S.", "American", "EU", "European",
    "Japanese", "Korean", "Taiwanese", "Dutch", "German", "British", "Anti-Monopoly", "Law", "Cybersecurity",
    "Review", "Office", "Market", "Regulation", "SAMR", "CAC", "PBOC", "CSRC", "MIIT", "Ministry", "Commission",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Shanghai", "Shenzhen", "Hong", "Kong", "Hangzhou", "Mr", "Ms", "In", "On", "For", "With", "As",
    "Measures", "Rules", "Regulations", "Provisions", "Guidelines", "Revised", "Draft", "Internet", "Platform",
    "Firms", "Companies", "Cyberspace", "Platforms", "Operators", "Authorities", "Regulators", "Officials", "Apps",
    "RMB", "CNY", "USD", "HKD", "EUR", "Yuan", "Renminbi", "Billion", "Million", "HK", "NT", "S", "IPO", "IPOs", "CEO",
}
# Words that open a sentence before a registered name: "On Tuesday Hangzhou X Co Ltd was fined".
_NOT_A_NAME_START = frozenset({
    "On", "In", "The", "A", "An", "For", "Also", "Meanwhile", "Separately", "Monday", "Tuesday", "Wednesday",
    "Thursday", "Friday", "Saturday", "Sunday",
})
# The last word of an authority's name, not a company's: "Zhejiang Regulatory Bureau", "Xuhui District Court".
_AUTHORITY_WORDS = frozenset({"Bureau", "Administration", "Commission", "Office", "Ministry", "Department", "Regulator",
                              "Authority", "Court", "Government", "Council", "Committee"})
# "..., Beijing Youth Daily reported": the name a story is credited to, not one acted on.
_CREDITED = re.compile(r"\s+(?:reported|reports|said|says|cited|quoted|wrote)\b")
_LAW_AFTER = re.compile(r"\s+(?:Law|Act|Code)\b")  # "under the Price Law": a law, not a company


# "a fine of 3% of its 2020 sales, amounting to 3.44 billion yuan": the amount the percentage comes to
_PERCENT_COMES_TO = re.compile(r"%[^.;%]{0,70},\s*(?:amounting to|coming to|equal to|equivalent to|or)\s*$")


def _describes_revenue(lead: str) -> bool:
    """A sales or revenue word before the amount, with no fine word between them, unless the amount is what a
    fine stated as a share of sales comes to."""
    revenue = REVENUE.search(lead)
    if revenue is None or TRIGGERS["fine"].search(lead[revenue.end():]):
        return False
    return not (_PERCENT_COMES_TO.search(lead) and TRIGGERS["fine"].search(lead[:revenue.start()]))


_TOTAL_BEFORE = re.compile(r"(?:合计|合計|共计|共計|总计|總計|累计|累計)[^，。；\d]{0,6}$|\b(?:in total|totalling|totaling|"
                           r"a total of|in all|combined)\W{0,3}(?:of\s)?$", re.IGNORECASE)


# Between an amount and its conversion: "18.228 billion yuan (roughly $2.8 billion)", "400万元(约合58.55万美元)"
_CONVERSION_GAP = re.compile(r"[,，]?\s*(?:[(（]\s*)?(?:about|around|approximately|approx\.|roughly|nearly|some|almost|or about|or"
                             r"|equivalent to|约合|約合|约|約|折合|合)?\s*(?:US)?\s*")


def _is_conversion(text: str, money: Money, amounts: list[Money]) -> bool:
    """`money` converts the amount right before it into another currency, in brackets or after "or", "about"."""
    previous = [m for m in amounts if m.end <= money.start]
    if not previous or previous[-1].currency == money.currency:
        return False
    gap = text[previous[-1].end:money.start]
    return bool(gap.strip()) and _CONVERSION_GAP.fullmatch(gap) is not None


def choose_amount(sentence: Sentence, trigger: re.Match[str], amounts: list[Money],
                   reference: date | None = None, exact: bool = False) -> Money | None:
    """The fine's amount: the one nearest after the trigger, else nearest before; not revenue, a
    percentage, a comparison ("three times the 6.09 billion yuan Qualcomm paid") or a recap."""
    usable = []
    for money in amounts:
        before = sentence.text[max(0, money.start - 40):money.start]
        after = sentence.text[money.end:money.end + 30]
        if NOT_AMOUNT_BEFORE.search(before) or NOT_AMOUNT_AFTER.search(after) or COMPARISON.search(before):
            continue
        if _describes_revenue(sentence.text[max(0, money.start - 90):money.start]):
            continue  # "... 4% of domestic sales, which totalled 455.71 billion yuan"
        if money.start > trigger.end() and is_recap_at(sentence.text, money.start, reference, exact):
            continue
        if _is_conversion(sentence.text, money, amounts):
            continue
        usable.append(money)
    stated_total = [m for m in usable if _TOTAL_BEFORE.search(sentence.text[max(0, m.start - 12):m.start])]
    if stated_total and len(usable) > 1:
        return stated_total[-1]  # 没收…318万元，并处罚款…558万元，合计遭罚近877万元: the company's total
    before_trigger = [m for m in usable if m.end <= trigger.start() and trigger.start() - m.end <= 60]
    if HAN.search(sentence.text) and before_trigger and trigger.start() - before_trigger[-1].end <= 12:
        return before_trigger[-1]  # 处80.26亿元罚款: Chinese puts the amount just before the word
    after_trigger = [m for m in usable if m.start >= trigger.start() and m.start - trigger.end() <= 80]
    if after_trigger:
        return after_trigger[0]
    if before_trigger:
        return before_trigger[-1]
    return usable[0] if usable else None


# "Alibaba-backed Zybang", "Tencent-invested Yuanfudao", 腾讯投资的…: a company named as another's investor is not
# the one acted on ("Alibaba-owned Quark" is: the parent answers for what it owns).
_INVESTOR_AFTER = re.compile(r"[-‐‑ ]?(?:backed|invested|funded|supported)\b|\s*(?:投资|投資|参股|參股|入股)的")


def one_per_company(matches: list[CompanyMatch]) -> list[CompanyMatch]:
    """One match per company, in the order each company first appears (the last match of each stands for it)."""
    return list({m.company_id: m for m in matches}.values())


def named_as_investor(text: str, match: CompanyMatch) -> bool:
    """`match` (positioned in `text`) names the investor of another company, not a company acted on."""
    return bool(_INVESTOR_AFTER.match(text, match.end))


# A platform named as where something was said: "according to a Weibo post", "said on WeChat", 在微博上发文.
_CHANNEL_AFTER = re.compile(r"\s+(?:posts?|accounts?|announcements?|statements?|page|blog|channel|handle)\b"
                            r"|\s*(?:上|账号|帳號|帳戶|公众号|公眾號)")
_CHANNEL_BEFORE = re.compile(r"\b(?:posted|said|wrote|published|announced|statement|post|notice)\s+(?:[\w-]+\s+){0,3}?"
                             r"(?:on|via|through)\s+(?:(?:its|their|his|her|the|an?|official|Chinese|popular|microblogging"
                             r"|social|media|social-media|messaging|site|platform|app|service)\s+){0,4}$"
                             r"|\b(?:microblogging|social[- ]media|messaging) (?:site|platform|service|app)\s+$|(?:在|通过|通過)$")


def named_as_channel(text: str, match: CompanyMatch) -> bool:
    """`match` (positioned in `text`) names the platform a statement was posted on, not a company acted on."""
    return bool(_CHANNEL_AFTER.match(text, match.end) or _CHANNEL_BEFORE.search(text, max(0, match.start - 30),
                                                                                    match.start))


def last_dui(text: str, end: int) -> int:
    """Where the last 对 (對) before `end` is, or -1: in Chinese the one acted on follows it (对阿里巴巴处以…)."""
    found = text.rfind("对", 0, end)
    return found if found != -1 else text.rfind("對", 0, end)


def chinese_object(text: str, trigger: re.Match[str]) -> str:
    """What a Chinese penalty acts on, written between 对 and the verb (市场监管总局对扬子江药业处罚)."""
    start = last_dui(text, trigger.start())
    return text[start + 1:trigger.start()] if start != -1 and trigger.start() - start <= 30 else ""


def targets(sentence: Sentence, trigger: re.Match[str], companies: list[CompanyMatch], kind: str) -> list[CompanyMatch]:
    """The companies a trigger acts on: all for "each"/各 (for a fine, all of its own clause), and every name of a
    list right before a passive verb; else the nearest, preferring the one acted on. Not a
    company named in the sentence's background ("..., days after the regulator fined Weibo"), as an investor or as
    the platform a statement was posted on."""
    background = [m.span() for m in BACKGROUND.finditer(sentence.text)]
    companies = [m for m in companies if not named_as_investor(sentence.text, m) and not named_as_channel(sentence.text, m)
                 and not any(start <= m.start < end for start, end in background)]
    if not companies:
        return []
    subject = zh_passive_subject(sentence.text, trigger.start())
    if subject is not None and not any(subject[0] <= m.start < subject[1] for m in companies):
        return []  # "继阿里巴巴之后，「扬子江药业」被…罚款": the one before 被 is fined, untracked here
    named = passive_subject(sentence.text, trigger)
    if named is not None and not any(named[0] <= m.start < trigger.start() for m in companies):
        return []  # "Acme Trading was fined N and NetEase was told to ...": Acme, untracked, is the one fined
    unique = one_per_company(companies)
    if EACH.search(sentence.text):
        if kind == "fine":
            # "... violations in Didi's app, and yesterday regulators fined six of Alibaba's units $75,000 each":
            # the companies of the trigger's own clause
            start, end = _clause_around(sentence.text, trigger.start())
            return one_per_company([m for m in companies if start <= m.start < end]) or unique
        return unique
    if len(unique) == 1 or kind in ("rectification", "app_removal", "investigation"):
        return unique
    position = trigger.start()
    after = [m for m in companies if m.start >= trigger.end()]
    before = [m for m in companies if m.end <= position]
    passive = PASSIVE_BEFORE.search(sentence.text[max(0, position - 25):position])
    chinese = bool(HAN.search(sentence.text))
    if chinese:
        dui = last_dui(sentence.text, position)
        between = [m for m in before if m.start > dui] if dui != -1 else []
        if between:
            return [between[0]]
    elif (passive or (before and position - before[-1].end <= 2)) and before:
        # "Alibaba was fined ...", the headline's "Ant fined 7.12 billion yuan", and every name of a list the
        # trigger follows: "Alibaba, Baidu, JD fined by the watchdog"
        return _list_ending_with(sentence.text, before)
    elif after and after[0].start - trigger.end() < 60:
        return [after[0]]
    if before:
        return [before[-1]]
    return [after[0]] if after else unique[:1]  # a name overlapping the trigger itself


_CLAUSE_JOIN = re.compile(r",\s+(?:and|but|while)\s+|;|；")


def _clause_around(text: str, position: int) -> tuple[int, int]:
    """Where the clause holding `position` starts and ends, between clauses joined by ", and", ", but", ", while"
    or a semicolon."""
    start = max((m.end() for m in _CLAUSE_JOIN.finditer(text, 0, position)), default=0)
    following = _CLAUSE_JOIN.search(text, position)
    return start, following.start() if following else len(text)


_LIST_SEPARATOR = re.compile(r"\s*(?:, and|,|、|，|and|&)\s*")


def _list_ending_with(text: str, before: list[CompanyMatch]) -> list[CompanyMatch]:
    """The last of `before` and the names listed right before it ("Alibaba, Baidu, JD"), in the text's order."""
    listed = [before[-1]]
    for match in reversed(before[:-1]):
        if not _LIST_SEPARATOR.fullmatch(text, match.end, listed[0].start):
            break
        listed.insert(0, match)
    return one_per_company(listed)


_CLAUSE_START = re.compile(r"[，,；;。：:！？\n]")
_ORGANISATION = re.compile(f"[{HAN_CHARS}A-Za-z()（）]{{2,16}}(?:公司|集团|集團|科技|药业|藥業|医药|醫藥|银行|銀行|企业|企業|"
                           "网络|網絡|平台|支付|分行|支行)$")
_NAMED_AFTER = re.compile(r"(?:^|龙头|龍頭|巨头|巨頭|企业|企業|公司|品牌|集团|集團|厂商|廠商|平台|平臺)\s*$")
_QUOTED = re.compile(r"[「“『\"]([^」”』\"]{2,20})[」”』\"]")


def zh_passive_subject(sentence: str, position: int) -> tuple[int, int, str] | None:
    """(start, end, name) of the subject of 被 in the clause before `position`: 滴滴被罚 -> 滴滴."""
    bei = max(sentence.rfind("被", 0, position), sentence.rfind("遭", 0, position))
    if bei <= 0:
        return None
    start = max((m.end() for m in _CLAUSE_START.finditer(sentence, 0, bei)), default=0)
    span = sentence[start:bei].strip()
    if not span:
        return None
    quoted = [m for m in _QUOTED.finditer(span) if m.end() == len(span)]  # 「扬子江药业」被: the subject itself
    if quoted and not _NAMED_AFTER.search(span[:quoted[-1].start()]):
        quoted = []  # 因"二选一"被罚, 强迫商家"二选一"被罚: the quote is what was done, not who was fined
    named = _ORGANISATION.search(span)
    name = quoted[-1].group(1) if quoted else named.group(0) if named else None
    return (start, bei, name) if name and 2 <= len(name) <= 20 else None


# A platform named by its brand in quotes: 对“乐拍”短视频应用作出处理, 对“皮皮搞笑”网络社区平台…进行处理
_QUOTED_PLATFORM_ZH = re.compile(
    r"[对對][^，。；,;]{0,20}?[“「\"](?P<name>[^”」\"，。]{2,12})[”」\"]"
    r"(?:App|APP|app|应用|應用|平台|網站|网站|短视频|短視頻|网络社区|網絡社區|公众号|公眾號|小程序|账号|帳號)"
)


_ZH_NAME_END = re.compile(r"(?:滥用|濫用|涉嫌|实施|實施|未依法|违法|違法|违规|違規|的|在|等)")


# "对所有涉案企业", "对上述公司": words that refer to companies without naming one
_ZH_NOT_A_NAME = ("所有", "涉案", "涉事", "当事", "當事", "平台内", "平臺內", "相关", "相關", "上述", "有关", "有關", "这些", "這些", "各", "该", "該", "其", "多家", "部分")
# ... anywhere in it, after a place: "对北京相关涉事企业进行调查" describes the parties, it does not name one
_ZH_DESCRIBED = re.compile("相关|相關|有关|有關|涉事|涉案|当事|當事|上述")


def _zh_name(name: str) -> bool:
    return len(name) >= 2 and not name.startswith(_ZH_NOT_A_NAME) and not _ZH_DESCRIBED.search(name)


_PASSIVE_SUBJECT = re.compile(
    r"(?P<name>[A-Z][\w&.-]+(?: [A-Z][\w&.-]+){0,3}) (?:was|were|has been|had been|received|got|is) "
)
_PLACE_WORDS = {"Province", "City", "District", "County", "Municipality", "Region", "Prefecture"}
# A registered name may run longer and hold "and" or "of" when its legal form ends it: "Hangzhou X Network Science
# and Technology Co Ltd", "X Payment Technology Co., Ltd".
_SUBJECT_OF_PASSIVE = re.compile(r"(?P<name>[A-Z][\w&.-]+(?: [A-Z][\w&.-]+){0,3}"
                                 r"|(?P<registered>[A-Z][\w&.-]+(?: (?:[A-Z][\w&.-]+|and|of)){1,8}"
                                 r" (?:Co\.?,? Ltd|Co|Ltd|Inc|Corp|Company)\.?))"
                                 r" (?:was|were|has been|had been|is) $")


def _possessive_free(word: str) -> str:
    return word.removesuffix("'s").removesuffix("’s")


_ACRONYM_AFTER = re.compile(r"\s*[(（]([A-Z][A-Za-z]{1,7})[)）]")  # "China National Knowledge Infrastructure (CNKI)"


# "Alibaba-owned search engine Quark", "Quark, a unit of Alibaba": a brand the story itself ties to a tracked owner.
_OWNED_AFTER = re.compile(r"[-‐‑ ]owned\s+(?:[a-z][\w-]*\s+){0,3}(?P<name>[A-Z][\w&.-]+(?: [A-Z][\w&.-]+){0,2})")
_OWNER_AFTER = re.compile(r"(?P<name>[A-Z][\w&.-]+(?: [A-Z][\w&.-]+){0,2}),?\s+"
                          r"(?:owned by|a unit of|a subsidiary of|the \w+ arm of)\s+$")


def owned_names(document: str, companies: list[CompanyMatch]) -> dict[str, CompanyMatch]:
    """Untracked names the story says a tracked company owns, each with its owner: a fine on the brand is a fine
    on the owner, as for the subsidiaries `config/companies.yaml` lists."""
    owned: dict[str, CompanyMatch] = {}
    for match in companies:
        if after := _OWNED_AFTER.match(document, match.end):
            owned.setdefault(after.group("name"), match)
        if before := _OWNER_AFTER.search(document, max(0, match.start - 80), match.start):
            owned.setdefault(before.group("name"), match)
    return owned


def passive_subject(sentence: str, trigger: re.Match[str]) -> tuple[int, str] | None:
    """Where the name a passive trigger follows starts, and the name ("Guyuan Agriculture Co was fined"), if it
    is a name and not a place, body or weekday."""
    before = _SUBJECT_OF_PASSIVE.search(sentence, 0, trigger.start())
    if before and before.group("registered"):
        # a registered name is whole, places and all, from its first word that is not "On", "The", a weekday...
        words = before.group("registered").split()
        lead = next(i for i, w in enumerate(words) if w not in _NOT_A_NAME_START)
        return before.start() + len(" ".join(words[:lead])) + (1 if lead else 0), " ".join(words[lead:])
    named = [w for w in before.group("name").split() if w not in _GENERIC_NAMES] if before else []
    if before and named and named[-1] not in _PLACE_WORDS:  # "a Nanjing platform in Jiangsu Province was fined"
        return before.start(), " ".join(named)
    return None


def untracked_name(sentence: str, trigger: re.Match[str]) -> str | None:
    """The company a passive trigger names before it ("Guyuan Agriculture Co was fined"), else the first proper
    name shortly after the trigger that is not a place, body or weekday."""
    named = passive_subject(sentence, trigger)
    if named is not None:
        return named[1]
    trigger_end = trigger.end()
    for match in _UNTRACKED_EN.finditer(sentence, trigger_end):
        if match.end() > trigger_end + 90:
            break  # a name is taken whole or not at all: cut at the window, "Regulation" read as a firm "Regulati"
        words = [w for w in match.group("name").split()
                 if _possessive_free(w) not in _GENERIC_NAMES and not w.endswith(("-like", "-style", "-based"))]
        while words and words[-1] in ("of", "and"):
            words.pop()
        if _LAW_AFTER.match(sentence, match.end()) or match.group("name").split()[-1] in ("Law", "Act", "Code"):
            continue
        if [w for w in match.group("name").split() if w not in ("of", "and")][-1] in _AUTHORITY_WORDS:
            continue  # "the Zhejiang Regulatory Bureau of ... fining it": the one who fines
        if _CREDITED.match(sentence, match.end()) or _CHANNEL_AFTER.match(sentence, match.end()):
            continue  # "Xinhua reported", "a Weibo post": where the news was told
        if words and words[0] not in ("of", "and"):
            acronym = _ACRONYM_AFTER.match(sentence, match.end())
            return acronym.group(1) if acronym else " ".join(words)
    subject = _PASSIVE_SUBJECT.match(sentence)  # "Shixianghui received a 500,000 yuan fine"
    if subject and subject.group("name").split()[0] not in _GENERIC_NAMES:
        return subject.group("name")
    passive = zh_passive_subject(sentence, trigger_end)
    if passive is not None and HAN.search(passive[2]):
        return passive[2]
    quoted = _QUOTED_PLATFORM_ZH.search(sentence)
    if quoted:
        return quoted.group("name")
    cause = _CAUSE_SUBJECT_ZH.search(sentence, 0, trigger_end + 20)
    if cause and _zh_name(cause.group("name")):
        return cause.group("name")
    chinese = _UNTRACKED_ZH.search(sentence)
    if chinese:
        name = _ZH_NAME_END.split(chinese.group("name"), maxsplit=1)[0].strip()
        if _zh_name(name):
            return name
    return None


def pair_amounts(
    companies: list[CompanyMatch], amounts: list[Money], sentence: str
) -> list[tuple[CompanyMatch, Money]]:
    """"fined Ant 7.123 billion yuan and Tenpay 2.99 billion yuan": each company with the amount after it;
    "penalties of RMB6.5m and RMB6m respectively": companies and amounts in the same order."""
    distinct = one_per_company(companies)
    if len(distinct) < 2 or len(amounts) < 2:
        return []
    if RESPECTIVELY.search(sentence) and len(distinct) == len(amounts) and not any(
            _party_before(sentence, money) for money in amounts[1:]):
        # "分别处以50万元、30万元"; not "A、B分别处以100万元，对C处以30万元", where 30万元 is C's own
        return list(zip(distinct, amounts, strict=True))
    pairs = []
    for index, company in enumerate(distinct):
        limit = distinct[index + 1].start if index + 1 < len(distinct) else 10**9
        following = [a for a in amounts if company.end <= a.start < limit and a.start - company.end <= 40]
        if not following:
            return []
        pairs.append((company, following[0]))
    return pairs if len({p[1].amount for p in pairs}) > 1 else []


# A further party fined its own amount after the first ones, in the same decision: "..., and that of Shixianghui
# 500,000 yuan", "…，对食享会处以50万元罚款".
_ANOTHER_PARTY_EN = re.compile(r"\band (?:that of |on )?(?P<name>[A-Z][\w&-]+(?: [A-Z][\w&-]+){0,2})\s+$")
_ANOTHER_PARTY_ZH = re.compile(f"[，,；;]\\s*(?:对|對)(?P<name>[{HAN_CHARS}A-Za-z0-9（）()]{{2,15}}?)(?:处以|處以)(?:罚款|罰款)?\\s*$")


def _party_before(sentence: str, money: Money) -> re.Match[str] | None:
    """The party named just before an amount in a clause of its own ("and that of X", "，对X处以")."""
    lead = sentence[max(0, money.start - 40):money.start]
    return _ANOTHER_PARTY_EN.search(lead) or _ANOTHER_PARTY_ZH.search(lead)


def other_parties(sentence: str, amounts: list[Money], used: set[int], companies: list[CompanyMatch]
                  ) -> list[tuple[str, Money]]:
    """Untracked parties a sentence fines, each named just before an amount no company has taken."""
    found = []
    for money in amounts:
        if money.start in used:
            continue
        named = _party_before(sentence, money)
        if named is None or named.group("name") in _GENERIC_NAMES:
            continue
        start = max(0, money.start - 40) + named.start("name")
        if any(start <= m.start < money.start for m in companies):
            continue  # a tracked company there is paired already
        found.append((named.group("name"), money))
    return found


def company_totals(companies: list[CompanyMatch], amounts: list[Money], sentence: str) -> list[tuple[CompanyMatch, Money]]:
    """Each company with its amount: "6 million yuan for Tencent" (the amount just before "for"),
    else the first amount after the company and before the next one."""
    distinct = one_per_company(companies)
    pairs = []
    for company in distinct:
        lead = [a for a in amounts if a.end <= company.start
                and FOR_COMPANY.fullmatch(sentence[a.end:company.start])]
        if lead:
            pairs.append((company, lead[-1]))
    if pairs:
        return pairs
    for index, company in enumerate(distinct):
        limit = distinct[index + 1].start if index + 1 < len(distinct) else 10**9
        following = [a for a in amounts if company.end <= a.start < limit]
        if following:
            pairs.append((company, following[0]))
    return pairs
