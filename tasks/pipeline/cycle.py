"""The monitoring cycle's stages as plain functions, free of Prefect.

`flows/monitor.py` wraps each stage in a task; tests and the benchmark call
them directly. `tasks.pipeline.batch_loop` runs the fetch-extract-store stages
over the new items in batches. Pages are fetched concurrently in the event loop and handed to
worker processes for extraction as soon as each arrives, so the network and
the CPUs work at the same time. A page that kills its worker (a crash, the OOM
killer, more CPU than allowed) is quarantined and the rest of its batch goes on.

`tasks.pipeline.page_work` (extraction, the classifier's cue tables, MinHash)
is imported by the functions that hand it pages, not at the top: a quiet
`regwatch run` uses the polling stages here and never a page, and importing it
cost a fifth of such a cycle.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.context
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tasks.common.settings import Settings
from tasks.fetch.feeds_config import FeedsFile, FetchLimits
from tasks.fetch.poll import FeedItem, FeedPoll, FeedState, due_feeds, poll_all, rescheduled
from tasks.fetch.safe_http import Fetched, Fetcher, FetchFailure
from tasks.pipeline.workers import WorkerDiedError, WorkerPool
from tasks.store.articles import NewItems, filter_new, save_articles
from tasks.store.database import Database
from tasks.store.feed_health import load_states, record_polls
from tasks.store.records import HEADLINE_ONLY, QUARANTINED, ArticleRecord


def fetcher(limits: FetchLimits, settings: Settings) -> Fetcher:
    """A fetcher that may reach what the settings allow: public addresses, plus private ones if told. The flow and
    the quiet cycle's probe poll with it, so both reach exactly the same feeds."""
    return Fetcher(limits, settings.allow_private_networks, exempt=settings.private_exceptions)


def worker_count(requested: int | None = None) -> int:
    return requested or max(1, os.cpu_count() or 1)


PAGES_PER_WORKER = 16  # fetched pages waiting for a worker: enough to never starve one, few enough to bound memory


@dataclass
class Extractor:
    """Worker processes for extraction, and a bound on the fetched pages waiting for them.

    Memory stays flat however many items a cycle has: a page is fetched only
    when a slot is free, and the slot is freed once the page is extracted.
    """

    executor: WorkerPool
    slots: asyncio.Semaphore
    config_dir: str
    writer: asyncio.Lock = field(default_factory=asyncio.Lock)  # batches in flight store one at a time

    async def extract(self, item: FeedItem, page: Fetched | None, fetch_error: str | None) -> ArticleRecord:
        """`item`'s story, extracted and classified in a worker; quarantined if the page killed the worker.

        One crash is enough: the page is stored from its feed summary and never handed to a worker again,
        and the summary is still classified (in another worker), so the story may alert."""
        from tasks.pipeline import page_work  # here, not at the top: see the module docstring

        try:
            return await self._run(page_work.process_page, item, page, fetch_error, self.config_dir)
        except WorkerDiedError as died:
            reason = str(died)
        final_url = page.url if page else None
        try:
            return await self._run(page_work.quarantined_page, item, final_url, reason, self.config_dir)
        except WorkerDiedError:  # the summary kills workers too: store it as it is
            unread = f"{reason}; its feed summary killed a worker too, so the story is not classified"
            return page_work.quarantine_record(item, final_url, unread)

    async def _run(self, work: Callable[..., ArticleRecord], *args: object) -> ArticleRecord:
        return await asyncio.get_running_loop().run_in_executor(self.executor, work, *args)


