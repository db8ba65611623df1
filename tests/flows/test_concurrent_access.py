"""An analyst's process and the scheduled writer, as two real processes on one database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.demo.corpus_server import CorpusServer
from flows.monitor import monitor
from tasks.store.database import Database
from tasks.store.queries import run_query
from tests.support.configs import write_config
from tests.support.faultkit import hold
from tests.support.feeds_samples import RSS2
from tests.support.httpkit import static

pytestmark = pytest.mark.usefixtures("prefect_harness")

SECOND = RSS2.replace("<item><title>Second</title>", "<item><title>Third</title><link>https://wire.example/c</link>"
                      "</item><item><title>Second</title>")


def run(config: Path, db: Path) -> dict[str, object]:
    return asyncio.run(monitor(config_dir=str(config), db=str(db), allow_private_networks=True))


@pytest.fixture
def stored(tmp_path: Path) -> Iterator[tuple[CorpusServer, Path, Path]]:
    """A database after one run, and the feed server whose next poll brings one new story."""
    db = tmp_path / "rw.duckdb"
    with CorpusServer() as server:
        server.routes["/rss"] = static(RSS2)
        config = write_config(tmp_path / "config", f"feeds:\n  - url: {server.url('/rss')}\nfetch:\n"
                                                   "  timeout_seconds: 2\n")
        run(config, db)
        server.routes["/rss"] = static(SECOND)
        yield server, config, db


def test_analyst_on_the_snapshot_never_blocks_the_writer(stored: tuple[CorpusServer, Path, Path]) -> None:
    _, config, db = stored
    analyst = hold(Database(db).snapshot_path, 6)
    started = time.monotonic()
    result = run(config, db)
    took = time.monotonic() - started
    out, _ = analyst.communicate(timeout=30)
    assert result["articles_added"] == 1 and took < 6  # did not wait for the analyst
    assert analyst.returncode == 0 and out.strip() == "2"  # the analyst kept a consistent view
    assert run_query(db, "SELECT count(*) FROM articles")[1] == [(3,)]  # the next look sees the new story


def test_writer_waits_for_a_brief_lock_on_the_live_file(stored: tuple[CorpusServer, Path, Path]) -> None:
    _, config, db = stored
    locker = hold(db, 2)  # someone opened the live file directly, for two seconds
    result = run(config, db)
    locker.communicate(timeout=30)
    assert locker.returncode == 0
    assert result["articles_added"] == 1


def test_a_held_database_is_opened_once_for_the_block_and_released_after(tmp_path: Path) -> None:
    """What the run does around its batches: one open of the file, every stage a cursor on it."""
    db = Database(tmp_path / "held.duckdb")
    db.init()
    with db.held():
        with db.write() as con:
            con.execute("INSERT INTO meta VALUES ('probe', '1')")
        with db.read() as con:  # a read inside the block sees the write without reopening
            assert con.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone() == ("1",)
        shut_out = hold(db.path, 0)
        shut_out.communicate(timeout=30)
        assert shut_out.returncode != 0  # the file stays ours for the whole block
    after = hold(db.path, 0)
    after.communicate(timeout=30)
    assert after.returncode == 0  # released
    assert run_query(db.path, "SELECT value FROM meta WHERE key = 'probe'")[1] == [("1",)]  # and committed
