"""Labelled articles (`tests/data/labelled/`) and the accuracy measures over them.

Each file states its expected result in a YAML header (see that directory's
README). `evaluate` scores a classifier per language on:
- relevance: precision / recall / F1 of `relevant`;
- companies: micro precision / recall / F1 over (article, tracked company) pairs;
- event kind: accuracy over relevant articles (the set of kinds found equals the
  labelled set), plus micro P/R/F1 over (article, kind) pairs;
- fine amount: share of labelled fines for which a fine with the exact amount
  and currency was found;
- false fines: fine events found for a company the labels give no fine (a recap
  reported as new, an executive's fine, a yearly total, a sales figure).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from tasks.classify.classifier import Classification
from tasks.common.errors import ConfigError

LABELLED_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "labelled"


@dataclass
class Labelled:
    path: Path
    language: str
    published: date | None
    relevant: bool
    companies: set[str]
    events: list[dict[str, Any]]
    title: str
    text: str


def parse_labelled(path: Path) -> Labelled:
    return parse_labelled_text(path.read_text(encoding="utf-8"), path)


def parse_labelled_text(raw: str, path: Path) -> Labelled:
    """A labelled file's header and text; `path` only names it."""
    if not raw.startswith("---") or raw.count("---") < 2:
        raise ConfigError(f"{path}: no YAML header between --- lines")
    _, header, body = raw.split("---", 2)
    try:
        meta = yaml.safe_load(header)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: bad YAML header: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(meta, dict) or "language" not in meta or "relevant" not in meta:
        raise ConfigError(f"{path}: the header needs at least language and relevant")
    lines = body.strip("\n").split("\n", 1)
    published = meta.get("published")
    if isinstance(published, str):
        published = date.fromisoformat(published)
    return Labelled(
        path=path,
        language=str(meta["language"]),
        published=published,
        relevant=bool(meta["relevant"]),
        companies=set(meta.get("companies") or []),
        events=list(meta.get("events") or []),
        title=lines[0].strip(),
        text=lines[1].strip() if len(lines) > 1 else "",
    )


def labelled_files(root: Path = LABELLED_DIR) -> list[Path]:
    return sorted(root.rglob("*.txt"))


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set[Any], expected: set[Any]) -> None:
        self.tp += len(predicted & expected)
        self.fp += len(predicted - expected)
        self.fn += len(expected - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    items: int = 0
    relevance: Counts = field(default_factory=Counts)
    companies: Counts = field(default_factory=Counts)
    kinds: Counts = field(default_factory=Counts)
    kind_exact: int = 0
    kind_total: int = 0
    fines: int = 0
    fines_exact: int = 0
    false_fines: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def kind_accuracy(self) -> float:
        return self.kind_exact / self.kind_total if self.kind_total else 1.0

    @property
    def amount_accuracy(self) -> float:
        return self.fines_exact / self.fines if self.fines else 1.0


def _amount(value: Any) -> Decimal:
    return Decimal(str(value))


def fine_found(expected: dict[str, Any], result: Classification) -> bool:
    want = _amount(expected["amount"])
    return any(
        e.kind == "fine" and e.amount is not None and e.amount == want and e.currency == expected.get("currency")
        for e in result.events
    )


def score_item(item: Labelled, result: Classification, score: Score) -> list[str]:
    """Add one item to `score`; return what it got wrong, for the failure report."""
    wrong = []
    score.items += 1
    score.relevance.add({True} if result.relevant else set(), {True} if item.relevant else set())
    if result.relevant != item.relevant:
        wrong.append(f"relevant={result.relevant} (expected {item.relevant})")
    found = set(result.companies)
    score.companies.add(found, item.companies)
    if found != item.companies:
        wrong.append(f"companies={sorted(found)} (expected {sorted(item.companies)})")
    kinds, expected_kinds = {e.kind for e in result.events}, {e["kind"] for e in item.events}
    score.kinds.add(kinds, expected_kinds)
    if item.relevant:
        score.kind_total += 1
        score.kind_exact += kinds == expected_kinds
    if kinds != expected_kinds:
        wrong.append(f"kinds={sorted(kinds)} (expected {sorted(expected_kinds)})")
    for expected in item.events:
        if expected["kind"] == "fine" and expected.get("amount") is not None:
            score.fines += 1
            if fine_found(expected, result):
                score.fines_exact += 1
            else:
                got = [(e.amount, e.currency) for e in result.events if e.kind == "fine"]
                wrong.append(f"fine {expected['amount']} {expected.get('currency')} not found (got {got})")
    fined = {c for e in item.events if e["kind"] == "fine" for c in e.get("companies") or []}
    fine_labelled = any(e["kind"] == "fine" for e in item.events)
    for event in result.events:
        if event.kind == "fine" and not (fine_labelled and (not event.companies or fined & set(event.companies))):
            score.false_fines += 1
            wrong.append(f"false fine {event.amount_text or ''} on {event.companies or '-'}")
    return wrong


def evaluate(
    items: Iterable[Labelled], classify: Callable[[Labelled], Classification]
) -> dict[str, Score]:
    """Scores per language and for all items together."""
    scores: dict[str, Score] = {"all": Score()}
    for item in items:
        result = classify(item)
        for key in (item.language, "all"):
            wrong = score_item(item, result, scores.setdefault(key, Score()))
        if wrong:
            scores["all"].failures.append(f"{item.path.name}: " + "; ".join(wrong))
    return scores
