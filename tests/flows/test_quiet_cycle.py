"""A quiet `regwatch run` (no feed has a new item) is recorded without Prefect; a busy one runs the flow.

Real processes, a real local feed server and the fake Slack; the Prefect server is the session's, so that a
flow run started by mistake would show."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from fakes.slack_server import SlackServer
from flows.demo.corpus_server import CorpusServer, send
from tests.support.configs import write_config
from tests.support.faultkit import article, rss
from tests.support.httpkit import static

REGWATCH = Path(sys.executable).parent / "regwatch"
STORIES = {
    "/alibaba.html": ("SAMR fines Alibaba", "China's State Administration for Market Regulation on Saturday fined "
                      "Alibaba Group 18.228 billion yuan ($2.8 billion) for abusing its dominant position in online "
                      "retail. " * 4),
    "/didi.html": ("CAC fines Didi", "The Cyberspace Administration of China fined Didi Global 8.026 billion yuan on "
                   "Thursday for illegally collecting users' data, ending a year-long cybersecurity review. " * 4),
}


@dataclass
class Site:
    """Two outlets: `wire` answers 304 once polled (ETag); `plain` never does, and lists the same story."""

    server: CorpusServer
    config: Path
    db: Path

    def publish(self, *paths: str) -> None:
        """The wire's feed now lists the STORIES at `paths`, each with its page; `plain` lists the first one."""
        items = [(STORIES[path][0], self.server.url(path)) for path in paths]
        wire, plain = rss(items).encode(), rss(items[:1]).encode()
        self.server.routes["/wire.rss"] = static(wire)
        self.server.routes["/plain.rss"] = lambda request: send(request, 200, plain,
                                                                {"Content-Type": "application/rss+xml"})
        for path in paths:
            self.server.routes[path] = static(article(*STORIES[path]), "text/html")

    def run(self, *options: str, prefect_api_url: str | None = None) -> subprocess.CompletedProcess[str]:
        """`regwatch run --json` in a process of its own, with Python's import log (-X importtime) on stderr."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env.update(REGWATCH_ALLOW_PRIVATE_NETWORKS="1", PREFECT_HOME=str(self.config.parent / "prefect-home"))
        if prefect_api_url:
            env["PREFECT_API_URL"] = prefect_api_url
        return subprocess.run(
            [sys.executable, "-X", "importtime", str(REGWATCH), "run", "--json",
             "--config-dir", str(self.config), "--db", str(self.db), *options],
            env=env, capture_output=True, text=True, timeout=300)

    def query(self, sql: str) -> list[tuple[object, ...]]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(sql).fetchall()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """Every feed due in every run, as on the shipped schedule (a cycle a minute, feeds due every minute)."""
    with CorpusServer() as server:
        config = write_config(tmp_path / "config", (
            f"feeds:\n  - url: {server.url('/wire.rss')}\n    name: wire\n"
            f"  - url: {server.url('/plain.rss')}\n    name: plain\n"
            "fetch:\n  timeout_seconds: 3\n  min_poll_interval_seconds: 1\n"))
        yield Site(server, config, tmp_path / "rw.duckdb")


def imported(run: subprocess.CompletedProcess[str], package: str = "prefect") -> list[str]:
    """The modules of `package` the run imported, from its -X importtime lines."""
    modules = [line.rsplit("|", 1)[1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")]
    return [m for m in modules if m == package or m.startswith(f"{package}.")]


def own_lines(run: subprocess.CompletedProcess[str]) -> list[str]:
    """stderr without the import log."""
    return [line for line in run.stderr.splitlines() if not line.startswith("import time:")]


def counts(run: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert run.returncode == 0, "\n".join(own_lines(run))[-3000:]
    summary = json.loads(run.stdout.splitlines()[-1])  # after the alerts the console shows when Slack is not set
    assert isinstance(summary, dict)
    return summary


def flow_runs() -> int:
    """Flow runs the session's Prefect server has recorded."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.count_flow_runs()


def test_a_quiet_cycle_is_recorded_without_prefect(site: Site, prefect_api_url: str) -> None:
    site.publish("/alibaba.html")
    first = counts(site.run(prefect_api_url=prefect_api_url))
    assert first["articles_added"] == 1 and first["quiet"] is False
    before = flow_runs()

    quiet = site.run(prefect_api_url=prefect_api_url)
    summary = counts(quiet)

    assert summary["quiet"] is True and summary["feeds_polled"] == 2
    assert summary["feeds_not_modified"] == 1  # the wire: 304; the plain feed: 200, its one story known
    assert summary["items_seen"] == 1 and summary["articles_added"] == 0 and summary["feed_errors"] == []
    assert imported(quiet) == [] and flow_runs() == before
    assert own_lines(quiet) == []
    # What the flow records for such a cycle: a runs row, each feed's poll and health, the story's sightings.
    assert site.query("SELECT count(*), max(feeds_polled), max(articles_added) FROM runs") == [(2, 2, 1)]
    assert site.query("SELECT name, last_status, items_seen FROM feeds ORDER BY name") == [
        ("plain", "ok", 2), ("wire", "not_modified", 1)]
    assert site.query("SELECT count(*), count(DISTINCT feed_id) FROM sightings") == [(2, 2)]


