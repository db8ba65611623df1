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

The schema is a list of numbered steps (tasks/store/migrations.py). `init()`, on
every run, applies those a file lacks, after copying the file beside itself, and
refuses a file from a newer regwatch. A file DuckDB cannot read (cut short, a
block overwritten: a checkpoint that ran out of room half way) is reported in
one line that says how to restore the snapshot (`regwatch restore`).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from tasks.common.errors import DatabaseError
from tasks.common.settings import Settings
from tasks.store.migrations import LATEST, MIGRATIONS, recorded_version, upgrade

logger = logging.getLogger(__name__)

# Writers' connections: no automatic checkpoint, whatever the WAL's size or a commit's (see above).
NO_AUTOMATIC_CHECKPOINT: dict[str, str | bool | int | float | list[str]] = {
    "checkpoint_threshold": "1000TB", "auto_checkpoint_skip_wal_threshold": 1 << 62,
}
CHECKPOINT_HEADROOM = 64 * 1024 * 1024  # bytes free, beyond twice the WAL, before a checkpoint may start
CHECKPOINT_WAL_SIZE = 16 * 1024 * 1024  # a write checkpoints (if there is room) once the WAL is this big

# What DuckDB says of a file it cannot read: cut short, a block whose checksum fails, a WAL that belongs to
# another file (or is itself damaged). "Not a database" too, when regwatch has had a database there: a snapshot
# was made of it (without one, it may be a wrong --db, which is no reason to restore anything).
DAMAGE_SIGNS = (
    "Could not read enough bytes", "Corrupt database file", "WAL does not match database file",
    "Failure while replaying WAL",
)
NOT_A_DATABASE = "not a valid DuckDB database file"
WRITE_FAILURES = (duckdb.IOException, duckdb.TransactionException, duckdb.FatalException)
FILE_HEADERS = 3 * 4096  # DuckDB's file header and its two alternating database headers, before the blocks

# How many of a feed's latest stories `feed_text_share` counts by how they were read.
RECENT_STORIES = 50

# How each feed's last RECENT_STORIES stored stories were read: in full from the page, from the feed's summary
# (the page gave no text, or killed its worker), or from the headline only (an aggregator link that names no
# publisher page). `text` flags a feed whose stories are mostly not full text. A query of its own as well as a
# view, for files whose views are not made yet (a read-only command on a file an older regwatch wrote).
FEED_TEXT_SHARE = f"""
(WITH recent AS (
    SELECT feed_id, extraction,
           row_number() OVER (PARTITION BY feed_id ORDER BY fetched_at DESC, article_id) AS n
    FROM articles WHERE feed_id IS NOT NULL
), counted AS (
    SELECT feed_id,
           count(*) FILTER (WHERE extraction = 'trafilatura') AS full_text,
           count(*) FILTER (WHERE extraction IN ('feed_summary', 'quarantined')) AS from_summary,
           count(*) FILTER (WHERE extraction = 'headline_only') AS headline_only
    FROM recent WHERE n <= {RECENT_STORIES} GROUP BY feed_id
)
SELECT feed_id, full_text, from_summary, headline_only,
       CASE WHEN 2 * full_text >= full_text + from_summary + headline_only THEN 'full text'
            WHEN headline_only >= from_summary THEN 'mostly headlines'
            ELSE 'mostly summaries' END AS text
FROM counted)"""

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

-- How each feed's last RECENT_STORIES stored stories were read: in full, from the feed's summary, headline only.
CREATE OR REPLACE VIEW feed_text_share AS FEED_TEXT_SHARE;

-- Feed health, failing feeds first; `text` and the counts after it: feed_text_share.
CREATE OR REPLACE VIEW feed_health AS
SELECT COALESCE(f.name, f.url) AS feed, f.last_status, f.last_success_at, f.last_polled_at, f.consecutive_failures,
       f.items_seen, f.articles_added, f.last_error, COALESCE(s.text, 'no stories of its own') AS text,
       COALESCE(s.full_text, 0) AS full_text, COALESCE(s.from_summary, 0) AS from_summary,
       COALESCE(s.headline_only, 0) AS headline_only
