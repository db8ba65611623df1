"""`regwatch query` reads the database and nothing else, whatever SQL it is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.common.errors import RegwatchError
from tasks.store.database import Database
from tasks.store.queries import run_query


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "q.duckdb"
    Database(path).init()
    return path


@pytest.mark.parametrize("live", [False, True], ids=["snapshot", "live"])
def test_ordinary_queries_answer(db_path: Path, live: bool) -> None:
    columns, rows = run_query(db_path, "SELECT count(*) AS n FROM articles", live=live)
    assert columns == ["n"] and rows == [(0,)]


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT 1) TO '{out}'",
        "SELECT * FROM read_csv('{secret}')",
        "ATTACH '{out}' AS other",
        "EXPORT DATABASE '{dir}'",
        "INSTALL httpfs",
        "SET enable_external_access = true; COPY (SELECT 1) TO '{out}'",
    ],
    ids=["copy-to-file", "read-other-file", "attach", "export", "install-extension", "re-enable"],
)
@pytest.mark.parametrize("live", [False, True], ids=["snapshot", "live"])
def test_queries_cannot_touch_other_files(db_path: Path, tmp_path: Path, sql: str, live: bool) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n")
    out = tmp_path / "out.csv"
    statement = sql.format(out=out, secret=secret, dir=tmp_path / "export")
    with pytest.raises(RegwatchError, match=r"reads this database only|the configuration has been locked") as caught:
        run_query(db_path, statement, live=live)
    assert "hunter2" not in str(caught.value)
    assert not out.exists() and not (tmp_path / "export").exists()


@pytest.mark.parametrize("sql", ["", "   ", ";", " ; "])
def test_empty_sql_says_what_to_give(db_path: Path, sql: str) -> None:
    with pytest.raises(RegwatchError, match="no SQL given"):
        run_query(db_path, sql)
