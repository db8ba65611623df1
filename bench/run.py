"""`make bench`: regwatch against its honest limits and a naive script, in one sitting.

Builds the corpus (`bench.corpus`), serves it and a Slack-shaped API on
127.0.0.1, and measures, one after the other so they never share the CPUs,
on the same pages and the same cores:

1. L1, extraction alone: bare trafilatura on the pages already in memory, in
   as many worker processes as the pipeline uses; then, on the same pages,
   the workers' whole per-page work (`process_page`: extraction, matching,
   events, MinHash), which per-page work / L1 prices;
2. L2, the same job as a cold run with zero overhead: `bench.ceiling` fetches
   every page from the same server with regwatch's HTTP client and runs
   `process_page` in a process pool, storing nothing; cold / L2 prices
   regwatch's orchestration, dedupe, storage and alerting;
3. the naive peer (`bench.naive`, the sequential cron script) and regwatch
   cold (a `regwatch run` process on an empty database), in turn, COLD_RUNS
   times: both are noisy on a shared machine, so the target is the median of
   the runs' ratios, and each run's ratio is printed;
4. regwatch warm / +1% on the last cold run's database: nothing new, then 1%
   of the items new. Each regwatch row is a `regwatch run` process, as cron or
   a scheduled run of `regwatch serve` (Prefect starts each flow run in a
   process of its own) runs the flow; the Prefect server runs beside them;
5. regwatch cold with the Dask task runner, on every second feed (half the
   pages: the whole set would add another minute and a half);
6. quiet cycles (`bench.quiet`): every feed answering 304, five whole
   processes each way, embedded and against the server;

then prints one table with wall time, articles per second, CPU seconds and
peak memory of each process tree, pages and feeds fetched, and Prefect task
runs; the ratios the targets are set on; the lookup scaling table
(`bench.lookup_scaling`), the poll stage at 10 000 feeds (`bench.scale`) and
the story-to-Slack simulation (`bench.latency`). Results also go to
bench/RESULTS.md.

    python -m bench.run [--pages 5000] [--feeds 200] [--scaling 10000,100000,1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import importlib
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bench import lookup_scaling
from bench.corpus import Corpus, build_corpus
from bench.harness import child_env, prefect_api, table, write_config
from bench.latency import Latency, simulate_latency
from bench.proctree import PeakRss, become_subreaper, children, children_cpu, cpu_seconds, descendants, reap_adopted
from bench.scale import measure_scale
from bench.server import BenchServer
from fakes.prefect_server import PrefectServer
from fakes.slack_server import SlackServer
from tasks.common.settings import DEFAULT_CONFIG_DIR, REPO_ROOT
from tasks.pipeline.cycle import worker_count

RESULTS = REPO_ROOT / "bench" / "RESULTS.md"
MB = 1024 * 1024
COLD_RUNS = 3  # naive peer and regwatch cold, in turn: the cold / naive target is the median of their ratios


@dataclass
class Row:
    """One measured run."""

    name: str
    wall: float
    articles: int
    cpu: float
    peak_rss: int
    pages: int | None = None  # article pages fetched (HTTP 200)
    feeds_200: int | None = None
    feeds_304: int | None = None
    task_runs: int | None = None

    @property
    def rate(self) -> float:
        return self.articles / self.wall if self.wall else 0.0

    def cells(self) -> list[str]:
        def opt(value: int | None) -> str:
            return "-" if value is None else f"{value:,}"

        return [self.name, f"{self.wall:.2f}", f"{self.articles:,}", f"{self.rate:.1f}" if self.articles else "-",
                f"{self.cpu:.1f}", f"{self.peak_rss / MB:.0f}", opt(self.pages),
                "-" if self.feeds_200 is None else f"{self.feeds_200}/{self.feeds_304}", opt(self.task_runs)]


HEADER = ["run", "wall s", "articles", "articles/s", "CPU s", "peak PSS MB", "pages fetched", "feeds 200/304",
          "task runs"]


# -- 1. L1 and the per-page work --------------------------------------------------------------------------------

def bare_extraction(page: bytes) -> bool:
    """What the limit does per page: trafilatura with the options regwatch uses for a dated feed item."""
    import trafilatura

    from tasks.extract.pages import trafilatura_options

    return trafilatura.bare_extraction(page, url="http://127.0.0.1/", **trafilatura_options(False)) is not None


def worker_page(page: bytes) -> bool:
    """What a regwatch worker does per page, on the page in memory: extract, match, classify, MinHash."""
    from datetime import UTC, datetime

    from tasks.fetch.poll import FeedItem
    from tasks.fetch.safe_http import Fetched
    from tasks.pipeline.page_work import process_page

    url = "http://127.0.0.1/page"
    item = FeedItem("feed", url, url, None, "A title", "", datetime(2024, 1, 1, tzinfo=UTC))
    fetched = Fetched(url, 200, {"content-type": "text/html; charset=utf-8"}, page, 0.0)
    return process_page(item, fetched, None, str(DEFAULT_CONFIG_DIR)).extraction == "trafilatura"


def _warm(module: str) -> None:
    importlib.import_module(module)  # as the pipeline's workers import it before their first page


def measure_limit(pages: list[bytes], workers: int, per_page: Callable[[bytes], bool], preload: str,
                  name: str) -> Row:
    """`per_page` over the pages in memory, in `workers` processes that have imported `preload` beforehand."""
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    with pool:
        list(pool.map(_warm, [preload] * (workers * 4)))
        pids = [p for p in descendants(os.getpid()) if p != os.getpid()]  # the workers (and a tiny tracker)
        before = sum(cpu_seconds(p) for p in pids)
        with PeakRss(lambda: pids) as rss:
            started = time.perf_counter()
            extracted = sum(pool.map(per_page, pages, chunksize=4))
            wall = time.perf_counter() - started
        cpu = sum(cpu_seconds(p) for p in pids) - before
    print(f"  {name}: {extracted} of {len(pages)} pages gave an article", flush=True)
    return Row(name, wall, len(pages), cpu, rss.peak)


# -- 2. L2 and the naive peer: a child process each ----------------------------------------------------------

def run_child(cmd: list[str], env: dict[str, str], log: IO[str]) -> tuple[float, float, int, str]:
    """Run `cmd` to completion: wall, CPU of its whole tree, peak memory (PSS), stdout.

    CPU comes from RUSAGE_CHILDREN once the child and every descendant it
    orphaned (become_subreaper) have been reaped, so worker processes count.
    """
    existing, cpu_before = set(children(os.getpid())), children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    with PeakRss.tree(proc.pid) as rss:
        assert proc.stdout is not None
        out = proc.stdout.read()
        proc.wait()
    wall = time.perf_counter() - started
    reap_adopted(existing)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd[:4])}... exited {proc.returncode}; see {log.name}")
    return wall, children_cpu() - cpu_before, rss.peak, out


def measure_script(name: str, args: list[str], server: BenchServer, log: IO[str]) -> Row:
    """`python -m <args>`, a script that prints {"articles": N, ...}, as one measured process tree."""
    server.take_hits()
    wall, cpu, peak, out = run_child([sys.executable, "-m", *args], child_env({}), log)
    hits = server.take_hits()
    return Row(name, wall, json.loads(out)["articles"], cpu, peak, hits["page_200"], hits["feed_200"],
               hits["feed_304"])


def measure_ceiling(config: Path, server: BenchServer, workers: int, log: IO[str]) -> Row:
    """L2: `bench.ceiling` on the feeds of regwatch's config dir."""
    return measure_script(f"L2: fetch + process_page, {workers} processes, nothing stored",
                          ["bench.ceiling", str(config)], server, log)


