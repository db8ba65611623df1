"""Adaptive polling in real cycles: a local feed server, a real DuckDB file, the real poll stage.

A feed that keeps bringing news is polled every cycle; one that answers 304 (or the same items) for its quiet
streak (3 polls here, 4 hours by default), or fails 3 times in a row, is skipped by the next cycles and polled
again when its interval has passed; the schedule is stored per feed, shown by `regwatch feeds`, and
`--all-feeds` polls every feed at once."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from flows.cli.app import app
from flows.demo.corpus_server import CorpusServer, send
from tasks.fetch.feeds_config import FeedConfig, FeedsFile, FetchLimits
from tasks.fetch.poll import FeedPoll
from tasks.fetch.safe_http import Fetcher
from tasks.pipeline.cycle import CycleStats, finish_stage, poll_stage, waiting_feeds
from tasks.store.database import Database
from tests.support.configs import write_config
from tests.support.faultkit import rss
from tests.support.httpkit import static, status

START = datetime.now(UTC)  # the cycles' simulated times; a test that runs `regwatch run` after them starts its own
QUIET_FEED = rss([("A settled story", "https://wire.example/settled")])


def busy() -> object:
    """A feed with a new story on every request."""
    numbers = itertools.count()

    def handle(request: BaseHTTPRequestHandler) -> None:
        body = rss([(f"Story {n}", f"https://busy.example/{n}") for n in range(next(numbers) + 1)])
        send(request, 200, body.encode(), {"Content-Type": "application/rss+xml"})

    return handle


def no_validators(request: BaseHTTPRequestHandler) -> None:
    """The same items on every request, with neither ETag nor Last-Modified: never a 304."""
    send(request, 200, QUIET_FEED.encode(), {"Content-Type": "application/rss+xml"})


@pytest.fixture
def feeds(server: CorpusServer) -> Iterator[FeedsFile]:
    server.routes["/quiet"] = static(QUIET_FEED)
    server.routes["/busy"] = busy()  # type: ignore[assignment]
    server.routes["/same"] = no_validators
    server.routes["/broken"] = status(500)
    yield FeedsFile(feeds=[FeedConfig(url=server.url(f"/{name}"), name=name)
                           for name in ("quiet", "busy", "same", "broken")],
                    fetch=FetchLimits(timeout_seconds=2, quiet_polls_before_backoff=3))  # not 4 hours


def cycle(db: Database, feeds: FeedsFile, minute: int, start: datetime = START) -> list[str]:
    """One cycle's poll and bookkeeping, as the flow does them, `minute` minutes after `start`; the feeds polled."""

    async def poll() -> list[FeedPoll]:
        async with Fetcher(feeds.fetch, allow_private=True) as fetcher:
            return await poll_stage(db, feeds, fetcher, now=start + timedelta(minutes=minute))

    polls = asyncio.run(poll())
    stats = CycleStats()
    stats.add_polls(polls)
    finish_stage(db, polls, stats, start)
    return sorted(p.feed.name or "" for p in polls)


