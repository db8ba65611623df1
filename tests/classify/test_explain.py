"""`regwatch classify` says why a story yields no event, and reads only English and Chinese."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tasks.classify.classifier import Classifier

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(CONFIG)


@pytest.mark.parametrize(
    ("title", "text", "published", "reason"),
    [
        ("Quarterly results", "The company reported revenue growth of 7% and raised its outlook.", None,
         "no Chinese regulator"),
        ("Brussels acts", "The European Commission fined Alibaba 2 million euros over its marketplace.", None,
         "foreign authorities"),
        ("Results", "Alibaba, which was fined 18.2 billion yuan by China's market regulator in 2021, grew 7%.",
         date(2023, 5, 18), "recap"),
        ("Ant outlook", "Ant Group faces a fine of more than $1 billion from the central bank, people "
         "familiar with the matter said. China's central bank declined to comment.", date(2022, 11, 22),
         "not decided"),
        ("Weibo record",
         "The Cyberspace Administration of China has fined Weibo 44 times this year, 14 million yuan in all.",
         date(2021, 12, 20), "running total"),
        ("Cement", "China's market regulator fined three cement makers 20 million yuan for price fixing.",
         date(2021, 12, 20), "not about a tech company"),
    ],
)
def test_a_story_without_an_event_says_which_cue_was_missing(
    classifier: Classifier, title: str, text: str, published: date | None, reason: str
) -> None:
    result = classifier.classify(title, text, published)
    assert not result.relevant and result.events == []
    why = classifier.why_not(title, text, published)
    assert any(reason in line for line in why), why


def test_a_story_in_another_language_is_stored_but_never_an_event(classifier: Classifier) -> None:
    title = "Chinas Marktaufsicht verhängt Rekordstrafe gegen Alibaba"
    text = ("Die chinesische Marktaufsicht SAMR hat gegen Alibaba eine Strafe von 18,2 Milliarden Yuan verhängt, "
            "die höchste Strafe, die die Behörde je ausgesprochen hat.")
    result = classifier.classify(title, text, date(2021, 4, 10))
    assert (result.relevant, result.events, result.language) == (False, [], "de")
    assert result.companies == ["Alibaba Group"]  # names are still found and stored
    assert result.why_not == ["written in German: regwatch's rules read English and Chinese"]
    assert result.to_json()["why_not"] == result.why_not


def test_the_language_a_worker_detected_is_the_one_the_rules_go_by(classifier: Classifier) -> None:
    """A worker detects each page's language once, from its title and text, and hands it on (no second
    detection); the classifier detects it itself only when it is not given."""
    title, text = "SAMR fines Alibaba", "The State Administration for Market Regulation fined Alibaba 18.2bn yuan."
    assert classifier.classify(title, text, date(2021, 4, 10)).language == "en"
    told = classifier.classify(title, text, date(2021, 4, 10), language="de")
    assert (told.relevant, told.language, told.why_not) == (
        False, "de", ["written in German: regwatch's rules read English and Chinese"])
