"""The bundled corpus end to end: several outlets, two languages, syndicated copies, recaps, noise.

`flows/demo_corpus/expected.yaml` is the ground truth: one alert per fresh
fine or policy shift, none for the rest, none on a second run, and every alert
exactly once when Slack is down for a run and then back.
"""

from __future__ import annotations

import asyncio
import json
import queue
import re
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

import pytest
import yaml
from typer.testing import CliRunner

from fakes.slack_server import SlackServer
from flows.cli.app import app
from flows.demo.corpus_server import CorpusServer
from flows.demo.run import CORPUS, write_demo_config
from flows.monitor import monitor
from tasks.store.database import Database
from tests.support import faultkit as fk
from tests.support.plain_english import not_plain

pytestmark = pytest.mark.usefixtures("prefect_harness")

EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
ALERTING = [e for e in EXPECTED["events"] if e["fresh"] and e["kind"] in ("fine", "policy_shift")]


def run(config: Path, db: Path) -> dict[str, Any]:
    return asyncio.run(monitor(config_dir=str(config), db=str(db), allow_private_networks=True))


def alert_subjects(slack: SlackServer) -> list[str]:
    return sorted(m.text.split(" — ")[0] for m in slack.messages if m.thread_ts is None)


def test_demo_corpus_alerts_once_per_real_event(tmp_path: Path, slack: SlackServer) -> None:
    db = tmp_path / "demo.duckdb"
    with CorpusServer(CORPUS / "site") as server:
        write_demo_config(tmp_path / "config", server.base)
        slack.fail_next(1, "500")  # Slack is down for the first run
        down = run(tmp_path / "config", db)
        assert down["alerts_sent"] == 0 and down["alerts_pending"] == len(ALERTING)
        up = run(tmp_path / "config", db)
        again = run(tmp_path / "config", db)
    assert up["alerts_sent"] == len(ALERTING), alert_subjects(slack)
    assert again["alerts_sent"] == 0 and again["pages_fetched"] == 0
    subjects = alert_subjects(slack)
    assert len(subjects) == len(ALERTING)
    for event in ALERTING:
        label = "Fine" if event["kind"] == "fine" else "Policy shift"
        assert any(s.startswith(label) and all(c in s for c in event["companies"]) for s in subjects), subjects
    with Database(db).read() as con:
        clusters = con.execute("SELECT kind, companies, amount FROM recent_events").fetchall()
        suppressed = con.execute("SELECT count(*) FROM alerts WHERE status = 'suppressed'").fetchone()
    fines = {(tuple(companies), amount) for kind, companies, amount in clusters if kind == "fine"}
    expected_fines = {(tuple(e["companies"]), float(e["amount"])) for e in EXPECTED["events"] if e["kind"] == "fine"}
    assert fines == expected_fines  # each fine found once, at its exact amount, whatever the language
    assert suppressed == (1,)  # Meituan's ten-day-old fine is stored, not alerted


def test_the_demo_alerts_read_as_plain_english_with_each_story_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No Slack configured: the alerts are printed as a person reads them. No internal name, no conversion to the
    cent; the sources are the cluster's stories, each once under its canonical URL (no feed link with utm_*)."""
    db = tmp_path / "demo.duckdb"
    with CorpusServer(CORPUS / "site") as server:
        write_demo_config(tmp_path / "config", server.base)
        run(tmp_path / "config", db)
    printed = capsys.readouterr().out.splitlines()
    alerts = [line for line in printed if line.startswith(("Fine:", "Policy shift"))]
    assert len(alerts) == len(ALERTING), printed
    ours = [line for line in printed if not line.startswith("    > ")]  # the evidence is the article's own words
    assert [problem for line in ours for problem in not_plain(line)] == []
    source_lines = [line for line in printed if line.startswith("    *Source:*")]
    with Database(db).read() as con:
        stories = {tuple(sorted(urls)) for (urls,) in con.execute(
            "SELECT list(DISTINCT a.url) FROM events e JOIN articles a USING (article_id) GROUP BY e.cluster_id"
        ).fetchall()}
    assert len(source_lines) == len(alerts)
    for line in source_lines:
        urls = re.findall(r"\((https?://[^)\s]+)\)", line)
        assert tuple(sorted(urls)) in stories and len(set(urls)) == len(urls), line
    found = CliRunner().invoke(app, ["history", "阿里巴巴", "--db", str(db)], prog_name="regwatch")
    assert found.exit_code == 0 and "[observed]" in found.output and "[reference]" in found.output, found.output


