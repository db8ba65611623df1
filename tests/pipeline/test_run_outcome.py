"""How a run sums itself up: when it counts as failed, and the report it leaves in the Prefect UI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tasks.alert.delivery import DeliveryStats
from tasks.fetch.feeds_config import FeedConfig, FeedsFile
from tasks.fetch.poll import FeedPoll
from tasks.pipeline.cycle import MAX_EXAMPLE_CHARS, CycleStats, Waiting
from tasks.pipeline.report import run_report
from tasks.store.database import Database

STARTED = datetime(2024, 5, 1, 8, tzinfo=UTC)


def stats(*outcomes: str) -> CycleStats:
    """A cycle's counts after polling one feed per outcome: "ok", "not_modified" or an error."""
    polls = [FeedPoll(FeedConfig(url=f"https://f{i}.example/rss", name=f"feed {i}"), outcome)
             if outcome in ("ok", "not_modified")
             else FeedPoll(FeedConfig(url=f"https://f{i}.example/rss", name=f"feed {i}"), "error", error=outcome)
             for i, outcome in enumerate(outcomes)]
    counted = CycleStats()
    counted.add_polls(polls)
    return counted


def test_every_feed_failing_is_a_failed_run_and_names_an_example() -> None:
    assert stats("HTTP 404", "DNS lookup failed").failure(1.0) == (
        "all 2 feeds failed (e.g. feed 0: HTTP 404); `regwatch feeds` shows each one's error")


@pytest.mark.parametrize(("outcomes", "share", "failed"), [
    (("ok", "HTTP 404", "HTTP 404"), 1.0, False),  # the default: a run that reached one feed did its job
    (("not_modified", "HTTP 404"), 1.0, False),  # 304 is an answer
    (("ok", "HTTP 404", "HTTP 404"), 0.5, True),
    (("ok", "ok", "HTTP 404"), 0.5, False),
    (("ok", "ok", "ok", "HTTP 404", "HTTP 404", "HTTP 404", "ok", "ok", "ok", "ok"), 0.3, True),  # exactly 30%
    ((), 1.0, False),  # no feed enabled: nothing failed
])
def test_a_share_of_feeds_failing(outcomes: tuple[str, ...], share: float, failed: bool) -> None:
    assert (stats(*outcomes).failure(share) is not None) is failed


@pytest.mark.parametrize(("outcomes", "waiting", "failed"), [
    (("HTTP 404",), Waiting(feeds=5, failing=0), None),  # the others wait, healthy: one outlet's problem
    (("HTTP 404",), Waiting(feeds=5, failing=5), "all 6 feeds failed"),  # the others failed at their last poll
    (("HTTP 404", "ok"), Waiting(feeds=2, failing=2), None),  # one answered in this very cycle
])
def test_failing_is_judged_over_every_enabled_feed_not_only_those_due(
    outcomes: tuple[str, ...], waiting: Waiting, failed: str | None
) -> None:
    counted = stats(*outcomes)
    counted.add_waiting(waiting)
    reason = counted.failure(1.0)
    assert (reason is None) if failed is None else (reason is not None and reason.startswith(failed))


def test_the_reason_is_one_line_of_bounded_length() -> None:
    reason = stats("line one\nline two " + "x" * 1000).failure(1.0)
    assert reason is not None and "\n" not in reason and "line one line two" in reason
    assert len(reason) < MAX_EXAMPLE_CHARS + 100


def test_the_share_is_a_setting_of_the_fetch_section() -> None:
    assert FeedsFile(feeds=[]).fetch.fail_run_share == 1.0
    assert FeedsFile.model_validate({"feeds": [], "fetch": {"fail_run_share": 0.5}}).fetch.fail_run_share == 0.5
    with pytest.raises(ValueError, match="fail_run_share"):
        FeedsFile.model_validate({"feeds": [], "fetch": {"fail_run_share": 0}})


def test_the_report_counts_event_mentions_and_distinct_events_apart(tmp_path: Path) -> None:
    """Three stories report two real-world actions: the views show 2 events, and so does the report."""
    db = Database(tmp_path / "report.duckdb")
    db.init()
    stories = [("s1", "fine", "c-alibaba"), ("s2", "fine", "c-alibaba"), ("s3", "policy_shift", "c-policy")]
    with db.write() as con:
        for minutes, (article_id, kind, cluster_id) in enumerate(stories, 1):
            fetched = STARTED + timedelta(minutes=minutes)
            con.execute("""INSERT INTO articles (article_id, url, title, extraction, fetched_at)
                           VALUES (?, ?, ?, 'trafilatura', ?)""",
                        [article_id, f"https://wire.example/{article_id}", f"Story {article_id}", fetched])
            con.execute("""INSERT INTO events (event_id, article_id, kind, companies, cluster_id)
                           VALUES (?, ?, ?, ['Alibaba Group'], ?)""", [f"e-{article_id}", article_id, kind, cluster_id])
    report = run_report(db, STARTED, stats("ok"), DeliveryStats())
    assert "3 event mentions in stories, 2 distinct events" in report
    assert "| fine | Alibaba Group |  | [Story s1](https://wire.example/s1) | 2 |" in report
    assert "Run failed" not in report
    failed = run_report(db, STARTED, stats("HTTP 404"), DeliveryStats(), "all 1 feeds failed (e.g. feed 0: HTTP 404)")
    assert "**Run failed**: all 1 feeds failed" in failed
