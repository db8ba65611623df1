"""Token F1 of our extraction against the article-extraction-benchmark's ground truth.

Same measure as the benchmark's own evaluation: bag-of-tokens precision and
recall per page, averaged over pages. CJK characters count one token each.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tasks.common.text import CJK_CHARS
from tasks.extract.pages import decode_html, extract_article

_TOKEN = re.compile(f"[{CJK_CHARS}]|\\w+", re.UNICODE)


def tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN.findall(text))


def token_f1(predicted: str, truth: str) -> float:
    pred, gold = tokens(predicted), tokens(truth)
    common = sum((pred & gold).values())
    if not pred or not gold or not common:
        return 1.0 if not pred and not gold else 0.0
    precision, recall = common / sum(pred.values()), common / sum(gold.values())
    return 2 * precision * recall / (precision + recall)


@dataclass
class ExtractionScore:
    pages: int
    mean_f1: float
    empty: int  # pages where nothing was extracted


def score_corpus(corpus: Path, limit: int | None = None) -> ExtractionScore:
    """Extract every page of the benchmark corpus and average the token F1."""
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    scores: list[float] = []
    empty = 0
    for key, expected in sorted(truth.items())[:limit]:
        path = corpus / "html" / f"{key}.html.gz"
        if not path.exists():
            continue
        html = decode_html(gzip.decompress(path.read_bytes()))
        extracted = extract_article(html, expected.get("url") or "https://example.invalid/")
        if extracted is None:
            empty += 1
        scores.append(token_f1(extracted.text if extracted else "", expected["articleBody"]))
    mean = sum(scores) / len(scores) if scores else 0.0
    return ExtractionScore(pages=len(scores), mean_f1=mean, empty=empty)
