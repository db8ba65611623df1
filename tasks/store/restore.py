"""`regwatch restore`: put a copy (the last snapshot, or a backup made before an upgrade) in place of the database.

For a live file DuckDB can no longer read: a checkpoint that ran out of room half way, a copy cut
short. Nothing is deleted: the file it replaces and that file's write-ahead log are renamed aside
(`regwatch.before-restore-20261205-031500.duckdb`). The log must go with its file: DuckDB refuses to
open a file beside the log of another ("WAL does not match database file"), so `cp` alone would not do.
The copy is read in full (DuckDB checks every block) into a new file before anything is moved, so a
damaged copy changes nothing. A copy of an older version is upgraded by the next run, as any old file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from tasks.common.errors import DatabaseError
from tasks.store.database import Database, DatabaseLockedError, copy_database, sql_path


@dataclass(frozen=True)
class Restored:
    """What `restore` did, for the two lines the command prints."""

    path: Path
    source: Path
    kept: Path | None  # the file it replaced, renamed aside; None when there was none
    articles: int
    runs: int
    last_run: datetime | None

    def __str__(self) -> str:
        last = f", the last started {self.last_run:%Y-%m-%d %H:%M} UTC" if self.last_run else ""
        lines = [f"restored {self.path} from {self.source} ({self.articles} articles, {self.runs} runs{last})"]
        if self.kept:
            lines.append(f"the file it replaced is kept as {self.kept} (delete it once you no longer need it)")
        return "\n".join(lines)


def restore(db: Database, source: Path | None = None, now: datetime | None = None) -> Restored:
    """Replace `db`'s file with `source` (default: its snapshot); the replaced file and its WAL are kept aside."""
    source = source or db.snapshot_path
    if not source.is_file():
        raise DatabaseError(f"{source}: no such file to restore from (--from names another copy)")
    if db.path.exists() and source.resolve() == db.path.resolve():
        raise DatabaseError(f"{source}: that is the database itself; --from names the copy to restore")
    _refuse_if_in_use(db)
    staged = db.path.with_name(db.path.name + ".restoring")
    _copy_whole(source, staged)
    kept = _move_aside(db, now or datetime.now(UTC))
    os.replace(staged, db.path)
    with Database(db.path).read() as con:
        articles, runs, last_run = con.execute(
            "SELECT (SELECT count(*) FROM articles), count(*), max(started_at) FROM runs"
        ).fetchone()  # type: ignore[misc]
    return Restored(db.path, source, kept, articles, runs, last_run and last_run.astimezone(UTC))


def _refuse_if_in_use(db: Database) -> None:
    """A run or a shell that has the file open would go on writing to the file moved aside: stop first."""
    if not db.path.exists():
        return
    try:
        with Database(db.path, lock_timeout=0).session():
            pass  # it opens: a whole file, replaced on request (and kept)
    except DatabaseLockedError:
        raise DatabaseError(
            f"{db.path}: in use by another process (a run, `regwatch serve`, an open shell); stop it, then restore"
        ) from None
    except DatabaseError:
        pass  # damaged: what restoring is for


def _copy_whole(source: Path, target: Path) -> None:
    """`source` copied to `target` through DuckDB, which reads every block of it: a damaged copy fails here."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{sql_path(source)}' AS regwatch_source (READ_ONLY)")
        copy_database(con, "regwatch_source", target)
    except duckdb.Error as exc:
        raise DatabaseError(
            f"{source}: cannot restore from it, it is damaged too ({str(exc).splitlines()[0]}); "
            "--from names another copy (a .vN-backup.duckdb beside it)"
        ) from None
    finally:
        con.close()


def _move_aside(db: Database, now: datetime) -> Path | None:
    """Rename the live file and its WAL to `<name>.before-restore-<time>`; the path kept, or None if none."""
    suffix = db.path.suffix or ".duckdb"
    kept = db.path.with_name(f"{db.path.stem}.before-restore-{now:%Y%m%d-%H%M%S}{suffix}")
    if db.wal_path.exists():
        os.replace(db.wal_path, kept.with_name(kept.name + ".wal"))
    if not db.path.exists():
        return None
    os.replace(db.path, kept)
    return kept
