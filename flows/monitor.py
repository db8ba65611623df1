"""The monitoring flow: one Prefect flow run per cycle.

Tasks are thin wrappers over `tasks.pipeline` stages, one per stage and batch
(never per article), so Prefect's per-task-run cost stays a few calls a cycle.
"""

from __future__ import annotations

from concurrent.futures import Executor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from prefect import Task, flow, get_run_logger, task
from prefect.artifacts import acreate_markdown_artifact
from prefect.cache_policies import NONE
from prefect.client.schemas.objects import State, TaskRun

from tasks.alert_delivery import DeliveryStats, deliver
from tasks.alert_plan import PlanStats, plan_alerts
from tasks.alert_rules import AlertRules, load_alert_rules
from tasks.alert_senders import sender_factory
from tasks.article_store import NewItems, Saved
from tasks.errors import DatabaseError
from tasks.feeds_config import FeedsFile, FetchLimits, load_feeds
from tasks.pipeline import (
    CycleStats,
    batches,
    extract_stage,
    extraction_pool,
    finish_stage,
    new_items_stage,
    poll_stage,
    store_stage,
    worker_count,
)
from tasks.poll import FeedItem, FeedPoll
from tasks.safe_http import Fetcher
from tasks.settings import Settings, load_settings
from tasks.store import Database

BATCH_SIZE = 200
MAX_LOGGED_PAGE_ERRORS = 20  # per run; the rest are in articles.fetch_error


# Network-bound tasks retry with backoff; each stage is idempotent (dedupe keys, one
# transaction per write), so a retry never stores anything twice.
RETRIES, BACKOFF = 2, [5.0, 30.0]


def worth_retrying(_task: Task[Any, Any], _run: TaskRun, state: State[Any]) -> bool:
    """Not a database error: those have already waited the lock timeout, and the disk does
    not empty itself in 30 s; retrying would only put minutes between the fault and its message."""
    return not isinstance(state.data, DatabaseError)


def fetcher(limits: FetchLimits, settings: Settings) -> Fetcher:
    """A fetcher that may reach what the settings allow: public addresses, plus private ones if told."""
    return Fetcher(limits, settings.allow_private_networks, exempt=settings.private_exceptions)


@task(name="poll-feeds", cache_policy=NONE, retries=RETRIES, retry_delay_seconds=BACKOFF,
      retry_condition_fn=worth_retrying)
async def poll_feeds(db: Database, feeds: FeedsFile, settings: Settings) -> list[FeedPoll]:
    async with fetcher(feeds.fetch, settings) as client:
        return await poll_stage(db, feeds, client)


@task(name="select-new-items", cache_policy=NONE)
def select_new(db: Database, polls: list[FeedPoll]) -> NewItems:
    return new_items_stage(db, polls)


@task(name="fetch-extract-store", cache_policy=NONE, retries=RETRIES, retry_delay_seconds=BACKOFF,
      retry_condition_fn=worth_retrying)
async def process_batch(
    db: Database, items: list[FeedItem], limits: FetchLimits, settings: Settings, pool: Executor, config_dir: str
) -> Saved:
    async with fetcher(limits, settings) as client:
        records = await extract_stage(items, client, limits, pool, config_dir)
    return store_stage(db, records)


@task(name="record-feed-health", cache_policy=NONE, retries=RETRIES, retry_delay_seconds=BACKOFF,
      retry_condition_fn=worth_retrying)
def finish(db: Database, polls: list[FeedPoll], stats: CycleStats, started: datetime) -> None:
    finish_stage(db, polls, stats, started)


@task(name="cluster-and-plan-alerts", cache_policy=NONE, retries=RETRIES, retry_delay_seconds=BACKOFF,
      retry_condition_fn=worth_retrying)
def plan(db: Database, rules: AlertRules, settings: Settings) -> PlanStats:
    return plan_alerts(db, rules, timedelta(hours=settings.alert_max_age_hours), datetime.now(UTC),
                       settings.slack_channel)


@task(name="refresh-snapshot", cache_policy=NONE, retries=RETRIES, retry_delay_seconds=BACKOFF,
      retry_condition_fn=worth_retrying)
def refresh_snapshot(db: Database) -> str:
    return str(db.refresh_snapshot())


@task(name="deliver-alerts", cache_policy=NONE)
def deliver_alerts(db: Database, settings: Settings) -> DeliveryStats:
    return deliver(db, sender_factory(settings), datetime.now(UTC))


