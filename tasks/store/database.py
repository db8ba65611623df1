"""The DuckDB file: schema, short transactions, retry while another process holds it.

DuckDB lets one process write a file at a time. We therefore never hold the
file for a whole run: each stage opens it, does its work in one transaction,
and closes it. When another process has it open (an analyst's shell, an
overlapping run) we retry with backoff for `lock_timeout` seconds and then fail
with a one-line reason; nothing is half-written because every write is one
transaction.

A full disk must not corrupt the file. DuckDB's checkpoint (which moves the
write-ahead log into the file, in place) leaves a corrupt file when a write
fails half way (duckdb/duckdb#9667; reproduced by tests/faults/test_faults_storage.py),
whereas a commit that fails to append to the WAL leaves everything as it
was. So writers never checkpoint by themselves (not at a size threshold, not
on close): `checkpoint()` does, once per run, and only when the disk (and the
process's file size limit) has room for it.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from tasks.common.errors import DatabaseError
from tasks.common.settings import Settings
from tasks.store.near_dupes import SCHEMA as NEAR_DUPES_SCHEMA

SCHEMA_VERSION = 3

# Writers' connections: no automatic checkpoint, whatever the WAL's size or a commit's (see above).
NO_AUTOMATIC_CHECKPOINT: dict[str, str | bool | int | float | list[str]] = {
    "checkpoint_threshold": "1000TB", "auto_checkpoint_skip_wal_threshold": 1 << 62,
}
CHECKPOINT_HEADROOM = 64 * 1024 * 1024  # bytes free, beyond twice the WAL, before a checkpoint may start
CHECKPOINT_WAL_SIZE = 16 * 1024 * 1024  # a write checkpoints (if there is room) once the WAL is this big

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

-- One row per configured feed: conditional-GET state and health.
CREATE TABLE IF NOT EXISTS feeds (
    feed_id VARCHAR PRIMARY KEY,
    url VARCHAR NOT NULL,
    name VARCHAR,
    etag VARCHAR,
    last_modified VARCHAR,
    last_polled_at TIMESTAMPTZ,
    last_success_at TIMESTAMPTZ,
    last_status VARCHAR,            -- ok | not_modified | error
    last_error VARCHAR,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    items_last_poll INTEGER,
    items_seen BIGINT NOT NULL DEFAULT 0,      -- feed entries read, all polls
    articles_added BIGINT NOT NULL DEFAULT 0   -- new articles this feed brought
);

-- One row per distinct story (exact duplicates folded in through article_keys).
CREATE TABLE IF NOT EXISTS articles (
    article_id VARCHAR PRIMARY KEY,
    url VARCHAR NOT NULL,            -- canonical URL
    feed_id VARCHAR,                 -- feed that brought it first
    guid VARCHAR,
    title VARCHAR,
    author VARCHAR,
    published_at TIMESTAMPTZ,
    language VARCHAR,                -- en | zh | other
    site VARCHAR,
    text VARCHAR,
    extraction VARCHAR NOT NULL,     -- trafilatura | feed_summary
    fetch_error VARCHAR,             -- why the page itself could not be used, if so
    content_hash VARCHAR,
    fetched_at TIMESTAMPTZ NOT NULL,
    relevant BOOLEAN
);

-- Every key that identifies a stored story: url:..., guid:..., hash:...
CREATE TABLE IF NOT EXISTS article_keys (
    key VARCHAR PRIMARY KEY,
    article_id VARCHAR NOT NULL
);

-- Every feed entry that pointed at a stored story (syndication, other feeds).
CREATE TABLE IF NOT EXISTS sightings (
    article_id VARCHAR NOT NULL,
    feed_id VARCHAR NOT NULL,
    link VARCHAR NOT NULL,
    seen_at TIMESTAMPTZ NOT NULL
);

-- Tracked companies found in an article, with the text that matched.
CREATE TABLE IF NOT EXISTS article_companies (
    article_id VARCHAR NOT NULL,
    company_id VARCHAR NOT NULL,
    company VARCHAR NOT NULL,
    surface VARCHAR NOT NULL,
    start_pos INTEGER NOT NULL,
    end_pos INTEGER NOT NULL
);

-- Regulatory events extracted from articles.
CREATE TABLE IF NOT EXISTS events (
    event_id VARCHAR PRIMARY KEY,
    article_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    companies VARCHAR[],              -- canonical names, or names as written for untracked companies
    company_ids VARCHAR[],            -- ids of the tracked ones
    regulator VARCHAR,
    regulator_text VARCHAR,
    amount DOUBLE,
    currency VARCHAR,
    amount_text VARCHAR,
    amount_cny DOUBLE,
    amount_usd DOUBLE,
    direction VARCHAR,
    sector VARCHAR,
    reason VARCHAR,
    evidence VARCHAR,
    published_at TIMESTAMPTZ,
    cluster_id VARCHAR                -- the real-world action (event_clusters); NULL until clustered
);

-- One row per real-world action, however many stories report it.
CREATE TABLE IF NOT EXISTS event_clusters (
    cluster_id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    company_keys VARCHAR[] NOT NULL,  -- tracked ids, or lower-cased names of untracked companies
    regulator VARCHAR,
    amount_usd DOUBLE,
    document VARCHAR,                 -- the policy document's name, when one is cited
    first_published TIMESTAMPTZ NOT NULL,
    last_published TIMESTAMPTZ NOT NULL,
    primary_event_id VARCHAR NOT NULL
);

-- Outbox of Slack alerts.
CREATE TABLE IF NOT EXISTS alerts (
    alert_id VARCHAR PRIMARY KEY,
    cluster_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,            -- the event kind
    purpose VARCHAR NOT NULL,         -- new (top-level message) | update (thread reply: more outlets)
    parent_alert_id VARCHAR,          -- for updates: the alert they reply to
    status VARCHAR NOT NULL,          -- pending | sending | sent | shown (on the console, owed to Slack) | failed
                                      -- | suppressed
    created_at TIMESTAMPTZ NOT NULL,
    not_before TIMESTAMPTZ,           -- Slack asked us to wait (429 Retry-After)
    sent_at TIMESTAMPTZ,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error VARCHAR,
    channel VARCHAR,
    text VARCHAR,                     -- the notification text as sent
    sources JSON,                     -- URLs included when sent (updates add only newer ones)
    slack_ts VARCHAR,
    attempted_at TIMESTAMPTZ,         -- when the last attempt started: where to look in Slack after a crash
    channel_id VARCHAR                -- the Slack channel ID it went to (channel may be a name)
);

-- One row per monitoring cycle.
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    feeds_polled INTEGER,
    feeds_failed INTEGER,
    items_seen INTEGER,
    pages_fetched INTEGER,
    articles_added INTEGER,
    duplicates INTEGER
);
"""