def measure_naive(server: BenchServer, corpus: Corpus, database: Path, name: str, log: IO[str]) -> Row:
    feeds = [server.base_for(n) + path for n, path in enumerate(corpus.feed_paths())]
    return measure_script(name, ["bench.naive", str(database), *feeds], server, log)


# -- 3. regwatch ---------------------------------------------------------------------------------------------

def config_dir(work: Path, server: BenchServer, every: int = 1) -> Path:
    """A config dir listing every `every`th feed of the server (written once)."""
    config = work / f"config-{every}"
    if not config.is_dir():
        paths = server.corpus.feed_paths()
        write_config(config, [{"url": server.base_for(n) + path, "name": f"outlet {n}"}
                              for n, path in enumerate(paths) if n % every == 0])
    return config


def regwatch_env(work: Path, server: BenchServer, slack: SlackServer, name: str, every: int = 1,
                 **extra: str) -> dict[str, str]:
    """Settings for a regwatch process: its own database, and a config dir listing every `every`th feed."""
    config = config_dir(work, server, every)
    return child_env({
        "REGWATCH_DB": str(work / f"{name}.duckdb"),
        "REGWATCH_CONFIG_DIR": str(config),
        "REGWATCH_ALLOW_PRIVATE_NETWORKS": "1",
        "REGWATCH_ALERT_MAX_AGE_HOURS": "1000000",  # the labelled stories are years old: let them alert
        "REGWATCH_SLACK_BOT_TOKEN": slack.token,
        "REGWATCH_SLACK_CHANNEL": "C0ALERTS",
        "REGWATCH_SLACK_API_URL": slack.api_url,
        "PREFECT_HOME": str(work / f"prefect-{name}"),
        **extra,
    })


