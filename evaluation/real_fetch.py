"""Fill the real-text corpus's cache from the publishers' own pages.

The labelled articles' texts never enter the repository, and the local cache
that holds them does not survive a move to a new machine. Copying them back
out of a search service's stored excerpts is not an option either: such a
service's terms may forbid verbatim copies (the project's search tool says
so on every answer). This rebuilds the cache the way regwatch reads any
article it monitors: each labelled URL is fetched with the monitor's guarded
fetcher (size and time caps, no private addresses unless allowed) and
extracted by the monitor's own workers, then written as `<id>.txt`: the
headline, a blank line, the text, cut to about the opening the labels describe.

A text already in the directory is kept, so a second run retries only what
failed, and a page that cannot be fetched or read is reported with its id,
URL and reason, never written as an empty text that would score as a miss.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from tasks.common.errors import ConfigError, RegwatchError
from tasks.common.urls import canonical_url
from tasks.fetch.feeds_config import FetchLimits
from tasks.fetch.poll import FeedItem
from tasks.fetch.safe_http import Endpoint, Fetcher
from tasks.pipeline.cycle import Extractor, extraction_pool, fetch_page, worker_count
from tasks.store.records import ArticleRecord

CORPUS_FEED = "real-corpus"  # the feed id the fetched items carry; nothing is stored under it
READ = "trafilatura"  # the extraction method of a page whose article text was found
# Less text than this is a menu, a consent wall or an error page, not the article: scored, it would count as a
# miss of the classifier's, when the miss is the fetch's (the shortest real article in the corpus is longer).
MIN_TEXT_CHARS = 200
# Offline, every page fails the same way, one DNS timeout after another (all 1192 took 3 min 40 s here): once
# this many have failed and no host has answered at all, the rest are not tried.
OFFLINE_AFTER = 25
# The labels describe what their labeller read: the opening of each page, about 2,000 bytes of UTF-8 (some 2,000
# characters of English, 670 of Chinese). A fine or a recap further down a whole page was never labelled, and
# would score as the classifier's error; so the texts are cut there unless the whole page is asked for.
LABELLED_BYTES = 2000


class CorpusFetchIncompleteError(RegwatchError):
    """Some labelled pages could not be fetched or read; the others were written."""


@dataclass
class CorpusFetch:
    """What a fetch did: ids written, how many texts were already there, and one line per page left out."""

    written: list[str] = field(default_factory=list)
    kept: int = 0
    failed: list[str] = field(default_factory=list)  # "<id> <url>: HTTP 404"

    def shortfall(self) -> CorpusFetchIncompleteError | None:
        """The error to end with when pages were left out, so that scripts notice; None when all are here."""
        if not self.failed:
            return None
        count = len(self.failed)
        return CorpusFetchIncompleteError(
            f"{count} {'page' if count == 1 else 'pages'} left out, as listed above; run the same command again "
            "to retry them (texts already written are kept)")


def corpus_text(title: str, text: str, max_bytes: int | None = LABELLED_BYTES) -> str:
    """A cached text in the form `load_corpus` reads: the headline on the first line, a blank line, the text;
    cut, at a character, to the first `max_bytes` (UTF-8) that the labels describe (None: the whole page)."""
    whole = f"{' '.join(title.split())}\n\n{text.strip()}"
    if max_bytes is not None:
        whole = whole.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore").rstrip()
    return whole + "\n"


def _item(row: dict[str, Any]) -> FeedItem:
    """The labelled article as a feed item; its labelled date spares extraction the search for one."""
    published = datetime.combine(date.fromisoformat(str(row["published"])), time(), UTC)
    return FeedItem(CORPUS_FEED, str(row["url"]), canonical_url(str(row["url"])), None, "", "", published)


def fetch_corpus(
    rows: Sequence[dict[str, Any]], texts: Path, limits: FetchLimits, config_dir: Path, *,
    allow_private: bool = False, exempt: Collection[Endpoint] = (), page_cpu_seconds: int = 120,
    max_bytes: int | None = LABELLED_BYTES,
) -> CorpusFetch:
    """Write `<id>.txt` in `texts` for every labelled row whose text is not there yet, each as soon as its page
    is read: a run stopped half-way keeps what it wrote, and the next run goes on from there."""
    if texts.exists() and not texts.is_dir():
        raise ConfigError(f"{texts}: not a directory: give the directory the texts go in")
    try:
        texts.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{texts}: cannot make the texts directory here: {exc.strerror}") from None
    report = CorpusFetch()
    todo = []
    for row in rows:
        if (texts / f"{row['id']}.txt").is_file():
            report.kept += 1
        else:
            todo.append(row)

    answered = False  # some host sent an HTTP response: the machine is online
    unanswered: list[str] = []  # failures before any host answered

    def offline() -> bool:
        return not answered and len(unanswered) >= OFFLINE_AFTER

    async def one(row: dict[str, Any], fetcher: Fetcher, extractor: Extractor) -> None:
        nonlocal answered
        ident, item = str(row["id"]), _item(row)
        async with extractor.slots:
            if offline():
                return
            _, page, error = await fetch_page(item, fetcher, limits)
            answered = answered or page is not None or str(error).startswith("HTTP ")
            record = None if page is None else await extractor.extract(item, page, None)
        if record is None or (error := _unreadable(record)):
            report.failed.append(f"{ident} {item.link}: {error}")
            if not answered:
                unanswered.append(str(error))
            return
        _write(texts / f"{ident}.txt", corpus_text(record.title, record.text, max_bytes))
        report.written.append(ident)

    async def go() -> None:
        async with Fetcher(limits, allow_private, exempt=exempt) as fetcher:
            with extraction_pool(worker_count(), str(config_dir), page_cpu_seconds) as extractor:
                await asyncio.gather(*(one(row, fetcher, extractor) for row in todo))

    if todo:
        asyncio.run(go())
    if offline():
        raise ConfigError(f"no host answered: the first {len(unanswered)} pages all failed before any site "
                          f"replied (the first: {unanswered[0]}); is this machine online? Nothing was written")
    report.written.sort()
    report.failed.sort()
    return report


def _unreadable(record: ArticleRecord) -> str | None:
    """Why the extracted record is no article text to score, or None when it is."""
    if record.extraction != READ:
        return record.fetch_error or "no article text found on the page"
    if len(record.text) < MIN_TEXT_CHARS:
        return f"only {len(record.text)} characters of text: not the article (a menu, a consent or error page?)"
    return None


def _write(path: Path, content: str) -> None:
    """Write whole or not at all: an interrupted run must not leave half a text that a later run would keep."""
    partial = path.with_suffix(".part")
    try:
        partial.write_text(content, encoding="utf-8")
        partial.replace(path)
    except OSError as exc:  # a full disk: what was written stays, and the next run goes on from there
        partial.unlink(missing_ok=True)
        raise ConfigError(f"{path}: cannot write: {exc.strerror}") from None
