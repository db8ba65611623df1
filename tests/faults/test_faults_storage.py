"""The database file locked by another process, the disk filling up, and the file damaged, under the real
`regwatch run`.

Either way the run must stop promptly with a one-line reason and a non-zero
exit, keep nothing half-written, and the next run must store everything.
A full disk is a child whose file size limit (RLIMIT_FSIZE) is 64 kB: every
write past that offset of any file fails with EFBIG, as writes fail with
ENOSPC on a full disk, so the run's first big commit (its new articles) fails.
A damaged file (what a checkpoint that runs out of room half way leaves) is
the live file cut in half by hand: the one line says how to restore the
snapshot, and following it word for word gets the runs going again.
"""

from __future__ import annotations

import resource
import shlex
import signal
import subprocess
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from flows.demo.corpus_server import CorpusServer
from tests.support import faultkit as fk
from tests.support.configs import write_config
from tests.support.httpkit import static

pytestmark = pytest.mark.faults

LOCK_TIMEOUT = 2.0  # REGWATCH_DB_LOCK_TIMEOUT_SECONDS for these runs
PROMPT = 30.0  # seconds a failed run may take: start-up, the lock timeout, no retries of it

FULL_AT = 64_000  # bytes: no file of the "full disk" run may grow past this


def site(server: CorpusServer, count: int) -> None:
    """A feed of `count` distinct stories (replacing the previous feed)."""
    server.routes["/feed"] = static(fk.rss([(f"Story {i}", server.url(f"/s/{i}.html")) for i in range(count)]))
    for i in range(count):
        server.routes[f"/s/{i}.html"] = static(fk.article(f"Story {i}", fk.filler_story(i)), "text/html")


def stored_paths(db: Path) -> set[str]:
    return set(fk.stored_articles(db))


@pytest.fixture
def env(tmp_path: Path, prefect_api_url: str) -> dict[str, str]:
    return fk.child_env(prefect_api_url, tmp_path / "prefect-home", allow_private_networks="1",
                        db_lock_timeout_seconds=str(LOCK_TIMEOUT))


def failed_with(result: subprocess.CompletedProcess[str], reason: str) -> str:
    """The one-line reason the CLI printed last, checked."""
    assert result.returncode == 1, result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("regwatch: ") and reason in last, result.stderr[-3000:]
    return last


def test_a_locked_database_fails_promptly_and_the_next_run_recovers(
    tmp_path: Path, env: dict[str, str]
) -> None:
    db = tmp_path / "rw.duckdb"
    with CorpusServer() as server:
        site(server, 3)
        config = write_config(tmp_path / "config", f"feeds:\n  - url: {server.url('/feed')}\n")
        first = fk.run_cli(config, db, env)
        assert first.returncode == 0, first.stderr
        site(server, 6)

        # Locked before the run starts: refused before Prefect is even imported.
        holder = fk.hold(db, 30)
        started = time.monotonic()
        before = fk.run_cli(config, db, env)
        holder.kill()
        holder.wait()
        assert time.monotonic() - started < PROMPT
        failed_with(before, "locked by another process")

        # Locked in the middle of the run: the analyst opens the file as the feed is being fetched.
        holders: list[subprocess.Popen[str]] = []
        feed = server.routes["/feed"]

        def lock_then_serve(request: BaseHTTPRequestHandler) -> None:
            holders.append(fk.hold(db, 30))
            feed(request)

        server.routes["/feed"] = lock_then_serve
        started = time.monotonic()
        during = fk.run_cli(config, db, env)
        seconds = time.monotonic() - started
        for holder in holders:
            holder.kill()
            holder.wait()
        assert holders, "the lock was never taken"
        last = failed_with(during, "locked by another process")
        assert seconds < PROMPT, f"{seconds:.0f}s: the lock failure was retried"
        print(f"\nlocked mid-run: failed in {seconds:.1f}s with: {last[:120]}")

        server.routes["/feed"] = feed
        after = fk.run_cli(config, db, env)
    assert after.returncode == 0, after.stderr
    assert stored_paths(db) == {f"/s/{i}.html" for i in range(6)}


def no_bigger_than(limit: int) -> Callable[[], None]:
    """preexec_fn: files may not grow past `limit` bytes, and writing past it fails instead of killing."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_fails_the_run_cleanly_and_the_next_run_recovers(tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "rw.duckdb"
    full = no_bigger_than(FULL_AT)
    with CorpusServer() as server:
        site(server, 2)
        config = write_config(tmp_path / "config", f"feeds:\n  - url: {server.url('/feed')}\n")
        assert fk.run_cli(config, db, env).returncode == 0

        # One new story: its writes fit in the WAL, but moving them into the file would not.
        site(server, 3)
        small = fk.run_cli(config, db, env, preexec=full)
        last = failed_with(small, "disk full")
        assert "nothing is lost" in last
        print(f"\ndisk full at the checkpoint: {last[:160]}")
        assert len(fk.query(db, "SELECT url FROM articles")) == 3  # opens cleanly, the story is kept

        # Forty new stories: their commit does not fit at all.
        site(server, 40)
        big = fk.run_cli(config, db, env, preexec=full)
        last = failed_with(big, "write failed")
        assert "File too large" in last or "No space left" in last
        print(f"disk full at a commit: {last[:160]}")
        assert stored_paths(db) == {f"/s/{i}.html" for i in range(3)}  # nothing half-written

        recovered = fk.run_cli(config, db, env)
    assert recovered.returncode == 0, recovered.stderr
    assert stored_paths(db) == {f"/s/{i}.html" for i in range(40)}
    assert fk.query(db, "SELECT count(*) FROM runs") == [(3,)]  # the run that failed at its commit left no row
    assert not (tmp_path / "rw.duckdb.wal").exists()  # checkpointed once there was room


def test_a_damaged_database_says_how_to_restore_it_and_the_restored_snapshot_runs_on(
    tmp_path: Path, env: dict[str, str]
) -> None:
    db = tmp_path / "rw.duckdb"
    snapshot = tmp_path / "rw.snapshot.duckdb"
    stories = "SELECT article_id, url, fetched_at FROM articles"
    with CorpusServer() as server:
        site(server, 3)
        config = write_config(tmp_path / "config", f"feeds:\n  - url: {server.url('/feed')}\n")
        assert fk.run_cli(config, db, env).returncode == 0
        in_snapshot = set(fk.query(snapshot, stories))
        assert len(in_snapshot) == 3
        with db.open("r+b") as file:  # a checkpoint that ran out of room half way
            file.truncate(db.stat().st_size // 2)

        site(server, 5)
        damaged = fk.run_cli(config, db, env)
        last = failed_with(damaged, "the database file is damaged")
        print(f"\ndamaged file: {last[:200]}")
        command = shlex.split(last.split("with: ", 1)[1])
        assert command == ["regwatch", "restore", "--db", str(db)]
        restored = fk.cli(*command[1:], env=env)
        assert restored.returncode == 0, restored.stderr
        assert restored.stdout.startswith(f"restored {db} from {snapshot} (3 articles, 1 runs")

        after = fk.run_cli(config, db, env)
    assert after.returncode == 0, after.stderr
    assert stored_paths(db) == {f"/s/{i}.html" for i in range(5)}
    assert in_snapshot <= set(fk.query(db, stories))  # the snapshot's stories, as they were stored
    assert fk.query(db, "SELECT count(*) FROM runs") == [(2,)]  # the snapshot's run and this one
    assert len(list(tmp_path.glob("rw.before-restore-*.duckdb"))) == 1  # the damaged file, kept
