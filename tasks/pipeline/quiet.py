"""A quiet cycle, told apart before Prefect starts, and recorded without it.

Most cycles find nothing new: every feed answers 304, or lists only stories
already stored. Starting Prefect for such a cycle (a temporary server in
embedded mode, a flow run, worker processes) cost 3.5 to 12 s of a cycle whose
own work takes a fraction of a second. So `regwatch run` first *probes* the
feeds with the flow's own polling code (`poll_stage`: conditional GETs, the
same validators, the same feeds due), records nothing while it does, and
stops at the first feed with a new item.

- Quiet (no new item anywhere): the cycle is recorded here exactly as the flow
  would record those polls (sightings, validators, feed health, the runs row,
  failing-feed reports, the snapshot when something changed), the alerts of
  stories a killed run stored but never planned are planned, the outbox is
  delivered when an alert is due (one that Slack refused yesterday goes out
  today), and a cycle whose feeds all failed ends failed with the flow's reason.
- Not quiet: nothing is recorded and the flow runs as always. It polls again:
  the feeds probed answer 304 again, and the changed feed is fetched twice,
  one extra request per busy cycle. Validators are saved only by whoever
  records the cycle, so nothing is lost or stored twice.

Nothing here imports Prefect: a quiet cycle never loads it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from tasks.alert.delivery import DeliveryStats, deliver, due_count
from tasks.alert.feed_alerts import queue_failing_feeds
from tasks.alert.plan import PlanStats, plan_alerts
from tasks.alert.rules import AlertRules, load_alert_rules
from tasks.alert.senders import sender_factory
from tasks.common.errors import RegwatchError
from tasks.common.settings import Settings
from tasks.fetch.feeds_config import FeedsFile, load_feeds
from tasks.fetch.poll import FeedPoll
from tasks.pipeline.cycle import CycleStats, fetcher, finish_stage, new_items_stage, poll_stage, waiting_feeds
from tasks.pipeline.report import cycle_counts
from tasks.store.articles import item_keys, known_keys
from tasks.store.database import Database
from tasks.store.feed_health import load_states

logger = logging.getLogger(__name__)


class NewItemWatch(Executor):
    """The probe's feed parser: parses in one thread (the event loop goes on fetching) and looks each parsed
    feed's items up in the database; at the first item not stored, `found` is set and the probe stops.

    A database error is kept for the probe to raise: raised here, the poll would record it as the feed's parse
    error."""

    def __init__(self, db: Database, loop: asyncio.AbstractEventLoop) -> None:
        self._db = db
        self._loop = loop
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="probe-parser")
        self.found = asyncio.Event()
        self.error: BaseException | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self._thread.submit(self._parse, fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._thread.shutdown(wait=wait, cancel_futures=cancel_futures)

    def _parse(self, parse: Callable[..., FeedPoll], *args: Any, **kwargs: Any) -> FeedPoll:
        poll = parse(*args, **kwargs)
        if poll.items and not self.found.is_set():
            try:
                new = self._has_new(poll)
            except Exception as exc:  # kept for the probe to raise (see the class docstring)
                self.error, new = exc, True
            if new:
                self._loop.call_soon_threadsafe(self.found.set)
        return poll

    def _has_new(self, poll: FeedPoll) -> bool:
        """Whether an item of `poll` is stored under none of its keys: `filter_new`'s rule, read only."""
        with self._db.session() as con:
            known = known_keys(con, [key for item in poll.items for key in item_keys(item)])
        return any(not any(key in known for key in item_keys(item)) for item in poll.items)


async def probe(db: Database, feeds: FeedsFile, settings: Settings) -> list[FeedPoll] | None:
    """Every due feed's poll when none has a new item; None as soon as one has (the other polls are dropped).

    Records nothing: the validators of a probe are saved only once the cycle is known to be quiet."""
    watch = NewItemWatch(db, asyncio.get_running_loop())
    try:
        async with fetcher(feeds.fetch, settings) as client:
            polling = asyncio.ensure_future(poll_stage(db, feeds, client, watch))
            found = asyncio.ensure_future(watch.found.wait())
            await asyncio.wait({polling, found}, return_when=asyncio.FIRST_COMPLETED)
            for future in (polling, found):
                future.cancel()
            with suppress(asyncio.CancelledError):
                await polling
    finally:
        watch.shutdown(wait=True, cancel_futures=True)
    if watch.error is not None:
        raise watch.error
    return None if watch.found.is_set() else polling.result()


