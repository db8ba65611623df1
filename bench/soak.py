"""`make soak`: weeks of monitoring cycles, compressed into minutes, each a whole process as a deployment runs it.

Serves `bench.soak_world`'s outlets (feeds whose items change every cycle,
outages, a hanging host) on loopback hosts, a fake Slack (429s for a stretch)
and a Prefect server, deploys the monitor from deploy/prefect.yaml with the
real `prefect deploy`, and runs CYCLES flow runs of it back to back. Each cycle
is what a process worker does with a scheduled run: create the flow run from
the deployment, then start `python -m prefect.engine <flow run id>` in a fresh
process, which runs the deployment's pull step, loads `flows/monitor.py:monitor`
and calls it with the deployment's parameters (the worker's polling loop, which
only decides *when* that process starts, is left out: it would add up to its
poll interval per cycle and none of our code).

Measured per cycle: wall time, CPU, the flow process's peak RSS (the kernel's
high-water mark, from wait4), processes left running after it, the database,
WAL and snapshot sizes. At the end the database and Slack are checked against
what the outlets served: every story stored once, with its text; one alert per
planted fine, none for anything else; one report per feed failure streak;
no page fetched twice. Then the table (stdout, and --markdown), the JSON
(--json), and exit 1 if anything was lost, sent twice, or grew past
TOLERANCES.

    python -m bench.soak [--cycles 300] [--json data/soak.json] [--markdown bench/SOAK.md] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

import duckdb

from bench.harness import child_env, prefect_api, table, write_config
from bench.proctree import become_subreaper, children, children_cpu, reap_adopted
from bench.soak_world import FEED_PATH, MAX_CYCLES, OUTLETS, World
from fakes.prefect_server import BIN, PrefectServer
from fakes.slack_server import Received, SlackServer
from flows.demo.corpus_server import CorpusServer
from tasks.alert.rules import load_alert_rules
from tasks.common.settings import DEFAULT_CONFIG_DIR, REPO_ROOT
from tasks.store.database import CHECKPOINT_WAL_SIZE

MB = 1024 * 1024
# Seconds, feeds.yaml's timeout_seconds (default 20): what the hanging host costs a cycle. Not less: the extraction
# pool's first job boots its fork server on the flow's event loop, which then stops for 2-5 s on a busy machine, and
# a feed request in flight times out although its server answered (see README, Reliability).
FETCH_TIMEOUT = 10.0
LEFTOVER_GRACE = 10.0  # seconds a cycle's processes get to exit after the flow process has
SLACK_OUTAGE = 10**6  # requests answered 429 while the stretch lasts (it ends with recover())
# Growth allowed between the quiet cycles at the start and those at the end (medians), and WAL left after a cycle.
TOLERANCES = {"wall": 1.5, "cpu": 1.5, "rss": 1.2, "data_per_story": 1.5, "file_per_data": 2.0}
GROWTH_MIN_CYCLES = 40  # fewer cycles measure noise, not growth: the growth checks are skipped
URL = re.compile(r"https?://127\.0\.0\.\d+:\d+/[^\s|>\"'\\]*")


@dataclass
class Cycle:
    """What one cycle's process did and left behind."""

    cycle: int
    state: str  # the flow run's final state
    exit_code: int
    wall: float  # seconds
    cpu: float  # seconds, the process and every descendant
    peak_rss: int  # bytes, the flow process's high-water mark
    db: int  # bytes of the database file after the cycle
    db_used: int  # bytes of its blocks in use: the data as DuckDB stores it, without free blocks
    wal: int
    snapshot: int
    new_pages: int  # pages published this cycle
    stories_stored: int
    slack_messages: int  # accepted by Slack so far
    left_running: int  # processes of the cycle still running LEFTOVER_GRACE s after the flow process ended
    faults: list[str] = field(default_factory=list)


@dataclass
class Check:
    name: str
    measured: str
    expected: str
    ok: bool | None  # None: not measured (too few cycles)

    @property
    def result(self) -> str:
        return "n/a" if self.ok is None else "PASS" if self.ok else "FAIL"