# What upgrades a file of schema version N-1 to N, run once, in the transaction that creates missing tables.
MIGRATIONS = {
    # Version 1 counted an alert printed on the console as sent (slack_ts 'console-N'), so Slack never got it:
    # it is shown, and owed to Slack.
    2: """UPDATE alerts SET status = 'shown', slack_ts = NULL, sent_at = NULL
          WHERE status = 'sent' AND slack_ts LIKE 'console-%'""",
    # An alert a crash left `sending` is looked up in Slack before it is sent again: around its last attempt, in
    # its channel, by ID.
    3: """ALTER TABLE alerts ADD COLUMN IF NOT EXISTS attempted_at TIMESTAMPTZ;
          ALTER TABLE alerts ADD COLUMN IF NOT EXISTS channel_id VARCHAR""",
}

# Stable views for analysts: their columns only ever grow.
VIEWS = """
-- One row per real-world action, with its best evidence and how many stories reported it.
CREATE OR REPLACE VIEW recent_events AS
SELECT c.cluster_id, c.kind, e.companies, c.regulator, e.amount, e.currency, e.amount_text, e.amount_cny,
       e.amount_usd, e.direction, c.first_published AS published_at, a.title, a.url, e.evidence,
       (SELECT count(DISTINCT e2.article_id) FROM events e2 WHERE e2.cluster_id = c.cluster_id) AS stories,
       (SELECT list(DISTINCT a2.url) FROM events e2 JOIN articles a2 USING (article_id)
         WHERE e2.cluster_id = c.cluster_id) AS sources
FROM event_clusters c
JOIN events e ON e.event_id = c.primary_event_id
JOIN articles a ON a.article_id = e.article_id
ORDER BY c.first_published DESC;

-- Fines per company and month, each real fine counted once however many outlets reported it.
CREATE OR REPLACE VIEW fines_by_company AS
SELECT company, date_trunc('month', published_at) AS month, count(*) AS fines,
       sum(amount_cny) AS total_cny, sum(amount_usd) AS total_usd, max(amount_usd) AS largest_usd
FROM (SELECT unnest(companies) AS company, published_at, amount_cny, amount_usd
      FROM recent_events WHERE kind = 'fine')
GROUP BY ALL ORDER BY month DESC, total_usd DESC NULLS LAST;

-- Feed health, failing feeds first.
CREATE OR REPLACE VIEW feed_health AS
SELECT COALESCE(name, url) AS feed, last_status, last_success_at, last_polled_at, consecutive_failures,
       items_seen, articles_added, last_error
FROM feeds ORDER BY consecutive_failures DESC, feed;
"""


