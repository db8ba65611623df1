"""New items through fetch, extraction and storage in batches: the one loop that the monitor flow (on this
machine's worker processes or on a Dask cluster) and backfill share.

A batch is started (its pages fetched and handed to extraction), and while it is under way the next one is
started, up to `in_flight` batches; then the oldest is finished (its records stored, one batch at a time)
before another starts. So the network, the extraction workers and the database work at the same time,
and memory is bounded by the batches in flight, not by the number of new items.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import TypeVar

from tasks.fetch.poll import FeedItem
from tasks.pipeline.cycle import Stored

BATCH_SIZE = 200  # items a batch: one Prefect task run and one database transaction each
BATCHES_IN_FLIGHT = 2  # while one batch is stored, the next one's pages are already with the workers
DASK_PART = 25  # pages per Dask task: 4 MB of HTML, under Dask's large-graph warning

T = TypeVar("T")
H = TypeVar("H")  # what `start` returns for a batch under way: a future, a list of futures, its records


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


async def run_batches(
    items: Sequence[FeedItem],
    start: Callable[[Sequence[FeedItem]], Awaitable[H]],
    finish: Callable[[H], Awaitable[Stored]],
    done: Callable[[int, Stored], None],
    size: int = BATCH_SIZE,
    in_flight: int = BATCHES_IN_FLIGHT,
    abandon: Callable[[H], object] = lambda handle: None,
) -> None:
    """Start batches of `size` items in order, finish them oldest first, at most `in_flight` started and not
    finished; `done(items_in_batch, stored)` after each is finished. If a batch fails, the ones still in
    flight are given to `abandon` and the error goes on: the run fails, and the next run redoes the rest."""
    pending: deque[tuple[int, H]] = deque()
    try:
        for batch in batches(items, size):
            pending.append((len(batch), await start(batch)))
            if len(pending) >= in_flight:
                count, handle = pending.popleft()
                done(count, await finish(handle))
        while pending:
            count, handle = pending.popleft()
            done(count, await finish(handle))
    finally:
        for _, handle in pending:
            abandon(handle)
