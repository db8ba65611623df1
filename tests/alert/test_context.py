"""Context lines: where a fine or policy turn stands among past actions, reference and observed alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from tasks.alert.context import context_lines, largest_fine, nth_this_year, previous_policy_turn
from tasks.classify.currency import load_rates
from tasks.store.history import PastAction

RATES = load_rates(Path(__file__).resolve().parents[2] / "config")
TODAY = date(2025, 6, 1)


def fine(day: str, usd: float, company: str = "Tencent", regulator: str = "SAMR", text: str | None = None,
         kind: str = "fine") -> PastAction:
    return PastAction(date=date.fromisoformat(day), kind=kind, companies=(company,), regulator=regulator,
                      regulator_text=text, amount=usd * 7.17, currency="CNY", amount_text=None, amount_usd=usd,
                      direction=None, about="", sources=())


def policy(day: str, direction: str, about: str, regulator: str = "POLITBURO") -> PastAction:
    return PastAction(date=date.fromisoformat(day), kind="policy_shift", companies=(), regulator=regulator,
                      regulator_text=None, amount=None, currency=None, amount_text=None, amount_usd=None,
                      direction=direction, about=about, sources=())


PAST = [
    fine("2021-04-10", 2.54e9, "Alibaba Group"),
    fine("2021-10-08", 480e6, "Meituan"),
    fine("2022-07-10", 70_000),
    fine("2022-07-21", 1.12e9, "Didi Global", regulator="CAC"),
]


def test_largest_by_regulator_since_the_last_larger_one() -> None:
    assert largest_fine(fine("2023-03-01", 900e6, "JD.com"), PAST) == (
        "Largest fine by SAMR since Apr 2021 (Alibaba Group, ≈ $2.54 billion)"
    )


def test_largest_on_record() -> None:
    assert largest_fine(fine("2023-03-01", 3e9, "JD.com"), PAST) == "Largest fine by SAMR since at least 2021"


def test_no_record_claimed_from_records_of_a_few_months() -> None:
    """Without the reference data (the demo), the records start with the first fine regwatch saw."""
    assert largest_fine(fine("2021-09-01", 3e9, "JD.com"), PAST[:1]) is None


def test_nothing_to_say_when_the_last_fine_by_that_body_was_larger() -> None:
    assert largest_fine(fine("2022-08-01", 10_000), PAST) is None


def test_no_line_without_an_earlier_fine_by_that_body_or_for_an_unnamed_or_local_one() -> None:
    assert largest_fine(fine("2023-01-01", 5e6, regulator="PBOC"), PAST) is None
    assert largest_fine(fine("2023-01-01", 5e9, regulator="AUTHORITIES", text="regulators"), PAST) is None
    assert largest_fine(fine("2023-01-01", 5e9, text="上海市市场监管局"), PAST) is None


def test_a_fine_equal_to_an_earlier_one_has_not_exceeded_it() -> None:
    past = [fine("2021-07-07", 70_000, "Alibaba Group"), fine("2021-07-24", 70_000), fine("2021-08-01", 10_000)]
    assert largest_fine(fine("2021-09-01", 70_100, "Baidu"), past) == (
        "Largest fine by SAMR since Tencent's equal fine in Jul 2021"
    )
    assert largest_fine(fine("2021-07-30", 70_000, "Baidu"), past[:2]) is None  # the last one was the same


def test_fines_in_other_currencies_compare_in_usd() -> None:
    hkd = Decimal("8000000000")  # HK$8 billion ≈ $1.02 billion: less than Alibaba's, more than Meituan's
    usd = RATES.to_usd(hkd, "HKD")
    assert usd is not None
    shown = replace(fine("2023-05-01", usd, "Kuaishou"), amount=float(hkd), currency="HKD")
    assert largest_fine(shown, PAST) == "Largest fine by SAMR since Apr 2021 (Alibaba Group, ≈ $2.54 billion)"


def test_nth_action_of_a_kind_this_year_per_company() -> None:
    past = [fine("2025-01-10", 1e5), fine("2025-03-02", 2e5), fine("2024-12-30", 3e5), fine("2025-02-01", 1e5, "Baidu")]
    assert nth_this_year(fine("2025-05-01", 1e5), past, TODAY) == ["Tencent's third fine this year"]
    assert nth_this_year(fine("2025-01-05", 1e5), past, TODAY) == []  # its first of the year
    assert nth_this_year(fine("2025-05-01", 1e5), past, date(2026, 1, 2)) == ["Tencent's third fine in 2025"]
    removal = fine("2025-05-01", 0, kind="app_removal")
    assert nth_this_year(removal, [*past, fine("2025-04-01", 0, kind="app_removal")], TODAY) == [
        "Tencent's second app removal this year"]


def test_previous_policy_turn_by_the_same_body() -> None:
    past = [policy("2020-12-11", "tighten", "anti-monopoly and the disorderly expansion of capital"),
            policy("2022-04-29", "ease", "support for the healthy development of the platform economy"),
            policy("2023-07-13", "neutral", "generative AI measures", regulator="CAC")]
    assert previous_policy_turn(policy("2023-07-24", "ease", "x"), past) == (
        "Previous policy turn by the Politburo: easing, Apr 2022 — support for the healthy development of the "
        "platform economy"
    )
    assert previous_policy_turn(policy("2020-12-01", "ease", "x"), past) is None


def test_context_lines_only_look_back() -> None:
    later = fine("2023-01-01", 9e9, "Meituan")
    assert context_lines(fine("2022-07-25", 1e6, "Meituan"), [*PAST, later], TODAY) == [
        "Largest fine by SAMR since Oct 2021 (Meituan, ≈ $480 million)"]  # not "since at least 2021"
    assert context_lines(fine("2023-02-01", 1e6, "Meituan"), [*PAST, later], TODAY) == [
        "Meituan's second fine in 2023"]  # the last SAMR fine, a month before, was larger
