"""Real published articles that report no Chinese regulatory action must stay silent.

The article-extraction benchmark in ../shared (MIT-licensed) holds 181 real
news and blog articles from 2019-2020, with their bodies checked by hand: tech,
markets, science, sport. Some name Alibaba, Huawei, Weibo or WeChat, some
China's markets or foreign regulators; none reports a new action by a Chinese
regulator. Each is one case: a relevant verdict or any event on one of them
is an alert a user would have had to read for nothing.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tasks.classify.classifier import Classifier
from tests.support.corpora import SHARED, shared_corpus

CONFIG = Path(__file__).resolve().parents[2] / "config"
TRUTH = SHARED / "corpora" / "article-extraction-benchmark" / "ground-truth.json"


def articles() -> list[Any]:
    if not TRUTH.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{TRUTH} is absent: the shared corpora live "
                                                                  "in ../shared beside the repo"), id="absent")]
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    return [pytest.param(entry, id=name[:12]) for name, entry in sorted(truth.items())]


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(CONFIG)


@pytest.mark.parametrize("entry", articles())
def test_a_real_article_without_a_chinese_regulatory_action_is_not_relevant(
    classifier: Classifier, entry: dict[str, str]
) -> None:
    result = classifier.classify("", entry["articleBody"], date(2020, 1, 1))
    found = [(event.kind, event.companies, event.evidence[:120]) for event in result.events]
    assert not result.relevant and not found, f"{entry['url']}: {found}"


def test_the_benchmark_names_tracked_companies_so_the_negatives_are_not_trivial(classifier: Classifier) -> None:
    """Without tracked companies in them these articles would test nothing the relevance rules decide."""
    truth = json.loads((shared_corpus("article-extraction-benchmark") / "ground-truth.json").read_text("utf-8"))
    named = {entry["url"] for entry in truth.values()
             if classifier.classify("", entry["articleBody"], date(2020, 1, 1)).matches}
    assert len(named) >= 3, sorted(named)
