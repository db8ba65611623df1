"""The monitoring flow: one Prefect flow run per cycle.

Tasks are thin wrappers over `tasks.pipeline.cycle` stages, one per stage and batch
(never per article), so Prefect's per-task-run cost stays a few calls a cycle. They are async, the plain
function running in a thread: a sync task called from this async flow builds a Prefect client of its own (an
HTTP client and an SSL context, 40-50 ms of CPU each time), async ones share the flow's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import Executor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

from prefect import Task, flow, get_run_logger, task
from prefect.artifacts import acreate_markdown_artifact
from prefect.cache_policies import NONE
from prefect.client.schemas.objects import State, TaskRun
from prefect.futures import PrefectFuture
from prefect.states import Failed
from prefect.task_runners import TaskRunner
from prefect.utilities.annotations import quote

from tasks.alert.delivery import DeliveryStats, deliver
from tasks.alert.feed_alerts import queue_failing_feeds
from tasks.alert.plan import PlanStats, plan_alerts
from tasks.alert.rules import AlertRules, load_alert_rules
from tasks.alert.senders import sender_factory
from tasks.common.errors import DatabaseError
from tasks.common.settings import Settings, check_slack_settings, load_settings
from tasks.fetch.feeds_config import FeedsFile, FetchLimits, load_feeds
from tasks.fetch.poll import FeedItem, FeedPoll
from tasks.pipeline.batch_loop import DASK_PART, batches, run_batches
from tasks.pipeline.cycle import (
    CycleStats,
    Extractor,
    FetchedPage,
    Stored,
    extract_pages,
    extract_stage,
    extraction_pool,
    fetch_stage,
    fetcher,
    finish_stage,
    new_items_stage,
    poll_stage,
    store_stage,
    waiting_feeds,
    worker_count,
)
from tasks.pipeline.report import cycle_counts, run_report
from tasks.store.articles import NewItems
from tasks.store.database import Database
from tasks.store.history import sync_reference_events
from tasks.store.records import ArticleRecord

T = TypeVar("T")


def as_is(value: T) -> T:
    """Prefect's `quote(value)`, typed as the value: the task gets it as it is, and Prefect does not walk every
    dataclass inside it looking for futures (1 ms a page for the arguments holding every item or record)."""
    return cast(T, quote(value))


MAX_LOGGED_PAGE_ERRORS = 20  # per run; the rest are in articles.fetch_error


# Network-bound tasks retry with backoff; each stage is idempotent (dedupe keys, one
# transaction per write), so a retry never stores anything twice.
RETRIES, BACKOFF = 2, [5.0, 30.0]


def worth_retrying(_task: Task[Any, Any], _run: TaskRun, state: State[Any]) -> bool:
    """Not a database error: those have already waited the lock timeout, and the disk does
    not empty itself in 30 s; retrying would only put minutes between the fault and its message."""
    return not isinstance(state.data, DatabaseError)


@task(name="poll-feeds", cache_policy=NONE, retries=RETRIES, retry_delay_seconds=BACKOFF,
      retry_condition_fn=worth_retrying)
async def poll_feeds(db: Database, feeds: FeedsFile, settings: Settings, parser: Executor | None) -> list[FeedPoll]:
    async with fetcher(feeds.fetch, settings) as client:
        return await poll_stage(db, feeds, client, parser)


@task(name="select-new-items", cache_policy=NONE)
async def select_new(db: Database, polls: list[FeedPoll]) -> NewItems:
    return await asyncio.to_thread(new_items_stage, db, polls)


@task(name="fetch-extract-store", cache_policy=NONE, retries=RETRIES, retry_delay_seconds=BACKOFF,
      retry_condition_fn=worth_retrying)
async def process_batch(
    db: Database, items: list[FeedItem], limits: FetchLimits, settings: Settings, extractor: Extractor
) -> Stored:
    async with fetcher(limits, settings) as client:
        records = await extract_stage(items, client, limits, extractor)
    # In a thread: the event loop keeps fetching and handing pages to the workers while DuckDB writes
    # (it releases the GIL); blocking the loop for the write left the workers idle a third of the time.
    async with extractor.writer:
        return await asyncio.to_thread(store_stage, db, records)


@task(name="extract-batch", cache_policy=NONE)
def extract_batch(pages: list[FetchedPage], config_dir: str) -> list[ArticleRecord]:
    """Extract and classify pages the flow fetched, on a Dask worker."""
    return extract_pages(pages, config_dir)


@task(name="store-batch", cache_policy=NONE, retries=RETRIES, retry_delay_seconds=BACKOFF,
      retry_condition_fn=worth_retrying)
async def store_batch(db: Database, records: list[ArticleRecord]) -> Stored:
    return await asyncio.to_thread(store_stage, db, records)


@task(name="record-feed-health", cache_policy=NONE, retries=RETRIES, retry_delay_seconds=BACKOFF,
      retry_condition_fn=worth_retrying)
async def finish(db: Database, polls: list[FeedPoll], stats: CycleStats, started: datetime) -> None:
    await asyncio.to_thread(finish_stage, db, polls, stats, started)


@task(name="cluster-and-plan-alerts", cache_policy=NONE, retries=RETRIES, retry_delay_seconds=BACKOFF,
      retry_condition_fn=worth_retrying)
async def plan(db: Database, rules: AlertRules, settings: Settings) -> PlanStats:
    return await asyncio.to_thread(plan_alerts, db, rules, timedelta(hours=settings.alert_max_age_hours),
                                   datetime.now(UTC), settings.slack_channel)


@task(name="report-failing-feeds", cache_policy=NONE, retries=RETRIES, retry_delay_seconds=BACKOFF,
      retry_condition_fn=worth_retrying)
async def report_failing_feeds(db: Database, polls: list[FeedPoll], rules: AlertRules,
                               settings: Settings) -> list[str]:
    """Queue a Slack report of the feeds that have just failed `failing_feed_runs` runs in a row; their names."""
    reported = await asyncio.to_thread(queue_failing_feeds, db, [poll.feed.feed_id for poll in polls],
                                       rules.failing_feed_runs, datetime.now(UTC),
                                       settings.slack_channel or rules.channel)
    return [feed.name for feed in reported]


@task(name="refresh-snapshot", cache_policy=NONE, retries=RETRIES, retry_delay_seconds=BACKOFF,
      retry_condition_fn=worth_retrying)
async def refresh_snapshot(db: Database) -> str:
    return str(await asyncio.to_thread(db.refresh_snapshot))


@task(name="deliver-alerts", cache_policy=NONE)
async def deliver_alerts(db: Database, settings: Settings) -> DeliveryStats:
    return await asyncio.to_thread(deliver, db, sender_factory(settings), datetime.now(UTC),
                                   timedelta(hours=settings.alert_max_age_hours))


async def extract_locally(
    database: Database, items: list[FeedItem], limits: FetchLimits, settings: Settings, stats: CycleStats,
    extractor: Extractor,
) -> None:
    """The batch loop on this machine's worker processes: a batch is one `process_batch` task run, fetching,
    extracting and storing; the next one's pages are queued for the workers while one is stored."""

    async def start(batch: Sequence[FeedItem]) -> asyncio.Future[Stored]:
        return asyncio.ensure_future(process_batch(database, as_is(list(batch)), limits, settings, extractor))

    await run_batches(items, start, finish=lambda future: future, done=stats.add_batch,
                      abandon=lambda future: future.cancel())


