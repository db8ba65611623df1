"""insert_rows: every column a list parameter, whatever the values' types."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from tasks.store.database import insert_rows


def test_rows_of_mixed_values_arrive_as_given(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "rows.duckdb"))
    con.execute("CREATE TABLE t (id VARCHAR PRIMARY KEY, seen TIMESTAMPTZ, amount DOUBLE, names VARCHAR[], ok BOOLEAN)")
    at = datetime(2021, 4, 10, 8, 30, tzinfo=UTC)
    rows = [("a", at, 18.2e9, ["Alibaba", "阿里巴巴"], True), ("b", None, None, [], None), ("c", at, 5, None, False)]
    insert_rows(con, "INSERT INTO t", rows)
    assert con.execute("SELECT * FROM t ORDER BY id").fetchall() == [
        ("a", at, 18.2e9, ["Alibaba", "阿里巴巴"], True), ("b", None, None, [], None), ("c", at, 5.0, None, False),
    ]
    insert_rows(con, "UPDATE t SET amount = v.amount FROM (", [(1.5, "b"), (2.5, "c")],
                ") v(amount, id) WHERE t.id = v.id")
    assert con.execute("SELECT id, amount FROM t ORDER BY id").fetchall() == [("a", 18.2e9), ("b", 1.5), ("c", 2.5)]
    insert_rows(con, "INSERT INTO t", [])  # nothing to do is not an error
    assert con.execute("SELECT count(*) FROM t").fetchone() == (3,)