def test_a_quiet_cycle_delivers_an_alert_that_slack_refused_earlier_once(
    site: Site, slack: SlackServer, prefect_api_url: str
) -> None:
    site.publish("/alibaba.html")
    slack.fail_next(1, "500")
    first = counts(site.run(prefect_api_url=prefect_api_url))
    assert first["alerts_pending"] == 1 and slack.messages == []

    delivered = counts(site.run(prefect_api_url=prefect_api_url))
    again = counts(site.run(prefect_api_url=prefect_api_url))

    assert delivered["quiet"] is True and delivered["alerts_sent"] == 1 and delivered["alerts_pending"] == 0
    assert again["quiet"] is True and again["alerts_sent"] == 0
    assert [(m.text or "").split(":")[0] for m in slack.messages] == ["Fine"]
    assert site.query("SELECT status FROM alerts") == [("sent",)]


def test_a_quiet_cycle_whose_feeds_all_fail_ends_as_the_flow_does(site: Site, prefect_api_url: str) -> None:
    flow = site.run("--always-flow", prefect_api_url=prefect_api_url)  # nothing published: both feeds answer 404
    quiet = site.run(prefect_api_url=prefect_api_url)  # the feeds polled once: now a quiet cycle may record them

    assert quiet.returncode == 1 and flow.returncode == 1 and quiet.stdout == ""
    ours = [line for line in own_lines(quiet) if line.startswith("regwatch:")]
    assert ours == [line for line in own_lines(flow) if line.startswith("regwatch:")]
    assert len(ours) == 1 and ours[0].startswith("regwatch: all 2 feeds failed (e.g. wire: HTTP 404)")
    assert own_lines(quiet)[-1] == ours[0] and imported(quiet) == []
    assert site.query("SELECT count(*), max(feeds_failed) FROM runs") == [(2, 2)]
    assert site.query("SELECT max(consecutive_failures) FROM feeds") == [(2,)]


def test_a_busy_cycle_after_a_quiet_one_stores_every_new_story_once(site: Site, prefect_api_url: str) -> None:
    site.publish("/alibaba.html")
    counts(site.run(prefect_api_url=prefect_api_url))
    assert counts(site.run(prefect_api_url=prefect_api_url))["quiet"] is True

    site.publish("/alibaba.html", "/didi.html")
    site.server.hits.clear()
    busy = counts(site.run(prefect_api_url=prefect_api_url))

    assert busy["quiet"] is False and busy["articles_added"] == 1 and busy["duplicates"] == 0, busy
    assert site.query("SELECT url FROM articles ORDER BY url") == [
        (site.server.url("/alibaba.html"),), (site.server.url("/didi.html"),)]
    assert site.query("SELECT count(*) FROM runs") == [(3,)]  # the probe of the busy cycle recorded none
    assert site.server.hits["/wire.rss"] == 2 and site.server.hits["/didi.html"] == 1  # probed, then polled
    assert counts(site.run(prefect_api_url=prefect_api_url))["quiet"] is True


def test_a_feed_never_polled_goes_straight_to_the_flow_without_a_probe(site: Site, prefect_api_url: str) -> None:
    """A feed with no stored state has news by definition: probing it would fetch it twice (and, on a first run,
    every feed twice), so the cycle goes to the flow before any request."""
    site.publish("/alibaba.html")
    first = counts(site.run(prefect_api_url=prefect_api_url))
    assert first["quiet"] is False and first["articles_added"] == 1
    assert site.server.hits["/wire.rss"] == 1 and site.server.hits["/plain.rss"] == 1  # once each, by the flow


def test_always_flow_runs_a_quiet_cycle_as_a_flow_run(site: Site, prefect_api_url: str) -> None:
    site.publish("/alibaba.html")
    counts(site.run(prefect_api_url=prefect_api_url))
    before = flow_runs()

    forced = site.run("--always-flow", prefect_api_url=prefect_api_url)

    summary = counts(forced)
    assert summary["quiet"] is False and summary["feeds_not_modified"] == 1 and summary["articles_added"] == 0
    assert "prefect" in imported(forced) and flow_runs() == before + 1
    quiet = counts(site.run(prefect_api_url=prefect_api_url))
    assert quiet["quiet"] is True and sorted(quiet) == sorted(summary)  # the same counts for scripts, either way


def test_run_help_stays_light() -> None:
    """`regwatch run --help` loads the command line only: not Prefect, nor the cycle's HTTP client and stores."""
    shown = subprocess.run([sys.executable, "-X", "importtime", str(REGWATCH), "run", "--help"],
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "--always-flow" in shown.stdout
    assert [module for package in ("prefect", "aiohttp", "duckdb", "numpy", "tasks.pipeline")
            for module in imported(shown, package)] == []
