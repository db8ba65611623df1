"""Known enforcement actions: the shipped file is valid, and a story recalling a known action weeks later
yields no event for it, while a new action of the same kind still does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tasks.classify.classifier import Classifier
from tasks.classify.companies import CompanyMatcher, load_companies
from tasks.classify.history import load_history
from tasks.classify.regulators import REGULATORS, UNNAMED
from tasks.common.errors import ConfigError

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(CONFIG)


def test_the_shipped_history_is_valid_and_sourced() -> None:
    history = load_history(CONFIG)
    assert len(history.actions) >= 15
    assert all(a.source.startswith("http") and a.about for a in history.actions)
    fines = [a for a in history.actions if a.kind == "fine"]
    assert all(a.amount and a.currency for a in fines)


def test_the_reference_data_names_companies_and_regulators_the_way_regwatch_does() -> None:
    """A tracked company under another name, or a regulator code regwatch does not use, would never be matched
    with what regwatch observes: no context, no history, no recap."""
    actions = load_history(CONFIG).actions
    assert len(actions) >= 60
    companies = load_companies(CONFIG)
    canonical = {c.name for c in companies}
    matcher = CompanyMatcher(companies)
    for action in actions:
        assert action.regulator in REGULATORS and action.regulator not in UNNAMED, action
        assert (action.direction is not None) == (action.kind == "policy_shift"), action
        for name in set(action.companies) - canonical:
            assert matcher.find(name) == [], f"{name!r} is a tracked company: use its name in companies.yaml"


def test_a_mistake_in_the_history_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "enforcement_history.yaml").write_text(
        "actions:\n  - date: 2021-04-10\n    kind: fined\n    about: x\n    source: https://example.org/\n"
    )
    with pytest.raises(ConfigError, match=r"enforcement_history.yaml:3: actions\[0\].kind"):
        load_history(tmp_path)


def test_no_history_file_means_no_known_actions(tmp_path: Path) -> None:
    assert load_history(tmp_path).actions == []


TITLE = "Alibaba shares rise after results"
RECALLED = ("China's market regulator fined Alibaba 18.228 billion yuan for abusing its dominant position, "
            "the company reminded investors on Thursday.")


def test_a_known_fine_told_long_after_is_a_recap(classifier: Classifier) -> None:
    assert classifier.classify(TITLE, RECALLED, date(2023, 5, 18)).events == []


def test_the_same_fine_on_its_day_is_news(classifier: Classifier) -> None:
    events = classifier.classify("Alibaba fined", RECALLED, date(2021, 4, 10)).events
    assert [(e.kind, e.companies, e.amount) for e in events] == [("fine", ["Alibaba Group"], 18228000000)]


def test_another_fine_on_the_same_company_is_news(classifier: Classifier) -> None:
    text = "China's market regulator fined Alibaba 2.5 billion yuan for unfair pricing on Thursday."
    events = classifier.classify("Alibaba fined again", text, date(2025, 3, 6)).events
    assert [(e.kind, e.amount) for e in events] == [("fine", 2500000000)]


def test_small_repeated_fines_are_not_taken_for_recaps(classifier: Classifier) -> None:
    text = "China's market regulator fined Tencent 500,000 yuan for failing to report an acquisition."
    events = classifier.classify("Tencent fined", text, date(2022, 7, 10)).events
    assert [(e.kind, e.companies, e.amount) for e in events] == [("fine", ["Tencent"], 500000)]
