"""Cluster new events and write the alerts they call for into the outbox (the `alerts` table).

Runs after articles are stored, over every event not yet clustered, so a run
that died before this step is completed by the next one. One cluster gets at
most one top-level alert, ever; a later report of it gets one thread update
per run. Stories older than `REGWATCH_ALERT_MAX_AGE_HOURS` are clustered but
their alerts are recorded as `suppressed`, so a first run does not flood the
channel with history.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tasks.alert.clustering import ClusterCandidate, assign_clusters, company_keys, policy_document
from tasks.alert.rules import AlertRules
from tasks.alert.window import too_old, within_window
from tasks.store.database import Database, insert_rows


@dataclass
class PlanStats:
    events_clustered: int = 0
    new_clusters: int = 0
    alerts_planned: int = 0
    updates_planned: int = 0
    suppressed: int = 0
    alerted_clusters: list[str] = field(default_factory=list)


def _alert_id(cluster_id: str, purpose: str, salt: str = "") -> str:
    return "a" + hashlib.sha256(f"{cluster_id}|{purpose}|{salt}".encode()).hexdigest()[:15]


def plan_alerts(db: Database, rules: AlertRules, max_age: timedelta, now: datetime,
                default_channel: str | None, only_feed: str | None = None) -> PlanStats:
    """Cluster unclustered events (of `only_feed`'s articles, if given) and queue their alerts, in one transaction."""
    stats = PlanStats()
    with db.write() as con:
        rows = con.execute(
            """SELECT e.event_id, e.kind, COALESCE(e.company_ids, []), COALESCE(e.companies, []), e.regulator,
                      e.amount_usd, e.evidence, COALESCE(e.published_at, a.fetched_at) AS published
               FROM events e JOIN articles a USING (article_id)
               WHERE e.cluster_id IS NULL AND (? IS NULL OR a.feed_id = ?) ORDER BY published, e.event_id""",
            [only_feed, only_feed],
        ).fetchall()
        candidates = [
            (event_id, ClusterCandidate(kind, company_keys(list(ids), list(names)), regulator, amount_usd,
                                        policy_document(evidence or ""), published))
            for event_id, kind, ids, names, regulator, amount_usd, evidence, published in rows
        ]
        assignments = assign_clusters(con, candidates)
        stats.events_clustered = len(assignments)
        if not assignments:
            return stats
        insert_rows(con, "UPDATE events SET cluster_id = v.cluster_id FROM (",
                    [(a.cluster_id, event_id) for event_id, a in assignments.items()],
                    ") v(cluster_id, event_id) WHERE events.event_id = v.event_id")
        by_event = {event_id: row for event_id, *row in rows}
        touched: dict[str, bool] = {}
        for assignment in assignments.values():
            touched[assignment.cluster_id] = touched.get(assignment.cluster_id, False) or assignment.new
        for cluster_id, is_new in touched.items():
            event_id = next(e for e, a in assignments.items() if a.cluster_id == cluster_id)
            kind, ids, names, _regulator, amount_usd, _evidence, published = by_event[event_id]
            if not rules.wants(kind, list(ids), amount_usd):
                continue
            existing = con.execute(
                "SELECT alert_id, status FROM alerts WHERE cluster_id = ? AND purpose = 'new'", [cluster_id]
            ).fetchone()
            channel = rules.channel_for(kind, list(names), amount_usd, default_channel)
            if existing is None and is_new:
                stats.new_clusters += 1
                fresh = within_window(published, now, max_age)
                status = "pending" if fresh else "suppressed"
                reason = None if fresh else too_old(published, now, max_age)
                con.execute(
                    """INSERT INTO alerts (alert_id, cluster_id, kind, purpose, status, created_at, channel, last_error)
                       VALUES (?, ?, ?, 'new', ?, ?, ?, ?)""",
                    [_alert_id(cluster_id, "new"), cluster_id, kind, status, now, channel, reason],
                )
                if fresh:
                    stats.alerts_planned += 1
                    stats.alerted_clusters.append(cluster_id)
                else:
                    stats.suppressed += 1
            elif existing is not None and existing[1] in ("pending", "sending", "sent"):
                pending_update = con.execute(
                    "SELECT 1 FROM alerts WHERE cluster_id = ? AND purpose = 'update' AND status = 'pending'",
                    [cluster_id],
                ).fetchone()
                if existing[1] == "sent" and pending_update is None:
                    con.execute(
                        """INSERT INTO alerts (alert_id, cluster_id, kind, purpose, parent_alert_id, status,
                                               created_at, channel)
                           VALUES (?, ?, ?, 'update', ?, 'pending', ?, ?)""",
                        [_alert_id(cluster_id, "update", now.isoformat()), cluster_id, kind, existing[0], now,
                         channel],
                    )
                    stats.updates_planned += 1
    return stats
