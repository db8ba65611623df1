"""The run's report for the Prefect UI: new events, alert states and failing feeds, in Markdown."""

from __future__ import annotations

from datetime import datetime

from tasks.alert.delivery import DeliveryStats
from tasks.pipeline.cycle import CycleStats
from tasks.store.database import Database


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
