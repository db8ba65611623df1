"""The one batch loop of the monitor flow (both runners) and backfill: order, overlap, bounds, failure."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence

import pytest

from tasks.fetch.poll import FeedItem
from tasks.pipeline.batch_loop import batches, run_batches
from tasks.pipeline.cycle import CycleStats, Stored

ITEMS = [FeedItem("wire", f"https://wire.example/{i}", f"https://wire.example/{i}", None, "", "", None)
         for i in range(450)]


class Recorder:
    """start/finish for run_batches that log what happens, so a test can check the order."""

    def __init__(self, fail_finishing: int | None = None) -> None:
        self.log: list[str] = []
        self.abandoned: list[int] = []
        self.fail_finishing = fail_finishing
        self.started = 0

    async def start(self, batch: Sequence[FeedItem]) -> int:
        self.started += 1
        self.log.append(f"start {self.started}")
        await asyncio.sleep(0)
        return self.started

    async def finish(self, number: int) -> Stored:
        if number == self.fail_finishing:
            raise RuntimeError(f"batch {number} failed")
        self.log.append(f"finish {number}")
        return Stored(added=number, duplicates=0, near_duplicates=0, added_per_feed=Counter(), page_errors=[])


def test_batches_cut_in_order_with_a_short_last_one() -> None:
    assert [len(b) for b in batches(ITEMS, 200)] == [200, 200, 50]
    assert [b[0] for b in batches(ITEMS, 200)] == [ITEMS[0], ITEMS[200], ITEMS[400]]
    assert list(batches([], 200)) == []


def test_two_in_flight_overlap_and_finish_oldest_first() -> None:
    recorder, done = Recorder(), []
    asyncio.run(run_batches(ITEMS, recorder.start, recorder.finish, lambda n, s: done.append((n, s.added)),
                            size=200, in_flight=2))
    assert recorder.log == ["start 1", "start 2", "finish 1", "start 3", "finish 2", "finish 3"]
    assert done == [(200, 1), (200, 2), (50, 3)]


def test_one_in_flight_finishes_each_batch_before_the_next_starts() -> None:
    recorder = Recorder()
    asyncio.run(run_batches(ITEMS, recorder.start, recorder.finish, lambda n, s: None, size=200, in_flight=1))
    assert recorder.log == ["start 1", "finish 1", "start 2", "finish 2", "start 3", "finish 3"]


def test_a_failed_batch_stops_the_loop_and_abandons_the_ones_in_flight() -> None:
    recorder, done = Recorder(fail_finishing=1), []
    with pytest.raises(RuntimeError, match="batch 1 failed"):
        asyncio.run(run_batches(ITEMS, recorder.start, recorder.finish, lambda n, s: done.append(n),
                                size=100, in_flight=2, abandon=recorder.abandoned.append))
    assert recorder.log == ["start 1", "start 2"]  # nothing started after the failure
    assert recorder.abandoned == [2] and done == []


def test_cycle_stats_count_each_finished_batch() -> None:
    stats = CycleStats()
    recorder = Recorder()
    asyncio.run(run_batches(ITEMS, recorder.start, recorder.finish, stats.add_batch, size=200))
    assert (stats.pages_fetched, stats.articles_added) == (450, 1 + 2 + 3)
