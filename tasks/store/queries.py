"""Ad hoc, read-only SQL for analysts (`regwatch query`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from tasks.common.errors import RegwatchError
from tasks.store.database import Database


def run_query(
    path: Path, sql: str, live: bool = False, lock_timeout: float = 30
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run `sql` read-only on the snapshot (or the live file with `live`); SQL errors come back as one line."""
    database = Database(path, lock_timeout=lock_timeout)
    with (database if live else database.reader()).read() as con:
        try:
            cursor = con.execute(sql)
        except duckdb.Error as exc:
            raise RegwatchError(f"query failed: {str(exc).splitlines()[0]}") from None
        if cursor.description is None:
            return [], []
        columns = [d[0] for d in cursor.description]
        return columns, cursor.fetchall()
