"""bench.proctree's view of a process's children while its threads come and go (HTTP servers' request threads)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from bench.proctree import children


def test_children_are_listed_while_threads_start_and_end() -> None:
    """A thread that ends while its siblings' child lists are read must not hide the others' children: the
    benchmark's reaper then waited forever for the Prefect server it took for an orphan."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            worker = threading.Thread(target=lambda: None)
            worker.start()
            worker.join()

    churners = [threading.Thread(target=churn) for _ in range(4)]
    for thread in churners:
        thread.start()
    try:
        missed = sum(child.pid not in children(os.getpid()) for _ in range(3000))
    finally:
        stop.set()
        for thread in churners:
            thread.join()
        child.kill()
        child.wait()
    assert missed == 0