REGWATCH = str(Path(sys.executable).with_name("regwatch"))
STABLE_POLLS = 3  # task runs reach the API as events: count until the number stops moving


def task_runs_of_last_run(api_url: str, limit_seconds: float = 15.0) -> int:
    """Task runs the newest regwatch-monitor flow run created, from the Prefect server's API."""
    (flow_run,) = prefect_api(api_url, "flow_runs/filter", {"flows": {"name": {"any_": ["regwatch-monitor"]}},
                                                            "sort": "EXPECTED_START_TIME_DESC", "limit": 1})
    deadline, counts = time.monotonic() + limit_seconds, [-1]
    while time.monotonic() < deadline:
        runs = prefect_api(api_url, "task_runs/filter", {"flow_runs": {"id": {"any_": [flow_run["id"]]}}})
        counts.append(len(runs))
        if len(counts) > STABLE_POLLS and len(set(counts[-STABLE_POLLS:])) == 1:
            break
        time.sleep(0.3)
    return counts[-1]


def measure_run(name: str, env: dict[str, str], server: BenchServer, log: IO[str]) -> tuple[Row, dict[str, Any]]:
    """One `regwatch run --json` process, as cron or each scheduled run of `regwatch serve` starts it."""
    server.take_hits()
    wall, cpu, peak, out = run_child([REGWATCH, "run", "--json"], env, log)
    hits, summary = server.take_hits(), json.loads(out)
    # A quiet cycle starts no flow run (tasks.pipeline.quiet): the newest flow run is an earlier run's.
    task_runs = 0 if summary["quiet"] else task_runs_of_last_run(env["PREFECT_API_URL"])
    row = Row(name, wall, summary["pages_fetched"], cpu, peak, hits["page_200"], hits["feed_200"],
              hits["feed_304"], task_runs)
    return row, summary


# -- report --------------------------------------------------------------------------------------------------

@dataclass
class Target:
    name: str
    measured: str
    ok: bool


