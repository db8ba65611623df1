"""The extraction worker pool: a job that kills its worker fails alone, the other jobs and the pool go on.

Real worker processes, forked from the fork server the pipeline uses. Before this pool, one death broke a
ProcessPoolExecutor and failed every job in it (BrokenProcessPool), so one page failed its whole batch.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import Future

import pytest

from tasks.pipeline.workers import WorkerDiedError, WorkerPool

pytestmark = pytest.mark.slow  # real processes, a few seconds of CPU on purpose


def spin() -> None:
    while True:
        pass


def slow_pid(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def busy(seconds: float) -> float:
    """Use `seconds` of CPU; the CPU time this job used."""
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass
    return time.process_time() - start


def fail() -> None:
    raise ValueError("the job's own error")


def forkserver_pool(workers: int, cpu_seconds: int = 1) -> WorkerPool:
    return WorkerPool(workers, cpu_seconds, multiprocessing.get_context("forkserver"))


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    """One worker: each job runs in the same process as the one before, unless that process died."""
    one = forkserver_pool(1)
    yield one
    one.shutdown(wait=True, cancel_futures=True)


def died(future: Future[object]) -> str:
    with pytest.raises(WorkerDiedError) as caught:
        future.result(timeout=60)
    return str(caught.value)


def test_a_job_that_aborts_its_worker_fails_alone_and_a_new_worker_takes_its_place(pool: WorkerPool) -> None:
    before = pool.submit(os.getpid).result(timeout=60)
    assert died(pool.submit(os.abort)) == "its worker process crashed (SIGABRT)"
    after = pool.submit(os.getpid).result(timeout=60)
    assert after != before


def test_the_job_in_the_other_worker_is_not_touched_by_a_death() -> None:
    pair = forkserver_pool(2)
    try:
        neighbour = pair.submit(slow_pid, 1.0)
        time.sleep(0.3)  # the neighbour is running in one worker; the abort goes to the other
        assert "SIGABRT" in died(pair.submit(os.abort))
        survivor = neighbour.result(timeout=60)
        later = {f.result(timeout=60) for f in [pair.submit(slow_pid, 0.2) for _ in range(4)]}
        assert survivor in later and len(later) == 2  # the neighbour's worker lives on, beside a new one
    finally:
        pair.shutdown()


def test_a_job_that_spins_past_its_cpu_time_is_ended_and_the_pool_goes_on(pool: WorkerPool) -> None:
    started = time.monotonic()
    reason = died(pool.submit(spin))
    assert reason == "its worker process spent more than 1 s of CPU on it (REGWATCH_PAGE_CPU_SECONDS)"
    assert time.monotonic() - started < 30
    assert pool.submit(os.getpid).result(timeout=60) > 0


def test_a_worker_killed_by_the_oom_killer_is_named_as_such(pool: WorkerPool) -> None:
    pid = pool.submit(os.getpid).result(timeout=60)
    assert died(pool.submit(os.kill, pid, signal.SIGKILL)) == "its worker process was killed (SIGKILL: out of memory?)"


def test_cpu_time_is_counted_per_job_not_per_worker(pool: WorkerPool) -> None:
    """Short jobs in one worker that add up to more than the budget: none of them is ended for it."""
    pid = pool.submit(os.getpid).result(timeout=60)
    spent = 0.0
    while spent < 3:  # seconds of CPU in one worker, three times its per-job budget
        spent += pool.submit(busy, 0.3).result(timeout=60)
    assert pool.submit(os.getpid).result(timeout=60) == pid


def test_a_worker_that_died_between_jobs_is_replaced_without_blaming_the_next_job(pool: WorkerPool) -> None:
    pid = pool.submit(os.getpid).result(timeout=60)
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    assert pool.submit(os.getpid).result(timeout=60) != pid


def test_a_jobs_own_exception_is_its_result_not_a_death(pool: WorkerPool) -> None:
    pid = pool.submit(os.getpid).result(timeout=60)
    with pytest.raises(ValueError, match="the job's own error"):
        pool.submit(fail).result(timeout=60)
    assert pool.submit(os.getpid).result(timeout=60) == pid


def test_shutdown_cancels_queued_jobs_and_refuses_new_ones(pool: WorkerPool) -> None:
    running = pool.submit(slow_pid, 1.0)
    time.sleep(0.5)
    queued = pool.submit(os.getpid)
    pool.shutdown(wait=True, cancel_futures=True)
    assert running.result(timeout=0) > 0 and queued.cancelled()
    with pytest.raises(RuntimeError, match="shut down"):
        pool.submit(os.getpid)
