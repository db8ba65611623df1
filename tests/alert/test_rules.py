"""alerts.yaml: which events alert at all, and the channel each goes to."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.alert.rules import AlertRules, Route, load_alert_rules
from tasks.common.errors import ConfigError
from tasks.common.settings import DEFAULT_CONFIG_DIR


def test_by_default_fines_and_policy_shifts_alert_and_other_kinds_do_not() -> None:
    rules = AlertRules()
    assert rules.wants("fine", [], None)
    assert rules.wants("policy_shift", [], None)
    assert not rules.wants("investigation", ["alibaba"], None)
    assert not rules.wants("ipo_block", ["ant"], 1e9)


def test_tracked_only_drops_untracked_companies_but_keeps_policy_shifts() -> None:
    rules = AlertRules(companies="tracked", kinds=["fine", "policy_shift", "investigation"])
    assert not rules.wants("fine", [], 5e9)
    assert rules.wants("fine", ["alibaba"], 5e9)
    assert not rules.wants("investigation", [], None)
    assert rules.wants("policy_shift", [], None)  # sector-wide policy names no company


def test_minimum_amount_applies_to_fines_only_and_an_unknown_amount_is_below_it() -> None:
    rules = AlertRules(kinds=["fine", "policy_shift"], min_amount_usd=1_000_000)
    assert not rules.wants("fine", ["didi"], 999_999)
    assert rules.wants("fine", ["didi"], 1_000_000)
    assert not rules.wants("fine", ["didi"], None)
    assert rules.wants("policy_shift", [], None)


def test_the_first_matching_route_picks_the_channel() -> None:
    rules = AlertRules(
        channel="#regwatch",
        routes=[
            Route(kind="fine", min_amount_usd=100_000_000, channel="#big-fines"),
            Route(company="Tencent", channel="#tencent-watch"),
            Route(kind="policy_shift", channel="#policy"),
        ],
    )
    assert rules.channel_for("fine", ["Tencent"], 2.8e9, None) == "#big-fines"  # first route wins over the second
    assert rules.channel_for("fine", ["Tencent"], 1e6, None) == "#tencent-watch"  # too small for the first
    assert rules.channel_for("fine", ["Tencent"], None, None) == "#tencent-watch"  # unknown amount is no big fine
    assert rules.channel_for("policy_shift", [], None, None) == "#policy"
    assert rules.channel_for("fine", ["Alibaba Group"], 1e6, None) == "#regwatch"  # no route: the file's channel
    assert rules.channel_for("fine", ["Alibaba Group"], 1e6, "C0DEFAULT") == "C0DEFAULT"  # the setting's channel
    assert rules.channel_for("fine", ["Tencent"], 1e6, "C0DEFAULT") == "#tencent-watch"  # a route beats both


def test_a_company_route_matches_the_canonical_name_exactly() -> None:
    rules = AlertRules(routes=[Route(company="Tencent", channel="#tencent-watch")])
    assert rules.channel_for("fine", ["Tencent Music"], 1e6, None) is None
    assert rules.channel_for("fine", ["Alibaba Group", "Tencent"], 1e6, None) == "#tencent-watch"


def test_the_shipped_file_loads_and_a_missing_file_means_the_defaults(tmp_path: Path) -> None:
    shipped = load_alert_rules(DEFAULT_CONFIG_DIR)
    assert set(shipped.kinds) == {"fine", "policy_shift"}
    assert load_alert_rules(tmp_path) == AlertRules()


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("kinds: [fine, fines]\n", "alerts.yaml:1: kinds[1]: unknown event kind 'fines'"),
        ("routes:\n  - {kind: fien, channel: '#x'}\n", "alerts.yaml:2: routes[0].kind: unknown"),
        ("routes:\n  - {kind: fine}\n", "alerts.yaml:2: routes[0].channel: Field required"),
        ("companies: some\n", "alerts.yaml:1: companies: Input should be 'tracked' or 'any'"),
        ("min_amount_usd: -5\n", "alerts.yaml:1: min_amount_usd: Input should be greater than or equal to 0"),
    ],
)
def test_a_bad_rule_is_an_error_naming_the_line(tmp_path: Path, yaml_text: str, message: str) -> None:
    (tmp_path / "alerts.yaml").write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_alert_rules(tmp_path)
    assert message in str(caught.value)
