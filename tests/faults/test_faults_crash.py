"""SIGKILL at random points of real `regwatch run` processes, then a clean run.

The bundled demo corpus (18 pages, 16 distinct stories, 3 fresh events that
alert) is monitored by `regwatch run` children, each in its own process group
so that a kill takes its extraction workers too. First a few kills at random
instants (seeded) while Slack is down, then two kills aimed at delivery: one
as a message reaches Slack (which then never gets it), one right after Slack
accepted a message and before the outbox could record it (the window that
used to send it twice). Then clean runs. Required: the database opens cleanly
after every kill, no process survives a kill, every story is stored once,
every alert reaches Slack, and with a bot token none twice: the alert killed
in the window is found in the channel's history by its metadata and recorded,
not posted again. An incoming webhook cannot be read back: the same kill
there posts the alert twice (at least once), and the run says so.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from fakes.slack_server import Received, SlackServer
from flows.demo.corpus_server import CorpusServer
from flows.demo.run import CORPUS, write_demo_config
from tasks.common.urls import canonical_url
from tests.support import faultkit as fk

pytestmark = pytest.mark.faults

SEED = int(os.environ.get("FAULT_SEED", "6"))
TIMED_KILLS = 5
DEADLINE = 240.0  # seconds for the whole test; every wait below is bounded by it
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
ALERTS = sum(1 for e in EXPECTED["events"] if e["fresh"] and e["kind"] in ("fine", "policy_shift"))
TASK_DONE = re.compile(r"Task run '([a-z-]+)-\w+' - Finished")


def expected_stories() -> set[str]:
    """Every page of the corpus, less the copies folded into their original, and the Google News links stored
    from their headlines (by the path of the canonical link: they name no page)."""
    pages = {"/" + str(p.relative_to(CORPUS / "site")) for p in (CORPUS / "site").rglob("*.html")}
    copies = {path for group in EXPECTED["near_duplicates"] for path in group[1:]}
    headlines = {"/" + canonical_url(entry["link"]).split("/", 3)[3] for entry in EXPECTED["headline_only"]}
    return pages - copies | headlines


def subject(text: str | None) -> str:
    """What an alert is about: its text up to the link ("Fine: Alibaba Group fined ... by SAMR")."""
    return (text or "").split(" — ")[0]


# Where the timed kills may land: right after one of these lines of the run's log (plus a random delay), or
# (None) at a random instant of the start-up. The line after "select-new-items" is the long extraction.
KILL_POINTS: list[str | None] = [
    None, "poll-feeds", "select-new-items", "fetch-extract-store", "record-feed-health",
    "cluster-and-plan-alerts", "deliver-alerts", "refresh-snapshot",
]


@dataclass
class Kill:
    trigger: str
    landed: bool  # the process was still running when killed
    after_task: str  # the last task the run finished
    stored: int
    alerts: dict[str, int]
    in_window: int  # alerts Slack has accepted that the outbox has not recorded as sent


@dataclass
class Harness:
    config: Path
    db: Path
    env: dict[str, str]
    log: Path
    slack: SlackServer
    deadline: float
    kills: list[Kill] = field(default_factory=list)
    current: subprocess.Popen[bytes] | None = None

    def kill_current(self) -> None:
        if self.current is not None:
            fk.kill_group(self.current)

    def _output(self, since: int) -> str:
        return self.log.read_bytes()[since:].decode(errors="replace")

    def run_and_kill(self, trigger: str, after: str | None = None, delay: float = 0.0,
                     by_hook: bool = False) -> Kill:
        """Start a run and SIGKILL its process group `delay` s after the task `after` finished (after the
        start if None), or when a Slack hook does (`by_hook`). A run that ends first is recorded as missed."""
        since = self.log.stat().st_size if self.log.exists() else 0
        process = self.current = fk.start_run(self.config, self.db, self.env, self.log)
        seen = after is None
        while not by_hook and not seen and process.poll() is None and time.monotonic() < self.deadline:
            seen = re.search(rf"Task run '{after}-\w+' - Finished", self._output(since)) is not None
            time.sleep(0.02)
        try:
            process.wait(timeout=max(0.0, self.deadline - time.monotonic()) if by_hook else delay)
        except subprocess.TimeoutExpired:
            fk.kill_group(process)
        landed = process.returncode == -9
        fk.kill_group(process)  # whatever happened, the group goes: no worker may outlive its run
        survivors = fk.wait_gone(process.pid)
        assert not survivors, f"processes of the killed run are still alive: {survivors}"
        self.current = None
        done = TASK_DONE.findall(self._output(since))
        kill = Kill(trigger, landed, done[-1] if done else "(none)", *self.inspect())
        self.kills.append(kill)
        return kill

    def inspect(self) -> tuple[int, dict[str, int], int]:
        """Stories stored, alerts by status and alerts in the at-least-once window; opens the file cleanly."""
        if not self.db.exists():
            return 0, {}, 0
        tables = {name for (name,) in fk.query(self.db, "SELECT table_name FROM information_schema.tables")}
        if "articles" not in tables:  # killed after the file was made, before its tables were: the next run makes them
            return 0, {}, 0
        stored = fk.query(self.db, "SELECT count(*) FROM articles")[0][0]
        alerts = dict(fk.query(self.db, "SELECT status, count(*) FROM alerts GROUP BY status"))
        sent = {subject(t) for (t,) in fk.query(self.db, "SELECT text FROM alerts WHERE status = 'sent'")}
        accepted = {subject(m.text) for m in self.slack.messages if m.thread_ts is None}
        return stored, alerts, len(accepted - sent)

    def clean_run(self) -> str:
        since = self.log.stat().st_size if self.log.exists() else 0
        self.current = fk.start_run(self.config, self.db, self.env, self.log)
        code = self.current.wait(timeout=max(1.0, self.deadline - time.monotonic()))
        self.current = None
        assert code == 0, self._output(since)[-3000:]
        return self._output(since)


@contextmanager
def serving(tmp_path: Path, prefect_api_url: str, slack: SlackServer, slack_env: dict[str, str]) -> Iterator[Harness]:
    """The demo corpus served, and runs of it set up to deliver to `slack` with the settings `slack_env`."""
    with CorpusServer(CORPUS / "site") as server:
        write_demo_config(tmp_path / "config", server.base)
        env = fk.child_env(prefect_api_url, tmp_path / "prefect-home", allow_private_networks="1") | slack_env
        state = Harness(tmp_path / "config", tmp_path / "rw.duckdb", env, tmp_path / "runs.log", slack,
                        time.monotonic() + DEADLINE)
        try:
            yield state
        finally:
            state.kill_current()


@pytest.fixture
def harness(tmp_path: Path, prefect_api_url: str, slack: SlackServer) -> Iterator[Harness]:
    """Runs delivering with a bot token (that may read the channel's history)."""
    with serving(tmp_path, prefect_api_url, slack, {"REGWATCH_SLACK_BOT_TOKEN": slack.token,
                 "REGWATCH_SLACK_CHANNEL": "C0ALERTS", "REGWATCH_SLACK_API_URL": slack.api_url}) as state:
        yield state


@pytest.fixture
def webhook_harness(tmp_path: Path, prefect_api_url: str, slack: SlackServer) -> Iterator[Harness]:
    """Runs delivering through an incoming webhook, which cannot be read back."""
    with serving(tmp_path, prefect_api_url, slack, {"REGWATCH_SLACK_WEBHOOK_URL": slack.webhook_url}) as state:
        yield state


def posts_per_event(slack: SlackServer) -> Counter[str]:
    """How many top-level messages Slack accepted about each event."""
    return Counter(subject(m.text) for m in slack.messages if m.thread_ts is None)


def test_sigkill_at_random_points_loses_nothing_and_sends_nothing_twice(harness: Harness) -> None:
    rng = random.Random(SEED)
    slack = harness.slack

    # 1. Kills at random points of the pipeline, in its order, Slack down (every post answers 500).
    slack.fail_next(1_000_000, "500")
    points = sorted(rng.sample(range(len(KILL_POINTS)), TIMED_KILLS))
    for point in points:
        after = KILL_POINTS[point]
        delay = rng.uniform(0.3, 1.5) if after is None else rng.uniform(0.1, 2.5 if point == 2 else 0.4)
        harness.run_and_kill(f"{delay:.2f}s after {after or 'start'}", after, delay)
    slack.recover()

    # 2. A kill as a message reaches Slack: the post never arrives (the outbox has it `sending`).
    def kill_on_arrival(_request: object) -> None:
        slack.fail_next(1, "drop")  # the connection dies with the process: Slack gets nothing
        harness.kill_current()

    slack.on_request = kill_on_arrival
    harness.run_and_kill("a post reaches Slack", by_hook=True)
    slack.on_request = None

    # 3. A kill after Slack accepted a message, before the outbox records it as sent: the window.
    accepted: list[str] = []

    def kill_on_accept(message: Received) -> None:
        accepted.append(message.ts or "")
        harness.kill_current()

    slack.on_accept = kill_on_accept
    harness.run_and_kill("Slack accepted a post", by_hook=True)
    slack.on_accept = None

    # 4. Clean runs: the first finishes the job (finding the post of step 3 first), the second has nothing to do.
    reads = len([r for r in slack.requests if r.path == "/api/conversations.history"])
    harness.clean_run()
    last = harness.clean_run()
    assert "0 pages fetched, 0 articles added" in last.replace("\n", " ")

    landed = [k for k in harness.kills if k.landed]
    window = sum(k.in_window for k in harness.kills)
    posts = posts_per_event(slack)
    duplicates = sum(n - 1 for n in posts.values())
    stored = {"/" + url.split("/", 3)[3] for (url,) in fk.query(harness.db, "SELECT url FROM articles")}
    statuses = dict(fk.query(harness.db, "SELECT status, count(*) FROM alerts GROUP BY status"))
    print(f"\nseed {SEED}: {len(harness.kills)} kills, {len(landed)} landed in a running process")
    for i, kill in enumerate(harness.kills, 1):
        print(f"  kill {i}: {kill.trigger:<42} landed={kill.landed!s:<5} after {kill.after_task:<24} "
              f"stories={kill.stored:<3} alerts={kill.alerts} in-window={kill.in_window}")
    print(f"stories stored {len(stored)}/{len(expected_stories())}, alerts {statuses}, Slack posts "
          f"{sum(posts.values())} for {len(posts)} events; duplicates across {len(harness.kills)} kills: "
          f"{duplicates} (kills in the window: {window})")

    assert len(landed) >= TIMED_KILLS, "too few kills hit a running process to prove anything"
    assert harness.kills[-1].in_window == 1, "the aimed kill must land inside the window"
    assert stored == expected_stories()  # every story, once (articles.url is the canonical URL, unique)
    assert fk.query(harness.db, "SELECT count(*) - count(DISTINCT url) FROM articles") == [(0,)]
    assert statuses.get("sent") == ALERTS and statuses.get("pending", 0) == statuses.get("sending", 0) == 0
    assert len(posts) == ALERTS  # every alert reached Slack...
    assert duplicates == 0 and window == 1  # ...none twice, though a kill hit the window
    assert len([r for r in slack.requests if r.path == "/api/conversations.history"]) > reads
    assert fk.query(harness.db, "SELECT count(*) FROM alerts WHERE slack_ts = ?", [accepted[0]]) == [(1,)], (
        "the post accepted before the kill is the one recorded")


def test_a_kill_in_the_window_with_a_webhook_sends_that_alert_twice_and_says_so(webhook_harness: Harness) -> None:
    """At least once: a webhook cannot be read back, so the alert the kill interrupted is posted again."""
    slack = webhook_harness.slack
    slack.on_accept = lambda _message: webhook_harness.kill_current()
    kill = webhook_harness.run_and_kill("Slack accepted a post", by_hook=True)
    slack.on_accept = None
    output = webhook_harness.clean_run()
    statuses = dict(fk.query(webhook_harness.db, "SELECT status, count(*) FROM alerts GROUP BY status"))
    duplicates = sum(posts_per_event(slack).values()) - ALERTS  # by count: two posts of one alert may not read alike
    print(f"\nwebhook: alerts {statuses}, Slack posts {ALERTS + duplicates}; duplicates across 1 kill: {duplicates}")
    assert kill.landed and kill.in_window == 1
    assert statuses.get("sent") == ALERTS and duplicates == 1
    assert output.count("may show twice in Slack: an incoming webhook cannot be read back") == 1, output[-3000:]


def test_a_run_killed_before_planning_leaves_its_alerts_to_the_next_quiet_cycle(harness: Harness) -> None:
    """A run killed after storing its stories and recording the feeds, as it starts planning their alerts: the
    next cycle finds nothing new in the feeds, so it is a quiet cycle (no flow run), and it must still plan and
    send those alerts, once each. (Killed before the feeds are recorded, the next cycle re-polls them as never
    polled and runs the flow.)"""
    kill = harness.run_and_kill("as alerts are planned", "record-feed-health")
    assert kill.landed and kill.stored > 0, kill

    done = fk.run_cli(harness.config, harness.db, harness.env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "quiet" in done.stdout  # nothing new in the feeds: no flow run
    assert len(posts_per_event(harness.slack)) == ALERTS
    again = fk.run_cli(harness.config, harness.db, harness.env)
    assert again.returncode == 0 and len(posts_per_event(harness.slack)) == ALERTS  # sent once, not again
    assert sum(posts_per_event(harness.slack).values()) == ALERTS