def insert_rows(con: duckdb.DuckDBPyConnection, head: str, rows: Sequence[Sequence[object]], tail: str = "") -> None:
    """Run ``{head} SELECT unnest(?), unnest(?), ... {tail}`` with one list parameter per column.

    DuckDB's `executemany` runs the statement once per row (200 articles: 0.5 s);
    a multi-row VALUES statement binds every cell as a parameter (0.26 ms an
    article); a list per column is converted in one go (0.06 ms an article).
    `tail` may name the columns, as in ``) v(a, b) WHERE ...`` after a `head`
    ending in ``FROM (``.
    """
    if not rows:
        return
    columns = [list(column) for column in zip(*rows, strict=True)]
    con.execute(f"{head} SELECT {', '.join(['unnest(?)'] * len(columns))} {tail}", columns)


def _file_size_limit() -> float:
    """RLIMIT_FSIZE: a process may not write past this offset of any file (ulimit -f)."""
    try:
        import resource
    except ImportError:  # Windows has no such limit
        return math.inf
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    return math.inf if limit == resource.RLIM_INFINITY else float(limit)


@dataclass
class Database:
    """Path to the DuckDB file plus how long to wait for a lock."""

    path: Path
    lock_timeout: float = 60.0
    _held: duckdb.DuckDBPyConnection | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def for_settings(cls, settings: Settings) -> Database:
        """The file a run's settings name, with the run's lock timeout."""
        return cls(settings.db, lock_timeout=settings.db_lock_timeout_seconds)

    @contextlib.contextmanager
    def held(self) -> Iterator[Database]:
        """Keep the file open through the block; every connection inside it is a cursor on that one.

        Opening the file replays its WAL, which grows through a run (checkpoints are
        ours to schedule), so opening it per batch stored cost more with every batch:
        a second of a 2 000-article run went to reopening. Other processes cannot
        take the lock until the block ends; analysts read the snapshot.
        """
        if self._held is not None:
            yield self
            return
        self._held = self._open(read_only=False)
        try:
            yield self
        finally:
            held, self._held = self._held, None
            held.close()

    def require_existing(self) -> None:
        """Fail in one line when there is no file to read: commands that only read check before starting Prefect."""
        if not self.path.exists():
            raise DatabaseError(f"{self.path}: no database yet (run `regwatch run` first)")

    def _open(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        if self._held is not None:
            return self._held.cursor()
        if read_only:
            self.require_existing()
        if not read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"{self.path}: cannot create directory: {exc}") from None
        delay = 0.05
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                if read_only:
                    return duckdb.connect(str(self.path), read_only=True)
                con = duckdb.connect(str(self.path), config=NO_AUTOMATIC_CHECKPOINT)
                con.execute("PRAGMA disable_checkpoint_on_shutdown")
                return con
            except duckdb.IOException as exc:
                message = str(exc)
                locked = "lock" in message.lower()
                if not locked or time.monotonic() >= deadline:
                    what = "locked by another process" if locked else "cannot be opened"
                    first = message.splitlines()[0]
                    raise DatabaseError(f"{self.path}: {what}: {first}") from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
            except duckdb.Error as exc:
                raise DatabaseError(f"{self.path}: cannot be opened: {exc}") from None

    @contextlib.contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction; rolled back entirely if anything inside fails."""
        with self.session() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
                con.execute("COMMIT")
                self._checkpoint(con, only_if_room=True, wal_over=CHECKPOINT_WAL_SIZE)
            except BaseException:
                with contextlib.suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def session(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One writable connection for a stage that commits many small steps.

        Each statement outside an explicit transaction commits on its own, so a
        step is durable as soon as it returns, without paying for opening the
        file per step (about 10 ms each: the alert outbox's commits per alert).
        """
        con = self._open(read_only=False)
        try:
            yield con
        except (duckdb.IOException, duckdb.TransactionException, duckdb.FatalException) as exc:
            # A full disk shows up at COMMIT, as DuckDB's TransactionException ("Could not
            # write file ...: No space left on device"); nothing of the transaction is kept.
            raise DatabaseError(f"{self.path}: write failed: {str(exc).splitlines()[0]}") from None
        finally:
            con.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._open(read_only=True)
        try:
            yield con
        finally:
            con.close()

    @property
    def snapshot_path(self) -> Path:
        """The read-only copy analysts open: `regwatch.duckdb` -> `regwatch.snapshot.duckdb`."""
        return self.path.with_name(f"{self.path.stem}.snapshot{self.path.suffix or '.duckdb'}")

    def refresh_snapshot(self) -> Path:
        """Copy the database into the snapshot file atomically (written aside, then renamed).

        Analysts and `regwatch query` open the snapshot, never the live file, so
        they never hold the writer's lock; an open snapshot keeps its old copy
        until it is reopened.
        """
        target = self.snapshot_path
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        con = self._open(read_only=False)
        try:
            self._checkpoint(con)
            name = con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
            con.execute(f"ATTACH '{partial}' AS regwatch_snapshot")
            con.execute(f'COPY FROM DATABASE "{name}" TO regwatch_snapshot')
            con.execute("CHECKPOINT regwatch_snapshot")  # into the file itself: writers skip the one on detach
            con.execute("DETACH regwatch_snapshot")
        except duckdb.Error as exc:
            raise DatabaseError(f"{target}: snapshot failed: {str(exc).splitlines()[0]}") from None
        finally:
            con.close()
        os.replace(partial, target)
        return target

    @property
    def wal_path(self) -> Path:
        return self.path.with_name(self.path.name + ".wal")

    def headroom(self) -> float:
        """Bytes the file may still grow by: free disk space, within the process's file size limit."""
        return min(shutil.disk_usage(self.path.parent).free, _file_size_limit() - self.path.stat().st_size)

    def _checkpoint(self, con: duckdb.DuckDBPyConnection, only_if_room: bool = False, wal_over: int = 0) -> None:
        """Move the WAL into the file if there is room to do it safely; otherwise keep the WAL and
        raise (or, `only_if_room`, leave it for later: a long backfill must not replay a huge WAL)."""
        wal = self.wal_path.stat().st_size if self.wal_path.exists() else 0
        if wal <= wal_over:
            return
        needed = 2 * wal + CHECKPOINT_HEADROOM
        room = self.headroom()
        if room < needed:
            if only_if_room:
                return
            raise DatabaseError(
                f"{self.path}: disk full: {max(room, 0) / 1e6:.1f} MB free, a checkpoint needs "
                f"{needed / 1e6:.0f} MB; nothing is lost (the run's writes are in {self.wal_path.name}), "
                "free some space and run again"
            )
        try:
            con.execute("CHECKPOINT")
        except duckdb.Error as exc:
            raise DatabaseError(f"{self.path}: checkpoint failed: {str(exc).splitlines()[0]}") from None

    def reader(self) -> Database:
        """Where reads should go: the snapshot when there is one, else the live file."""
        return Database(self.snapshot_path, self.lock_timeout) if self.snapshot_path.exists() else self

    def init(self) -> None:
        """Create tables and views if missing, upgrade a file of an older version; refuse one from a newer regwatch."""
        with self.write() as con:
            con.execute(SCHEMA)
            con.execute(NEAR_DUPES_SCHEMA)
            con.execute(VIEWS)
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
                return
            version = int(row[0])
            if version > SCHEMA_VERSION:
                raise DatabaseError(
                    f"{self.path}: schema version {row[0]} is newer than this regwatch ({SCHEMA_VERSION})"
                )
            for step in range(version + 1, SCHEMA_VERSION + 1):
                con.execute(MIGRATIONS[step])
            if version < SCHEMA_VERSION:
                con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