def never_polled(db: Database, feeds: FeedsFile) -> bool:
    """Whether an enabled feed has never been polled: its items are news by definition, so the cycle is not quiet,
    and probing would only fetch it twice (on a first run, every feed twice, and parse them all here)."""
    states = load_states(db)
    return any(feed.enabled and feed.feed_id not in states for feed in feeds.feeds)


def quiet_cycle(settings: Settings) -> dict[str, Any] | None:
    """Probe the feeds; when the cycle is quiet, record it and return its summary, else None having recorded
    nothing: the flow must run."""
    feeds = load_feeds(settings.config_dir)
    db = Database.for_settings(settings)
    if never_polled(db, feeds):
        return None
    started = datetime.now(UTC)
    polls = asyncio.run(probe(db, feeds, settings))
    return None if polls is None else record_quiet(db, settings, feeds, polls, started)


def record_quiet(db: Database, settings: Settings, feeds: FeedsFile, polls: list[FeedPoll],
                 started: datetime) -> dict[str, Any] | None:
    """Record a quiet cycle as the flow does, and return the flow's counts (and `quiet`); None, having recorded
    nothing more than sightings, if an item turns out new after all. Raises RegwatchError, in the flow's
    words, when too many feeds failed (`CycleStats.failure`), after recording and delivering."""
    stats = CycleStats()
    stats.add_polls(polls)
    with db.held():  # the flow's short writes after polling: one open of the file for all of them
        stats.add_waiting(waiting_feeds(db, feeds, polls))
        new = new_items_stage(db, polls)  # the sightings of known stories in other feeds, as the flow records
        if new.items:  # stored by no one between the probe and now: cannot happen, but the flow would store it
            return None
        stats.items_known = new.known
        rules = load_alert_rules(settings.config_dir)
        failing_reported = record_polls(db, settings, rules, polls, stats, started)
        now = datetime.now(UTC)
        # As the flow does after every cycle: a run killed after storing its stories and before planning their
        # alerts leaves them to this one, which finds nothing new in the feeds (a few ms when nothing waits).
        planned = plan_alerts(db, rules, timedelta(hours=settings.alert_max_age_hours), now, settings.slack_channel)
        due, unsent = due_count(db, now, may_reach_slack(settings))
    # Only when an alert is due (Slack down yesterday, up today): making the senders may read a Prefect block.
    delivered = deliver(db, sender_factory(settings), now, timedelta(hours=settings.alert_max_age_hours)) \
        if due else DeliveryStats(pending=unsent)
    changed = stats.feeds_failed or planned.alerts_planned or planned.updates_planned or delivered.changed
    if changed or not db.snapshot_path.exists():  # as the flow decides
        db.refresh_snapshot()
    warn(stats, delivered)
    failure = stats.failure(feeds.fetch.fail_run_share)
    if failure:
        raise RegwatchError(failure)
    return summary(stats, planned, delivered, failing_reported)


def record_polls(db: Database, settings: Settings, rules: AlertRules, polls: list[FeedPoll], stats: CycleStats,
                 started: datetime) -> int:
    """What the flow records of a cycle's polls: feed validators and health, the runs row, and the report of
    feeds failing too many runs in a row (queued for Slack); how many feeds that report names."""
    finish_stage(db, polls, stats, started)
    reported = queue_failing_feeds(db, [poll.feed.feed_id for poll in polls], rules.failing_feed_runs,
                                   datetime.now(UTC), settings.slack_channel or rules.channel)
    return len(reported)


def may_reach_slack(settings: Settings) -> bool:
    """Whether alerts may go to Slack: a token or webhook set, or a Prefect Secret block named (not read here:
    reading one needs Prefect; `deliver` reads it when an alert is due)."""
    secrets = (settings.slack_bot_token, settings.slack_webhook_url)
    named = (settings.slack_token_block, settings.slack_webhook_block)
    return any(s is not None and s.get_secret_value().strip() for s in secrets) or any(named)


def warn(stats: CycleStats, delivered: DeliveryStats) -> None:
    """The warnings the flow logs about failed feeds and delivery, here where no flow logs them."""
    for error in stats.feed_errors:
        logger.warning("feed failed: %s", error)
    if delivered.stopped:
        logger.warning("Slack delivery paused, alerts stay queued: %s", delivered.stopped)
    if delivered.warning:
        logger.warning("%s", delivered.warning)


def summary(stats: CycleStats, planned: PlanStats, delivered: DeliveryStats, failing_reported: int) -> dict[str, Any]:
    """The counts a flow run returns, for a quiet cycle (nothing fetched or extracted); `quiet` says no flow run
    was started."""
    return {**cycle_counts(stats, planned, delivered, failing_reported), "quiet": True}
