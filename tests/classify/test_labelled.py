"""The labelled set: every file is a valid fixture, and the classifier meets its targets on it.

Like feedparser's suite, each file states its expectation in its header. The
per-file test checks the fixture and that `regwatch classify --json` gives a
well-formed answer for it; the accuracy targets are checked over the whole set
(one wrong item should lower a score, not hide behind an xfail).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from evaluation.labelled import LABELLED_DIR, Score, evaluate, labelled_files, parse_labelled
from tasks.classify import regulators
from tasks.classify.classifier import Classifier
from tasks.classify.companies import load_companies
from tasks.classify.kinds import KINDS
from tasks.common.settings import DEFAULT_CONFIG_DIR

FILES = labelled_files()
REGULATORS = (set(regulators.REGULATORS) - {regulators.FOREIGN, "AUTHORITIES"}) | {"LOCAL"}


@cache
def classifier() -> Classifier:
    return Classifier(DEFAULT_CONFIG_DIR)


@cache
def canonical_names() -> frozenset[str]:
    return frozenset(c.name for c in load_companies(DEFAULT_CONFIG_DIR))


def test_the_set_is_big_and_bilingual() -> None:
    items = [parse_labelled(f) for f in FILES]
    assert len(items) >= 200
    for language in ("en", "zh"):
        mine = [i for i in items if i.language == language]
        assert sum(i.relevant for i in mine) >= 40, language
        assert sum(not i.relevant for i in mine) >= 40, language


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_labelled_file(path: Path) -> None:
    item = parse_labelled(path)
    assert item.language in ("en", "zh")
    assert item.title and item.text
    assert item.companies <= canonical_names(), "companies must be canonical names from companies.yaml"
    assert item.relevant == bool(item.events), "relevant stories report events; others report none"
    for event in item.events:
        assert event["kind"] in KINDS
        if event["kind"] == "fine" and "amount" in event:  # some reports of a fine state no amount
            assert float(event["amount"]) > 0 and len(event["currency"]) == 3
        if event["kind"] == "policy_shift":
            assert event["direction"] in ("tighten", "ease", "neutral")
        if event.get("regulator"):
            assert event["regulator"] in REGULATORS
    result = classifier().classify(item.title, item.text, item.published).to_json()
    json.dumps(result, ensure_ascii=False)
    assert {c["name"] for c in result["companies"]} <= canonical_names()
    for event in result["events"]:
        assert event["kind"] in KINDS and event["evidence"]


@cache
def scores() -> dict[str, Score]:
    items = [parse_labelled(f) for f in labelled_files(LABELLED_DIR)]
    return evaluate(items, lambda i: classifier().classify(i.title, i.text, i.published))


# The targets, met on this set (see `regwatch eval`).
TARGETS = {"relevance_f1": 0.95, "company_p": 0.98, "company_r": 0.95, "kind_acc": 0.93, "amount": 0.95}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_accuracy_targets(language: str) -> None:
    score, floor = scores()[language], TARGETS
    report = "\n".join(scores()["all"].failures)
    assert score.relevance.f1 >= floor["relevance_f1"], report
    assert score.companies.precision >= floor["company_p"], report
    assert score.companies.recall >= floor["company_r"], report
    assert score.kind_accuracy >= floor["kind_acc"], report
    assert score.amount_accuracy >= floor["amount"], report
