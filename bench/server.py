"""A lean HTTP/1.1 server for the benchmark corpus, on 127.0.0.1.

The server shares the machine's two cores with what it serves, so it does as
little as it can: bodies are gzipped once up front, feeds are rendered once
per change, and each request is a dictionary lookup. It answers conditional
requests (ETag) with 304 and counts what it served, so the table can show
page fetches and conditional polls.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from bench.corpus import Corpus

HOSTS = [f"127.0.0.{n}" for n in range(1, 17)]  # all loopback: Linux routes 127.0.0.0/8 to lo


@dataclass(frozen=True)
class Resource:
    body: bytes
    gzipped: bytes
    etag: bytes
    content_type: bytes


def resource(body: bytes, content_type: str) -> Resource:
    etag = b'"' + hashlib.sha1(body).hexdigest()[:16].encode() + b'"'
    return Resource(body, gzip.compress(body, compresslevel=1), etag, content_type.encode())


class BenchServer:
    """Serve `corpus` until stopped; `refresh()` after the corpus grows."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.hits: Counter[str] = Counter()
        self._resources: dict[str, Resource] = {}
        self._loop = asyncio.new_event_loop()
        self._servers: list[asyncio.Server] = []
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.port = 0

    @property
    def base(self) -> str:
        return self.base_for(0)

    def base_for(self, feed: int) -> str:
        """Each outlet on its own host: regwatch is polite per host, and real feeds come from many."""
        return f"http://{HOSTS[feed % len(HOSTS)]}:{self.port}"

    def __enter__(self) -> BenchServer:
        self._thread.start()
        for host in HOSTS:  # the first binds a free port, the others the same one
            server = asyncio.run_coroutine_threadsafe(
                self._loop.create_server(self._protocol, host, self.port, backlog=512), self._loop
            ).result()
            self.port = server.sockets[0].getsockname()[1]
            self._servers.append(server)
        self.refresh()
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            for server in self._servers:
                server.close()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def refresh(self) -> None:
        """(Re)build every page and feed the corpus now has (pages once, feeds every time)."""
        resources = dict(self._resources)
        for path, body in self.corpus.pages.items():
            if path not in resources:
                resources[path] = resource(body, "text/html; charset=utf-8")
        for number, path in enumerate(self.corpus.feed_paths()):
            kind = "application/atom+xml" if path.endswith(".atom.xml") else "application/rss+xml"
            resources[path] = resource(self.corpus.render_feed(number, self.base_for(number)), kind)
        self._resources = resources

    def take_hits(self) -> Counter[str]:
        """What was served since the last call: feed_200, feed_304, page_200, not_found."""
        hits, self.hits = self.hits, Counter()
        return hits

    def _protocol(self) -> asyncio.Protocol:
        return _Connection(self._respond)

    def _respond(self, path: str, headers: dict[bytes, bytes]) -> bytes:
        found = self._resources.get(path)
        kind = "feed" if path.startswith("/feeds/") else "page"
        if found is None:
            self.hits["not_found"] += 1
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nContent-Type: text/plain\r\n\r\nnot found"
        if headers.get(b"if-none-match") == found.etag:
            self.hits[f"{kind}_304"] += 1
            return b"HTTP/1.1 304 Not Modified\r\nETag: " + found.etag + b"\r\nContent-Length: 0\r\n\r\n"
        self.hits[f"{kind}_200"] += 1
        zipped = b"gzip" in headers.get(b"accept-encoding", b"")
        body = found.gzipped if zipped else found.body
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: " + found.content_type + b"\r\nETag: " + found.etag
                + b"\r\nContent-Length: " + str(len(body)).encode()
                + (b"\r\nContent-Encoding: gzip" if zipped else b"") + b"\r\n\r\n")
        return head + body


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection: a protocol, not streams, to keep the server's CPU small.

    Requests are GETs without bodies, so a request is complete at its blank line.
    """

    def __init__(self, respond: Callable[[str, dict[bytes, bytes]], bytes]) -> None:
        self._respond = respond
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        assert self._transport is not None
        self._buffer += data
        while b"\r\n\r\n" in self._buffer:
            head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
            lines = head.split(b"\r\n")
            try:
                path = lines[0].split(b" ")[1].split(b"?")[0].decode()
            except IndexError:
                self._transport.close()
                return
            headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(b":") for ln in lines[1:] if ln)}
            self._transport.write(self._respond(path, headers))
            if headers.get(b"connection", b"").lower() == b"close":
                self._transport.close()
                return
