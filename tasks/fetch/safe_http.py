"""HTTP for untrusted URLs: only public http(s), capped in bytes and time.

Feed and article links come from the internet, so no socket may reach a
non-public address, on the first request or on any redirect hop. aiohttp
opens every connection through two public hooks of its `TCPConnector`, and
both check with the same `AddressGuard`:

- the resolver (`GuardedResolver`) resolves a host name and refuses it if any
  of its addresses is blocked; the connector then connects to exactly those
  checked addresses, so a DNS answer that changes between check and connect
  (rebinding) does not get in;
- the socket factory (`AddressGuard.open_socket`) checks the address each
  socket is about to connect to. aiohttp does not ask the resolver about
  IP-literal hosts (http://10.0.0.1/), so this is the check that sees them.

aiohttp rather than httpx: measured on one ~130 KB gzipped page, httpx spends
about 2.0 ms of CPU per fetch and aiohttp about 0.6 ms, and that CPU is taken
from the extraction workers on a 2-core machine.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import os
import socket
import ssl
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp
import certifi
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.http_exceptions import ContentEncodingError
from aiohttp.typedefs import RawHeaders

from tasks.common.endpoints import Endpoint, format_endpoint
from tasks.fetch.feeds_config import FetchLimits


class BlockedAddress(OSError):  # noqa: N818 (the name predates its base class)
    """The URL's host resolves to an address we refuse to reach.

    An OSError because aiohttp turns the resolver's and the socket factory's
    OSErrors into its ClientConnectorError, which keeps this one as `os_error`.
    """


def is_public_address(address: str) -> bool:
    """True for globally routable unicast addresses (not loopback, private, link-local, metadata)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_unspecified or ip.is_reserved)


AddressPolicy = Callable[[str], bool]

# After this many timeouts in a row from one host, a run stops asking it: a host that
# accepts and never answers would otherwise cost a full timeout per queued link.
HOST_TIMEOUTS_BEFORE_SKIPPING = 3

# The longest response header taken: httpx (h11) took a response head of up to 100 KiB, and a
# site's Content-Security-Policy or Set-Cookie can exceed aiohttp's default of 8 KiB.
MAX_HEADER_BYTES = 100 * 1024


def address_policy(allow_private: bool) -> AddressPolicy:
    """The policy from the REGWATCH_ALLOW_PRIVATE_NETWORKS switch."""
    return (lambda _address: True) if allow_private else is_public_address


def how_to_allow(address: str, port: int) -> str:
    """The settings that let a fetch reach a private `address` (a feed on the LAN, the demo's server).

    Nothing when the port is unknown (0): a URL refused before connecting, which no setting lets through."""
    if not port:
        return ""
    return (f" (to fetch it anyway, set REGWATCH_ALLOW_PRIVATE_ADDRESSES={format_endpoint(address, port)} "
            "for this address only, or REGWATCH_ALLOW_PRIVATE_NETWORKS=1 for every private address)")


class AddressGuard:
    """Which (address, port) a connection may go to: what `allowed` accepts, plus `exempt`.

    `exempt` lists the (address, port) pairs that may be reached although
    `allowed` refuses their address: a feed proxy on the LAN, the tests' server.
    """

    def __init__(self, allowed: AddressPolicy, exempt: Collection[Endpoint] = ()) -> None:
        self._allowed = allowed
        self._exempt = frozenset(exempt)

    def check(self, host: str, address: str, port: int) -> None:
        """Raise BlockedAddress unless `address` (which `host` resolved to) may be reached on `port`."""
        if self._allowed(address):
            return
        canonical = str(ipaddress.ip_address(address.split("%", 1)[0]))
        if (canonical, port) in self._exempt:
            return
        shown = host if host == address else f"{host} resolves to {address}, which"
        raise BlockedAddress(f"{shown} is not a public address{how_to_allow(canonical, port)}")

    def open_socket(self, addr_info: aiohttp.AddrInfoType) -> socket.socket:
        """The connector's socket factory: a socket for `addr_info`, which it then connects to, if allowed."""
        family, kind, proto, _, sockaddr = addr_info
        address, port = str(sockaddr[0]), int(sockaddr[1])
        self.check(address, address, port)
        return socket.socket(family, kind, proto)


