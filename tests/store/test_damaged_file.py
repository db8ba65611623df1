"""A database file DuckDB cannot read is named as damaged, in one line that says how to restore it; restoring works.

A checkpoint that starts with room and runs out, or a copy cut short, leaves a main file that is
truncated or half overwritten. These tests damage a real file those ways (cut, overwritten header,
overwritten data block), then follow the advice: `restore` puts the snapshot back, keeps the damaged
file and its write-ahead log aside, and the database works again with the snapshot's data.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tasks.common.errors import DatabaseError
from tasks.store.database import Database
from tasks.store.restore import restore

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "regwatch-v1.duckdb"


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """A database with real rows, its snapshot just written (so the file itself is checkpointed, no WAL)."""
    path = tmp_path / "regwatch.duckdb"
    shutil.copy(FIXTURE, path)
    Database(path).init()
    Database(path).refresh_snapshot()
    assert not Database(path).wal_path.exists()
    return path


def counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {table: con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}  # type: ignore[index]


def cut_to(fraction: float) -> Callable[[Path], None]:
    def cut(path: Path) -> None:
        with path.open("r+b") as f:
            f.truncate(int(path.stat().st_size * fraction))
    return cut


def overwrite(offset: int, length: int) -> Callable[[Path], None]:
    def scribble(path: Path) -> None:
        with path.open("r+b") as f:
            f.seek(offset)
            f.write(b"\xa5" * length)
    return scribble


def data_block_offset(path: Path) -> int:
    """Where in the file the articles' text is stored (DuckDB reads it only when a query needs it)."""
    with duckdb.connect(str(path), read_only=True) as con:
        block_size = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]  # type: ignore[index]
        block = con.execute(
            "SELECT max(block_id) FROM pragma_storage_info('articles') WHERE column_name = 'text'"
        ).fetchone()[0]  # type: ignore[index]
    return 3 * 4096 + block * block_size  # after DuckDB's three headers


DAMAGE = {
    "cut-in-half": cut_to(0.5),
    "last-blocks-missing": cut_to(0.9),
    "emptied": cut_to(0),
    "file-header-overwritten": overwrite(0, 4096),
    "database-headers-overwritten": overwrite(4096, 8192),
    "first-block-overwritten": overwrite(3 * 4096, 512),
}


def advice(path: Path) -> str:
    return f"regwatch restore --db {path}"


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_file_is_named_in_one_line_that_says_how_to_restore_it(
    live: Path, damage: Callable[[Path], None]
) -> None:
    damage(live)
    with pytest.raises(DatabaseError) as caught:
        Database(live).init()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{live}: the database file is damaged (")
    assert f"restore the last snapshot ({Database(live).snapshot_path}, written " in message
    assert message.endswith(advice(live))


def test_a_damaged_data_block_is_found_by_the_snapshot_copy_which_keeps_the_last_good_snapshot(live: Path) -> None:
    snapshot = Database(live).snapshot_path
    good = snapshot.read_bytes()
    offset = data_block_offset(live)
    overwrite(offset + 64, 256)(live)
    Database(live).init()  # DuckDB reads a data block only when asked for it
    with pytest.raises(DatabaseError, match="the database file is damaged") as caught:
        Database(live).refresh_snapshot()
    assert str(caught.value).endswith(advice(live))
    assert snapshot.read_bytes() == good


def test_without_a_snapshot_the_line_says_there_is_none(live: Path) -> None:
    Database(live).snapshot_path.unlink()
    cut_to(0.5)(live)
    with pytest.raises(DatabaseError) as caught:
        Database(live).init()
    assert str(caught.value).endswith(
        f"there is no snapshot ({Database(live).snapshot_path}) to restore: move the file aside, "
        "and the next `regwatch run` starts a new database"
    )


def test_restore_puts_the_snapshot_back_and_keeps_the_damaged_file_and_its_log_aside(live: Path) -> None:
    database = Database(live)
    expected = counts(database.snapshot_path)
    with database.write() as con:  # a commit after the snapshot: in the WAL, which belongs to the damaged file
        con.execute("INSERT INTO runs (run_id, started_at) VALUES ('after-the-snapshot', now())")
    assert database.wal_path.exists()
    cut_to(0.5)(live)
    damaged = live.read_bytes()

    restored = restore(database)

    assert restored.kept is not None
    assert restored.kept.read_bytes() == damaged
    assert restored.kept.with_name(restored.kept.name + ".wal").exists()
    assert not database.wal_path.exists()
    database.init()
    assert counts(live) == expected
    with database.write() as con:  # and it takes writes again
        con.execute("INSERT INTO runs (run_id, started_at) VALUES ('after-the-restore', now())")
    assert counts(live)["runs"] == expected["runs"] + 1
    assert str(restored).splitlines() == [
        f"restored {live} from {database.snapshot_path} ({expected['articles']} articles, {expected['runs']} "
        f"runs, the last started {restored.last_run:%Y-%m-%d %H:%M} UTC)",
        f"the file it replaced is kept as {restored.kept} (delete it once you no longer need it)",
    ]


def test_restore_from_a_backup_of_an_older_version_is_upgraded_again_on_open(live: Path) -> None:
    backup = live.with_name("regwatch.v1-backup.duckdb")
    assert backup.exists()
    cut_to(0.5)(live)
    restore(Database(live), backup)
    Database(live).init()
    assert counts(live)["articles"] == counts(backup)["articles"]


def test_a_damaged_snapshot_changes_nothing(live: Path) -> None:
    snapshot = Database(live).snapshot_path
    cut_to(0.5)(snapshot)
    before = live.read_bytes()
    with pytest.raises(DatabaseError) as caught:
        restore(Database(live))
    assert str(caught.value).startswith(f"{snapshot}: cannot restore from it, it is damaged too (")
    assert live.read_bytes() == before
    assert sorted(p.name for p in live.parent.iterdir()) == sorted(
        ["regwatch.duckdb", "regwatch.snapshot.duckdb", "regwatch.v1-backup.duckdb"])


def test_restore_without_a_copy_says_so(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError) as caught:
        restore(Database(tmp_path / "regwatch.duckdb"))
    assert str(caught.value) == (
        f"{tmp_path / 'regwatch.snapshot.duckdb'}: no such file to restore from (--from names another copy)")


HOLD = "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('open', flush=True); time.sleep(30)"


def test_restore_leaves_a_file_in_use_alone(live: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(live)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        with pytest.raises(DatabaseError, match="in use by another process"):
            restore(Database(live))
    finally:
        holder.kill()
        holder.wait()
    assert sorted(p.name for p in live.parent.iterdir()) == sorted(
        ["regwatch.duckdb", "regwatch.snapshot.duckdb", "regwatch.v1-backup.duckdb"])
