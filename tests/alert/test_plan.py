"""Alert planning on a real database: cluster new events, queue one alert per action, updates, suppression."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tasks.alert.plan import plan_alerts
from tasks.alert.rules import AlertRules, Route
from tasks.store.database import Database
from tests.support.stored_events import store_event

NOW = datetime(2021, 4, 10, 12, tzinfo=UTC)
MAX_AGE = timedelta(hours=72)
RULES = AlertRules(routes=[Route(kind="fine", min_amount_usd=1e9, channel="#big-fines")])


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "plan.duckdb")
    database.init()
    return database


def store(db: Database, article_id: str, published: datetime = NOW - timedelta(hours=2), **event: Any) -> str:
    """One article and its one event, published two hours before NOW unless told; returns the event's id."""
    return store_event(db, article_id, published, **event)


def alerts(db: Database) -> list[tuple[str, str, str, str | None]]:
    with db.read() as con:
        return con.execute(
            "SELECT kind, purpose, status, channel FROM alerts ORDER BY created_at, purpose"
        ).fetchall()


def test_one_action_reported_twice_is_one_alert_routed_by_its_amount(db: Database) -> None:
    first, second = store(db, "a1"), store(db, "a2", feed_id="other", amount_usd=2.8e9)
    stats = plan_alerts(db, RULES, MAX_AGE, NOW, "C0DEFAULT")
    assert (stats.events_clustered, stats.new_clusters, stats.alerts_planned) == (2, 1, 1)
    assert alerts(db) == [("fine", "new", "pending", "#big-fines")]
    with db.read() as con:
        clusters = con.execute(
            "SELECT DISTINCT cluster_id FROM events WHERE event_id IN (?, ?)", [first, second]
        ).fetchall()
    assert len(clusters) == 1 and clusters[0][0] == stats.alerted_clusters[0]


def test_an_unrouted_alert_goes_to_the_default_channel(db: Database) -> None:
    store(db, "a1", amount_usd=5e6)  # under the route's minimum
    plan_alerts(db, RULES, MAX_AGE, NOW, "C0DEFAULT")
    assert alerts(db) == [("fine", "new", "pending", "C0DEFAULT")]


def test_planning_again_plans_nothing(db: Database) -> None:
    store(db, "a1")
    plan_alerts(db, RULES, MAX_AGE, NOW, None)
    again = plan_alerts(db, RULES, MAX_AGE, NOW, None)
    assert (again.events_clustered, again.alerts_planned, again.updates_planned) == (0, 0, 0)
    assert len(alerts(db)) == 1


def test_an_old_story_is_clustered_but_its_alert_suppressed(db: Database) -> None:
    store(db, "a1", published=NOW - timedelta(days=5))
    stats = plan_alerts(db, RULES, MAX_AGE, NOW, None)
    assert (stats.events_clustered, stats.alerts_planned, stats.suppressed) == (1, 0, 1)
    with db.read() as con:
        status, reason = con.execute("SELECT status, last_error FROM alerts").fetchone() or ("", "")
    assert status == "suppressed" and reason == "published 5 days ago; the alert window is 72 h"


def test_kinds_the_rules_do_not_want_are_clustered_without_an_alert(db: Database) -> None:
    store(db, "a1", kind="investigation", amount_usd=None)
    stats = plan_alerts(db, RULES, MAX_AGE, NOW, None)
    assert (stats.events_clustered, stats.new_clusters) == (1, 0)
    assert alerts(db) == []


def test_a_later_report_of_a_sent_alert_is_one_update_per_run(db: Database) -> None:
    store(db, "a1")
    plan_alerts(db, RULES, MAX_AGE, NOW, None)
    with db.write() as con:
        con.execute("UPDATE alerts SET status = 'sent', slack_ts = '1.0'")
    parent = alerts(db)
    store(db, "a2", feed_id="other")
    store(db, "a3", feed_id="third")
    first = plan_alerts(db, RULES, MAX_AGE, NOW + timedelta(hours=1), None)
    assert (first.events_clustered, first.alerts_planned, first.updates_planned) == (2, 0, 1)
    store(db, "a4", feed_id="fourth")  # the update is still pending: no second one
    second = plan_alerts(db, RULES, MAX_AGE, NOW + timedelta(hours=2), None)
    assert (second.events_clustered, second.updates_planned) == (1, 0)
    assert alerts(db) == [*parent, ("fine", "update", "pending", "#big-fines")]
    with db.read() as con:
        linked = con.execute(
            "SELECT count(*) FROM alerts u JOIN alerts p ON u.parent_alert_id = p.alert_id WHERE u.purpose = 'update'"
        ).fetchone()
    assert linked == (1,)


def test_an_unsent_alert_gets_no_update(db: Database) -> None:
    store(db, "a1")
    plan_alerts(db, RULES, MAX_AGE, NOW, None)
    store(db, "a2", feed_id="other")
    stats = plan_alerts(db, RULES, MAX_AGE, NOW, None)
    assert (stats.events_clustered, stats.updates_planned) == (1, 0)  # the pending alert will list both


def test_only_feed_clusters_that_feeds_events_alone(db: Database) -> None:
    store(db, "a1", feed_id="backfill")
    other = store(db, "a2", company_ids=("didi",), companies=("DiDi Global",), feed_id="wire")
    stats = plan_alerts(db, AlertRules(), timedelta(0), NOW, None, only_feed="backfill")
    assert (stats.events_clustered, stats.alerts_planned, stats.suppressed) == (1, 0, 1)
    with db.read() as con:
        assert con.execute("SELECT cluster_id FROM events WHERE event_id = ?", [other]).fetchone() == (None,)
