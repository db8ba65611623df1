"""Ten thousand feeds on a one-minute schedule: the poll stage against 64 local hosts.

A server process serves FEEDS feeds from HOSTS loopback addresses (127.0.0.1 to 127.0.0.64: Linux routes
all of 127.0.0.0/8 to lo, so each is a distinct host for regwatch's per-host limits). Every feed answers
a conditional GET with 304, except CHANGED_SHARE of them, which have new items and answer 200. The feeds'
states (ETags) are in a real DuckDB file, and every feed is due: the worst cycle adaptive polling allows
(right after an upgrade, or `regwatch run --all-feeds`). Measured in this process: `poll_stage`, with the
real Fetcher and feeds.yaml's default limits, wall time and CPU; then saving the 10 000 feeds' states
(`record_polls`, the end of the cycle), the same. Target: the poll stage within the schedule's period.

    python -m bench.scale [--feeds 10000] [--hosts 64]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

from bench.harness import table
from bench.server import _Connection
from tasks.fetch.feeds_config import FeedConfig, FeedsFile
from tasks.fetch.poll import FeedPoll, FeedState
from tasks.fetch.safe_http import Fetcher
from tasks.pipeline.cycle import poll_stage
from tasks.store.database import Database
from tasks.store.feed_health import record_polls

FEEDS, HOSTS = 10_000, 64
CHANGED_SHARE = 0.01
ITEMS = 10  # items a feed lists
SCHEDULE_SECONDS = 60.0  # deploy/prefect.yaml: every minute


def feed_body(feed: int, version: int) -> bytes:
    """Feed `feed`'s RSS at `version`: ITEMS items, the newest numbered `version`."""
    items = "".join(f"<item><title>Story {feed}-{n}</title><link>https://outlet{feed}.example/{n}</link>"
                    f"<guid>outlet{feed}-{n}</guid><description>Story {n} of outlet {feed}.</description></item>"
                    for n in range(version, version - ITEMS, -1))
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Outlet {feed}</title>' \
           f"{items}</channel></rss>".encode()


def etag(feed: int, version: int) -> bytes:
    return f'"{feed}-{version}"'.encode()


def respond(versions: dict[int, int], hits: Counter[str]) -> Callable[[str, dict[bytes, bytes]], bytes]:
    """The server's answer to GET /feed/N: 304 when the client has feed N's current version, else the feed."""

    def answer(path: str, headers: dict[bytes, bytes]) -> bytes:
        feed = int(path.rsplit("/", 1)[-1])
        current = etag(feed, versions[feed])
        if headers.get(b"if-none-match") == current:
            hits["304"] += 1
            return b"HTTP/1.1 304 Not Modified\r\nETag: " + current + b"\r\nContent-Length: 0\r\n\r\n"
        hits["200"] += 1
        body = feed_body(feed, versions[feed])
        return (b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: " + current
                + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)

    return answer


def serve(feeds: int, hosts: int, changed: list[int], control: Connection) -> None:
    """The server process: serve until told to stop; reports its port, then the hits (200s, 304s) when stopped."""
    versions = dict.fromkeys(range(feeds), ITEMS)
    for feed in changed:
        versions[feed] += 2  # two new items since the state the database holds
    hits: Counter[str] = Counter()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        port = 0
        for host in range(1, hosts + 1):
            server = await loop.create_server(lambda: _Connection(respond(versions, hits)), f"127.0.0.{host}",
                                              port, backlog=1024)
            port = server.sockets[0].getsockname()[1]
        control.send(port)
        await loop.run_in_executor(None, control.recv)  # the stop message
        control.send(dict(hits))

    asyncio.run(main())


@contextmanager
def scale_server(feeds: int, hosts: int, changed: list[int]) -> Iterator[tuple[int, Connection]]:
    """The server in a process of its own (spawned: this one may run threads), so that its CPU is not counted."""
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=serve, args=(feeds, hosts, changed, theirs),
                                                           daemon=True)
    process.start()
    try:
        yield ours.recv(), ours
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()


def feed_list(feeds: int, hosts: int, port: int) -> FeedsFile:
    return FeedsFile(feeds=[FeedConfig(url=f"http://127.0.0.{n % hosts + 1}:{port}/feed/{n}", name=f"outlet {n}")
                            for n in range(feeds)])


def seed_states(db: Database, feeds: FeedsFile) -> None:
    """Every feed as a cycle left it: the ETag of the version the server started from, and due now."""
    polls = [FeedPoll(feed, "not_modified", FeedState(etag(n, ITEMS).decode())) for n, feed in enumerate(feeds.feeds)]
    record_polls(db, polls, Counter(), datetime.now(UTC))


@dataclass
class Measured:
    """One stage's wall time and this process's CPU over it."""

    wall: float
    cpu: float


def measured(work: Callable[[], object]) -> tuple[Measured, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return Measured(time.perf_counter() - wall, time.process_time() - cpu), result


async def poll(db: Database, feeds: FeedsFile) -> list[FeedPoll]:
    async with Fetcher(feeds.fetch, allow_private=True) as fetcher:
        return await poll_stage(db, feeds, fetcher)


def measure_scale(feeds: int = FEEDS, hosts: int = HOSTS, work: Path | None = None
                  ) -> tuple[list[list[str]], list[tuple[str, str, bool]]]:
    """The scale rows (stage, wall, CPU, feeds) and the target, as `(name, measured, passed)`."""
    changed = list(range(0, feeds, round(1 / CHANGED_SHARE)))
    with tempfile.TemporaryDirectory() as tmp, scale_server(feeds, hosts, changed) as (port, control):
        db = Database((work or Path(tmp)) / "scale.duckdb")
        db.init()
        listed = feed_list(feeds, hosts, port)
        seed_states(db, listed)
        polling, polls = measured(lambda: asyncio.run(poll(db, listed)))
        assert isinstance(polls, list)
        saving, _ = measured(lambda: record_polls(db, polls, Counter(), datetime.now(UTC)))
        control.send("stop")
        hits = control.recv()
    statuses = Counter(p.status for p in polls)
    if statuses["error"]:
        example = next(p.error for p in polls if p.status == "error")
        raise SystemExit(f"{statuses['error']} of {feeds} polls failed, e.g. {example}")
    answered = f"{hits.get('304', 0)} answered 304, {hits.get('200', 0)} 200"
    rows = [
        [f"poll stage: {feeds} feeds on {hosts} hosts ({answered})", f"{polling.wall:.1f} s", f"{polling.cpu:.1f} s",
         f"{feeds / polling.wall:.0f} feeds/s"],
        [f"saving {feeds} feeds' states (record_polls)", f"{saving.wall:.1f} s", f"{saving.cpu:.1f} s", ""],
    ]
    target = (f"scale: poll stage of {feeds} feeds within the {SCHEDULE_SECONDS:.0f} s schedule",
              f"{polling.wall:.1f} s wall, {polling.cpu:.1f} s CPU", polling.wall < SCHEDULE_SECONDS)
    return rows, [target]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=FEEDS)
    parser.add_argument("--hosts", type=int, default=HOSTS)
    args = parser.parse_args(argv)
    rows, targets = measure_scale(args.feeds, args.hosts)
    print(table(["stage", "wall", "CPU", "rate"], rows))
    for name, value, ok in targets:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {value}")
    return 0 if all(ok for *_, ok in targets) else 1


if __name__ == "__main__":
    raise SystemExit(main())