class Soak:
    """The servers, the deployment and the cycles."""

    def __init__(self, cycles: int, work: Path, log: IO[str]) -> None:
        self.cycles, self.work, self.log = cycles, work, log
        self.db = work / "regwatch.duckdb"
        self.records: list[Cycle] = []
        self._stack = ExitStack()
        first = CorpusServer(host=OUTLETS[0].host)
        port = first.endpoint[1]
        self.sites = {OUTLETS[0].name: first, **{o.name: CorpusServer(host=o.host, port=port) for o in OUTLETS[1:]}}
        self.world = World(cycles, port)
        self.slack = SlackServer()
        self.prefect = PrefectServer(work / "prefect-server", work / "prefect-server.log", child_env({}))
        self.deployment = ""
        self._slack_down = False

    @contextmanager
    def running(self) -> Iterator[Soak]:
        with self._stack:
            for outlet in OUTLETS:
                site = self._stack.enter_context(self.sites[outlet.name])
                site.routes[FEED_PATH] = self.world.feed_handler(outlet)
            self._stack.callback(self.world.release)  # before the sites stop: no handler left waiting
            self._stack.enter_context(self.slack)
            self._stack.enter_context(self.prefect)
            self.deployment = self._deploy()
            yield self

    def _prefect_cli(self, *args: str) -> None:
        done = subprocess.run([str(BIN / "prefect"), *args], env=self.prefect.env, cwd=REPO_ROOT,
                              stdout=self.log, stderr=subprocess.STDOUT, timeout=300)
        if done.returncode:
            raise SystemExit(f"prefect {' '.join(args[:3])} failed; see {self.log.name}")

    def _deploy(self) -> str:
        """deploy/prefect.yaml's monitor deployment, as `prefect deploy` registers it; its id."""
        self._prefect_cli("work-pool", "create", "regwatch", "--type", "process")
        self._prefect_cli("--no-prompt", "deploy", "--name", "monitor", "--prefect-file", "deploy/prefect.yaml")
        (deployment,) = prefect_api(self.prefect.api_url, "deployments/filter",
                                    {"deployments": {"name": {"any_": ["monitor"]}}})
        return str(deployment["id"])

    def env(self) -> dict[str, str]:
        """What the worker's flow-run process gets: the worker's environment (the settings a deployment sets)."""
        config = write_config(self.work / "config", [
            {"url": self.world.base(o) + FEED_PATH, "name": o.name, "language": o.language} for o in OUTLETS
        ], {"timeout_seconds": FETCH_TIMEOUT})
        return {**self.prefect.env, "PREFECT_HOME": str(self.work / "prefect-flows"),
                "REGWATCH_DB": str(self.db), "REGWATCH_CONFIG_DIR": str(config),
                "REGWATCH_ALLOW_PRIVATE_NETWORKS": "1",  # the outlets are on loopback
                "REGWATCH_SLACK_BOT_TOKEN": self.slack.token, "REGWATCH_SLACK_CHANNEL": "C0ALERTS",
                "REGWATCH_SLACK_API_URL": self.slack.api_url}

    def run(self) -> None:
        env = self.env()
        for cycle in range(self.cycles):
            record = self.cycle(cycle, env)
            self.records.append(record)
            print(f"cycle {cycle + 1}/{self.cycles}: {record.state}, {record.wall:.1f} s, "
                  f"{record.peak_rss / MB:.0f} MB, {record.stories_stored} stories, db {record.db / MB:.1f} MB"
                  + (f" [{', '.join(record.faults)}]" if record.faults else ""), flush=True)

    def cycle(self, cycle: int, env: dict[str, str]) -> Cycle:
        new = self.world.begin(cycle)
        for outlet, path in new:
            self.sites[outlet.name].routes[path] = self.world.page_handler(outlet, path)
        self._slack_outage(cycle in self.world.faults.slack_429)
        flow_run = prefect_api(self.prefect.api_url, f"deployments/{self.deployment}/create_flow_run", {})
        existing, cpu_before = set(children(os.getpid())), children_cpu()
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "prefect.engine", flow_run["id"]], env=env, cwd=self.work,
                                   stdout=self.log, stderr=subprocess.STDOUT)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # interrupted: the cycle's process must not outlive the servers it talks to
            process.kill()
            process.wait()
            raise
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        left = reap_adopted(existing | {process.pid}, LEFTOVER_GRACE)
        _end(left)  # counted; they must not pile up over the cycles
        (run,) = prefect_api(self.prefect.api_url, "flow_runs/filter",
                             {"flow_runs": {"id": {"any_": [flow_run["id"]]}}})
        articles, used = _stored(self.db)
        return Cycle(
            cycle=cycle, state=run["state"]["name"] if run.get("state") else "none", exit_code=process.returncode,
            wall=wall, cpu=children_cpu() - cpu_before, peak_rss=usage.ru_maxrss * 1024,
            db=_size(self.db), db_used=used, wal=_size(self.db.with_name(self.db.name + ".wal")),
            snapshot=_size(self.db.with_name(self.db.stem + ".snapshot.duckdb")), new_pages=len(new),
            stories_stored=articles, slack_messages=len(self.slack.messages), left_running=len(left),
            faults=self.world.faults.active(cycle),
        )

    def _slack_outage(self, down: bool) -> None:
        if down and not self._slack_down:
            self.slack.fail_next(SLACK_OUTAGE, "429")
        elif self._slack_down and not down:
            self.slack.recover()
        self._slack_down = down


