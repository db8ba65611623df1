"""A quiet cycle as a whole `regwatch run` process: every feed answers 304, nothing is new.

Most cycles of a deployment are quiet, so what one costs is mostly what
starting costs. `regwatch run` records a quiet cycle without starting Prefect
(`tasks.pipeline.quiet`); this measures it, the median of RUNS whole
processes (wall and CPU of the process tree), in both ways cron may run it:

- embedded: no PREFECT_API_URL and a Prefect home of its own, where a flow
  run would first start a temporary Prefect server (target <= 3 s);
- against a running Prefect server (target <= 1.5 s).

Every measured run must be quiet and ask every feed conditionally (each
answered 304), or the measurement is refused. `measure_quiet` is for
`make bench`; `python -m bench.quiet` runs it alone on a small corpus.

    python -m bench.quiet [--feeds 200] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bench.corpus import build_corpus
from bench.harness import child_env, table, write_config
from bench.run import REGWATCH, Row, Target, regwatch_env, run_child
from bench.server import BenchServer
from fakes.prefect_server import PrefectServer
from fakes.slack_server import SlackServer

RUNS = 5
TARGETS = {"embedded": 3.0, "server": 1.5}  # seconds of wall time for one quiet cycle of 200 feeds
COMMAND = [REGWATCH, "run", "--json"]
# Every feed due in every measured cycle, as on the shipped schedule (a cycle a minute, each feed due every minute),
# though the cycles here follow each other within seconds.
EVERY_CYCLE = {"min_poll_interval_seconds": 1}


@dataclass
class Quiet:
    """One way of running a quiet cycle, measured: the median run, and its target."""

    row: Row
    target: Target


def measure_quiet(server: BenchServer, slack: SlackServer, work: Path, log: IO[str], prefect_api_url: str,
                  name: str = "quiet") -> list[Quiet]:
    """Quiet cycles on the database `name` in `work` (filled by a first run if it is new: give the name of a
    database a run has filled to skip that), embedded and against the server at `prefect_api_url`."""
    feeds = [{"url": server.base_for(n) + path, "name": f"outlet {n}"}
             for n, path in enumerate(server.corpus.feed_paths())]
    config = write_config(work / f"config-{name}", feeds, EVERY_CYCLE)
    env = regwatch_env(work, server, slack, name, PREFECT_API_URL=prefect_api_url, REGWATCH_CONFIG_DIR=str(config))
    run_child(COMMAND, env, log)  # stores whatever is new and saves every feed's validators
    embedded = {k: v for k, v in env.items() if k != "PREFECT_API_URL"}
    embedded["PREFECT_HOME"] = str(work / f"prefect-{name}-embedded")
    return [measured("embedded", embedded, server, log), measured("server", env, server, log)]


def measured(mode: str, env: dict[str, str], server: BenchServer, log: IO[str]) -> Quiet:
    """The median of RUNS quiet cycles run the `mode` way, each checked to be quiet and all 304."""
    rows = sorted((one_run(mode, env, server, log) for _ in range(RUNS)), key=lambda row: row.wall)
    median = rows[len(rows) // 2]
    median.cpu = statistics.median(row.cpu for row in rows)
    limit = TARGETS[mode]
    goal = Target(f"quiet cycle, {mode}: wall <= {limit:g} s (median of {RUNS})",
                  f"{median.wall:.2f} s", median.wall <= limit)
    return Quiet(median, goal)


def one_run(mode: str, env: dict[str, str], server: BenchServer, log: IO[str]) -> Row:
    server.take_hits()
    wall, cpu, peak, out = run_child(COMMAND, env, log)
    hits, summary = server.take_hits(), json.loads(out.splitlines()[-1])
    feeds = summary["feeds_polled"]
    if not summary["quiet"] or hits["feed_304"] != feeds or hits["feed_200"] or hits["page_200"]:
        raise RuntimeError(f"not a quiet cycle of 304s: {dict(hits)}, quiet={summary['quiet']}; see {log.name}")
    return Row(f"regwatch quiet, {mode}", wall, 0, cpu, peak, hits["page_200"], hits["feed_200"],
               hits["feed_304"], 0)


def render(results: list[Quiet]) -> str:
    rows = [[q.row.name, f"{q.row.wall:.2f}", f"{q.row.cpu:.2f}", f"{q.row.peak_rss / 2**20:.0f}",
             str(q.row.feeds_304), q.target.measured, "PASS" if q.target.ok else "FAIL"] for q in results]
    return table(["run", "wall s", "CPU s", "peak MB", "feeds 304", "target", ""], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="keep databases and logs in this new directory")
    args = parser.parse_args(argv)
    corpus = build_corpus(pages=200, feeds=args.feeds)  # pages cost only the first run: a few will do
    with tempfile.TemporaryDirectory() as tmp, BenchServer(corpus) as server, SlackServer() as slack:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        with (work / "quiet.log").open("w") as log, \
                PrefectServer(work / "prefect-server", work / "prefect-server.log", child_env({})) as prefect:
            print(f"{args.feeds} feeds at {server.base}; first run, then {RUNS} quiet cycles each way", flush=True)
            results = measure_quiet(server, slack, work, log, prefect.api_url)
    print(render(results))
    return 0 if all(q.target.ok for q in results) else 1


if __name__ == "__main__":
    sys.exit(main())
