"""Amounts as real pages write them: full-width punctuation, a bare 亿 after a fine word, "Chinese yuan"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tasks.classify.classifier import readable
from tasks.classify.money import find_money


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("共计罚款34。42亿元", "3442000000", "CNY"),  # a full stop where the decimal point belongs
        ("处以３４．４２亿元罚款", "3442000000", "CNY"),  # full-width digits and point
        ("罚款1，000万元", "10000000", "CNY"),
        ("依法处以罚款80.26亿", "8026000000", "CNY"),  # 元 left out after the fine word
        ("fined 18.2 billion Chinese yuan", "18200000000", "CNY"),
        ("罚款十二万五千元", "125000", "CNY"),  # a unit between the two parts
        ("处罚款人民币叁佰万元", "3000000", "CNY"),  # the financial numerals of a penalty decision
        ("罚款人民币壹拾贰万伍仟元整", "125000", "CNY"),
        ("a 3-million-yuan fine", "3000000", "CNY"),  # hyphenated as an adjective
    ],
)
def test_amounts_as_pages_write_them(text: str, amount: str, currency: str) -> None:
    found = find_money(readable(text))
    assert [(m.amount, m.currency) for m in found] == [(Decimal(amount), currency)]


@pytest.mark.parametrize("text", ["计划投资100亿", "估值达到5000亿", "第34。42页"])
def test_numbers_that_are_not_fines_stay_unread(text: str) -> None:
    assert [m for m in find_money(readable(text)) if m.currency == "CNY"] == []


def test_readable_keeps_every_offset_of_a_text_without_glosses() -> None:
    text = "市场监管总局共计罚款３４。４２亿元，约合5.3亿美元。"
    assert len(readable(text)) == len(text)


def test_readable_puts_every_wide_digit_in_ascii() -> None:
    """Each full-width digit alone, and next to number punctuation (readable skips a step with nothing to do:
    the check for something to do must see every digit)."""
    assert [readable(f"第{chr(0xFF10 + n)}页") for n in range(10)] == [f"第{n}页" for n in range(10)]
    assert readable("罚款１，０００万元，约合１．４亿美元") == "罚款1,000万元，约合1.4亿美元"
