"""Where a cue stops: sentences that share words with an action's cue, and what regwatch must read from them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tasks.classify.classifier import Classifier

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(CONFIG)


def kinds(classifier: Classifier, text: str) -> set[str]:
    return {event.kind for event in classifier.classify("", text, date(2022, 6, 1)).events}


@pytest.mark.parametrize(("text", "expected"), [
    # a probe opened after a report found something is still a new probe; what a probe found is not
    ("China's market regulator opened an investigation into Meituan after a media report revealed that it "
     "forced merchants into exclusive deals.", {"investigation"}),
    # a regulator's or China's own probe, named with a possessive, is still a new probe
    ("China's market regulator's investigation into Alibaba, announced on Thursday, looks at its exclusive deals.",
     {"investigation"}),
    # a fine on a person ("大V", an influencer; 时任财务总监, the then finance director) is not a company's
    ("中国证监会19日发布行政处罚决定书，认定某投资社区平台「大V」李某存在操纵市场行为，"
     "对其罚没合计超5000万元。", set()),
    # a rule's text is not an order on anyone
    ("The Cyberspace Administration of China issued rules that required online platforms to remove false "
     "content.", {"policy_shift"}),
    # "to close" with no business to close is not an order
    ("When asked when Tencent expected the deal to close, China's market regulator declined to comment.", set()),
    # a law applied (依据…规定：) is the decision, not the law quoted
    ("杭州市市场监管局依据《广告法》第五十五条第一款规定：责令停止发布，"
     "对杭州某某网络科技有限公司处罚款20万元。", {"fine"}),
])
def test_cues_read_what_the_sentence_reports(classifier: Classifier, text: str, expected: set[str]) -> None:
    assert kinds(classifier, text) == expected


def test_illegal_income_is_not_the_fine(classifier: Classifier) -> None:
    text = ("China's market regulator said Suzhou Mingfan Network Technology Co was fined over an app that earned "
            "illegal income of 1.5 million yuan.")
    assert [e.amount for e in classifier.classify("", text, date(2022, 6, 1)).events if e.kind == "fine"] == [None]


def test_a_conversion_after_a_comma_is_not_the_fine(classifier: Classifier) -> None:
    events = classifier.classify("", "市场监管总局对唯品会罚款400万元，约合58万美元。", date(2022, 6, 1)).events
    assert [(e.amount, e.currency) for e in events] == [(Decimal("4000000"), "CNY")]


def test_quark_alone_is_not_alibabas_app(classifier: Classifier) -> None:
    text = "China's market regulator said Quark Pharmaceuticals was fined 300,000 yuan over drug prices."
    assert "Alibaba Group" not in classifier.classify("", text, date(2022, 6, 1)).companies
