"""The monitoring cycle's stages as plain functions, free of Prefect.

`flows/monitor.py` wraps each stage in a task; tests and the benchmark call
them directly. Pages are fetched concurrently in the event loop and handed to
worker processes for extraction as soon as each arrives, so the network and
the CPUs work at the same time.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tasks.article_store import NewItems, Saved, filter_new, save_articles
from tasks.articles import ArticleRecord, process_page
from tasks.feed_health import load_states, record_polls
from tasks.feeds_config import FeedsFile, FetchLimits
from tasks.poll import FeedItem, FeedPoll, poll_all
from tasks.safe_http import Fetcher, FetchFailure
from tasks.store import Database


def worker_count(requested: int | None = None) -> int:
    return requested or max(1, os.cpu_count() or 1)


@contextmanager
def extraction_pool(workers: int) -> Iterator[Executor]:
    """Worker processes for extraction. `spawn`, because forking a process that
    runs Prefect's and httpx's threads can deadlock the child."""
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class CycleStats:
    """Counts for one cycle, for logs, the runs table and the benchmark."""

    feeds_polled: int = 0
    feeds_failed: int = 0
    feeds_not_modified: int = 0
    items_seen: int = 0
    items_known: int = 0
    pages_fetched: int = 0
    page_failures: int = 0
    articles_added: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    added_per_feed: Counter[str] = field(default_factory=Counter)
    feed_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)  # pages stored from the feed summary, and why

    def add_polls(self, polls: Sequence[FeedPoll]) -> None:
        self.feeds_polled += len(polls)
        for poll in polls:
            self.items_seen += len(poll.items)
            if poll.status == "error":
                self.feeds_failed += 1
                self.feed_errors.append(f"{poll.feed.label}: {poll.error}")
            elif poll.status == "not_modified":
                self.feeds_not_modified += 1

    def add_saved(self, saved: Saved) -> None:
        self.articles_added += len(saved.added)
        self.duplicates += saved.duplicates
        self.near_duplicates += saved.near_duplicates
        self.added_per_feed.update(r.feed_id for r in saved.added)
        failed = [r for r in saved.added if r.fetch_error]
        self.page_failures += len(failed)
        self.page_errors += [f"{r.link[:200]}: {r.fetch_error}" for r in failed]


async def poll_stage(db: Database, feeds: FeedsFile, fetcher: Fetcher) -> list[FeedPoll]:
    states = load_states(db)
    return await poll_all(fetcher, feeds.feeds, states, feeds.fetch)


def new_items_stage(db: Database, polls: Sequence[FeedPoll]) -> NewItems:
    return filter_new(db, [item for poll in polls for item in poll.items])


async def extract_stage(
    items: Sequence[FeedItem], fetcher: Fetcher, limits: FetchLimits, pool: Executor, config_dir: str
) -> list[ArticleRecord]:
    """Fetch every item's page and extract and classify it in `pool`, overlapping the two."""
    loop = asyncio.get_running_loop()

    async def one(item: FeedItem) -> ArticleRecord:
        result = await fetcher.get(item.link, max_bytes=limits.max_page_bytes,
                                   headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"})
        if isinstance(result, FetchFailure):
            page, error = None, result.reason
        elif result.status >= 400:
            page, error = None, f"HTTP {result.status}"
        else:
            page, error = result, None
        try:
            return await loop.run_in_executor(pool, process_page, item, page, error, config_dir)
        except BrokenProcessPool:
            raise  # a worker died: the task's retry gets a fresh pool
        except Exception as exc:  # a page no rule foresaw must not fail its whole batch, run after run
            reason = f"extraction failed: {type(exc).__name__}: {exc}"[:300]
            return await loop.run_in_executor(pool, process_page, item, None, reason, config_dir)

    return list(await asyncio.gather(*(one(item) for item in items)))


def store_stage(db: Database, records: list[ArticleRecord]) -> Saved:
    return save_articles(db, records)


def finish_stage(db: Database, polls: Sequence[FeedPoll], stats: CycleStats, started: datetime) -> None:
    """Save feed validators and health, then the run's counts."""
    now = datetime.now(UTC)
    record_polls(db, list(polls), stats.added_per_feed, now)
    with db.write() as con:
        con.execute(
            "INSERT INTO runs VALUES (gen_random_uuid()::VARCHAR, ?, ?, ?, ?, ?, ?, ?, ?)",
            [started, now, stats.feeds_polled, stats.feeds_failed, stats.items_seen,
             stats.pages_fetched, stats.articles_added, stats.duplicates],
        )


def batches(items: Sequence[FeedItem], size: int) -> Iterator[Sequence[FeedItem]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
