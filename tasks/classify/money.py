"""Find money amounts in English and Chinese news text, exactly as reported.

"18.228 billion yuan", "RMB18.228bn", "$2.8 billion", "HK$1.2 billion",
"182.28亿元", "人民币71.23亿元", "50万元", "五十万元" all become an exact
`Decimal` in units of an ISO 4217 currency, with the matched text and its
position so that a fine can be tied to its trigger word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE_EN = r"trillion|tn|billion|bln|bn|b|million|mln|mn|m|thousand|k"
_SCALES_EN = {
    "trillion": 10**12, "tn": 10**12, "billion": 10**9, "bln": 10**9, "bn": 10**9, "b": 10**9,
    "million": 10**6, "mln": 10**6, "mn": 10**6, "m": 10**6, "thousand": 10**3, "k": 10**3,
}
_PREFIX = {
    "us$": "USD", "usd": "USD", "hk$": "HKD", "hkd": "HKD", "nt$": "TWD", "$": "USD", "rmb": "CNY", "cny": "CNY",
    "¥": "CNY", "￥": "CNY", "yuan": "CNY", "eur": "EUR", "€": "EUR", "£": "GBP", "gbp": "GBP",
}
_SUFFIX = {
    "yuan": "CNY", "chinese yuan": "CNY", "yuan renminbi": "CNY", "renminbi": "CNY", "rmb": "CNY",
    "cny": "CNY", "dollars": "USD", "us dollars": "USD",
    "u.s. dollars": "USD", "usd": "USD", "hong kong dollars": "HKD", "hk dollars": "HKD", "hkd": "HKD",
    "euros": "EUR", "euro": "EUR", "eur": "EUR", "pounds": "GBP",
}
# The three-letter codes written before an amount (RMB500,000, CNY 3 million): never a company's name.
CURRENCY_CODES = tuple(sorted(code.upper() for code in _PREFIX if code.isalpha() and len(code) == 3))
_PREFIX_RE = "|".join(re.escape(p) for p in sorted(_PREFIX, key=len, reverse=True))
_SUFFIX_RE = "|".join(re.escape(s) for s in sorted(_SUFFIX, key=len, reverse=True))

EN_MONEY = re.compile(
    rf"(?<![\w$])(?P<pre>{_PREFIX_RE})\s?(?P<num>{_NUM})(?:\s?(?P<scale>{_SCALE_EN})\b)?"
    # (hyphenated as an adjective too: "a 3-million-yuan fine")
    rf"|(?<![\w.,])(?P<num2>{_NUM})(?:[\s-]?(?P<scale2>{_SCALE_EN}))?[\s-]?(?P<suf>{_SUFFIX_RE})\b",
    re.IGNORECASE,
)

# with the financial forms penalty decisions write amounts in (罚款人民币叁佰万元)
_CN_DIGITS = "零〇一二两三四五六七八九十百千壹贰貳叁參肆伍陆陸柒捌玖拾佰仟"
_ZH_UNITS = {"万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "亿": 10**8, "千万": 10**7, "百万": 10**6, "万": 10**4,
             "萬億": 10**12, "千億": 10**11, "百億": 10**10, "億": 10**8, "千萬": 10**7, "百萬": 10**6, "萬": 10**4}
# Taiwanese outlets convert fines into New Taiwan dollars in brackets: (約新台幣655萬元) is no yuan amount.
_ZH_CURRENCY = {"美元": "USD", "港元": "HKD", "港币": "HKD", "港幣": "HKD", "欧元": "EUR", "歐元": "EUR", "英镑": "GBP",
                "英鎊": "GBP", "元": "CNY", "人民币": "CNY", "人民幣": "CNY", "新台币": "TWD", "新台幣": "TWD",
                "台币": "TWD", "台幣": "TWD"}
ZH_MONEY = re.compile(
    rf"(?P<pre>人民币|人民幣|RMB|¥|￥|新台币|新台幣|台币|台幣)?\s?(?P<num>{_NUM}|[{_CN_DIGITS}点點]+)\s?"
    rf"(?P<unit>万亿|千亿|百亿|亿|千万|百万|万|萬億|千億|百億|億|千萬|百萬|萬)?(?P<mid>[{_CN_DIGITS}]*[万千百萬]?)"
    rf"(?P<cur>美元|港元|港币|港幣|欧元|歐元|英镑|英鎊|元人民币|元人民幣|人民币|人民幣|元新台币|元新台幣|新台币|新台幣|台币|台幣|元)"
)


@dataclass(frozen=True)
class Money:
    """An amount as reported: `amount` units of `currency`, from `text` at [start, end)."""

    amount: Decimal
    currency: str
    text: str
    start: int
    end: int


# 罚款80.26亿, 共计34.42亿: after a fine word, a Chinese amount in 亿 or 万 may leave out 元.
ZH_BARE = re.compile(
    r"(?:(?<=罚款)|(?<=罰款)|(?<=罚没)|(?<=罰沒)|(?<=罚金)|(?<=罰金)|(?<=共计)|(?<=共計)|(?<=合计)|(?<=合計)|(?<=处以)"
    rf"|(?<=處以)|(?<=计)|(?<=計))\s?(?P<num>{_NUM})\s?(?P<unit>亿|億|万|萬)(?![元美港欧歐英人\d])"
)


def _decimal(number: str) -> Decimal | None:
    try:
        return Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None


def _chinese_number(text: str) -> Decimal | None:
    if re.fullmatch(_NUM, text):
        return _decimal(text)
    import cn2an  # here, not at the top: its import takes 0.1 s, and most processes never read a Chinese numeral

    try:
        return Decimal(str(cn2an.cn2an(text, "smart")))
    except (ValueError, KeyError):
        return None


def _english(text: str) -> list[Money]:
    found = []
    for match in EN_MONEY.finditer(text):
        if match.group("num") is not None:
            number, scale = match.group("num"), match.group("scale")
            currency = _PREFIX[match.group("pre").lower()]
        else:
            number, scale = match.group("num2"), match.group("scale2")
            currency = _SUFFIX[match.group("suf").lower()]
        value = _decimal(number)
        if value is None:
            continue
        if scale:
            value *= _SCALES_EN[scale.lower()]
        found.append(Money(value, currency, match.group(0), match.start(), match.end()))
    return found


def _chinese(text: str) -> list[Money]:
    found = []
    for match in ZH_MONEY.finditer(text):
        unit = match.group("unit")
        if unit and not match.group("mid"):
            value = _chinese_number(match.group("num"))
            if value is not None:
                value *= _ZH_UNITS[unit]
        else:  # 十二万五千元, 壹拾贰万伍仟元: the unit between the two parts
            value = _chinese_number(match.group("num") + (unit or "") + match.group("mid"))
        if value is None or value == 0:
            continue
        currency = _ZH_CURRENCY[match.group("cur").removeprefix("元") or "元"]
        if _ZH_CURRENCY.get(match.group("pre") or "") == "TWD":
            currency = "TWD"  # 新台幣655萬元: the 元 is Taiwan's
        found.append(Money(value, currency, match.group(0), match.start(), match.end()))
    for match in ZH_BARE.finditer(text):
        value = _decimal(match.group("num"))
        if value:
            found.append(Money(value * _ZH_UNITS[match.group("unit")], "CNY", match.group(0).strip(), match.start(),
                               match.end()))
    return found


def find_money(text: str) -> list[Money]:
    """Every amount in `text`, in order of position; overlapping readings keep the longest."""
    candidates = sorted(_english(text) + _chinese(text), key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Money] = []
    for money in candidates:
        if kept and money.start < kept[-1].end:
            continue
        kept.append(money)
    return kept


def exact(amount: Decimal) -> int | float:
    """JSON-friendly: an int when the amount is whole (18228000000), else a float."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)