def test_noise_pages_make_no_events(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    with CorpusServer(CORPUS / "site") as server:
        write_demo_config(tmp_path / "config", server.base)
        run(tmp_path / "config", db)
    with Database(db).read() as con:
        noisy = con.execute(
            """SELECT a.url, e.kind FROM events e JOIN articles a USING (article_id)
               WHERE regexp_extract(a.url, '^https?://[^/]+(/.*)$', 1) IN (SELECT unnest(?::VARCHAR[]))""",
            [EXPECTED["noise"]],
        ).fetchall()
    assert noisy == []


def test_syndicated_and_rewritten_copies_are_one_story(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    with CorpusServer(CORPUS / "site") as server:
        write_demo_config(tmp_path / "config", server.base)
        result = run(tmp_path / "config", db)
        with Database(db).read() as con:
            stored = {r[0] for r in con.execute("SELECT url FROM articles").fetchall()}
            seen = {r[0] for r in con.execute("SELECT link FROM sightings").fetchall()}
    assert result["near_duplicates"] >= 1
    for group in EXPECTED["near_duplicates"]:
        urls = [server.url(path) for path in group]
        assert len(set(urls) & stored) == 1, group  # one story stored per group of copies
        assert set(urls) <= seen | stored  # and every copy recorded as a sighting of it


# How long Ctrl-C may take to stop `regwatch demo --serve`: 0.2 s alone, but the full suite runs two test
# processes on 2 cores beside the demo's server and worker processes, and 30 s once proved too short there.
SHUTDOWN_SECONDS = 90


def lines_of(stream: IO[str]) -> tuple[queue.Queue[str], threading.Thread]:
    """A child's output, line by line as it comes, without blocking the test on a silent child; the thread
    ends, after an empty line, when the child closes it."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)
        lines.put("")

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    return lines, thread


def read_until(lines: queue.Queue[str], marker: str, timeout: float = 60) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while not any(marker in line for line in seen):
        seen.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
        assert seen[-1], f"the child ended without printing {marker!r}: {seen}"
    return seen


def printed_command(output: list[str], subcommand: str) -> str:
    return next(line.strip() for line in output if f" {subcommand} " in line and "--db" in line)


def test_demo_serve_gives_a_config_and_commands_that_work_until_ctrl_c(tmp_path: Path, prefect_api_url: str) -> None:
    """`regwatch demo --serve` as a user runs it: paste the printed commands into a shell, then press Ctrl-C."""
    env = fk.child_env(prefect_api_url, tmp_path / "prefect-home")  # private addresses are NOT allowed here
    demo = subprocess.Popen([str(fk.REGWATCH), "demo", "--serve"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert demo.stdout is not None and demo.stderr is not None
    lines, reader = lines_of(demo.stdout)
    try:
        output = read_until(lines, "Ctrl-C")
        run, backfill = printed_command(output, "run"), printed_command(output, "backfill")
        assert (tmp_path / "data" / "demo-config" / "feeds.yaml").is_file(), output

        def shell(command: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(command, shell=True, cwd=tmp_path, env=env, text=True, capture_output=True,
                                  timeout=300)

        refused = shell(run.split(" ", 1)[1])  # the same run without the setting the demo prints
        feeds = shell(f"{fk.REGWATCH} feeds --db data/demo.duckdb --format json")
        errors = [json.loads(line)["last_error"] for line in feeds.stdout.splitlines()]
        assert errors and all("REGWATCH_ALLOW_PRIVATE_ADDRESSES=127.0.0.1:" in e for e in errors), refused.stderr

        ran = shell(run)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        assert "0 failed" in ran.stdout and " 0 articles added" not in ran.stdout, ran.stdout
        assert "WARNING" not in ran.stderr, ran.stderr  # Google News items are stored from their headline by design
        backfilled = shell(backfill)
        assert backfilled.returncode == 0, backfilled.stdout + backfilled.stderr
        assert "0 articles added" in backfilled.stdout and "already stored" in backfilled.stdout
    finally:
        demo.send_signal(signal.SIGINT)  # Ctrl-C
        demo.wait(timeout=SHUTDOWN_SECONDS)
    reader.join(timeout=10)
    err = demo.stderr.read()
    assert demo.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "stopped" in "".join(lines.queue), list(lines.queue)


def test_demo_serve_stops_cleanly_when_started_in_the_background(tmp_path: Path) -> None:
    """A shell script's background job starts with SIGINT ignored; Ctrl-C must still stop it."""
    demo = subprocess.Popen([str(fk.REGWATCH), "demo", "--serve"], cwd=tmp_path, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert demo.stdout is not None and demo.stderr is not None
    lines, reader = lines_of(demo.stdout)
    errors, error_reader = lines_of(demo.stderr)  # drained as it comes: a full pipe would block the child's exit
    try:
        read_until(lines, "Ctrl-C")
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=SHUTDOWN_SECONDS)
    reader.join(timeout=10)
    error_reader.join(timeout=10)
    err = "".join(errors.queue)
    assert demo.returncode == 0 and "Traceback" not in err, err
    assert "stopped" in "".join(lines.queue)
