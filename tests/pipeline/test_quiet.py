"""The probe that tells a quiet cycle from a busy one: a local feed server and a real DuckDB file, no Prefect."""

from __future__ import annotations

import asyncio
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from flows.demo.corpus_server import CorpusServer
from tasks.common.settings import Settings, load_settings
from tasks.fetch.feeds_config import FeedsFile, load_feeds
from tasks.pipeline.quiet import probe
from tasks.store.database import Database, DatabaseLockedError
from tests.support import faultkit as fk
from tests.support.configs import write_config
from tests.support.httpkit import hang, static

FEEDS = 20


def configured(tmp_path: Path, server: CorpusServer) -> tuple[Settings, FeedsFile, Database]:
    """FEEDS feeds at /feed/0.rss... on `server`, each listing one story of its own; a database made ready."""
    listed = "".join(f"  - url: {server.url(f'/feed/{n}.rss')}\n" for n in range(FEEDS))
    config = write_config(tmp_path / "config", f"feeds:\n{listed}fetch:\n  timeout_seconds: 10\n")
    settings = load_settings(config_dir=config, db=tmp_path / "rw.duckdb", allow_private_networks=True)
    db = Database(settings.db, lock_timeout=0.5)
    db.init()
    return settings, load_feeds(config), db


def story_feed(server: CorpusServer, n: int) -> bytes:
    return fk.rss([(f"Story {n}", server.url(f"/story/{n}.html"))]).encode()


def test_the_probe_stops_at_the_first_new_story_and_records_nothing(tmp_path: Path, server: CorpusServer) -> None:
    """A cold run must not wait for (or parse) every feed before the flow starts: the first feed answers at once
    with a new story, the others would take 10 s each."""
    server.routes["/feed/0.rss"] = static(story_feed(server, 0))
    for n in range(1, FEEDS):
        server.routes[f"/feed/{n}.rss"] = hang(10)
    settings, feeds, db = configured(tmp_path, server)

    started = time.monotonic()
    polls = asyncio.run(probe(db, feeds, settings))

    assert polls is None and time.monotonic() - started < 5
    with db.read() as con:
        assert con.execute("SELECT (SELECT count(*) FROM feeds) + (SELECT count(*) FROM runs)").fetchone() == (0,)


def test_a_database_error_while_probing_stops_the_cycle_instead_of_failing_the_feed(
    tmp_path: Path, server: CorpusServer
) -> None:
    """The new-story lookup runs inside the poll's parser, whose errors the poll records as the feed's; a locked
    database there must end the cycle in one line, as in the flow, not pass for a broken feed and a quiet cycle."""
    holders = []
    body = story_feed(server, 0)

    def lock_then_serve(request: BaseHTTPRequestHandler) -> None:
        holders.append(fk.hold(db.path, 10))  # an analyst opens the file as the feed is fetched
        static(body)(request)

    server.routes["/feed/0.rss"] = lock_then_serve
    for n in range(1, FEEDS):
        server.routes[f"/feed/{n}.rss"] = hang(10)
    settings, feeds, db = configured(tmp_path, server)
    try:
        with pytest.raises(DatabaseLockedError, match="locked by another process"):
            asyncio.run(probe(db, feeds, settings))
    finally:
        for holder in holders:
            holder.kill()
            holder.wait()
    assert holders