def run_report(db: Database, started: datetime, stats: CycleStats, delivered: DeliveryStats) -> str:
    """The run's Markdown artifact: new events, alert states and failing feeds, for the Prefect UI."""
    with db.read() as con:
        events = con.execute(
            """SELECT e.kind, array_to_string(e.companies, ', '), COALESCE(e.amount_text, ''), a.title, a.url
               FROM events e JOIN articles a USING (article_id) WHERE a.fetched_at >= ? ORDER BY e.kind""",
            [started],
        ).fetchall()
        alerts = con.execute("SELECT status, count(*) FROM alerts GROUP BY status ORDER BY status").fetchall()
    lines = [f"## regwatch run {started:%Y-%m-%d %H:%M} UTC", "",
             f"{stats.feeds_polled} feeds polled, {stats.articles_added} new articles, {len(events)} new events, "
             f"{delivered.sent} alerts sent, {delivered.pending} pending.", "",
             "| kind | companies | amount | story |", "|---|---|---|---|"]
    lines += [f"| {k} | {c} | {a} | [{t[:80]}]({u}) |" for k, c, a, t, u in events] or ["| (none) | | | |"]
    lines += ["", "| alert status | count |", "|---|---|", *(f"| {s} | {n} |" for s, n in alerts)]
    lines += ["", "| failing feed |", "|---|", *(f"| {e[:150]} |" for e in stats.feed_errors)]
    return "\n".join(lines) + "\n"


def resolve(config_dir: str | Path | None, db: str | Path | None, **overrides: Any) -> Settings:
    """Settings with CLI/flow parameters taking precedence over the environment."""
    return load_settings(config_dir=config_dir, db=db, **overrides)


@flow(name="regwatch-monitor", log_prints=False)
async def monitor(
    config_dir: str | None = None,
    db: str | None = None,
    allow_private_networks: bool | None = None,
) -> dict[str, Any]:
    """Poll every feed once, store new articles, and return the cycle's counts."""
    logger = get_run_logger()
    settings = resolve(config_dir, db, allow_private_networks=allow_private_networks)
    feeds = load_feeds(settings.config_dir)
    database = settings.database()
    database.init()
    started = datetime.now(UTC)
    stats = CycleStats()

    polls = await poll_feeds(database, feeds, settings)
    stats.add_polls(polls)
    for error in stats.feed_errors:
        logger.warning("feed failed: %s", error)
    new = select_new(database, polls)
    stats.items_known = new.known
    if new.items:
        with extraction_pool(worker_count()) as pool:
            for batch in batches(new.items, BATCH_SIZE):
                saved = await process_batch(
                    database, list(batch), feeds.fetch, settings, pool, str(settings.config_dir)
                )
                stats.pages_fetched += len(batch)
                stats.add_saved(saved)
    for error in stats.page_errors[:MAX_LOGGED_PAGE_ERRORS]:
        logger.warning("page not used, feed summary stored instead: %s", error)
    if len(stats.page_errors) > MAX_LOGGED_PAGE_ERRORS:
        logger.warning("... and %d more pages (articles.fetch_error has every reason)",
                       len(stats.page_errors) - MAX_LOGGED_PAGE_ERRORS)
    finish(database, polls, stats, started)
    planned = plan(database, load_alert_rules(settings.config_dir), settings)
    delivered = deliver_alerts(database, settings)
    if delivered.stopped:
        logger.warning("Slack delivery paused, alerts stay queued: %s", delivered.stopped)
    refresh_snapshot(database)
    await acreate_markdown_artifact(
        run_report(database, started, stats, delivered), key="regwatch-run", description="New events, alerts, feeds"
    )
    logger.info(
        "polled %d feeds (%d failed, %d unchanged), %d new items, %d articles added (%d from the feed summary), "
        "%d duplicates",
        stats.feeds_polled, stats.feeds_failed, stats.feeds_not_modified,
        len(new.items), stats.articles_added, stats.page_failures, stats.duplicates,
    )
    return {
        "feeds_polled": stats.feeds_polled,
        "feeds_failed": stats.feeds_failed,
        "feeds_not_modified": stats.feeds_not_modified,
        "items_seen": stats.items_seen,
        "pages_fetched": stats.pages_fetched,
        "page_failures": stats.page_failures,
        "articles_added": stats.articles_added,
        "duplicates": stats.duplicates,
        "near_duplicates": stats.near_duplicates,
        "feed_errors": stats.feed_errors,
        "events_clustered": planned.events_clustered,
        "alerts_planned": planned.alerts_planned,
        "alert_updates_planned": planned.updates_planned,
        "alerts_suppressed": planned.suppressed,
        "alerts_sent": delivered.sent,
        "alerts_failed": delivered.failed,
        "alerts_pending": delivered.pending,
    }