@dataclass
class Measured:
    """Every row of one benchmark, and the ratios the targets are set on."""

    rows: dict[str, Row]
    runs: int  # naive / cold pairs
    feeds: int  # in the benchmark's config
    scale: tuple[list[list[str]], list[tuple[str, str, bool]]]  # bench.scale's rows and targets
    latency: Latency
    quiet: list[Target]  # bench.quiet's: a quiet cycle's wall time, embedded and against a server

    def pairs(self) -> list[tuple[Row, Row]]:
        return [(self.rows[f"naive-{n}"], self.rows[f"cold-{n}"]) for n in range(1, self.runs + 1)]

    @property
    def cold_rate(self) -> float:
        """The median cold run's throughput."""
        return statistics.median(cold.rate for _, cold in self.pairs())

    @property
    def cold(self) -> Row:
        """The last cold run: the one warm and +1% follow."""
        return self.rows[f"cold-{self.runs}"]

    def over_naive(self) -> list[float]:
        """cold / naive throughput, run by run."""
        return [cold.rate / naive.rate for naive, cold in self.pairs()]

    def ratio(self, key: str, of: str) -> float:
        return self.rows[key].rate / self.rows[of].rate

    def cpu_per_page(self) -> dict[str, float]:
        """Milliseconds of CPU per page of the limits and the median naive and cold runs: on a machine shared with
        other work, wall-time ratios swing with the load, CPU ones much less."""
        def ms(row: Row) -> float:
            return 1000 * row.cpu / row.articles

        return {"L1": ms(self.rows["limit"]), "per-page work": ms(self.rows["worker"]), "L2": ms(self.rows["ceiling"]),
                "naive peer": statistics.median(ms(naive) for naive, _ in self.pairs()),
                "regwatch cold": statistics.median(ms(cold) for _, cold in self.pairs())}


def targets(measured: Measured, grown: int, scaling: dict[str, float]) -> list[Target]:
    rows = measured.rows
    warm, plus, cold = rows["warm"], rows["plus"], measured.cold
    over_l2, per_page = measured.cold_rate / rows["ceiling"].rate, measured.ratio("worker", "limit")
    over_naive = measured.over_naive()
    feeds = measured.feeds
    peak = max(cold.peak_rss for _, cold in measured.pairs())
    return [
        Target("cold >= 0.85 x L2 (median cold run)", f"{over_l2:.2f} x", over_l2 >= 0.85),
        Target("per-page work >= 0.90 x L1", f"{per_page:.2f} x", per_page >= 0.90),
        Target(f"cold >= 2 x naive, median of {measured.runs} runs",
               f"{', '.join(f'{r:.2f}' for r in over_naive)}: median {statistics.median(over_naive):.2f} x",
               statistics.median(over_naive) >= 2),
        Target("warm: zero page fetches", f"{warm.pages}", warm.pages == 0),
        Target("warm: a conditional request for every feed", f"{warm.feeds_304} of {feeds} answered 304",
               warm.feeds_304 == feeds),
        Target("warm wall < 5% of cold", f"{warm.wall / cold.wall:.1%}", warm.wall < 0.05 * cold.wall),
        Target("+1%: fetches only the new pages", f"{plus.pages} pages for {grown} new items", plus.pages == grown),
        Target("+1%: lookups per new article at 1M stored <= 2 x at 10k",
               ", ".join(f"{name} {ratio:.2f} x" for name, ratio in scaling.items()),
               all(ratio <= 2 for ratio in scaling.values())),
        Target("cold peak memory (PSS) < 600 MB", f"{peak / MB:.0f} MB", peak < 600 * MB),
        *measured.quiet,
        *(Target(*other) for other in [*measured.scale[1], *measured.latency.targets()]),
    ]