async def extract_on_dask(
    database: Database, items: list[FeedItem], limits: FetchLimits, settings: Settings, stats: CycleStats
) -> None:
    """The batch loop on prefect-dask's task runner: pages are fetched here, extracted on the cluster in parts
    of DASK_PART pages (so every worker has work), and stored here by the one database writer; the next batch
    is fetched while the cluster extracts the previous one. The runner is opened here, not given to the
    flow's decorator, so the setting holds however the flow was started (`regwatch run`, `serve`, or a
    deployment of deploy/prefect.yaml)."""
    with dask_runner(settings) as runner:
        async with fetcher(limits, settings) as client:

            async def start(batch: Sequence[FeedItem]) -> list[PrefectFuture[list[ArticleRecord]]]:
                pages = await fetch_stage(batch, client, limits)
                return [runner.submit(extract_batch, {"pages": list(part), "config_dir": str(settings.config_dir)})
                        for part in batches(pages, DASK_PART)]

            async def finish(parts: list[PrefectFuture[list[ArticleRecord]]]) -> Stored:
                records = [r for part in parts for r in await asyncio.to_thread(part.result)]
                return await store_batch(database, as_is(records))

            await run_batches(items, start, finish, done=stats.add_batch)


def dask_runner(settings: Settings) -> TaskRunner[Any]:
    """prefect-dask's runner: the cluster at REGWATCH_DASK_ADDRESS, or a local one with a worker per core."""
    from prefect_dask import DaskTaskRunner

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": worker_count(), "threads_per_worker": 1,
                                          "processes": True, "dashboard_address": None})


