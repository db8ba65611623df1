"""Alerts read as plain English: kinds and directions in words, regulators by their names (never an internal
code), dollar conversions to three significant figures, a policy shift by what it is about."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tasks.alert.slack_format import AlertFacts, SlackMessage, Source, render_alert, render_update
from tasks.alert.wording import approx_usd, ordinal, stated_amount
from tasks.classify.kinds import KINDS
from tasks.classify.regulators import DISPLAY_NAMES, REGULATORS, UNNAMED, display_regulator
from tests.support.plain_english import not_plain

URL = "https://www.reuters.com/technology/ant-group-fined-2023-07-07/"


def facts(**changes: Any) -> AlertFacts:
    base = AlertFacts(
        kind="fine", companies=["Ant Group"], regulator="AUTHORITIES", regulator_text="有关部门",
        amount_text="7.123 billion yuan", amount=7.123e9, currency="CNY", amount_usd=993_445_000.41,
        direction=None, evidence="Ant Group was fined 7.123 billion yuan.",
        primary=Source("Ant Group fined $985 million", URL, "Reuters"), others=[],
        published=datetime(2023, 7, 7, 9, 0, tzinfo=UTC),
    )
    return AlertFacts(**{**base.__dict__, **changes})


def rendered(message: SlackMessage) -> str:
    return json.dumps([message.text, message.blocks], ensure_ascii=False)


def test_the_held_out_messages_read_as_plain_english() -> None:
    policy = facts(kind="policy_shift", companies=[], regulator="POLITBURO", regulator_text="中央政治局",
                   amount_text=None, amount=None, currency=None, amount_usd=None, direction="ease",
                   about="Politburo pledges support for the platform economy")
    assert render_alert(policy).text == (
        f"Policy shift, easing — Politburo pledges support for the platform economy — <{URL}>"
    )
    council = policy.__class__(**{**policy.__dict__, "regulator": "STATE_COUNCIL", "regulator_text": "国务院",
                                  "direction": "tighten", "about": None, "sector": "online games"})
    assert render_alert(council).text == f"Policy shift, tightening — the State Council on online games — <{URL}>"
    assert render_alert(facts()).text == f"Fine: Ant Group fined 7.123 billion yuan (≈ $993 million) — <{URL}>"
    cac = facts(regulator="CAC", regulator_text="cyberspace regulator", amount_usd=418_410.04,
                amount_text="3 million yuan", amount=3e6)
    assert render_alert(cac).text == (
        f"Fine: Ant Group fined 3 million yuan (≈ $418,000) by the Cyberspace Administration of China (CAC) — <{URL}>"
    )


def test_a_policy_shift_names_its_body_when_the_headline_does_not() -> None:
    message = render_alert(facts(kind="policy_shift", companies=[], regulator="MIIT", regulator_text="工信部",
                                 amount_text=None, amount=None, currency=None, amount_usd=None, direction="neutral",
                                 about="New rules for mini programs"))
    assert message.text == f"Policy shift — New rules for mini programs (MIIT) — <{URL}>"


def test_an_amount_stated_in_chinese_is_given_in_english_words() -> None:
    message = render_alert(facts(regulator="CAC", regulator_text="国家互联网信息办公室", amount_text="人民币80.26亿元",
                                 amount=8.026e9, amount_usd=1.1194e9, companies=["Didi Global"]))
    assert message.text.startswith("Fine: Didi Global fined 8.026 billion yuan (≈ $1.12 billion) by the Cyberspace")
    amount = next(f["text"] for f in message.blocks[1]["fields"] if f["text"].startswith("*Amount*"))
    assert amount == "*Amount*\n8.026 billion yuan\n≈ $1.12 billion"


DIRECTIONS = ("tighten", "ease", "neutral", None)
CODES = (*REGULATORS, None)


@pytest.mark.parametrize(("kind", "direction"), list(itertools.product((*KINDS, "data_breach"), DIRECTIONS)))
def test_no_kind_direction_or_regulator_shows_an_internal_name_or_cents(kind: str, direction: str | None) -> None:
    for code in CODES:
        for surface in ("有关部门", "regulators", None):
            case = facts(kind=kind, direction=direction, regulator=code, regulator_text=surface,
                         amount_usd=418_410.04, others=[Source("罚款", "https://36kr.com/p/2", "36Kr")])
            for message in (render_alert(case), render_update(case, case.others)):
                text = rendered(message)
                assert not_plain(text) == [], (kind, direction, code, surface, message.text)
                assert " by  " not in text and "by —" not in text and "None" not in text, message.text


def test_every_named_regulator_has_a_display_name() -> None:
    assert set(REGULATORS) - set(UNNAMED) == set(DISPLAY_NAMES)
    for code, name in DISPLAY_NAMES.items():
        assert "_" not in name.full and name.full != code


@pytest.mark.parametrize(
    ("code", "surface", "by"),
    [
        ("SAMR", "market regulator", "by the State Administration for Market Regulation (SAMR)"),
        ("STATE_COUNCIL", "国务院", "by the State Council"),
        ("SAMR", "Shanghai Administration for Market Regulation",
         "by the Shanghai Administration for Market Regulation"),
        ("SAMR", "上海市市场监管局", "by a local market regulator (上海市市场监管局)"),
        ("SAMR", "深圳市工商局", "by a local market regulator (深圳市工商局)"),
        ("LOCAL", "龙里县交通运输局", "by a local transport bureau (龙里县交通运输局)"),
        ("LOCAL", "黄浦区文化和旅游局", "by a local culture and tourism bureau (黄浦区文化和旅游局)"),
        ("MIIT", "广东省通信管理局", "by a local communications administration (广东省通信管理局)"),
        ("LOCAL", "Beijing Transport Bureau", "by the Beijing Transport Bureau"),
        ("AUTHORITIES", "Chinese regulators", "by Chinese regulators"),
        ("AUTHORITIES", "government", "by the government"),
        ("COURT", "Supreme People's Court", "by the Supreme People's Court"),
    ],
)
def test_regulators_are_called_by_their_names(code: str, surface: str, by: str) -> None:
    name = display_regulator(code, surface)
    assert name is not None and name.by() == by


@pytest.mark.parametrize(("code", "surface"), [("AUTHORITIES", "有关部门"), ("COURT", "人民法院"), (None, None),
                                               ("FOREIGN", None)])
def test_an_unnamed_authority_is_not_named_at_all(code: str | None, surface: str | None) -> None:
    assert display_regulator(code, surface) is None


@pytest.mark.parametrize(
    ("usd", "shown"),
    [(418_410.04, "$418,000"), (2_541_631_799.2, "$2.54 billion"), (999_600_000, "$1 billion"), (1234.5, "$1,230"),
     (69_735, "$69,700"), (18_234_000, "$18.2 million"), (5.678, "$5.68")],
)
def test_dollar_conversions_have_three_significant_figures(usd: float, shown: str) -> None:
    assert approx_usd(usd) == shown


def test_amounts_and_ordinals_in_words() -> None:
    assert stated_amount("HK$1.2 billion", 1.2e9, "HKD") == "HK$1.2 billion"
    assert stated_amount("182.28亿元", 18.228e9, "CNY") == "18.228 billion yuan"
    assert [ordinal(n) for n in (1, 3, 10, 11, 12, 22, 103)] == ["first", "third", "tenth", "11th", "12th", "22nd",
                                                                   "103rd"]


def test_context_lines_are_shown_in_the_body() -> None:
    message = render_alert(facts(context=["Largest fine by PBOC on record (since 2020)", "Ant Group's second fine "
                                          "in 2023"]))
    texts = [b["text"]["text"] for b in message.blocks if "text" in b]
    section = next(t for t in texts if t.startswith("*Context"))
    assert section == "*Context*\n• Largest fine by PBOC on record (since 2020)\n• Ant Group's second fine in 2023"