def test_quiet_and_failing_feeds_are_skipped_until_their_interval_has_passed(tmp_path: Path, feeds: FeedsFile) -> None:
    db = Database(tmp_path / "rw.duckdb")
    db.init()
    polled = [cycle(db, feeds, minute) for minute in range(10)]
    every, backed_off = ["broken", "busy", "quiet", "same"], ["busy"]
    # Minutes 0-2: everything (the first poll is news; then 3 quiet or failed polls before any back-off).
    # quiet and same (200, same items) back off to 2 min after minute 3, broken after its 3rd failure (minute 2),
    # then to 4 and 8 min; busy never does.
    assert polled == [every, every, every, ["busy", "quiet", "same"], ["broken", "busy"], ["busy", "quiet", "same"],
                      backed_off, backed_off, ["broken", "busy"], ["busy", "quiet", "same"]]
    with db.read() as con:
        runs = con.execute("SELECT feeds_polled FROM runs ORDER BY started_at, finished_at").fetchall()
    assert [n for (n,) in runs] == [len(feeds_polled) for feeds_polled in polled]  # the runs count polled feeds only

    shown = CliRunner().invoke(app, ["feeds", "--db", str(db.path), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    health = {row["name"]: row for row in map(json.loads, shown.output.splitlines())}
    assert {name: row["poll_interval_seconds"] for name, row in health.items()} == {
        "quiet": 480, "same": 480, "busy": 60, "broken": 480}
    with db.read() as con:  # shown in the database's time zone, as every time `regwatch feeds` shows
        due = con.execute("SELECT strftime(?::TIMESTAMPTZ, '%Y-%m-%d %H:%M:%S')",
                          [START + timedelta(minutes=17)]).fetchone()
    assert due is not None and health["quiet"]["next_poll_at"] == due[0]  # polled at minute 9, every 8 min



def test_run_all_feeds_polls_the_feeds_adaptive_polling_would_skip(
    tmp_path: Path, server: CorpusServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Feeds with no items: every run is a quiet cycle, recorded without starting Prefect."""
    names = ("regulator", "bureau")
    for name in names:
        server.routes[f"/{name}"] = static(rss([], title=name))
    quiet = FeedsFile(feeds=[FeedConfig(url=server.url(f"/{name}"), name=name) for name in names],
                      fetch=FetchLimits(timeout_seconds=2, quiet_polls_before_backoff=3))
    config = write_config(tmp_path / "config", yaml.safe_dump(quiet.model_dump(mode="json", exclude_none=True)))
    db = Database(tmp_path / "rw.duckdb")
    db.init()
    now = datetime.now(UTC)  # ahead of the clock from here: `regwatch run` below finds the feeds not due
    for minute in range(4):  # the first poll, then 3 quiet ones: due again in 2 minutes
        cycle(db, quiet, minute, now)
    monkeypatch.setenv("REGWATCH_ALLOW_PRIVATE_NETWORKS", "1")

    def run(*extra: str) -> dict[str, object]:
        result = CliRunner().invoke(app, ["run", "--config-dir", str(config), "--db", str(db.path), "--json", *extra])
        assert result.exit_code == 0, result.output
        return json.loads(result.output.splitlines()[-1])  # type: ignore[no-any-return]

    assert run()["feeds_polled"] == 0
    assert run("--all-feeds")["feeds_polled"] == 2


def test_a_broken_feed_alone_due_does_not_fail_a_run_the_other_feeds_would_have_answered(
    tmp_path: Path, feeds: FeedsFile
) -> None:
    """Adaptive polling can leave one broken feed alone due while the healthy ones wait: "all 1 feeds failed"
    would fail a run the network served. Failing is judged over every enabled feed, by its last poll."""
    quiet_ones = FeedsFile(feeds=[f for f in feeds.feeds if f.name != "busy"], fetch=feeds.fetch)
    db = Database(tmp_path / "rw.duckdb")
    db.init()
    outcomes = []
    for minute in range(5):
        async def poll(at: int = minute) -> list[FeedPoll]:
            async with Fetcher(quiet_ones.fetch, allow_private=True) as fetcher:
                return await poll_stage(db, quiet_ones, fetcher, now=START + timedelta(minutes=at))

        polls = asyncio.run(poll())
        stats = CycleStats()
        stats.add_polls(polls)
        stats.add_waiting(waiting_feeds(db, quiet_ones, polls))
        finish_stage(db, polls, stats, START)
        outcomes.append((sorted(p.feed.name or "" for p in polls), stats.feeds_waiting, stats.failure(1.0)))
    assert outcomes[4] == (["broken"], 2, None)  # minute 4: the broken feed alone is due; the others wait, healthy

    broken_only = FeedsFile(feeds=[f for f in feeds.feeds if f.name == "broken"], fetch=feeds.fetch)
    stats = CycleStats()
    stats.add_polls([])
    stats.add_waiting(waiting_feeds(db, broken_only, []))
    assert stats.failure(1.0) is None  # nothing failed in this cycle: nothing to report