def resolve(config_dir: str | Path | None, db: str | Path | None, **overrides: Any) -> Settings:
    """Settings with CLI/flow parameters taking precedence over the environment."""
    return load_settings(config_dir=config_dir, db=db, **overrides)


@flow(name="regwatch-monitor", log_prints=False)
async def monitor(
    config_dir: str | None = None,
    db: str | None = None,
    allow_private_networks: bool | None = None,
) -> dict[str, Any] | State[Any]:
    """Poll every feed once, store new articles, and return the cycle's counts; a Failed state instead when too many
    feeds failed (see `CycleStats.failure`)."""
    logger = get_run_logger()
    settings = resolve(config_dir, db, allow_private_networks=allow_private_networks)
    check_slack_settings(settings)  # before the cycle, not at delivery after it (a deployment skips check_config)
    feeds = load_feeds(settings.config_dir)
    database = Database.for_settings(settings)
    database.init()
    sync_reference_events(database, settings.config_dir)  # what alerts' context and `company_history` compare with
    started = datetime.now(UTC)
    stats = CycleStats()

    # The local workers start with the first feed that changed (a quiet cycle never starts them): they parse
    # the feeds while this process fetches the rest, and are ready for the pages when polling ends.
    with extraction_pool(worker_count(), str(settings.config_dir), settings.page_cpu_seconds) as extractor:
        local = settings.task_runner != "dask"
        polls = await poll_feeds(database, feeds, settings, extractor.executor if local else None)
        stats.add_polls(polls)
        stats.add_waiting(waiting_feeds(database, feeds, polls))
        for error in stats.feed_errors:
            logger.warning("feed failed: %s", error)
        new = await select_new(database, as_is(polls))
        stats.items_known = new.known
        with database.held():  # batches store one after another: one open of the file, not one per batch
            if new.items and local:
                await extract_locally(database, new.items, feeds.fetch, settings, stats, extractor)
            elif new.items:
                await extract_on_dask(database, new.items, feeds.fetch, settings, stats)
    for quarantined in stats.quarantined:
        logger.warning("page quarantined, stored from the feed summary and never extracted again "
                       "(`regwatch quarantine` lists them): %s", quarantined)
    for error in stats.page_errors[:MAX_LOGGED_PAGE_ERRORS]:
        logger.warning("page not used, feed summary stored instead: %s", error)
    if len(stats.page_errors) > MAX_LOGGED_PAGE_ERRORS:
        logger.warning("... and %d more pages (articles.fetch_error has every reason)",
                       len(stats.page_errors) - MAX_LOGGED_PAGE_ERRORS)
    await finish(database, as_is(polls), stats, started)
    rules = load_alert_rules(settings.config_dir)
    planned = await plan(database, rules, settings)
    failing_reported = await report_failing_feeds(database, as_is(polls), rules, settings)
    delivered = await deliver_alerts(database, settings)
    if delivered.stopped:
        logger.warning("Slack delivery paused, alerts stay queued: %s", delivered.stopped)
    if delivered.warning:
        logger.warning("%s", delivered.warning)
    changed = (stats.articles_added or stats.feeds_failed or planned.alerts_planned or planned.updates_planned
               or delivered.changed)
    if changed or not database.snapshot_path.exists():  # the copy costs time in proportion to the database
        await refresh_snapshot(database)
    failure = stats.failure(feeds.fetch.fail_run_share)
    await acreate_markdown_artifact(
        run_report(database, started, stats, delivered, failure), key="regwatch-run",
        description="New events, alerts, feeds",
    )
    logger.info(
        "polled %d feeds (%d failed, %d unchanged; %d more not due), %d new items, %d articles added (%d from the "
        "feed summary), %d duplicates",
        stats.feeds_polled, stats.feeds_failed, stats.feeds_not_modified, stats.feeds_waiting,
        len(new.items), stats.articles_added, stats.page_failures, stats.duplicates,
    )
    if failure:
        # Last, after storing and delivering what it could: the flow run ends Failed with the reason as its message
        # (`regwatch run` prints it and exits 1), instead of Completed with nothing monitored.
        return Failed(message=failure)
    return cycle_counts(stats, planned, delivered, len(failing_reported))