FROM feeds f LEFT JOIN feed_text_share s USING (feed_id)
ORDER BY f.consecutive_failures DESC, feed;

-- Reference data, not observations: the known major actions since 2020 (config/enforcement_history.yaml),
-- refilled from the file by every run (tasks/store/history.py), so no migration step ever moves it.
CREATE TABLE IF NOT EXISTS reference_events (
    reference_id INTEGER PRIMARY KEY,  -- position in the file
    date DATE NOT NULL,
    kind VARCHAR NOT NULL,
    companies VARCHAR[] NOT NULL,
    regulator VARCHAR,
    amount DOUBLE,
    currency VARCHAR,
    amount_usd DOUBLE,
    direction VARCHAR,
    about VARCHAR NOT NULL,
    source VARCHAR NOT NULL
);

-- Each company's regulatory actions over time (`regwatch history`), one row per company and action: the
-- reference data and what regwatch observed. An observed action that is a known one (same kind and company,
-- within 14 days, amounts within 12%) is one row, origin 'reference, observed': tasks/store/history.py's rule.
CREATE OR REPLACE VIEW company_history AS
WITH observed AS (
    SELECT c.cluster_id, CAST(timezone('UTC', c.first_published) AS DATE) AS date, c.kind,
           COALESCE(e.companies, []) AS companies, c.regulator, e.amount, e.currency, e.amount_usd, e.direction,
           e.evidence,
           (SELECT list(DISTINCT a.url ORDER BY a.url) FROM events e2 JOIN articles a USING (article_id)
             WHERE e2.cluster_id = c.cluster_id) AS sources,
           (SELECT min(k.reference_id) FROM reference_events k
             WHERE k.kind = c.kind AND len(list_intersect(k.companies, COALESCE(e.companies, []))) > 0
               AND abs(date_diff('day', k.date, CAST(timezone('UTC', c.first_published) AS DATE))) <= 14
               AND (COALESCE(k.amount_usd, 0) = 0 OR COALESCE(e.amount_usd, 0) = 0
                    OR abs(k.amount_usd - e.amount_usd) <= 0.12 * greatest(k.amount_usd, e.amount_usd))
           ) AS reference_id
    FROM event_clusters c JOIN events e ON e.event_id = c.primary_event_id
), folded AS (
    SELECT reference_id, list(cluster_id ORDER BY date, cluster_id) AS cluster_ids,
           list_distinct(flatten(list(sources))) AS sources
    FROM observed WHERE reference_id IS NOT NULL GROUP BY reference_id
)
SELECT * FROM (
    SELECT unnest(k.companies) AS company, k.date, k.kind, k.regulator, k.amount, k.currency, k.amount_usd,
           k.direction, k.about AS evidence,
           list_concat([k.source], list_filter(COALESCE(f.sources, []), lambda s: s <> k.source)) AS sources,
           CASE WHEN f.reference_id IS NULL THEN 'reference' ELSE 'reference, observed' END AS origin,
           k.reference_id, COALESCE(f.cluster_ids, []) AS cluster_ids
    FROM reference_events k LEFT JOIN folded f USING (reference_id)
    UNION ALL
    SELECT unnest(companies), date, kind, regulator, amount, currency, amount_usd, direction, evidence, sources,
           'observed', NULL, [cluster_id]
    FROM observed WHERE reference_id IS NULL
) ORDER BY company, date, kind;
""".replace("RECENT_STORIES", str(RECENT_STORIES)).replace("FEED_TEXT_SHARE", FEED_TEXT_SHARE)


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


class DatabaseLockedError(DatabaseError):
    """Another process has the file open (a run, `regwatch serve`, an analyst's shell)."""


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
                con = self._connect(read_only)
                break
            except duckdb.Error as exc:
                first = str(exc).splitlines()[0]
                locked = isinstance(exc, duckdb.IOException) and "lock" in first.lower() and not self._damaged(first)
                if not locked:
                    raise self._error(exc, "cannot be opened") from None
                if time.monotonic() >= deadline:
                    raise DatabaseLockedError(f"{self.path}: locked by another process: {first}") from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        try:
            self._check_length(con)
        except DatabaseError:
            con.close()
            raise
        return con

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        if read_only:
            return duckdb.connect(str(self.path), read_only=True)
        con = duckdb.connect(str(self.path), config=NO_AUTOMATIC_CHECKPOINT)
        con.execute("PRAGMA disable_checkpoint_on_shutdown")
        return con

    def _check_length(self, con: duckdb.DuckDBPyConnection) -> None:
        """Fail on a file too short to hold the blocks in use: one cut short (a copy, or a checkpoint, that
        stopped half way) still opens, since DuckDB reads a block only when a query needs it.

        Only the blocks in use count: DuckDB leaves free blocks at the end off the file, so a healthy file can be
        shorter than all the blocks its header lists (a soak run found it so), but never shorter than those in use."""
        block_size, blocks, free = con.execute(
            "SELECT block_size, total_blocks, free_blocks FROM pragma_database_size() "
            "WHERE database_name = current_database()"
        ).fetchone()  # type: ignore[misc]
        needed, size = FILE_HEADERS + block_size * (blocks - free), self.path.stat().st_size
        if blocks and size < needed:
            raise self.damaged(f"{size} bytes long, the blocks in use need {needed}: it was cut short")

    def _damaged(self, message: str) -> bool:
        """Whether DuckDB's `message` says the file is damaged (see DAMAGE_SIGNS)."""
        return any(sign in message for sign in DAMAGE_SIGNS) or (
            NOT_A_DATABASE in message and self.snapshot_path.exists())

    def _error(self, exc: duckdb.Error, what: str, path: Path | None = None) -> DatabaseError:
        """A DuckDB error in one line: for a damaged file, how to restore it; else `{path}: {what}: {reason}`."""
        first = str(exc).splitlines()[0]
        if self._damaged(first):
            return self.damaged(first)
        return DatabaseError(f"{path or self.path}: {what}: {first}")

    def damaged(self, why: str) -> DatabaseError:
        return DatabaseError(f"{self.path}: the database file is damaged ({why}); {self.restore_advice()}")

    def restore_advice(self) -> str:
        """What to do about this file being damaged: `regwatch restore` when there is a snapshot to restore."""
        if self.path.stem.endswith(".snapshot"):
            return "it is only the analysts' copy: delete it, and the next `regwatch run` writes a new one"
        snapshot = self.snapshot_path
        if not snapshot.exists():
            return (f"there is no snapshot ({snapshot}) to restore: move the file aside, and the next "
                    "`regwatch run` starts a new database")
        written = datetime.fromtimestamp(snapshot.stat().st_mtime, UTC)
        return (f"restore the last snapshot ({snapshot}, written {written:%Y-%m-%d %H:%M} UTC) with: "
                f"regwatch restore --db {self.path}")

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
        except duckdb.Error as exc:
            # A full disk shows up at COMMIT, as DuckDB's TransactionException ("Could not
            # write file ...: No space left on device"); nothing of the transaction is kept.
            if isinstance(exc, WRITE_FAILURES) or self._damaged(str(exc)):
                raise self._error(exc, "write failed") from None
            raise
        finally:
            con.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._open(read_only=True)
        try:
            yield con
        except duckdb.Error as exc:
            if self._damaged(str(exc)):
                raise self._error(exc, "read failed") from None
            raise
        finally:
            con.close()

    @property
    def snapshot_path(self) -> Path:
        """The read-only copy analysts open: `regwatch.duckdb` -> `regwatch.snapshot.duckdb`."""
        return self.path.with_name(f"{self.path.stem}.snapshot{self.path.suffix or '.duckdb'}")

    def backup_path(self, version: int) -> Path:
        """The copy written before upgrading a file of `version`: `regwatch.duckdb` -> `regwatch.v1-backup.duckdb`."""
        return self.path.with_name(f"{self.path.stem}.v{version}-backup{self.path.suffix or '.duckdb'}")

    def refresh_snapshot(self) -> Path:
        """Copy the database into the snapshot file atomically (written aside, then renamed).

        Analysts and `regwatch query` open the snapshot, never the live file, so
        they never hold the writer's lock; an open snapshot keeps its old copy
        until it is reopened.
        """
        con = self._open(read_only=False)
        try:
            return self._copy(con, self.snapshot_path, "snapshot")
        finally:
            con.close()

    def _copy(self, con: duckdb.DuckDBPyConnection, target: Path, what: str) -> Path:
        """Copy the database `con` has open into `target`: the WAL moved into the file first, so that the copy
        has every commit; every block read (a damaged one stops the copy); written aside, then renamed."""
        try:
            self._checkpoint(con)
            name = con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
            copy_database(con, name, target)
        except duckdb.Error as exc:
            raise self._error(exc, f"{what} failed", target) from None
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
        """Bring the file to this regwatch's schema (tasks/store/migrations.py) and replace the views.

        A new file gets every step. An older one is copied beside itself first (`backup_path`), then
        upgraded step by step; a file from a newer regwatch is refused, untouched.
        """
        with self.session() as con:
            version = recorded_version(con)
            if version > LATEST:
                raise DatabaseError(self._newer_file(version))
            try:
                upgrade(con, before=lambda old: self._back_up(con, old))
            except duckdb.Error as exc:
                raise self._upgrade_failed(con, version, exc) from None
            con.execute(VIEWS)
            self._checkpoint(con, only_if_room=True, wal_over=CHECKPOINT_WAL_SIZE)

    def _back_up(self, con: duckdb.DuckDBPyConnection, version: int) -> None:
        backup = self._copy(con, self.backup_path(version), "backup before upgrading")
        logger.warning("%s: upgrading the database from version %d to %d; a copy of it as it was: %s",
                       self.path, version, LATEST, backup)

    def _upgrade_failed(self, con: duckdb.DuckDBPyConnection, version: int, exc: duckdb.Error) -> DatabaseError:
        """A step that failed, in one line: which, why, where the file stands, and its copy from before."""
        first = str(exc).splitlines()[0]
        if self._damaged(first):
            return self.damaged(first)
        reached = recorded_version(con)
        step = next((f" at step {m.version} ({m.description})" for m in MIGRATIONS if m.version > reached), "")
        copy = f"; its copy from before the upgrade is {self.backup_path(version)}" if version else ""
        return DatabaseError(f"{self.path}: upgrading the database failed{step}: {first}; "
                             f"the file is at version {reached}{copy}")

    def _newer_file(self, version: int) -> str:
        """Why a file from a newer regwatch is refused, and the two ways on: a newer regwatch, or the copy that
        regwatch made of the file before upgrading it past this one."""
        reason = (f"{self.path}: this database was written by a newer regwatch (database version {version}; "
                  f"this regwatch knows versions up to {LATEST}): update regwatch (git pull, then make install)")
        backup = self.backup_path(LATEST)
        if not backup.exists():
            return reason
        return (f"{reason}, or go back to the copy saved before that upgrade (it lacks what ran since): "
                f"regwatch restore --db {self.path} --from {backup}")


def copy_database(con: duckdb.DuckDBPyConnection, name: str, target: Path) -> None:
    """Write database `name` of `con` (every table, view, index and row) to the file `target`, atomically:
    to `target.partial` first, renamed once complete, so that `target` is always a whole copy."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    con.execute(f"ATTACH '{sql_path(partial)}' AS regwatch_copy")
    try:
        con.execute(f'COPY FROM DATABASE "{name}" TO regwatch_copy')
        con.execute("CHECKPOINT regwatch_copy")  # into the file itself: writers skip the one on detach
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("DETACH regwatch_copy")
        partial.unlink(missing_ok=True)
        raise
    con.execute("DETACH regwatch_copy")
    os.replace(partial, target)


def sql_path(path: Path) -> str:
    """`path` inside a single-quoted SQL string."""
    return str(path).replace("'", "''")
