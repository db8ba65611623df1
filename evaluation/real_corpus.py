"""The real-text corpus: published articles, labelled by hand, whose texts never enter the repository.

`tests/data/real/articles.jsonl` holds one line of facts per article (URL, outlet,
date, language, the search query that finds it, the expected companies and events,
and which half it belongs to). The texts live in a local cache, one `<id>.txt` per
article (headline on the first line, then the text), fetched from the publishers'
pages by `regwatch fetch-corpus` (evaluation/real_fetch.py); `regwatch eval --real DIR`
scores whatever texts DIR holds.

The corpus is split in two halves, stratified by segment, relevance and language:
rules may be fitted on `fit`; `heldout` is only ever scored.

`tests/data/real/second_labels.jsonl` holds a second person's labels for some of the articles, made without
seeing the first's: scored against the corpus labels like the classifier's output, they tell how far two
careful people agree, the yardstick the classifier's own scores are read against.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from evaluation.labelled import Labelled
from tasks.classify.classifier import Classification
from tasks.classify.companies import CompanyMatch
from tasks.classify.events.model import Event
from tasks.common.errors import ConfigError
from tasks.common.urls import canonical_url

REAL_LABELS = Path(__file__).resolve().parent.parent / "tests" / "data" / "real" / "articles.jsonl"
SECOND_LABELS = REAL_LABELS.with_name("second_labels.jsonl")
DEFAULT_CACHE = Path.home() / ".cache" / "regwatch" / "real-corpus" / "texts"
SPLITS = ("fit", "heldout")
REQUIRED = ("id", "url", "outlet", "published", "language", "relevant", "split")  # what scoring and fetching read
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass
class RealArticle:
    """One labelled line, and its text when the cache has it."""

    labelled: Labelled
    split: str
    url: str
    outlet: str


def _json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each non-blank line of a labels file with its number; a broken line is one error naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{number}: not JSON: {exc.msg}") from None


def load_labels(path: Path = REAL_LABELS) -> list[dict[str, Any]]:
    """The labels file's rows, each checked for what scoring and fetching read: a bad line is one error.

    An id names a file in the texts directory, so it is a plain file name. A page labelled twice (the same URL
    but for tracking parameters) would be one text scored twice, in both halves if the split parts them."""
    rows = []
    seen: dict[str, int] = {}  # id and canonical URL -> the line that has it
    for number, row in _json_lines(path):
        where = f"{path}:{number}"
        _check_row(row, where)
        for key in (f"id {row['id']}", f"URL {canonical_url(str(row['url']))}"):
            if key in seen:
                raise ConfigError(f"{where}: the same {key.split()[0]} as line {seen[key]}: label each page once")
            seen[key] = number
        rows.append(row)
    return rows


def _check_row(row: Any, where: str) -> None:
    missing = [key for key in REQUIRED if not isinstance(row, dict) or row.get(key) in (None, "")]
    if missing:
        raise ConfigError(f"{where}: {', '.join(missing)} missing (each line needs {', '.join(REQUIRED)})")
    if row["split"] not in SPLITS:
        raise ConfigError(f"{where}: split must be one of {', '.join(SPLITS)}")
    if not _FILE_NAME.fullmatch(str(row["id"])):
        raise ConfigError(f"{where}: id {row['id']!r} must be a plain file name (letters, digits, . _ -)")
    try:
        date.fromisoformat(str(row["published"]))
    except ValueError:
        raise ConfigError(f"{where}: published must be a date YYYY-MM-DD, got {row['published']!r}") from None
    url = str(row["url"])
    try:
        valid = url.startswith(("http://", "https://")) and bool(canonical_url(url))
    except ValueError:  # "Invalid IPv6 URL"
        valid = False
    if not valid:
        raise ConfigError(f"{where}: url must be an http(s) URL, got {url[:100]!r}")


def load_corpus(texts: Path, labels: Path = REAL_LABELS) -> tuple[list[RealArticle], list[str]]:
    """The labelled articles whose text is in `texts`, and the ids whose text is missing."""
    if not texts.is_dir():
        raise ConfigError(f"{texts}: no such directory (the real-text cache: see tests/data/real/README.md)")
    found, missing = [], []
    for row in load_labels(labels):
        path = texts / f"{row['id']}.txt"
        if not path.is_file():
            missing.append(str(row["id"]))
            continue
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        item = Labelled(
            path=Path(str(row["id"])),
            language=str(row["language"]),
            published=date.fromisoformat(str(row["published"])),
            relevant=bool(row["relevant"]),
            companies=set(row.get("companies") or []),
            events=list(row.get("events") or []),
            title=title.strip(),
            text=body.strip(),
        )
        found.append(RealArticle(item, str(row["split"]), str(row["url"]), str(row["outlet"])))
    return found, missing


def load_second_labels(path: Path = SECOND_LABELS) -> dict[str, Classification]:
    """The second labeller's labels by article id, in the shape of the classifier's output, so the same scoring
    reads both; none when the file is absent."""
    if not path.is_file():
        return {}
    return {str(row["id"]): _as_classification(row) for _, row in _json_lines(path)}


def _as_classification(row: dict[str, Any]) -> Classification:
    matches = [CompanyMatch(company_id=name, company=name, surface=name, start=0, end=0)
               for name in row.get("companies") or []]
    events = []
    for labelled in row.get("events") or []:
        event = Event(labelled["kind"], "", companies=list(labelled.get("companies") or []),
                      regulator=labelled.get("regulator"), direction=labelled.get("direction"))
        if labelled.get("amount") is not None:
            event.amount, event.currency = Decimal(str(labelled["amount"])), labelled.get("currency")
            event.amount_text = str(labelled["amount"])
        events.append(event)
    return Classification(bool(row["relevant"]), matches, events)