def measure_pairs(runs: int, server: BenchServer, corpus: Corpus, work: Path, log: IO[str],
                  env_of: Callable[[str], dict[str, str]]) -> tuple[dict[str, Row], dict[str, Any]]:
    """The naive peer and a cold regwatch run, in turn, `runs` times, each cold run on a database of its own;
    each pair's ratio printed as it comes. The rows, and the last cold run's summary."""
    rows: dict[str, Row] = {}
    summary: dict[str, Any] = {}
    for n in range(1, runs + 1):
        print(f"measuring naive peer and regwatch cold, run {n} of {runs}...", flush=True)
        naive = measure_naive(server, corpus, work / f"naive-{n}.duckdb", f"naive peer (sequential script), run {n}",
                              log)
        cold, summary = measure_run(f"regwatch cold, run {n}", env_of(f"regwatch-{n}"), server, log)
        rows[f"naive-{n}"], rows[f"cold-{n}"] = naive, cold
        print(f"  run {n}: naive {naive.rate:.1f}/s, cold {cold.rate:.1f}/s: cold / naive {cold.rate / naive.rate:.2f}",
              flush=True)
    return rows, summary


def main(argv: list[str] | None = None) -> int:
    from bench.quiet import measure_quiet  # here: bench.quiet builds on this module's Row, Target and run_child

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000, help="benchmark pages (plus the labelled stories)")
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--runs", type=int, default=COLD_RUNS, help="naive / cold pairs (the target takes the median)")
    parser.add_argument("--scaling", default="10000,100000,1000000", help="stored-article counts for lookups")
    parser.add_argument("--keep", type=Path, help="keep databases and logs in this new directory")
    args = parser.parse_args(argv)
    become_subreaper()
    started = time.perf_counter()
    workers = worker_count()
    print(f"building the corpus: {args.pages} benchmark pages + labelled stories over {args.feeds} feeds", flush=True)
    corpus = build_corpus(args.pages, args.feeds)
    pages = [i.body for i in corpus.items]
    with tempfile.TemporaryDirectory() as tmp, BenchServer(corpus) as server, SlackServer() as slack:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        log = (work / "bench.log").open("w")
        print(f"serving {len(corpus.items)} pages and {args.feeds} feeds at {server.base}; logs in {log.name}",
              flush=True)
        rows: dict[str, Row] = {}
        steps: list[tuple[str, Callable[[], Row]]] = [
            ("limit", lambda: measure_limit(pages, workers, bare_extraction, "trafilatura",
                                            f"L1: trafilatura alone, {workers} processes")),
            ("worker", lambda: measure_limit(pages, workers, worker_page, "tasks.pipeline.worker_preload",
                                             "per-page work: process_page on the same pages")),
            ("ceiling", lambda: measure_ceiling(config_dir(work, server), server, workers, log)),
        ]
        for key, step in steps:
            print(f"measuring {key}...", flush=True)
            rows[key] = step()
        print("starting the Prefect server beside regwatch...", flush=True)
        with PrefectServer(work / "prefect-server", work / "prefect-server.log", child_env({})) as prefect:
            assert prefect.process is not None

            def env_of(name: str, every: int = 1, **extra: str) -> dict[str, str]:
                return regwatch_env(work, server, slack, name, every, PREFECT_API_URL=prefect.api_url, **extra)

            with PeakRss.tree(prefect.process.pid) as prefect_memory:
                paired, cold_summary = measure_pairs(args.runs, server, corpus, work, log, env_of)
            rows.update(paired)
            print("measuring regwatch warm, +1%...", flush=True)
            env = env_of(f"regwatch-{args.runs}")
            rows["warm"], _ = measure_run("regwatch warm", env, server, log)
            grown = corpus.grow(round(len(corpus.items) * 0.01))
            server.refresh()
            rows["plus"], _ = measure_run(f"regwatch +1% ({len(grown)} new)", env, server, log)
            print("measuring regwatch cold on a local Dask cluster...", flush=True)
            rows["dask"], _ = measure_run(f"regwatch cold, Dask ({workers} workers, every 2nd feed)",
                                          env_of("dask", every=2, REGWATCH_TASK_RUNNER="dask"), server, log)
            print("measuring quiet cycles, embedded and against the server...", flush=True)
            quiet = measure_quiet(server, slack, work, log, prefect.api_url, name=f"regwatch-{args.runs}")
        rows.update({f"quiet-{n}": q.row for n, q in enumerate(quiet)})
        print("measuring lookup scaling...", flush=True)
        scaling = lookup_scaling.run([int(s) for s in args.scaling.split(",")], work / "scaling.duckdb")
        print("measuring the poll stage at scale...", flush=True)
        scale = measure_scale(work=work)
        log.close()
    # The simulated day's cycles last as long as this run's quiet (warm) and busy (+1%) cycles.
    latency = simulate_latency(rows["warm"].wall, rows["plus"].wall)
    command = " ".join(["python -m bench.run", *(sys.argv[1:] if argv is None else argv)])
    report = render(Measured(rows, args.runs, args.feeds, scale, latency, [q.target for q in quiet]), len(grown),
                    cold_summary,
                    len(slack.messages), scaling, workers, prefect_memory.peak, time.perf_counter() - started,
                    command)
    print("\n" + report)
    RESULTS.write_text(report, encoding="utf-8")
    return 0


