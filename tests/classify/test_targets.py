"""Which tracked companies an action falls on when a sentence names several."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tasks.classify.classifier import Classifier

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(CONFIG)


def fined(classifier: Classifier, title: str, text: str) -> list[str]:
    result = classifier.classify(title, text, date(2023, 2, 10))
    return sorted(name for event in result.events if event.kind == "fine" for name in event.companies)


def test_every_name_of_a_list_before_the_verb_is_fined(classifier: Classifier) -> None:
    title = "Kuaishou, Bilibili and Huya fined by cyberspace watchdog over livestreams"
    text = "The Cyberspace Administration of China said on Friday that three video platforms failed to act in time."
    assert fined(classifier, title, text) == ["Bilibili", "Huya", "Kuaishou"]


def test_a_name_outside_the_list_is_not_fined(classifier: Classifier) -> None:
    title = "Tencent-backed Huya fined by cyberspace watchdog over livestreams"
    text = "The Cyberspace Administration of China said on Friday that the platform failed to act in time."
    assert fined(classifier, title, text) == ["Huya"]


def test_each_falls_on_the_companies_of_its_own_clause(classifier: Classifier) -> None:
    title = "Regulators act on two platforms"
    text = ("China's cyberspace regulator said on Sunday it had found problems in Didi's app, and on Monday the market "
            "regulator fined four of Alibaba's subsidiaries 500,000 yuan each.")
    assert fined(classifier, title, text) == ["Alibaba Group"]
