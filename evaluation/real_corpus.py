"""The real-text corpus: published articles, labelled by hand, whose texts never enter the repository.

`tests/data/real/articles.jsonl` holds one line of facts per article (URL, outlet,
date, language, the search query that finds it, the expected companies and events,
and which half it belongs to). The texts live in a local cache, one `<id>.txt` per
article (headline on the first line, then the text), gathered with the project's
search tool; `regwatch eval --real DIR` scores whatever texts DIR holds.

The corpus is split in two halves, stratified by segment, relevance and language:
rules may be fitted on `fit`; `heldout` is only ever scored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from evaluation.labelled import Labelled
from tasks.common.errors import ConfigError

REAL_LABELS = Path(__file__).resolve().parent.parent / "tests" / "data" / "real" / "articles.jsonl"
DEFAULT_CACHE = Path.home() / ".cache" / "regwatch" / "real-corpus" / "texts"
SPLITS = ("fit", "heldout")


@dataclass
class RealArticle:
    """One labelled line, and its text when the cache has it."""

    labelled: Labelled
    split: str
    url: str
    outlet: str


def load_labels(path: Path = REAL_LABELS) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{number}: not JSON: {exc.msg}") from None
        if row.get("split") not in SPLITS:
            raise ConfigError(f"{path}:{number}: split must be one of {', '.join(SPLITS)}")
        rows.append(row)
    return rows


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
