"""Worker processes that know which job each one holds, so that a job that kills its worker fails alone.

concurrent.futures' ProcessPoolExecutor cannot tell which job killed a worker: one death breaks the whole
pool and fails every job in it (BrokenProcessPool). A single page that crashed lxml, drew the OOM killer
or spun in C code therefore failed its whole batch, and the batch failed again on every later run. Here
each worker process is driven by a thread of its own and is given one job at a time, so a death is the
fault of exactly the job it held: that job fails with `WorkerDiedError`, a fresh process takes the dead one's
place at the next job, and the other jobs go on.

A job may use `cpu_seconds` of CPU (RLIMIT_CPU, moved forward in the worker before each job). Past that
the kernel sends SIGXCPU, which nothing handles, so the worker ends even inside a C loop that never
returns to Python, and the job fails like any other death.
"""

from __future__ import annotations

import math
import queue
import resource
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

CPU_SETTING = "REGWATCH_PAGE_CPU_SECONDS"
STOP_SECONDS = 10.0  # a worker told to stop that has not exited by then is killed


class WorkerDiedError(Exception):
    """The worker process running a job died or ran out of its CPU time: the job it held is the suspect."""


@dataclass
class _Job:
    future: Future[Any]
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class WorkerPool(Executor):
    """Up to `workers` processes from `context`, started as jobs arrive (no job, no process), one job each at a time.

    An Executor, so `loop.run_in_executor` and feed parsing use it as they used a ProcessPoolExecutor."""

    def __init__(self, workers: int, cpu_seconds: int, context: BaseContext) -> None:
        self._workers, self._cpu_seconds, self._context = workers, cpu_seconds, context
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._drivers: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        future: Future[R] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a worker pool that was shut down")
            self._jobs.put(_Job(future, fn, args, kwargs))
            if len(self._drivers) < self._workers:
                driver = threading.Thread(target=self._drive, name=f"worker-{len(self._drivers)}", daemon=True)
                driver.start()
                self._drivers.append(driver)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking jobs; each worker finishes the job it holds, then exits (`wait`: wait for that)."""
        with self._lock:
            self._closed = True
        if cancel_futures:
            while True:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is not None:
                    job.future.cancel()
        for _ in self._drivers:
            self._jobs.put(None)
        if wait:
            for driver in self._drivers:
                driver.join()

    def _drive(self) -> None:
        """One worker slot: take the next job, run it in this slot's process, until told to stop."""
        worker = _Worker(self._context, self._cpu_seconds)
        try:
            while (job := self._jobs.get()) is not None:
                if job.future.set_running_or_notify_cancel():
                    worker.run(job)
        finally:
            worker.stop()


class _Worker:
    """One process at a time and the pipe to it; a new process after a death, at the next job."""

    def __init__(self, context: BaseContext, cpu_seconds: int) -> None:
        self._context, self._cpu_seconds = context, cpu_seconds
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    def run(self, job: _Job) -> None:
        try:
            ok, value = self._call(job)
        except Exception as exc:  # WorkerDiedError, or the job or its reply would not pickle
            job.future.set_exception(exc)
            return
        if ok:
            job.future.set_result(value)
        else:
            job.future.set_exception(value)

    def _call(self, job: _Job) -> tuple[bool, Any]:
        if self._process is None or not self._process.is_alive():  # died between jobs: nobody to blame, replace it
            self._start()
        assert self._conn is not None
        try:
            self._conn.send((job.fn, job.args, job.kwargs))
            reply: tuple[bool, Any] = self._conn.recv()
        except (EOFError, OSError):  # the pipe closed: the process is gone
            raise WorkerDiedError(how_it_ended(self._reap(), self._cpu_seconds)) from None
        return reply

    def _start(self) -> None:
        self._close()
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=serve, args=(theirs, self._cpu_seconds), daemon=True)  # type: ignore[attr-defined]
        process.start()
        theirs.close()
        self._process, self._conn = process, ours

    def stop(self) -> None:
        if self._conn is not None:
            with suppress(OSError):  # already dead
                self._conn.send(None)
        self._reap()

    def _reap(self) -> int | None:
        """Wait for the process to end (killed if it lingers: it cannot be trusted with a job); its exit code."""
        code = None
        if self._process is not None:
            self._process.join(STOP_SECONDS)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            code = self._process.exitcode
        self._close()
        return code

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None


def how_it_ended(exitcode: int | None, cpu_seconds: int) -> str:
    """A worker's end in words: its CPU time ran out, a signal killed it (SIGKILL is most often the OOM killer)."""
    if exitcode == -signal.SIGXCPU:
        return f"its worker process spent more than {cpu_seconds} s of CPU on it ({CPU_SETTING})"
    if exitcode == -signal.SIGKILL:
        return "its worker process was killed (SIGKILL: out of memory?)"
    if exitcode is not None and exitcode < 0:
        return f"its worker process crashed ({signal.Signals(-exitcode).name})"
    return f"its worker process exited (status {exitcode})"


def serve(conn: Connection, cpu_seconds: int) -> None:
    """The worker process: run each job it is sent, reply with (True, result) or (False, exception), until told
    to stop or the parent is gone. Ctrl-C is the parent's to handle: a worker it interrupted would look like
    a worker its page killed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        fn, args, kwargs = job
        allow_cpu(cpu_seconds)
        try:
            reply = (True, fn(*args, **kwargs))
        except Exception as exc:
            reply = (False, exc)
        conn.send(reply)


def allow_cpu(seconds: int) -> None:
    """Let this process use `seconds` more of CPU: past that the kernel sends SIGXCPU, which ends it."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    limit = math.ceil(usage.ru_utime + usage.ru_stime) + seconds
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