def _end(pids: set[int]) -> None:
    """Kill and reap processes a cycle left running (they are its descendants, adopted by this process)."""
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _stored(db: Path) -> tuple[int, int]:
    """Articles in the database, and the bytes of its blocks in use."""
    if not db.exists():
        return 0, 0
    with duckdb.connect(str(db), read_only=True) as con:
        articles = con.execute("SELECT count(*) FROM articles").fetchone()
        size = con.execute("SELECT block_size * used_blocks FROM pragma_database_size()").fetchone()
    return int(articles[0]) if articles else 0, int(size[0]) if size else 0


# -- checking what was served against what was stored and sent ----------------------------------------------------

@dataclass
class Outcome:
    """The counts the report is made of."""

    stories_served: int = 0
    stories_stored: int = 0
    lost: list[str] = field(default_factory=list)  # served story ids with no article
    split: list[str] = field(default_factory=list)  # stored as more than one article
    articles: int = 0
    unexplained_articles: int = 0  # articles no served story accounts for
    from_summary: int = 0  # stored without their page's text
    fines_served: int = 0
    fines_classified: int = 0
    alerts_sent: int = 0  # planted fines with a top-level Slack message
    alert_duplicates: int = 0
    false_alerts: int = 0  # top-level messages about anything but a planted fine
    thread_replies: int = 0
    feed_failures_expected: int = 0  # polls whose feed did not answer (500, hang)
    feed_failures_recorded: int = 0  # polls the runs recorded as failed
    feed_reports_expected: int = 0
    feed_reports_sent: int = 0
    feed_report_duplicates: int = 0
    pages_published: int = 0
    pages_fetched_twice: int = 0
    alerts_left_pending: int = 0


