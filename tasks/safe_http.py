"""HTTP for untrusted URLs: only public http(s), capped in bytes and time.

Feed and article links come from the internet, so every connection is checked
*after* DNS resolution and on every redirect hop: the check sits in the
network backend that opens sockets, which is the one place every hop passes
through. The socket is opened to the address that was checked, so a DNS
answer that changes between check and connect (rebinding) does not get in.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from tasks.feeds_config import FetchLimits


class BlockedAddress(httpcore.ConnectError):
    """The URL's host resolves to an address we refuse to reach."""


def is_public_address(address: str) -> bool:
    """True for globally routable unicast addresses (not loopback, private, link-local, metadata)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_unspecified or ip.is_reserved)


AddressPolicy = Callable[[str], bool]
Endpoint = tuple[str, int]  # (normalised IP address, port)

# After this many timeouts in a row from one host, a run stops asking it: a host that
# accepts and never answers would otherwise cost a full timeout per queued link.
HOST_TIMEOUTS_BEFORE_SKIPPING = 3


def address_policy(allow_private: bool) -> AddressPolicy:
    """The policy from the REGWATCH_ALLOW_PRIVATE_NETWORKS switch."""
    return (lambda _address: True) if allow_private else is_public_address


def parse_endpoint(text: str) -> Endpoint:
    """'10.0.0.5:1200' or '[fd00::5]:1200' as (address, port); ValueError when it is neither."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text.strip()!r}: expected ADDRESS:PORT, e.g. 10.0.0.5:1200 or [fd00::5]:1200")
    try:
        address = ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        raise ValueError(f"{text.strip()!r}: {host!r} is not an IP address") from None
    return str(address), int(port)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve, check every address with `allowed`, then connect to a checked one.

    `exempt` lists the (address, port) pairs that may be reached although
    `allowed` refuses their address: a feed proxy on the LAN, the tests' server.
    """

    def __init__(self, allowed: AddressPolicy, exempt: Collection[Endpoint] = ()) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allowed = allowed
        self._exempt = frozenset(exempt)

    def _permitted(self, address: str, port: int) -> bool:
        if self._allowed(address):
            return True
        return (str(ipaddress.ip_address(address.split("%", 1)[0])), port) in self._exempt

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror}") from exc
        addresses = [str(info[4][0]) for info in infos]
        blocked = [a for a in addresses if not self._permitted(a, port)]
        if blocked:
            shown = host if host == blocked[0] else f"{host} resolves to {blocked[0]}, which"
            raise BlockedAddress(f"{shown} is not a public address")
        return await self._inner.connect_tcp(
            addresses[0], port, timeout=timeout, local_address=local_address,
            socket_options=socket_options,
        )

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying context per process: loading the CA bundle costs 30 ms, and a cycle makes many clients."""
    return httpx.create_ssl_context()


def _guarded_transport(
    limits: FetchLimits, allowed: AddressPolicy, exempt: Collection[Endpoint]
) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(verify=_ssl_context(), retries=0)
    # httpx has no public hook for the network backend; its pool is httpcore's
    # public AsyncConnectionPool, so we build that ourselves with our backend.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=_ssl_context(),
        max_connections=limits.concurrency,
        max_keepalive_connections=limits.concurrency,
        network_backend=GuardedBackend(allowed, exempt),
    )
    return transport


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
    """Shared async client with global and per-host concurrency limits.

    A host that times out HOST_TIMEOUTS_BEFORE_SKIPPING times in a row is not
    asked again by this fetcher (one task of a run): its other links fail at
    once, so a hanging host costs a run a couple of timeouts, not one per link.
    """

    limits: FetchLimits
    allow_private: bool = False
    policy: AddressPolicy | None = None  # overrides allow_private (tests)
    exempt: Collection[Endpoint] = ()  # (address, port) pairs reachable although not public
    _client: httpx.AsyncClient = field(init=False)
    _all: asyncio.Semaphore = field(init=False)
    _hosts: defaultdict[str, asyncio.Semaphore] = field(init=False)
    _timeouts: Counter[str] = field(init=False)
    requests: int = 0

    def __post_init__(self) -> None:
        policy = self.policy or address_policy(self.allow_private)
        self._client = httpx.AsyncClient(
            transport=_guarded_transport(self.limits, policy, self.exempt),
            follow_redirects=True,
            max_redirects=self.limits.max_redirects,
            timeout=httpx.Timeout(self.limits.timeout_seconds),
            headers={"User-Agent": self.limits.user_agent, "Accept-Encoding": "gzip, deflate"},
            trust_env=False,
        )
        self._all = asyncio.Semaphore(self.limits.concurrency)
        self._hosts = defaultdict(lambda: asyncio.Semaphore(self.limits.per_host_concurrency))
        self._timeouts = Counter()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

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
        except httpx.TooManyRedirects:
            return FetchFailure(url, "too many redirects", False)
        except httpx.UnsupportedProtocol as exc:
            return FetchFailure(url, f"refused: {exc}", False)
        except _TooLargeError as exc:
            return FetchFailure(url, str(exc), False)
        except (httpx.InvalidURL, UnicodeError) as exc:  # a host IDNA cannot encode, control characters
            return FetchFailure(url, f"refused: malformed URL ({exc})", False)
        except httpx.DecodingError as exc:
            return FetchFailure(url, f"bad content encoding: {exc}", False)
        except (httpx.HTTPError, OSError) as exc:
            # httpx re-raises our BlockedAddress as its own ConnectError.
            if isinstance(exc.__cause__, BlockedAddress):
                return FetchFailure(url, f"refused: {exc.__cause__}", False)
            return FetchFailure(url, f"{type(exc).__name__}: {exc}".rstrip(": "))

    async def _read(
        self, url: str, max_bytes: int, headers: Mapping[str, str], start: float
    ) -> Fetched:
        async with self._client.stream("GET", url, headers=dict(headers)) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _TooLargeError(f"too large: {declared} bytes declared, cap {max_bytes}")
            chunks: list[bytes] = []
            size = 0
            # aiter_bytes yields *decoded* bytes, so a gzip bomb hits the cap too.
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise _TooLargeError(f"too large: over {max_bytes} bytes")
                chunks.append(chunk)
            return Fetched(
                url=str(response.url),
                status=response.status_code,
                headers={k.lower(): v for k, v in response.headers.items()},
                body=b"".join(chunks),
                seconds=time.monotonic() - start,
            )


class _TooLargeError(Exception):
    pass