def _worker_context() -> multiprocessing.context.BaseContext:
    """Fork from a clean, preloaded server process (`tasks.pipeline.worker_preload`).

    Not plain `fork`: forking the flow's process, which runs Prefect's and
    httpx's threads, can deadlock the child. A fork server is started by
    exec, single-threaded, so forking it is safe, and its preloaded pages are
    shared by the workers.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tasks.pipeline.worker_preload"])
    return context


@contextmanager
def extraction_pool(workers: int, config_dir: str, page_cpu_seconds: int) -> Iterator[Extractor]:
    """`workers` extraction processes; one that spends `page_cpu_seconds` of CPU on one page is ended."""
    pool = WorkerPool(workers, page_cpu_seconds, _worker_context())
    try:
        yield Extractor(pool, asyncio.Semaphore(workers * PAGES_PER_WORKER), config_dir)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


MAX_EXAMPLE_CHARS = 300  # of the failing feed a failed run names as its example


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
    quarantined: list[str] = field(default_factory=list)  # pages that killed their worker, and how
    feeds_waiting: int = 0  # enabled feeds adaptive polling left for a later cycle
    waiting_failing: int = 0  # of those, the ones whose last poll failed

    def add_polls(self, polls: Sequence[FeedPoll]) -> None:
        self.feeds_polled += len(polls)
        for poll in polls:
            self.items_seen += len(poll.items)
            if poll.status == "error":
                self.feeds_failed += 1
                self.feed_errors.append(f"{poll.feed.label}: {poll.error}")
            elif poll.status == "not_modified":
                self.feeds_not_modified += 1

    def add_waiting(self, waiting: Waiting) -> None:
        self.feeds_waiting += waiting.feeds
        self.waiting_failing += waiting.failing

    def failure(self, fail_share: float) -> str | None:
        """Why the run must end failed, in one line, or None: a feed failed in this cycle and at least `fail_share`
        of the enabled feeds are failing (feeds.yaml's `fetch.fail_run_share`). Such a run still stores and delivers
        what it can; ending it failed is what lets cron and Prefect tell "nothing new" from "nothing reached".

        Over every enabled feed, not only those polled: adaptive polling may leave one broken feed alone due in a
        cycle while the healthy ones wait, and "all 1 feeds failed" would then fail a run the network served."""
        enabled, failing = self.feeds_polled + self.feeds_waiting, self.feeds_failed + self.waiting_failing
        if not self.feeds_failed or failing / enabled < fail_share:
            return None
        how_many = "all" if failing == enabled else f"{failing} of"
        example = " ".join(self.feed_errors[0].split())
        if len(example) > MAX_EXAMPLE_CHARS:
            example = example[:MAX_EXAMPLE_CHARS - 1] + "…"
        return f"{how_many} {enabled} feeds failed (e.g. {example}); `regwatch feeds` shows each one's error"

    def add_batch(self, items: int, stored: Stored) -> None:
        """A batch of `items` new items fetched, extracted and stored."""
        self.pages_fetched += items
        self.add_stored(stored)

    def add_stored(self, stored: Stored) -> None:
        self.articles_added += stored.added
        self.duplicates += stored.duplicates
        self.near_duplicates += stored.near_duplicates
        self.added_per_feed.update(stored.added_per_feed)
        self.page_failures += len(stored.page_errors) + len(stored.quarantined)
        self.page_errors += stored.page_errors
        self.quarantined += stored.quarantined


@dataclass
class Stored:
    """What storing a batch adds to the cycle's counts.

    Counts, not the records: Prefect keeps every task's return value until the
    flow run ends, so returning the stored articles made memory grow with the
    number of new articles (75 MB more at 5 000)."""

    added: int
    duplicates: int
    near_duplicates: int
    added_per_feed: Counter[str]
    page_errors: list[str]  # "link: why" for stories stored from the feed summary
    quarantined: list[str] = field(default_factory=list)  # "link: how" for pages that killed their worker


async def poll_stage(
    db: Database, feeds: FeedsFile, fetcher: Fetcher, parser: Executor | None = None, now: datetime | None = None
) -> list[FeedPoll]:
    """Poll the feeds due at `now` (the cycle's start; default: the clock), each poll carrying the feed's next
    interval and due time (adaptive polling: tasks/fetch/schedule.py); the others wait for a later cycle."""
    started = now or datetime.now(UTC)
    states = load_states(db)
    polls = await poll_all(fetcher, due_feeds(feeds.feeds, states, feeds.fetch, started), states, feeds.fetch, parser)
    return [rescheduled(poll, states.get(poll.feed.feed_id, FeedState()), feeds.fetch, started) for poll in polls]


@dataclass(frozen=True)
class Waiting:
    """The enabled feeds a cycle left for a later one (adaptive polling), and how many of them failed last time."""

    feeds: int = 0
    failing: int = 0


def waiting_feeds(db: Database, feeds: FeedsFile, polls: Sequence[FeedPoll]) -> Waiting:
    """The enabled feeds not in `polls`, judged by their stored state."""
    polled = {poll.feed.feed_id for poll in polls}
    waiting = [feed for feed in feeds.feeds if feed.enabled and feed.feed_id not in polled]
    states = load_states(db) if waiting else {}
    return Waiting(len(waiting), sum(1 for feed in waiting if states.get(feed.feed_id, FeedState()).failures))


def new_items_stage(db: Database, polls: Sequence[FeedPoll]) -> NewItems:
    return filter_new(db, [item for poll in polls for item in poll.items])


FetchedPage = tuple[FeedItem, Fetched | None, str | None]  # an item, its page (None if it failed), why not


async def fetch_page(item: FeedItem, fetcher: Fetcher, limits: FetchLimits) -> FetchedPage:
    """The item's page; an aggregator's link that cannot lead to the article is not requested at all."""
    from tasks.pipeline import page_work  # here, not at the top: see the module docstring

    if page_work.unresolved_link(item, None):
        return item, None, page_work.UNRESOLVED_LINK
    result = await fetcher.get(item.link, max_bytes=limits.max_page_bytes,
                               headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"})
    if isinstance(result, FetchFailure):
        return item, None, result.reason
    if result.status >= 400:
        return item, None, f"HTTP {result.status}"
    return item, result, None


async def extract_stage(
    items: Sequence[FeedItem], fetcher: Fetcher, limits: FetchLimits, extractor: Extractor
) -> list[ArticleRecord]:
    """Fetch every item's page and extract and classify it in a worker, overlapping the two."""

    async def one(item: FeedItem) -> ArticleRecord:
        async with extractor.slots:
            return await extractor.extract(*await fetch_page(item, fetcher, limits))

    return list(await asyncio.gather(*(one(item) for item in items)))


async def fetch_stage(items: Sequence[FeedItem], fetcher: Fetcher, limits: FetchLimits) -> list[FetchedPage]:
    """Every item's page, fetched concurrently (for extraction elsewhere: a Dask cluster)."""
    return list(await asyncio.gather(*(fetch_page(item, fetcher, limits) for item in items)))


def extract_pages(pages: Sequence[FetchedPage], config_dir: str) -> list[ArticleRecord]:
    from tasks.pipeline import page_work  # here, not at the top: see the module docstring

    return [page_work.process_page(item, page, error, config_dir) for item, page, error in pages]


def store_stage(db: Database, records: list[ArticleRecord]) -> Stored:
    saved = save_articles(db, records)
    # A feed item whose link names no publisher page (Google News) is stored from its headline by design, every
    # time: no page failed, and warning about it each run would be noise a user learns to ignore.
    unused = [r for r in saved.added if r.fetch_error and r.extraction != HEADLINE_ONLY]
    return Stored(len(saved.added), saved.duplicates, saved.near_duplicates,
                  Counter(r.feed_id for r in saved.added),
                  [f"{r.link[:200]}: {r.fetch_error}" for r in unused if r.extraction != QUARANTINED],
                  [f"{r.link[:200]}: {r.fetch_error}" for r in unused if r.extraction == QUARANTINED])


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
