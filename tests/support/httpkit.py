"""Route handlers for CorpusServer that misbehave on purpose."""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler

from flows.demo.corpus_server import Handler, send, send_cacheable


def static(body: bytes | str, content_type: str = "application/rss+xml") -> Handler:
    data = body.encode() if isinstance(body, str) else body

    def handle(request: BaseHTTPRequestHandler) -> None:
        send_cacheable(request, data, content_type)

    return handle


def status(code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Handler:
    def handle(request: BaseHTTPRequestHandler) -> None:
        send(request, code, body, headers or {"Content-Type": "text/plain"})

    return handle


def redirect(location: str, code: int = 301) -> Handler:
    return status(code, b"", {"Location": location})


def slow_drip(seconds: float, chunk: bytes = b"<") -> Handler:
    """Send headers at once, then one byte at a time for `seconds` (a slowloris)."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("Connection", "close")
        request.end_headers()
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                request.wfile.write(chunk)
                request.wfile.flush()
                time.sleep(0.05)
        except OSError:
            return

    return handle


def hang(seconds: float) -> Handler:
    """Accept the request and say nothing for `seconds`."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)

    return handle
