"""CPU time and peak memory of a process and all its descendants, from /proc.

A run's cost is not one process's: regwatch's extraction workers and
Prefect's server are children of the measured process. CPU is summed over the
live tree (each process's own time plus its reaped children's), so workers
that have exited count too; memory is the tree's summed proportional set size,
sampled by a background thread, and its peak is kept.
"""

from __future__ import annotations

import ctypes
import os
import resource
import threading
import time
from collections.abc import Callable
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """`pid`'s children (listed per thread); none if it exited meanwhile. A thread that ends while the list is
    read is skipped, not the whole list: the reaper would take the others' children for orphans and wait on them."""
    try:
        threads = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []
    found = []
    for thread in threads:
        try:
            found += [int(c) for c in (thread / "children").read_text().split()]
        except OSError:  # the thread ended: its children, if it had any, belong to another thread now
            continue
    return found


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children(current))
    return found


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()  # fields after "pid (comm)": state is index 0


def cpu_seconds(pid: int) -> float:
    """User + system time of the tree, reaped children included."""
    total = 0
    for member in descendants(pid):
        fields = _stat_fields(member)
        if fields:  # utime stime cutime cstime are fields 14-17, i.e. 11-14 here
            total += sum(int(f) for f in fields[11:15])
    return total / _TICK


def memory_bytes(pids: list[int]) -> int:
    """Proportional set size (PSS) summed over `pids`.

    Not RSS: extraction workers are forked from a preloaded server and share
    its pages; RSS would count every shared page once per process, PSS splits
    it between them, so the sum is what the tree really occupies."""
    total = 0
    for member in pids:
        try:
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        line = next((ln for ln in rollup.splitlines() if ln.startswith("Pss:")), None)
        total += int(line.split()[1]) * 1024 if line else 0
    return total


class PeakRss:
    """Sample the memory of `members()` every `interval` seconds while in the `with` block.

    Once a second: reading a large process's smaps_rollup costs about 2 ms, and
    sampling six processes five times a second took 6% of a core from the run
    being measured."""

    def __init__(self, members: Callable[[], list[int]], interval: float = 1.0) -> None:
        self.members, self.interval, self.peak = members, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @classmethod
    def tree(cls, pid: int, interval: float = 1.0) -> PeakRss:
        return cls(lambda: descendants(pid), interval)

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, memory_bytes(self.members()))
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> PeakRss:
        self.peak = memory_bytes(self.members())
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def become_subreaper() -> None:
    """Adopt this process's orphaned descendants instead of letting init have them.

    A `regwatch run` exits before its extraction fork server does; without
    this, the fork server and its workers are re-parented to init and their
    CPU time never reaches anyone's RUSAGE_CHILDREN."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def children_cpu() -> float:
    """User + system seconds of every child this process has reaped so far (and of the children they reaped)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reap_adopted(existing: set[int], limit: float | None = None) -> set[int]:
    """Wait for every child of this process that is not in `existing` (adopted orphans) to exit, so their
    CPU time is counted in children_cpu(); for at most `limit` seconds, if given. The ones still running."""
    done, deadline = set(existing), None if limit is None else time.monotonic() + limit
    while adopted := set(children(os.getpid())) - done:
        if deadline is not None and time.monotonic() > deadline:
            return adopted
        for pid in adopted:
            try:
                os.waitpid(pid, 0 if deadline is None else os.WNOHANG)
            except ChildProcessError:  # not ours to wait for after all (exited and reaped meanwhile)
                done.add(pid)
        if deadline is not None:
            time.sleep(0.05)
    return set()
