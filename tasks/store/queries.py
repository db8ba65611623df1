"""Ad hoc, read-only SQL for analysts (`regwatch query`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from tasks.common.errors import RegwatchError
from tasks.store.database import Database

# Opening the file read-only stops writes to it, but not `COPY ... TO`, reading other files, ATTACH or
# INSTALL: an ad hoc query touches this database and nothing else. The lock keeps a query from undoing it.
SANDBOX = (
    "SET enable_external_access = false",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET allow_community_extensions = false",
    "SET lock_configuration = true",
)
SANDBOX_REFUSAL = (
    "query refused: `regwatch query` reads this database only; it cannot read or write other files, "
    "attach databases or install extensions (to export, use --format csv > file.csv)"
)


def run_query(
    path: Path, sql: str, live: bool = False, lock_timeout: float = 30
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run `sql` read-only on the snapshot (or the live file with `live`); SQL errors come back as one line."""
    if not sql.strip().strip(";").strip():
        raise RegwatchError("no SQL given: e.g. regwatch query \"SELECT title, url FROM articles LIMIT 10\"")
    database = Database(path, lock_timeout=lock_timeout)
    with (database if live else database.reader()).read() as con:
        for setting in SANDBOX:
            con.execute(setting)
        try:
            cursor = con.execute(sql)
        except duckdb.PermissionException:
            raise RegwatchError(SANDBOX_REFUSAL) from None
        except duckdb.Error as exc:
            raise RegwatchError(f"query failed: {str(exc).splitlines()[0]}") from None
        if cursor is None or cursor.description is None:
            return [], []
        columns = [d[0] for d in cursor.description]
        return columns, cursor.fetchall()
