"""A fault that only the fault-injection suite switches on: a worker that crashes or spins on a marked page.

`tests/faults/test_faults_poison.py` needs a real worker process to die on one page of a real run, as one
does on a segfault in lxml, the OOM killer or a C loop that never ends, to show that the run survives it.
The hook is off unless the environment variable FAULTKIT_POISON holds a token (it is no REGWATCH_ setting:
users have nothing to set here). With it, a page or feed summary that contains `abort:TOKEN`,
`kill:TOKEN` or `spin:TOKEN` makes the worker reading it abort (SIGABRT), SIGKILL itself (as the OOM
killer would) or spin until its CPU time runs out. A page on the internet cannot switch it on: it cannot
know a token that production never sets.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

TOKEN_VARIABLE = "FAULTKIT_POISON"
_TOKEN = os.environ.get(TOKEN_VARIABLE, "")  # read once: workers are forked from a server that imported this


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _spin() -> None:
    while True:
        pass


_FAULTS: dict[str, Callable[[], object]] = {"abort": os.abort, "kill": _kill_self, "spin": _spin}


def strike(summary: str, body: bytes | None = None) -> None:
    """Nothing, unless the suite switched the hook on and the item's summary or page carries a marker."""
    if not _TOKEN:
        return
    seen = summary.encode() + (body or b"")
    for name, fault in _FAULTS.items():
        if f"{name}:{_TOKEN}".encode() in seen:
            fault()
