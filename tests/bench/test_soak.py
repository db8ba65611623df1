"""The soak test's parts (`make soak` runs the soak itself, about 15 minutes): its world plants exactly the
events it counts on, its checks see a duplicate or a stray alert, and three whole cycles of the real thing pass."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.harness import prefect_api
from bench.soak import Outcome, check_slack
from bench.soak_world import (
    COMPANIES,
    FEED_PATH,
    FINE_STEP,
    FIRST_FINE,
    MAX_CYCLES,
    OUTLETS,
    Fine,
    World,
    fine_story,
)
from fakes.slack_server import Received
from tasks.alert.rules import load_alert_rules
from tasks.classify.classifier import classifier_for
from tasks.common.settings import DEFAULT_CONFIG_DIR, REPO_ROOT


def _alerting(title: str, paragraphs: list[str], world: World) -> list[tuple[str, float | None]]:
    """(kind, amount in CNY) of each event in the story that alerts.yaml makes alert."""
    result = classifier_for(str(DEFAULT_CONFIG_DIR)).classify(title, "\n\n".join(paragraphs), world.now.date())
    kinds = load_alert_rules(DEFAULT_CONFIG_DIR).kinds
    return [(e.kind, e.amount_cny) for e in result.events if e.kind in kinds]


def test_a_planted_fine_reads_as_one_fine_for_every_company_in_both_languages_at_any_size() -> None:
    world = World(cycles=40, port=8000)
    world.begin(0)
    largest = round(FIRST_FINE * FINE_STEP ** (MAX_CYCLES // 2 // len(COMPANIES)), -5)
    for company, _ in COMPANIES:
        for language in ("en", "zh"):
            for amount in (FIRST_FINE, int(largest)):
                title, lead = fine_story(Fine(company, amount), language, world.now.weekday(), seed=3)
                assert _alerting(title, [lead], world) == [("fine", float(amount))], (company, language, amount)


def test_only_the_planted_fines_alert() -> None:
    world = World(cycles=40, port=8000)
    for cycle in range(12):
        world.begin(cycle)
    fines = [s for s in world.stories.values() if s.fine]
    foreign = [s for s in world.stories.values() if s.title.startswith("EU fines")]
    assert len(fines) == 6 and {s.outlet.language for s in fines} == {"en", "zh"} and foreign
    for story in world.stories.values():
        expected = [("fine", float(story.fine.amount_cny))] if story.fine else []
        assert _alerting(story.title, story.paragraphs, world) == expected, story.title


def _message(text: str, thread_ts: str | None = None) -> Received:
    return Received("chat.postMessage", "C0ALERTS", text, None, thread_ts, "1.0", "/api/chat.postMessage", {})


def test_the_slack_check_counts_duplicates_strays_and_unexpected_feed_reports() -> None:
    world = World(cycles=10, port=8000)
    for cycle in range(4):
        world.begin(cycle)
        world.listed[cycle] = {o.name for o in OUTLETS}  # every feed answered: no failure streak
        for outlet in OUTLETS:
            world.served.update({(outlet.name, e.path): cycle for e in world.feeds[outlet.name]})
    fine = next(s for s in world.stories.values() if s.fine)
    plain = next(s for s in world.stories.values() if not s.fine)
    fine_url, plain_url = world.served_urls(fine)[0], world.served_urls(plain)[0]
    feed = world.base(OUTLETS[0]) + FEED_PATH
    messages = [_message(f"Fine — <{fine_url}>"), _message(f"Fine again — <{fine_url}>"),
                _message(f"Also reported by X — <{fine_url}>", thread_ts="1.0"),
                _message(f"Something — <{plain_url}>"),
                _message(f"Feed failing: <{feed}|{OUTLETS[0].name}> has failed 3 runs in a row")]
    out = Outcome()
    check_slack(world, messages, 4, out)
    assert (out.alerts_sent, out.alert_duplicates, out.thread_replies, out.false_alerts) == (1, 1, 1, 1)
    assert (out.feed_reports_expected, out.feed_reports_sent, out.feed_report_duplicates) == (0, 0, 1)


def test_a_failure_streak_is_expected_once_at_its_third_cycle() -> None:
    world = World(cycles=10, port=8000)
    for cycle in range(8):
        world.listed[cycle] = {o.name for o in OUTLETS if not (o.name == "market-daily" and 2 <= cycle < 7)}
    assert world.failing_streaks(3, 8) == [(4, "market-daily")]


@pytest.mark.slow
@pytest.mark.soak
def test_three_cycles_of_the_soak_pass_with_every_fault_on_the_second(tmp_path: Path) -> None:
    """The whole machinery: servers, `prefect deploy`, three flow-run processes, the checks, the report."""
    report = tmp_path / "soak.json"
    done = subprocess.run([sys.executable, "-m", "bench.soak", "--cycles", "3", "--json", str(report)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(report.read_text())
    assert {c["result"] for c in result["checks"]} <= {"PASS", "n/a"}
    assert [bool(c["faults"]) for c in result["cycles"]] == [False, True, False]
    outcome = result["outcome"]
    assert outcome["stories_served"] >= 20 and outcome["fines_served"] >= 1
    assert outcome["alerts_sent"] == outcome["fines_served"]
    assert "| alerts sent vs expected" in done.stdout


def test_the_prefect_api_helper_waits_out_a_busy_server_as_prefects_client_does() -> None:
    """A Prefect server on a loaded machine answers 503 now and then (its database busy): the soak goes on."""
    answers = iter([503, 503, 200])

    class Busy(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            code = next(answers)
            body = b'{"id": "x"}' if code == 200 else b"busy"
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    with ThreadingHTTPServer(("127.0.0.1", 0), Busy) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            assert prefect_api(f"http://127.0.0.1:{server.server_address[1]}/api", "things", {}, backoff=0.01) == {
                "id": "x"}
        finally:
            server.shutdown()
