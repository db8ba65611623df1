"""Downloads of untrusted URLs: address checks on every hop, byte and time caps."""

from __future__ import annotations

import asyncio
import gzip
from http.server import BaseHTTPRequestHandler

import pytest

from flows.corpus_server import CorpusServer, send
from tasks.feeds_config import FetchLimits
from tasks.safe_http import AddressPolicy, Fetched, Fetcher, FetchFailure, is_public_address
from tests.httpkit import redirect, slow_drip, static

LIMITS = FetchLimits(timeout_seconds=1.0)


def get(
    url: str, *, allow_private: bool = False, policy: AddressPolicy | None = None, max_bytes: int = 100_000
) -> Fetched | FetchFailure:
    async def go() -> Fetched | FetchFailure:
        async with Fetcher(LIMITS, allow_private=allow_private, policy=policy) as fetcher:
            return await fetcher.get(url, max_bytes=max_bytes)

    return asyncio.run(go())


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
     "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1"],
)
def test_non_public_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_public(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/x", "http://[::1]:9/x", "http://169.254.169.254/latest/meta-data/",
     "http://10.0.0.1/", "http://192.168.0.10/", "http://localhost:9/"],
    ids=["loopback", "ipv6-loopback", "metadata", "private-10", "private-192", "name-to-loopback"],
)
def test_private_targets_are_refused(url: str) -> None:
    result = get(url)
    assert isinstance(result, FetchFailure)
    assert result.reason.startswith("refused")
    assert not result.transient


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x/", "javascript:alert(1)"])
def test_non_http_schemes_are_refused(url: str) -> None:
    result = get(url, allow_private=True)
    assert isinstance(result, FetchFailure)
    assert "not an http(s) URL" in result.reason


def test_allow_private_reaches_the_local_server(server: CorpusServer) -> None:
    server.routes["/p"] = static("<html>ok</html>", "text/html")
    result = get(server.url("/p"), allow_private=True)
    assert isinstance(result, Fetched) and result.status == 200 and result.body == b"<html>ok</html>"


def test_redirect_to_a_forbidden_address_is_refused_on_that_hop(server: CorpusServer) -> None:
    """The first hop is allowed (127.0.0.1 stands in for a public host); its redirect is not."""
    server.routes["/hop"] = redirect("http://127.0.0.2:9/internal")
    only_first = lambda address: address == "127.0.0.1"  # noqa: E731
    result = get(server.url("/hop"), policy=only_first)
    assert isinstance(result, FetchFailure)
    assert "127.0.0.2" in result.reason and result.reason.startswith("refused")


def test_redirect_to_file_scheme_is_refused(server: CorpusServer) -> None:
    server.routes["/hop"] = redirect("file:///etc/passwd")
    result = get(server.url("/hop"), allow_private=True)
    assert isinstance(result, FetchFailure) and "refused" in result.reason


def test_redirect_loop_stops(server: CorpusServer) -> None:
    server.routes["/a"] = redirect("/b")
    server.routes["/b"] = redirect("/a")
    result = get(server.url("/a"), allow_private=True)
    assert isinstance(result, FetchFailure) and result.reason == "too many redirects"


def test_body_over_the_cap_is_cut(server: CorpusServer) -> None:
    server.routes["/big"] = static(b"x" * 500_000, "text/html")
    result = get(server.url("/big"), allow_private=True, max_bytes=100_000)
    assert isinstance(result, FetchFailure) and result.reason.startswith("too large")


def test_gzip_bomb_is_cut_by_decoded_size(server: CorpusServer) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000

    def handler(request: BaseHTTPRequestHandler) -> None:
        send(request, 200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"})

    server.routes["/bomb"] = handler
    result = get(server.url("/bomb"), allow_private=True, max_bytes=1_000_000)
    assert isinstance(result, FetchFailure) and result.reason.startswith("too large")


def test_slow_drip_hits_the_total_deadline(server: CorpusServer) -> None:
    server.routes["/drip"] = slow_drip(5)
    result = get(server.url("/drip"), allow_private=True)
    assert isinstance(result, FetchFailure) and result.reason.startswith("timed out")


def test_user_agent_names_the_project(server: CorpusServer) -> None:
    seen: list[str] = []

    def handler(request: BaseHTTPRequestHandler) -> None:
        seen.append(request.headers.get("User-Agent", ""))
        send(request, 200, b"ok", {})

    server.routes["/ua"] = handler
    get(server.url("/ua"), allow_private=True)
    assert seen and seen[0].startswith("regwatch/")
