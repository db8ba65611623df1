"""`ADDRESS:PORT` pairs: the private endpoints a deployment lets fetches reach (a LAN feed proxy).

Parsed here, below both the settings that read them and the HTTP guard that enforces them.
"""

from __future__ import annotations

import ipaddress

Endpoint = tuple[str, int]  # (normalised IP address, port)


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


def format_endpoint(address: str, port: int) -> str:
    """The ADDRESS:PORT spelling `parse_endpoint` reads back: an IPv6 address in brackets."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