class GuardedResolver(AbstractResolver):
    """The system resolver, refusing a host if any address it resolves to is blocked.

    All of them, not just the first: the connector tries the others when one
    fails, so one public address must not let a private one through.
    """

    def __init__(self, guard: AddressGuard) -> None:
        self._inner = aiohttp.ThreadedResolver()
        self._guard = guard

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        resolved = await self._inner.resolve(host, port, family)
        for result in resolved:
            self._guard.check(host, result["host"], port)
        return resolved

    async def close(self) -> None:
        await self._inner.close()


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying context per process: loading the CA bundle costs 30 ms, and a cycle makes several fetchers.

    The trust store is the one httpx used before: SSL_CERT_FILE or SSL_CERT_DIR
    when set, else certifi's bundle (aiohttp alone would take the system's).
    """
    if cafile := os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=cafile)
    if capath := os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=capath)
    return ssl.create_default_context(cafile=certifi.where())


@dataclass
class Fetched:
    """A completed response (any status) with its body read within the caps."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    seconds: float


@dataclass
class FetchFailure:
    """Why a URL could not be fetched, in one line for logs and feed health."""

    url: str
    reason: str
    transient: bool = True
    timed_out: bool = False


@dataclass
class Fetcher:
    """Shared async client with global and per-host concurrency limits; use it as `async with Fetcher(...)`.

    A host that times out HOST_TIMEOUTS_BEFORE_SKIPPING times in a row is not
    asked again by this fetcher (one task of a run): its other links fail at
    once, so a hanging host costs a run a couple of timeouts, not one per link.

    Cookies are kept for the fetcher's life, as httpx kept them before: a
    site that sets a cookie and redirects to itself, a consent or bot check,
    would otherwise redirect in a loop. aiohttp's DummyCookieJar would drop
    them, and saved no measurable CPU (0.55 ms a page with either jar).
    """

    limits: FetchLimits
    allow_private: bool = False
    policy: AddressPolicy | None = None  # overrides allow_private (tests)
    exempt: Collection[Endpoint] = ()  # (address, port) pairs reachable although not public
    _guard: AddressGuard = field(init=False)
    _session: aiohttp.ClientSession | None = field(init=False, default=None)
    _all: asyncio.Semaphore = field(init=False)
    _hosts: defaultdict[str, asyncio.Semaphore] = field(init=False)
    _timeouts: Counter[str] = field(init=False)
    requests: int = 0

    def __post_init__(self) -> None:
        self._guard = AddressGuard(self.policy or address_policy(self.allow_private), self.exempt)
        self._all = asyncio.Semaphore(self.limits.concurrency)
        self._hosts = defaultdict(lambda: asyncio.Semaphore(self.limits.per_host_concurrency))
        self._timeouts = Counter()

    async def __aenter__(self) -> Fetcher:
        """Open the session here, not in __init__: an aiohttp session belongs to the running event loop."""
        connector = aiohttp.TCPConnector(
            limit=self.limits.concurrency,
            ssl=_ssl_context(),
            resolver=GuardedResolver(self._guard),
            socket_factory=self._guard.open_socket,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.limits.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=aiohttp.ClientTimeout(total=None),  # the deadline is _attempt's, body included
            trust_env=False,
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # unsafe: also from IP-address hosts, as httpx
            max_field_size=MAX_HEADER_BYTES,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def get(
        self, url: str, *, max_bytes: int, headers: Mapping[str, str] | None = None
    ) -> Fetched | FetchFailure:
        """GET `url`, never raising for network trouble: failures come back as FetchFailure."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:  # "Port out of range", "Invalid IPv6 URL"
            return FetchFailure(url, f"refused: malformed URL ({exc})", False)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return FetchFailure(url, f"refused: not an http(s) URL ({parts.scheme or 'no'} scheme)", False)
        host = parts.hostname.lower()
        server = f"{host}:{port}"
        # The host's slot first: links queued behind a slow host must not hold global slots.
        async with self._hosts[host], self._all:
            if self._timeouts[server] >= HOST_TIMEOUTS_BEFORE_SKIPPING:
                return FetchFailure(url, f"skipped: {server} timed out {self._timeouts[server]} times in a row")
            self.requests += 1
            result = await self._attempt(url, max_bytes, headers or {})
            timed_out = isinstance(result, FetchFailure) and result.timed_out
            self._timeouts[server] = self._timeouts[server] + 1 if timed_out else 0
            return result

    async def _attempt(self, url: str, max_bytes: int, headers: Mapping[str, str]) -> Fetched | FetchFailure:
        """One GET within the total deadline, with every failure turned into a FetchFailure."""
        start = time.monotonic()
        try:
            async with asyncio.timeout(self.limits.timeout_seconds):
                return await self._read(url, max_bytes, headers, start)
        except TimeoutError:
            return FetchFailure(url, f"timed out after {self.limits.timeout_seconds:g}s", timed_out=True)
        except aiohttp.TooManyRedirects:
            return FetchFailure(url, "too many redirects", False)
        except aiohttp.NonHttpUrlClientError as exc:  # a redirect to file:, ftp:, ...; its only argument is the URL
            scheme = urlsplit(str(exc)).scheme or "no"
            return FetchFailure(url, f"refused: redirect to an unsupported protocol ({scheme} scheme)", False)
        except _TooLargeError as exc:
            return FetchFailure(url, str(exc), False)
        except aiohttp.InvalidURL as exc:
            return FetchFailure(url, self._invalid_url_reason(exc), False)
        except UnicodeError as exc:  # a host IDNA cannot encode
            return FetchFailure(url, f"refused: malformed URL ({exc})", False)
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, BlockedAddress):
                return FetchFailure(url, f"refused: {exc.os_error}", False)
            return FetchFailure(url, _one_line(exc))
        except (aiohttp.ClientError, OSError) as exc:
            if (encoding := _content_encoding_error(exc)) is not None:
                return FetchFailure(url, f"bad content encoding: {encoding.message}", False)
            return FetchFailure(url, _one_line(exc))

    def _invalid_url_reason(self, exc: aiohttp.InvalidURL) -> str:
        """Why aiohttp would not request a URL; for a legacy IPv4 form, also the address it stands for.

        aiohttp refuses hosts like 2130706433 or 127.1, which the system reads
        as 127.0.0.1, before our checks run: say so as for any blocked address.
        No port is known here, so no exemption applies (they name canonical addresses).
        """
        host = str(exc.url)
        try:
            self._guard.check(host, socket.inet_ntoa(socket.inet_aton(host)), 0)
        except BlockedAddress as blocked:
            return f"refused: {blocked}"
        except OSError:  # not an IPv4 form: a malformed URL of another kind
            pass
        return f"refused: malformed URL ({exc})"

    async def _read(
        self, url: str, max_bytes: int, headers: Mapping[str, str], start: float
    ) -> Fetched:
        assert self._session is not None, "use the fetcher as `async with Fetcher(...)`"
        # aiohttp gives up at the max_redirects-th redirect; httpx, whose meaning we keep, followed that many.
        async with self._session.get(url, headers=headers, max_redirects=self.limits.max_redirects + 1) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _TooLargeError(f"too large: {declared} bytes declared, cap {max_bytes}")
            chunks: list[bytes] = []
            size = 0
            # The stream yields *decoded* bytes, so a gzip bomb hits the cap too.
            async for chunk in response.content.iter_any():
                size += len(chunk)
                if size > max_bytes:
                    raise _TooLargeError(f"too large: over {max_bytes} bytes")
                chunks.append(chunk)
            return Fetched(
                url=str(response.url),
                status=response.status,
                headers=_headers(response.raw_headers),
                body=b"".join(chunks),
                seconds=time.monotonic() - start,
            )


def _headers(raw: RawHeaders) -> dict[str, str]:
    """Headers by lower-cased name, as httpx gave them: a repeated header's values joined with ", ",
    and values read as UTF-8, or as Latin-1 when they are not UTF-8 (aiohttp would keep undecodable bytes
    as surrogates, which no database or later request header takes)."""
    joined: dict[str, str] = {}
    for raw_name, raw_value in raw:
        name = raw_name.decode("latin-1").lower()
        try:
            value = raw_value.decode()
        except UnicodeDecodeError:
            value = raw_value.decode("latin-1")
        joined[name] = f"{joined[name]}, {value}" if name in joined else value
    return joined


def _content_encoding_error(exc: BaseException) -> ContentEncodingError | None:
    """The undecodable-body error behind `exc`, if that is what it is.

    aiohttp wraps it once when the body will not decompress, and twice when
    the header names an encoding it cannot decode at all (br without Brotli).
    """
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ContentEncodingError):
        cause = cause.__cause__
    return cause


def _one_line(exc: BaseException) -> str:
    """`Type: message` on one line (aiohttp's messages about malformed responses span several)."""
    text = exc.message if isinstance(exc, aiohttp.ClientResponseError) else str(exc)
    return f"{type(exc).__name__}: {' '.join(text.split())}".rstrip(": ")


class _TooLargeError(Exception):
    pass
