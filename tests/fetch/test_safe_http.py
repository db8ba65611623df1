"""Downloads of untrusted URLs: address checks on every hop, byte and time caps."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import ssl
import threading
import zlib
from collections.abc import Collection, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from flows.demo.corpus_server import CorpusServer, send
from tasks.common.settings import Settings
from tasks.fetch.feeds_config import FetchLimits
from tasks.fetch.safe_http import AddressPolicy, Endpoint, Fetched, Fetcher, FetchFailure, is_public_address
from tests.support.httpkit import redirect, slow_drip, static, status

LIMITS = FetchLimits(timeout_seconds=1.0)


def get(
    url: str, *, allow_private: bool = False, policy: AddressPolicy | None = None,
    exempt: Collection[Endpoint] = (), max_bytes: int = 100_000, limits: FetchLimits = LIMITS,
) -> Fetched | FetchFailure:
    async def go() -> Fetched | FetchFailure:
        async with Fetcher(limits, allow_private=allow_private, policy=policy, exempt=exempt) as fetcher:
            return await fetcher.get(url, max_bytes=max_bytes)

    return asyncio.run(go())


def endpoint(server: CorpusServer) -> Endpoint:
    return "127.0.0.1", int(server.base.rsplit(":", 1)[1])


@pytest.fixture
def secret() -> Iterator[CorpusServer]:
    """A second local server that no test may reach: its `hits` must stay empty."""
    with CorpusServer() as srv:
        srv.routes["/secret"] = static("secret", "text/plain")
        yield srv


def assert_refused(result: Fetched | FetchFailure, reason: str) -> None:
    """Refused for `reason`, followed by how to allow it when the reason is a private address."""
    assert isinstance(result, FetchFailure), result
    assert result.reason.startswith(f"refused: {reason}") and not result.transient, result.reason


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


def test_an_ip_literal_of_a_listening_private_server_is_refused(secret: CorpusServer) -> None:
    """The server listens: a connection that got past the check would be served and counted."""
    assert_refused(get(secret.url("/secret")), "127.0.0.1 is not a public address")
    assert not secret.hits


def test_a_name_resolving_to_a_listening_private_server_is_refused(secret: CorpusServer) -> None:
    """Checked after resolution: localhost resolves to loopback (127.0.0.1, and ::1 where configured)."""
    result = get(secret.url("/secret").replace("127.0.0.1", "localhost"))
    assert isinstance(result, FetchFailure) and not result.transient
    assert result.reason.startswith("refused: localhost resolves to ") and "not a public address" in result.reason
    assert not secret.hits


def test_a_refused_private_address_says_which_settings_allow_it(secret: CorpusServer) -> None:
    """A user with a feed on their LAN (or the demo's server) learns how to let it through, by the real names."""
    result = get(secret.url("/secret"))
    assert isinstance(result, FetchFailure)
    port = secret.base.rsplit(":", 1)[1]
    assert f"REGWATCH_ALLOW_PRIVATE_ADDRESSES=127.0.0.1:{port}" in result.reason
    assert "REGWATCH_ALLOW_PRIVATE_NETWORKS=1" in result.reason
    assert {"allow_private_addresses", "allow_private_networks"} <= set(Settings.model_fields)


def test_the_named_exemption_lets_the_address_through(secret: CorpusServer) -> None:
    """Doing what the refusal says works: the ADDRESS:PORT it names, as a setting, reaches the server."""
    refused = get(secret.url("/secret"))
    assert isinstance(refused, FetchFailure)
    named = refused.reason.split("REGWATCH_ALLOW_PRIVATE_ADDRESSES=", 1)[1].split()[0]
    settings = Settings(allow_private_addresses=named)
    assert isinstance(get(secret.url("/secret"), exempt=settings.private_exceptions), Fetched)


def test_a_policy_overrides_allow_private(server: CorpusServer) -> None:
    server.routes["/p"] = static("ok", "text/plain")
    refuse_all = lambda _address: False  # noqa: E731
    assert_refused(get(server.url("/p"), allow_private=True, policy=refuse_all), "127.0.0.1 is not a public address")
    assert not server.hits


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"], ids=["ip-literal", "name"])
def test_a_redirect_from_an_exempt_server_to_another_port_is_refused_on_that_hop(
    server: CorpusServer, secret: CorpusServer, host: str
) -> None:
    """An exemption is one (address, port): the exempt server's redirect to another port of it is refused."""
    server.routes["/hop"] = redirect(secret.url("/secret").replace("127.0.0.1", host))
    result = get(server.url("/hop"), exempt=[endpoint(server)])
    assert isinstance(result, FetchFailure) and result.reason.startswith("refused: ") and not result.transient
    assert "not a public address" in result.reason
    assert server.hits["/hop"] == 1 and not secret.hits


def test_an_exempt_endpoint_is_reached(server: CorpusServer) -> None:
    server.routes["/p"] = static("ok", "text/plain")
    result = get(server.url("/p"), exempt=[endpoint(server)])
    assert isinstance(result, Fetched) and result.body == b"ok"


def test_a_streamed_gzip_bomb_stops_at_the_cap_without_reading_it_all(server: CorpusServer) -> None:
    """10 GB of zeros compressed on the fly (about 10 MB on the wire): the download stops at the decoded cap."""
    sent = 0

    def handler(request: BaseHTTPRequestHandler) -> None:
        nonlocal sent
        request.send_response(200)
        request.send_header("Content-Encoding", "gzip")
        request.send_header("Connection", "close")
        request.end_headers()
        packer, zeros = zlib.compressobj(9, zlib.DEFLATED, 31), b"\0" * 1_000_000
        try:
            for _ in range(10_000):
                piece = packer.compress(zeros)
                request.wfile.write(piece)
                sent += len(piece)
        except OSError:
            return

    server.routes["/bomb"] = handler
    result = get(server.url("/bomb"), allow_private=True, max_bytes=1_000_000)
    assert isinstance(result, FetchFailure) and result.reason == "too large: over 1000000 bytes"
    assert sent < 1_000_000, f"the server got {sent} compressed bytes out"


@pytest.mark.parametrize(("redirects", "followed"), [(3, True), (4, False)])
def test_max_redirects_is_the_number_of_redirects_followed(
    server: CorpusServer, redirects: int, followed: bool
) -> None:
    for n in range(redirects):
        server.routes[f"/r{n}"] = redirect(f"/r{n + 1}")
    server.routes[f"/r{redirects}"] = static("end", "text/plain")
    result = get(server.url("/r0"), allow_private=True, limits=FetchLimits(timeout_seconds=1.0, max_redirects=3))
    if followed:
        assert isinstance(result, Fetched) and result.body == b"end" and result.url == server.url(f"/r{redirects}")
    else:
        assert isinstance(result, FetchFailure) and result.reason == "too many redirects"


def test_a_cookie_set_with_a_redirect_is_sent_back(server: CorpusServer) -> None:
    """Consent and bot checks set a cookie and redirect to the same page; without the cookie they loop."""

    def check(request: BaseHTTPRequestHandler) -> None:
        if "seen=1" in request.headers.get("Cookie", ""):
            send(request, 200, b"article", {})
        else:
            send(request, 302, b"", {"Location": "/check", "Set-Cookie": "seen=1; Path=/"})

    server.routes["/check"] = check
    result = get(server.url("/check"), allow_private=True)
    assert isinstance(result, Fetched) and result.body == b"article"


def test_headers_are_lower_cased_joined_and_decoded(server: CorpusServer) -> None:
    """Repeated headers joined as one value; a value that is not UTF-8 read as Latin-1."""
    head = b"HTTP/1.1 200 OK\r\nX-Dup: one\r\nx-dup: two\r\nX-Latin: caf\xe9\r\nX-Utf8: %s\r\n" % "监管".encode()

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.wfile.write(head + b"Content-Length: 2\r\n\r\nok")
        request.close_connection = True

    server.routes["/h"] = handler
    result = get(server.url("/h"), allow_private=True)
    assert isinstance(result, Fetched)
    assert {k: v for k, v in result.headers.items() if k.startswith("x-")} == {
        "x-dup": "one, two", "x-latin": "café", "x-utf8": "监管"}


@pytest.mark.parametrize(("body", "encoding"), [(b"not gzip at all", "gzip"), (b"not deflate", "deflate"),
                                                 (b"brotli we never asked for", "br")])
def test_a_body_that_does_not_decode_is_a_permanent_failure(server: CorpusServer, body: bytes, encoding: str) -> None:
    server.routes["/bad"] = status(200, body, {"Content-Encoding": encoding})
    result = get(server.url("/bad"), allow_private=True)
    assert isinstance(result, FetchFailure) and result.reason.startswith("bad content encoding: ")
    assert not result.transient


@pytest.mark.parametrize("response", [b"GARBAGE\r\n\r\n", b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort", b""],
                         ids=["bad-status-line", "body-cut-short", "closed-without-answer"])
def test_a_broken_response_is_a_transient_one_line_failure(server: CorpusServer, response: bytes) -> None:
    def handler(request: BaseHTTPRequestHandler) -> None:
        request.wfile.write(response)
        request.close_connection = True

    server.routes["/broken"] = handler
    result = get(server.url("/broken"), allow_private=True)
    assert isinstance(result, FetchFailure) and result.transient and not result.timed_out
    assert result.reason and "\n" not in result.reason


def test_a_refused_connection_is_a_transient_failure() -> None:
    result = get("http://127.0.0.1:1/x", allow_private=True)
    assert isinstance(result, FetchFailure) and result.transient and not result.reason.startswith("refused")


@pytest.fixture
def untrusted_https(tmp_path: Path) -> Iterator[str]:
    """An https server on 127.0.0.1 with a self-signed certificate (cryptography comes with Prefect)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    pem = tmp_path / "server.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem)

    class Ok(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            send(self, 200, b"ok", {})

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_https_certificates_are_verified(untrusted_https: str) -> None:
    result = get(untrusted_https, allow_private=True)
    assert isinstance(result, FetchFailure) and "certificate verify failed" in result.reason
