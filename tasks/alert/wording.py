"""Numbers, amounts and counts as a person reads them, for Slack, the console and `regwatch history`.

An amount is shown as the regulator stated it (18.228 billion yuan: that figure is a fact), while its
dollar value is rounded to three significant figures (≈ $2.54 billion): it comes from one dated
exchange rate, and cents would claim a precision that rate does not have.
"""

from __future__ import annotations

import math

from tasks.common.text import HAN

_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
# How English news writes an amount in each currency; others show their ISO code.
_CURRENCY_FORMS = {"CNY": "{} yuan", "USD": "${}", "HKD": "HK${}", "EUR": "€{}", "GBP": "£{}", "JPY": "{} yen",
                   "TWD": "NT${}"}
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def human_number(value: float, decimals: int = 3) -> str:
    """18228000000 -> "18.228 billion": the way news reports amounts, trailing zeros dropped."""
    for size, word in _SCALES:
        if abs(value) >= size:
            return f"{value / size:.{decimals}f}".rstrip("0").rstrip(".") + f" {word}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def three_figures(value: float) -> str:
    """`value` to three significant figures, in words past a million: 418410.04 -> "418,000",
    2541631799 -> "2.54 billion", 999_600_000 -> "1 billion"."""
    if value == 0 or not math.isfinite(value):
        return "0"
    rounded = float(f"{value:.3g}")
    for size, word in _SCALES:
        if abs(rounded) >= size:
            return f"{rounded / size:.3g} {word}"
    decimals = max(0, 2 - math.floor(math.log10(abs(rounded))))
    return f"{rounded:,.{decimals}f}"


def approx_usd(value: float) -> str:
    """A converted dollar amount: "$418,000", "$2.54 billion" (see the module's docstring)."""
    return f"${three_figures(value)}"


def amount_in_words(amount: float, currency: str | None) -> str:
    """An amount in English from its value: 8026000000 CNY -> "8.026 billion yuan"."""
    form = _CURRENCY_FORMS.get(currency or "", f"{{}} {currency or ''}".rstrip())
    return form.format(human_number(amount))


def stated_amount(amount_text: str | None, amount: float | None, currency: str | None) -> str:
    """The amount as the story stated it when it is English ("HK$1.2 billion"); a Chinese statement
    (人民币80.26亿元) is given in English words from its parsed value."""
    if amount_text and amount_text.strip() and not HAN.search(amount_text):
        return amount_text.strip()
    if amount is not None:
        return amount_in_words(amount, currency)
    return (amount_text or "").strip()


def ordinal(n: int) -> str:
    """3 -> "third", 11 -> "11th"."""
    if 1 <= n <= len(_ORDINALS):
        return _ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
