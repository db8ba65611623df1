"""A run in which every feed fails ends failed (exit 1, Prefect `Failed`), after storing and delivering what it can.

Before, such a run exited 0 and Prefect showed `Completed`: cron and Prefect had nothing to alert on while
regwatch monitored nothing at all (every feed failing on DNS, or refused as a private address)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import StateType
from prefect.states import State

from fakes.slack_server import SlackServer
from flows.demo.corpus_server import CorpusServer
from flows.monitor import monitor
from tests.support.configs import write_config
from tests.support.faultkit import article, rss
from tests.support.httpkit import static

pytestmark = pytest.mark.usefixtures("prefect_harness")

REGWATCH = Path(sys.executable).parent / "regwatch"
FINE = ("China's State Administration for Market Regulation on Saturday fined Alibaba Group 18.228 billion yuan "
        "($2.8 billion) for abusing its dominant position in online retail. ") * 4


def closed_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def feeds_yaml(urls: dict[str, str], extra: str = "") -> str:
    listed = "".join(f"  - url: {url}\n    name: {name}\n" for name, url in urls.items())
    return f"feeds:\n{listed}fetch:\n  timeout_seconds: 3\n{extra}"


@dataclass
class Site:
    server: CorpusServer
    unreachable: int  # a loopback port nobody listens on


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """A public-looking site with a story, and a closed port: the only loopback addresses fetches may reach."""
    with CorpusServer() as server:
        server.routes["/wire.rss"] = static(rss([("SAMR fines Alibaba", server.url("/alibaba.html"))]))
        server.routes["/alibaba.html"] = static(article("SAMR fines Alibaba 18.228 billion yuan", FINE), "text/html")
        unreachable = closed_port()
        port = server.base.rsplit(":", 1)[1]
        monkeypatch.setenv("REGWATCH_ALLOW_PRIVATE_ADDRESSES", f"127.0.0.1:{port},127.0.0.1:{unreachable}")
        yield Site(server, unreachable)


def broken_feeds(site: Site) -> dict[str, str]:
    """Three ways a feed fails: 404, nothing listening, and an address the fetcher refuses to contact."""
    return {"gone": site.server.url("/gone.rss"), "down": f"http://127.0.0.1:{site.unreachable}/rss",
            "metadata": "http://169.254.169.254/latest/rss"}


def run_flow(config: Path, db: Path) -> State:
    return asyncio.run(monitor(config_dir=str(config), db=str(db), allow_private_networks=False, return_state=True))


def flow_run_state(state: State) -> StateType | None:
    """The state the Prefect server recorded for the run (what the UI and automations see)."""
    with get_client(sync_client=True) as client:
        recorded = client.read_flow_run(state.state_details.flow_run_id).state
    return recorded.type if recorded else None


def test_every_feed_failing_fails_the_run_after_delivering_the_outbox(
    site: Site, tmp_path: Path, slack: SlackServer
) -> None:
    db = tmp_path / "rw.duckdb"
    config = write_config(tmp_path / "config", feeds_yaml({"wire": site.server.url("/wire.rss")}))
    slack.fail_next(1, "500")
    first = run_flow(config, db)
    assert first.is_completed() and first.result()["alerts_pending"] == 1
    assert slack.messages == []

    write_config(tmp_path / "config", feeds_yaml(broken_feeds(site)))
    failed = run_flow(config, db)

    assert failed.is_failed() and flow_run_state(failed) == StateType.FAILED
    assert failed.message is not None and failed.message.startswith("all 3 feeds failed (e.g. ")
    assert "\n" not in failed.message
    # The work was still done: the pending alert went out, and the feeds' health and the run were stored.
    assert [m.text.split(":")[0] for m in slack.messages] == ["Fine"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM alerts").fetchall() == [("sent",)]
        assert con.execute("SELECT max(feeds_failed) FROM runs").fetchone() == (3,)
        assert con.execute("SELECT count(*) FROM feeds WHERE last_status = 'error'").fetchone() == (3,)


def test_a_share_of_feeds_failing_fails_the_run_only_when_configured(site: Site, tmp_path: Path) -> None:
    feeds = {"wire": site.server.url("/wire.rss"), **broken_feeds(site)}
    config = write_config(tmp_path / "config", feeds_yaml(feeds))
    assert run_flow(config, tmp_path / "default.duckdb").is_completed()  # 3 of 4 failing: each feed's own problem
    write_config(tmp_path / "config", feeds_yaml(feeds, "  fail_run_share: 0.75\n"))
    failed = run_flow(config, tmp_path / "share.duckdb")
    assert failed.is_failed()
    assert failed.message is not None and failed.message.startswith("3 of 4 feeds failed")


def test_cli_exits_1_with_one_line_when_every_feed_fails(site: Site, tmp_path: Path, prefect_api_url: str) -> None:
    env = {**os.environ, "PREFECT_API_URL": prefect_api_url}
    config = write_config(tmp_path / "config", feeds_yaml(broken_feeds(site)))
    run = subprocess.run([str(REGWATCH), "run", "--config-dir", str(config), "--db", str(tmp_path / "rw.duckdb")],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr and "done" not in run.stdout
    ours = [line for line in run.stderr.splitlines() if line.startswith("regwatch:")]
    assert len(ours) == 1 and ours[0].startswith("regwatch: all 3 feeds failed (e.g. "), run.stderr
    assert run.stderr.rstrip().endswith(ours[0])


def test_a_feed_failing_three_runs_in_a_row_is_reported_in_slack_once(
    site: Site, tmp_path: Path, slack: SlackServer
) -> None:
    db = tmp_path / "rw.duckdb"
    config = write_config(tmp_path / "config", feeds_yaml({"wire": site.server.url("/wire.rss"),
                                                           "gone": site.server.url("/gone.rss")}))
    reported = [run_flow(config, db).result()["failing_feeds_reported"] for _ in range(4)]
    assert reported == [0, 0, 1, 0]  # the third failure in a row, and only then
    reports = [m.text for m in slack.messages if m.text.startswith("Feed failing")]
    assert reports == [f"Feed failing: <{site.server.url('/gone.rss')}|gone> has failed 3 runs in a row (HTTP 404). "
                       "`regwatch feeds` shows every feed's health."]
