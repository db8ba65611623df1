"""The run's report for the Prefect UI: new events, alert states and failing feeds, in Markdown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tasks.alert.delivery import DeliveryStats
from tasks.alert.plan import PlanStats
from tasks.pipeline.cycle import CycleStats
from tasks.store.database import Database


def cycle_counts(
    stats: CycleStats, planned: PlanStats, delivered: DeliveryStats, failing_reported: int
) -> dict[str, Any]:
    """A cycle's counts, as `regwatch run --json` prints them: the same keys whether a flow run or a quiet cycle
    (`tasks.pipeline.quiet`) recorded it."""
    return {
        "feeds_polled": stats.feeds_polled,
        "feeds_failed": stats.feeds_failed,
        "feeds_not_modified": stats.feeds_not_modified,
        "feeds_waiting": stats.feeds_waiting,
        "items_seen": stats.items_seen,
        "pages_fetched": stats.pages_fetched,
        "page_failures": stats.page_failures,
        "pages_quarantined": len(stats.quarantined),
        "articles_added": stats.articles_added,
        "duplicates": stats.duplicates,
        "near_duplicates": stats.near_duplicates,
        "feed_errors": stats.feed_errors,
        "events_clustered": planned.events_clustered,
        "alerts_planned": planned.alerts_planned,
        "alert_updates_planned": planned.updates_planned,
        "alerts_suppressed": planned.suppressed,
        "alerts_sent": delivered.sent,
        "alerts_shown": delivered.shown,
        "alerts_failed": delivered.failed,
        "alerts_pending": delivered.pending,
        "failing_feeds_reported": failing_reported,
    }


def run_report(db: Database, started: datetime, stats: CycleStats, delivered: DeliveryStats,
               failure: str | None = None) -> str:
    """The run's Markdown artifact: why the run failed (if it did), new events, alert states and failing feeds.

    Events are counted both ways, named as such: each story's report of an action is a mention, and the mentions
    of one real-world action (one row of `recent_events`) are one distinct event, so the report agrees with the
    views (it once said "15 new events" where the views showed 9).
    """
    with db.read() as con:
        events = con.execute(
            """SELECT arg_min(e.kind, a.fetched_at), arg_min(array_to_string(e.companies, ', '), a.fetched_at),
                      COALESCE(arg_min(e.amount_text, a.fetched_at), ''), arg_min(a.title, a.fetched_at),
                      arg_min(a.url, a.fetched_at), count(*)
               FROM events e JOIN articles a USING (article_id) WHERE a.fetched_at >= ?
               GROUP BY COALESCE(e.cluster_id, e.event_id) ORDER BY 1, 4""",
            [started],
        ).fetchall()
        alerts = con.execute("SELECT status, count(*) FROM alerts GROUP BY status ORDER BY status").fetchall()
    lines = [f"## regwatch run {started:%Y-%m-%d %H:%M} UTC", ""]
    if failure:
        lines += [f"**Run failed**: {failure}", ""]
    lines += [f"{stats.feeds_polled} feeds polled ({stats.feeds_failed} failed), {stats.articles_added} new articles, "
              f"{sum(row[-1] for row in events)} event mentions in stories, {len(events)} distinct events, "
              f"{delivered.sent} alerts sent, {delivered.pending} pending.", "",
              "| kind | companies | amount | story | stories this run |", "|---|---|---|---|---|"]
    lines += [f"| {k} | {c} | {a} | [{t[:80]}]({u}) | {n} |" for k, c, a, t, u, n in events] or ["| (none) | | | | |"]
    lines += ["", "| alert status | count |", "|---|---|", *(f"| {s} | {n} |" for s, n in alerts)]
    lines += ["", "| failing feed |", "|---|", *(f"| {e[:150]} |" for e in stats.feed_errors)]
    return "\n".join(lines) + "\n"