def check_outcome(soak: Soak) -> Outcome:
    world, out = soak.world, Outcome()
    served = world.served_stories()
    out.stories_served = len(served)
    with duckdb.connect(str(soak.db), read_only=True) as con:
        keys = dict(con.execute("SELECT key, article_id FROM article_keys WHERE key LIKE 'url:%'").fetchall())
        out.articles = int(con.execute("SELECT count(*) FROM articles").fetchone()[0])  # type: ignore[index]
        out.from_summary = int(con.execute(
            "SELECT count(*) FROM articles WHERE extraction <> 'trafilatura'").fetchone()[0])  # type: ignore[index]
        fines = {(article, int(amount)) for article, amount in con.execute(
            "SELECT article_id, amount FROM events WHERE kind = 'fine' AND currency = 'CNY'").fetchall()}
        out.alerts_left_pending = int(con.execute(
            "SELECT count(*) FROM alerts WHERE status IN ('pending', 'sending')").fetchone()[0])  # type: ignore[index]
        out.feed_failures_recorded = int(con.execute(
            "SELECT COALESCE(sum(feeds_failed), 0) FROM runs").fetchone()[0])  # type: ignore[index]
    out.feed_failures_expected = sum(len(OUTLETS) - len(world.listed.get(r.cycle, ())) for r in soak.records
                                     if r.state == "Completed")
    stored: set[str] = set()
    for story in served:
        articles = {keys[f"url:{url}"] for url in world.served_urls(story) if f"url:{url}" in keys}
        stored |= articles
        if not articles:
            out.lost.append(story.sid)
        elif len(articles) > 1:
            out.split.append(story.sid)
        if story.fine is not None:
            out.fines_served += 1
            out.fines_classified += any((a, story.fine.amount_cny) in fines for a in articles)
    out.stories_stored = out.stories_served - len(out.lost)
    out.unexplained_articles = out.articles - len(stored)
    check_slack(world, soak.slack.messages, len(soak.records), out)
    pages = {(o.name, path) for o in OUTLETS for path in soak.sites[o.name].routes if path != FEED_PATH}
    out.pages_published = len(pages)
    out.pages_fetched_twice = sum(soak.sites[name].hits[path] > 1 for name, path in pages)
    return out


def check_slack(world: World, messages: list[Received], cycles: int, out: Outcome) -> None:
    """What Slack received, against what the outlets served in `cycles` cycles: top-level messages per planted
    fine and about anything else, failing-feed reports per failure streak, thread replies."""
    served = world.served_stories()
    sid_of_url = {url: story.sid for story in served for url in world.served_urls(story)}
    fine_ids = {story.sid for story in served if story.fine is not None}
    feed_urls = {world.base(o) + FEED_PATH: o.name for o in OUTLETS}
    per_fine: Counter[str] = Counter()
    reported: Counter[str] = Counter()
    for message in messages:
        if message.thread_ts:
            out.thread_replies += 1
            continue
        urls = set(URL.findall((message.text or "") + json.dumps(message.blocks or [])))
        feeds = {feed_urls[u] for u in urls if u in feed_urls}
        if feeds:
            reported.update(feeds)
            continue
        about = {sid_of_url[u] for u in urls if u in sid_of_url}
        if about & fine_ids:
            per_fine.update(about & fine_ids)
        else:
            out.false_alerts += 1
    out.alerts_sent = len(per_fine)
    out.alert_duplicates = sum(n - 1 for n in per_fine.values())
    failing_runs = load_alert_rules(DEFAULT_CONFIG_DIR).failing_feed_runs
    expected = Counter(name for _, name in world.failing_streaks(failing_runs, cycles))
    out.feed_reports_expected = sum(expected.values())
    out.feed_reports_sent = sum(min(n, expected[name]) for name, n in reported.items())
    out.feed_report_duplicates = sum(max(0, n - expected[name]) for name, n in reported.items())


# -- growth -------------------------------------------------------------------------------------------------------

def _median(records: list[Cycle], attr: str) -> float:
    return statistics.median(float(getattr(r, attr)) for r in records) if records else 0.0


def windows(soak: Soak) -> tuple[list[Cycle], list[Cycle]]:
    """The quiet cycles at the start (after the first run) and at the end, at most 10 each."""
    faults, records = soak.world.faults, soak.records
    head = [r for r in records[1:1 + min(10, faults.quiet_head)] if not r.faults]
    tail = [r for r in records[len(records) - min(10, faults.quiet_tail):] if not r.faults] if faults.quiet_tail else []
    return head, tail


def data_growth(records: list[Cycle]) -> tuple[float, float]:
    """Bytes of data (used blocks) per stored story over the first half of the run and over the second."""
    first, middle, last = records[0], records[len(records) // 2], records[-1]

    def rate(a: Cycle, b: Cycle) -> float:
        return (b.db_used - a.db_used) / max(1, b.stories_stored - a.stories_stored)

    return rate(first, middle), rate(middle, last)


def checks(soak: Soak, out: Outcome) -> list[Check]:
    records, cycles = soak.records, soak.cycles
    completed = sum(r.state == "Completed" for r in records)
    head, tail = windows(soak)
    long_enough = cycles >= GROWTH_MIN_CYCLES and head and tail

    def growth(name: str, attr: str, unit: float, label: str, tolerance: str) -> Check:
        start, end = _median(head, attr), _median(tail, attr)
        limit = TOLERANCES[tolerance]
        return Check(name, f"{start / unit:.2f} -> {end / unit:.2f} {label}", f"end <= {limit} x start",
                     end <= limit * start if long_enough else None)

    first_half, second_half = data_growth(records)
    last = records[-1]
    file_per_data = last.db / max(1, last.db_used)
    return [
        Check("cycles completed", f"{completed} of {len(records)}", f"{cycles}", completed == cycles),
        Check("stories stored vs served", f"{out.stories_stored} of {out.stories_served} ({len(out.lost)} lost)",
              "0 lost", not out.lost and out.stories_served > 0),
        Check("stories stored twice", f"{len(out.split)}", "0", not out.split),
        Check("articles no served story accounts for", f"{out.unexplained_articles}", "0",
              out.unexplained_articles == 0),
        Check("stories stored without their page text", f"{out.from_summary}", "0", out.from_summary == 0),
        Check("pages fetched more than once", f"{out.pages_fetched_twice} of {out.pages_published}", "0",
              out.pages_fetched_twice == 0),
        Check("planted fines classified", f"{out.fines_classified} of {out.fines_served}", "all",
              out.fines_classified == out.fines_served),
        Check("alerts sent vs expected", f"{out.alerts_sent} of {out.fines_served} "
              f"({out.alert_duplicates} duplicates)", "all, 0 duplicates",
              out.alerts_sent == out.fines_served and out.alert_duplicates == 0),
        Check("alerts for anything else", f"{out.false_alerts} (+{out.thread_replies} thread replies)", "0",
              out.false_alerts == 0 and out.thread_replies == 0),
        Check("alerts still queued at the end", f"{out.alerts_left_pending}", "0", out.alerts_left_pending == 0),
        Check("feed polls failed although the feed answered",
              f"{out.feed_failures_recorded - out.feed_failures_expected} (of {out.feed_failures_recorded} failed)",
              "0", out.feed_failures_recorded == out.feed_failures_expected),
        Check("failing-feed reports", f"{out.feed_reports_sent} of {out.feed_reports_expected} "
              f"({out.feed_report_duplicates} duplicates)", "all, 0 duplicates",
              out.feed_reports_sent == out.feed_reports_expected and out.feed_report_duplicates == 0),
        growth("per-cycle wall time (median, quiet cycles)", "wall", 1, "s", "wall"),
        growth("per-cycle CPU of the process tree (median)", "cpu", 1, "s", "cpu"),
        growth("peak RSS of the flow process (median)", "peak_rss", MB, "MB", "rss"),
        Check("data per stored story (blocks in use)", f"{first_half / 1024:.1f} KB (1st half) -> "
              f"{second_half / 1024:.1f} KB (2nd half)", f"2nd <= {TOLERANCES['data_per_story']} x 1st",
              second_half <= TOLERANCES["data_per_story"] * first_half if long_enough else None),
        Check("database file vs the data in it, at the end", f"{last.db / MB:.1f} MB file, "
              f"{last.db_used / MB:.1f} MB in use", f"file <= {TOLERANCES['file_per_data']} x data",
              file_per_data <= TOLERANCES["file_per_data"]),
        Check("WAL left after a cycle (largest)", f"{max(r.wal for r in records) / MB:.1f} MB",
              f"<= {CHECKPOINT_WAL_SIZE // MB} MB", max(r.wal for r in records) <= CHECKPOINT_WAL_SIZE),
        Check("processes left running after a cycle", f"{sum(r.left_running for r in records)}", "0",
              all(r.left_running == 0 for r in records)),
    ]


# -- report -------------------------------------------------------------------------------------------------------

def render(soak: Soak, out: Outcome, found: list[Check], total: float) -> str:
    records = soak.records
    head, tail = windows(soak)
    first, last = records[0], records[-1]
    figures = [
        ["wall time per cycle, s", f"{_median(head, 'wall'):.2f}", f"{_median(tail, 'wall'):.2f}",
         f"max {max(r.wall for r in records):.2f}"],
        ["CPU per cycle, s (process tree)", f"{_median(head, 'cpu'):.2f}", f"{_median(tail, 'cpu'):.2f}",
         f"max {max(r.cpu for r in records):.2f}"],
        ["peak RSS of the flow process, MB", f"{_median(head, 'peak_rss') / MB:.0f}",
         f"{_median(tail, 'peak_rss') / MB:.0f}", f"max {max(r.peak_rss for r in records) / MB:.0f}"],
        ["database file, MB (after the first / last cycle)", f"{first.db / MB:.2f}", f"{last.db / MB:.2f}",
         f"{out.articles} articles"],
        ["database blocks in use, MB", f"{first.db_used / MB:.2f}", f"{last.db_used / MB:.2f}", ""],
        ["WAL after a cycle, MB", f"{first.wal / MB:.2f}", f"{last.wal / MB:.2f}",
         f"max {max(r.wal for r in records) / MB:.2f}"],
        ["snapshot, MB", f"{first.snapshot / MB:.2f}", f"{last.snapshot / MB:.2f}", ""],
    ]
    faults = soak.world.faults
    lines = [
        "# Soak results", "",
        f"`make soak` on {os.cpu_count()} cores: {len(records)} cycles in {total:.0f} s "
        f"({sum(r.wall for r in records) / len(records):.1f} s a cycle). Each cycle is one flow run of the "
        f"deployment regwatch-monitor/monitor (deploy/prefect.yaml, registered with `prefect deploy`), executed by "
        f"`python -m prefect.engine` in a fresh process as a process worker does, against {len(OUTLETS)} outlets "
        f"on loopback hosts, a fake Slack and a Prefect server. Faults: feeds answering 500 "
        f"({', '.join(f'{name} cycles {_ranges(stretches)}' for name, stretches in faults.down.items())}), "
        f"a host accepting connections and never answering (cycles {_ranges([faults.hang])}, timeout "
        f"{FETCH_TIMEOUT:g} s), Slack answering 429 (cycles {_ranges([faults.slack_429])}). "
        f"Start and end are the medians of up to 10 fault-free cycles after the first one and at the end "
        f"({len(head)} and {len(tail)} here).", "",
        table(["measure", "start", "end", "whole run"], figures), "",
        table(["check", "measured", "expected", "result"], [[c.name, c.measured, c.expected, c.result] for c in found]),
        "",
    ]
    return "\n".join(lines)


def _ranges(stretches: list[range]) -> str:
    return ", ".join(f"{r.start + 1}-{r.stop}" for r in stretches if r) or "none"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=300)
    parser.add_argument("--json", type=Path, help="write every figure and each cycle's record here")
    parser.add_argument("--markdown", type=Path, help="write the report here too")
    parser.add_argument("--keep", type=Path, help="keep the database, config and logs in this new directory")
    args = parser.parse_args(argv)
    if not 1 <= args.cycles <= MAX_CYCLES:
        parser.error(f"--cycles must be 1 to {MAX_CYCLES}")
    become_subreaper()  # a cycle's orphans (the extraction fork server) are ours to count and reap
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        with (work / "soak.log").open("w") as log:
            soak = Soak(args.cycles, work, log)
            print(f"soak: {args.cycles} cycles; servers and the deployment starting (logs in {log.name})", flush=True)
            with soak.running():
                soak.run()
                out = check_outcome(soak)
    found = checks(soak, out)
    report = render(soak, out, found, time.perf_counter() - started)
    print("\n" + report)
    if args.markdown:
        args.markdown.write_text(report, encoding="utf-8")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "cycles": [asdict(r) for r in soak.records], "outcome": asdict(out),
            "checks": [{**asdict(c), "result": c.result} for c in found], "tolerances": TOLERANCES,
        }, indent=1), encoding="utf-8")
    failed = [c.name for c in found if c.ok is False]
    if failed:
        print(f"soak FAILED: {'; '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