def render(measured: Measured, grown: int, cold: dict[str, Any], slack_posts: int,
           scaling: lookup_scaling.Scaling, workers: int, prefect_memory: int, total: float, command: str) -> str:
    checks = targets(measured, grown, scaling.growth)
    over_naive, cpu = measured.over_naive(), measured.cpu_per_page()
    rows = measured.rows
    lines = [
        "# Benchmark results", "",
        f"`{command}` on {os.cpu_count()} cores, {workers} extraction workers; total {total:.0f} s. "
        f"Last cold run: {cold['articles_added']} articles stored, {cold['duplicates']} duplicates folded, "
        f"{cold['events_clustered']} events clustered, {cold['alerts_sent']} alerts sent ({slack_posts} Slack "
        f"posts in all, every run). Each regwatch row is one `regwatch run` process, start-up and imports included, "
        f"as cron or a scheduled run of `regwatch serve` starts it. The Prefect server runs beside regwatch, as in a "
        f"deployment, and is not in the table: its peak memory during the cold runs was "
        f"{prefect_memory / MB:.0f} MB (PSS).", "",
        table(HEADER, [row.cells() for row in rows.values()]), "",
        f"cold / L2: **{measured.cold_rate / rows['ceiling'].rate:.2f}** (median cold run; what orchestration, "
        f"dedupe, storage and alerting cost); per-page work / L1: **{measured.ratio('worker', 'limit'):.2f}** "
        f"(what classification and MinHash cost next to extraction); L2 / L1: "
        f"**{measured.ratio('ceiling', 'limit'):.2f}**; cold / naive: "
        f"**{', '.join(f'{r:.2f}' for r in over_naive)}** (median **{statistics.median(over_naive):.2f}**); "
        f"warm / cold wall: **{rows['warm'].wall / measured.cold.wall:.1%}**; "
        f"Dask / local cold throughput: **{rows['dask'].rate / measured.cold_rate:.2f}**", "",
        "CPU per page, in ms (steadier than wall time when other work shares the machine): "
        + ", ".join(f"{name} {ms:.1f}" for name, ms in cpu.items())
        + f"; by CPU, per-page work / L1 **{cpu['L1'] / cpu['per-page work']:.2f}**, "
        f"cold / L2 **{cpu['L2'] / cpu['regwatch cold']:.2f}**", "",
        table(["target", "measured", "result"], [[t.name, t.measured, "PASS" if t.ok else "FAIL"] for t in checks]),
        "", "## Lookup cost per article as the database grows", "", scaling.table, "",
        "## The poll stage at scale (`bench.scale`)", "", table(["stage", "wall", "CPU", "rate"], measured.scale[0]),
        "", "## Story to Slack (`bench.latency`, cycles as long as this run's warm and +1% runs)", "",
        *(f"- {line}" for line in measured.latency.lines()), "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
