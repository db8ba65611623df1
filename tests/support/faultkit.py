"""Shared pieces of the fault-injection suite (tests/faults/test_faults_*.py).

Hostile payloads, handlers that misbehave on purpose (for `CorpusServer.routes`),
and two ways to run regwatch: the flow in this process, or the real
`regwatch run` command as a child process that a test may kill. Every server
listens on 127.0.0.1, and every handler that stalls has a time limit.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb

from fakes.stories import filler_story as filler_story  # the fault tests call it fk.filler_story
from flows.demo.corpus_server import Handler
from flows.monitor import monitor
from tasks.pipeline import fault_hook

REGWATCH = Path(sys.executable).parent / "regwatch"

# -- payloads ----------------------------------------------------------------


def rss(items: Sequence[tuple[str, str]], title: str = "Feed", declaration: str = 'encoding="utf-8"',
        age: timedelta = timedelta(hours=2)) -> str:
    """An RSS 2.0 feed of (title, link) items, each published `age` ago."""
    published = format_datetime(datetime.now(UTC) - age, usegmt=True)
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{published}</pubDate><description>{t} (summary)</description></item>"
        for t, link in items
    )
    head = f'<?xml version="1.0" {declaration}?>' if declaration else ""
    return f'{head}<rss version="2.0"><channel><title>{title}</title>{entries}</channel></rss>'


def article(title: str, body: str, charset: str = "utf-8", head: str = "") -> str:
    """A news page with the usual boilerplate around one article."""
    return (
        f'<html><head><meta charset="{charset}"><title>{title}</title>{head}</head><body>'
        f"<nav>Home | Markets | Tech</nav><article><h1>{title}</h1><p>{body}</p><p>{body[:300]}</p></article>"
        f"<footer>(c) Outlet</footer></body></html>"
    )


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + ']>\n<rss version="2.0"><channel><title>&lol9;</title>'
    '<item><title>&lol9;</title><link>{link}</link><description>&lol9;</description></item></channel></rss>'
)


def xxe(secret: Path, link: str) -> str:
    """A feed whose entities point at a local file: its content must never be read."""
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">'
        f'<!ENTITY % remote SYSTEM "file://{secret}"> %remote;]>\n'
        f'<rss version="2.0"><channel><title>x &xxe;</title><item><title>Leak &xxe;</title><link>{link}</link>'
        "<description>&xxe;</description></item></channel></rss>"
    )


def many_items(count: int, link: Callable[[int], str]) -> bytes:
    """A feed of `count` minimal items."""
    head = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Firehose</title>'
    body = b"".join(f"<item><title>Item {i}</title><link>{link(i)}</link></item>".encode() for i in range(count))
    return head + body + b"</channel></rss>"


def gzip_of_zeros(decoded_bytes: int) -> bytes:
    """`decoded_bytes` of zeros, gzip-compressed (about 1 000 times smaller), built without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    chunk = b"\0" * 1_000_000
    parts = [packer.compress(chunk) for _ in range(decoded_bytes // len(chunk))]
    return b"".join(parts) + packer.flush()


# -- handlers ----------------------------------------------------------------


def gzip_bomb(compressed: bytes, content_type: str = "application/rss+xml") -> Handler:
    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        for name, value in (("Content-Type", content_type), ("Content-Encoding", "gzip"),
                            ("Content-Length", str(len(compressed)))):
            request.send_header(name, value)
        request.end_headers()
        try:
            request.wfile.write(compressed)
        except OSError:
            return

    return handle


class Flood:
    """A handler that sends `total` bytes of filler in 64 KiB writes, with or without Content-Length.

    `sent` counts what the client actually took before hanging up, which
    shows that a capped download stops reading instead of swallowing it all.
    """

    def __init__(self, total: int, declare_length: bool, content_type: str = "text/html",
                 filler: bytes = b"<p>filler</p>") -> None:
        self.total, self.declare_length, self.content_type = total, declare_length, content_type
        self.chunk = (filler * (65_536 // len(filler) + 1))[:65_536]
        self.sent = 0
        self._lock = threading.Lock()

    def __call__(self, request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", self.content_type)
        if self.declare_length:
            request.send_header("Content-Length", str(self.total))
        request.send_header("Connection", "close")
        request.end_headers()
        remaining = self.total
        try:
            while remaining > 0:
                piece = self.chunk[: min(remaining, len(self.chunk))]
                request.wfile.write(piece)
                remaining -= len(piece)
                with self._lock:
                    self.sent += len(piece)
        except OSError:
            return


def hang_until(released: threading.Event, limit: float = 120.0) -> Handler:
    """Accept the request and say nothing until `released` is set (or `limit` seconds pass)."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        released.wait(limit)
        request.close_connection = True

    return handle


class Sentinel:
    """A server on a loopback address that must never be reached: every connection to it is a breach."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        sentinel = self
        self.breaches = 0

        class Count(BaseHTTPRequestHandler):
            def handle(self) -> None:  # count the connection even if no request line ever comes
                sentinel.breaches += 1
                self.close_connection = True

        class Server(ThreadingHTTPServer):
            address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
            daemon_threads = True

        self._httpd = Server((host, 0), Count)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def __enter__(self) -> Sentinel:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


# -- running the flow in this process ----------------------------------------


def run_flow(config: Path, db: Path, allow_private: bool = True) -> dict[str, Any]:
    """One monitoring cycle in this process (needs the `prefect_harness` fixture)."""
    return asyncio.run(monitor(config_dir=str(config), db=str(db), allow_private_networks=allow_private))


@contextmanager
def captured_logs(name: str = "prefect") -> Iterator[list[str]]:
    """Messages logged under `name` (Prefect's run loggers) while the block runs."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = Collect(logging.DEBUG)
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)


def query(db: Path, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of `sql` on the live file, read-only (also proves the file opens cleanly)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def feed_health(db: Path) -> dict[str, dict[str, Any]]:
    """The `feeds` table by feed name."""
    columns = ("name", "url", "last_status", "last_error", "consecutive_failures", "items_last_poll")
    rows = query(db, f"SELECT {', '.join(columns)} FROM feeds")
    return {row[0]: dict(zip(columns, row, strict=True)) for row in rows}


def stored_articles(db: Path) -> dict[str, dict[str, Any]]:
    """The `articles` table by URL path (the part after the host)."""
    columns = ("url", "title", "text", "extraction", "fetch_error", "language")
    rows = query(db, f"SELECT {', '.join(columns)} FROM articles")
    return {"/" + row[0].split("/", 3)[3]: dict(zip(columns, row, strict=True)) for row in rows}


# -- other processes ---------------------------------------------------------

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM articles").fetchone()[0], flush=True)
time.sleep(float(sys.argv[2]))
print(con.execute("SELECT count(*) FROM articles").fetchone()[0], flush=True)
"""


def hold(path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process with `path` open for `seconds` (an analyst's shell); returns once it is open."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    process.stdout.readline()  # the connection is open
    return process


# -- running the real CLI as a child process ---------------------------------


def child_env(prefect_api_url: str, home: Path, poisonous: bool = False, **settings: str) -> dict[str, str]:
    """Environment for a `regwatch` child: the test session's Prefect server, and REGWATCH_* `settings`;
    `poisonous`: its extraction workers die on the pages that carry a `poison` marker."""
    env = {k: v for k, v in os.environ.items()
           if not k.upper().startswith(("REGWATCH_", "PREFECT_", fault_hook.TOKEN_VARIABLE))}
    env.update(PREFECT_API_URL=prefect_api_url, PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.update({f"REGWATCH_{k.upper()}": v for k, v in settings.items()})
    if poisonous:
        env[fault_hook.TOKEN_VARIABLE] = POISON_TOKEN
    return env


POISON_TOKEN = "faultkit-only-4f7d1c"


def poison(fault: str) -> str:
    """The marker that makes a worker of a `poisonous` child reading it `abort`, `kill` itself (as the OOM killer
    would) or `spin` until its CPU time runs out (tasks/pipeline/fault_hook.py); in a page or a feed summary."""
    return f"{fault}:{POISON_TOKEN}"


def start_run(config: Path, db: Path, env: dict[str, str], log: Path,
              preexec: Callable[[], None] | None = None) -> subprocess.Popen[bytes]:
    """`regwatch -v run --always-flow` in its own process group (so that a kill takes its extraction workers
    too); verbose, as the log's task-run lines tell a test which stage the run has reached, and a flow run even
    when nothing is new (a quiet cycle, recorded without Prefect, has no task runs to aim a kill at)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(REGWATCH), "-v", "run", "--always-flow", "--config-dir", str(config), "--db", str(db)],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=preexec,
        )


def run_cli(config: Path, db: Path, env: dict[str, str], timeout: float = 180,
            preexec: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    """`regwatch run` to the end; output captured."""
    return cli("run", "--config-dir", str(config), "--db", str(db), env=env, timeout=timeout, preexec=preexec)


def cli(*args: str, env: dict[str, str], timeout: float = 180,
        preexec: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    """`regwatch ARGS...` to the end; output captured."""
    return subprocess.run([str(REGWATCH), *args], env=env, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=preexec)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the child and everything in its process group, and reap it."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of the process group `pgid`: a killed run's orphaned workers, if any."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def wait_gone(pgid: int, limit: float = 10.0) -> list[int]:
    """Wait up to `limit` seconds for the process group to die out; the survivors, if any."""
    deadline = time.monotonic() + limit
    while (alive := group_members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive
