"""A small HTTP server for a directory of feeds and pages, on 127.0.0.1.

`regwatch demo`, the tests and the benchmark all serve their corpora with it.
It behaves like a polite real site: ETag/Last-Modified with 304s, gzip when
asked, redirects for aggregator links (`/rd?u=URL`), and per-path request
counts so tests can assert what was fetched. Files may contain placeholders
that are filled at serve time: ``{{BASE}}`` (this server's URL) and
``{{RFC822:-3h}}`` / ``{{ISO:-2d}}`` (a date that long before now), so that a
bundled corpus always looks fresh.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import sys
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

_DATE = re.compile(rb"\{\{(RFC822|ISO):-(\d+)([mhd])\}\}")
_UNITS = {b"m": "minutes", b"h": "hours", b"d": "days"}
_TYPES = (
    (".rss.xml", "application/rss+xml"),
    (".atom.xml", "application/atom+xml"),
    (".rdf.xml", "application/rdf+xml"),
    (".xml", "application/xml"),
    (".html", "text/html"),
    (".txt", "text/plain; charset=utf-8"),
    (".json", "application/json"),
)

Handler = Callable[[BaseHTTPRequestHandler], None]


def content_type_for(name: str) -> str:
    return next((ctype for suffix, ctype in _TYPES if name.endswith(suffix)), "application/octet-stream")


def fill_placeholders(body: bytes, base: str, now: datetime) -> bytes:
    """Substitute ``{{BASE}}`` and relative dates in a served file."""
    body = body.replace(b"{{BASE}}", base.encode())

    def date(match: re.Match[bytes]) -> bytes:
        when = now - timedelta(**{_UNITS[match.group(3)]: int(match.group(2))})
        text = format_datetime(when, usegmt=True) if match.group(1) == b"RFC822" else when.isoformat()
        return text.encode()

    return _DATE.sub(date, body)


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up mid-response (the fetcher's size cap, a test's timeout) is not an error
    worth a traceback on the demo's console; anything else still is."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class CorpusServer:
    """Serve `root` (files) and `routes` (custom handlers) until stopped.

    `host` is a loopback address to listen on: 127.0.0.2, 127.0.0.3 ... are
    other hosts to a fetcher, which limits and gives up on hosts one by one;
    `port` 0 picks a free one."""

    def __init__(self, root: Path | None = None, routes: dict[str, Handler] | None = None,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = root
        self.routes: dict[str, Handler] = dict(routes or {})
        self.hits: Counter[str] = Counter()
        self.now = datetime.now(UTC).replace(microsecond=0)
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server._handle(self)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self._httpd = _QuietServer((host, port), _Handler)
        # A short poll interval: shutdown() waits for the next poll, and tests start and stop hundreds of these.
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def endpoint(self) -> tuple[str, int]:
        """The (address, port) it listens on."""
        host, port = self._httpd.server_address[:2]
        return str(host), int(port)

    @property
    def base(self) -> str:
        host, port = self.endpoint
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> CorpusServer:
        self._thread.start()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        with self._lock:
            self.hits[parts.path] += 1
        if parts.path in self.routes:
            self.routes[parts.path](request)
            return
        if parts.path == "/rd":
            target = parse_qs(parts.query).get("u", [""])[0]
            send(request, 302, b"", {"Location": target})
            return
        body = self._file(parts.path)
        if body is None:
            send(request, 404, b"not found", {"Content-Type": "text/plain"})
            return
        send_cacheable(request, body, content_type_for(parts.path))

    def _file(self, path: str) -> bytes | None:
        if self.root is None:
            return None
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.root.resolve()) or not target.is_file():
            return None
        return fill_placeholders(target.read_bytes(), self.base, self.now)


def send(request: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
    request.send_response(status)
    for name, value in headers.items():
        request.send_header(name, value)
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


def send_cacheable(request: BaseHTTPRequestHandler, body: bytes, content_type: str) -> None:
    """200 with ETag and Last-Modified, 304 when the client already has it, gzip if asked."""
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    modified = "Mon, 01 Jan 2024 00:00:00 GMT"
    if request.headers.get("If-None-Match") == etag or (
        request.headers.get("If-None-Match") is None and request.headers.get("If-Modified-Since") == modified
    ):
        send(request, 304, b"", {"ETag": etag})
        return
    headers = {"Content-Type": content_type, "ETag": etag, "Last-Modified": modified}
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        body = gzip.compress(body, compresslevel=1)
        headers["Content-Encoding"] = "gzip"
    send(request, 200, body, headers)
