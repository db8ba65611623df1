"""A database file written by an older regwatch opens, is upgraded once, keeps every row and answers the same.

tests/data/regwatch-v1.duckdb is a file as schema version 1 left it, written by version 1's own code
(tests/support/build_v1_database.py). Version 2 turned the alerts version 1 had printed on the console
and counted as sent into alerts shown and still owed to Slack; version 3 gave alerts the columns that
find in Slack an alert a crash left half-sent; version 4 gave feeds their adaptive-polling schedule.
"""

from __future__ import annotations

import logging
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from tasks.alert.digest import build_digest
from tasks.common.errors import DatabaseError
from tasks.store.database import Database
from tasks.store.feed_health import feed_health, load_states
from tasks.store.migrations import LATEST, MIGRATIONS, Migration, recorded_version, upgrade

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "regwatch-v1.duckdb"
README = Path(__file__).resolve().parents[2] / "README.md"

# What analysts ask: the README's examples, the views, and plain tables (lists sorted: their order is not kept).
ANALYST_QUERIES = (
    """SELECT kind, companies, regulator, amount_text, amount_usd, stories, title, url, list_sort(sources)
       FROM recent_events ORDER BY cluster_id""",
    "SELECT company, month, fines, total_cny, total_usd FROM fines_by_company ORDER BY ALL",
    "SELECT feed, last_status, consecutive_failures, last_error FROM feed_health ORDER BY ALL",
    "SELECT title, url, language, extraction, relevant FROM articles ORDER BY published_at DESC, url",
    """SELECT a.url, count(s.link) AS outlets FROM articles a LEFT JOIN sightings s USING (article_id)
       GROUP BY ALL ORDER BY ALL""",
    "SELECT company, count(*) FROM article_companies GROUP BY ALL ORDER BY ALL",
)


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    """A copy of the version-1 file, where regwatch keeps its database."""
    path = tmp_path / "regwatch.duckdb"
    shutil.copy(FIXTURE, path)
    return path


def row_counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {table: con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}  # type: ignore[index]


def answers(path: Path) -> list[list[tuple[object, ...]]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [con.execute(sql).fetchall() for sql in ANALYST_QUERIES]


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_version_1_file_opens_upgrades_keeps_every_row_and_answers_the_same(v1: Path) -> None:
    counts, before, health = row_counts(v1), answers(v1), feed_health(Database(v1))
    assert counts["articles"] > 10 and counts["alerts"] > 2 and counts["minhash_bands"] > 100  # a real file
    Database(v1).init()
    after = row_counts(v1)
    assert {table: after[table] for table in counts} == counts
    assert "schema_migrations" in after
    assert answers(v1) == before
    assert feed_health(Database(v1)) == health
    migrations = query(v1, "SELECT version, description, applied_at IS NOT NULL FROM schema_migrations ORDER BY 1")
    # Step 1 was applied by version 1 itself, before steps were recorded: listed, with no date.
    assert migrations == [(m.version, m.description, m.version > 1) for m in MIGRATIONS]
    assert query(v1, "SELECT value FROM meta") == [(str(LATEST),)]  # what regwatch before migrations.py reads



def test_the_digest_of_a_file_not_yet_upgraded_names_its_weak_feeds(v1: Path) -> None:
    """The digest reads a file as the last run left it: one written by an older regwatch has an older
    feed_health view, without the full-text share, until a run opens it for writing."""
    digest = build_digest(Database(v1), datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC))
    Database(v1).init()
    assert build_digest(Database(v1), datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC)).weak_feeds == \
        digest.weak_feeds

def test_console_alerts_of_a_version_1_file_are_owed_to_slack_again(v1: Path) -> None:
    alerts = "SELECT alert_id, status, slack_ts, sent_at FROM alerts ORDER BY alert_id"
    before = query(v1, alerts)
    Database(v1).init()
    expected = [(alert_id, "shown", None, None) if status == "sent" and str(ts).startswith("console-")
                else (alert_id, status, ts, sent) for alert_id, status, ts, sent in before]
    assert query(v1, alerts) == expected
    assert ("shown", None, None) in [row[1:] for row in expected]  # the fixture has console alerts
    assert query(v1, "SELECT DISTINCT attempted_at, channel_id FROM alerts") == [(None, None)]


def test_feeds_of_a_version_1_file_keep_their_rows_and_are_due_at_once(v1: Path) -> None:
    """Version 4 gave feeds their adaptive-polling schedule: a stored feed has none yet, so the next cycle polls it,
    as a new feed, and its conditional-GET validators and health are as they were."""
    feeds = query(v1, "SELECT * FROM feeds ORDER BY feed_id")
    Database(v1).init()
    schedule = "poll_interval_seconds, next_poll_at, items_digest, quiet_polls"
    assert query(v1, f"SELECT * EXCLUDE ({schedule}) FROM feeds ORDER BY feed_id") == feeds
    assert query(v1, f"SELECT DISTINCT {schedule} FROM feeds") == [(None, None, None, 0)]
    etags = dict(query(v1, "SELECT feed_id, etag FROM feeds"))
    states = load_states(Database(v1))
    assert len(states) > 1
    assert {feed_id: (state.etag, state.next_poll_at) for feed_id, state in states.items()} == {
        feed_id: (etag, None) for feed_id, etag in etags.items()}


def test_the_upgrade_writes_a_backup_beside_the_file_first_and_says_so_in_one_line(
    v1: Path, caplog: pytest.LogCaptureFixture
) -> None:
    counts, alerts = row_counts(v1), query(v1, "SELECT * FROM alerts ORDER BY alert_id")
    with caplog.at_level(logging.INFO):
        Database(v1).init()
    backup = v1.with_name("regwatch.v1-backup.duckdb")
    assert row_counts(backup) == counts  # version 1 as it was: no schema_migrations, console alerts still `sent`
    assert query(backup, "SELECT * FROM alerts ORDER BY alert_id") == alerts
    assert query(backup, "SELECT value FROM meta") == [("1",)]
    assert [record.getMessage() for record in caplog.records] == [
        f"{v1}: upgrading the database from version 1 to {LATEST}; a copy of it as it was: {backup}"
    ]

    caplog.clear()
    written = backup.stat().st_mtime_ns
    applied = query(v1, "SELECT * FROM schema_migrations ORDER BY 1")
    Database(v1).init()  # opening again applies nothing, copies nothing, says nothing
    assert query(v1, "SELECT * FROM schema_migrations ORDER BY 1") == applied
    assert backup.stat().st_mtime_ns == written
    assert caplog.records == []


def schema(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Everything a migration could change: columns, constraints, indexes, views (not their SQL text)."""
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            "columns": con.execute(
                """SELECT table_name, column_index, column_name, data_type, is_nullable, column_default
                   FROM duckdb_columns() WHERE NOT internal ORDER BY ALL""").fetchall(),
            "constraints": con.execute(
                """SELECT table_name, constraint_type, constraint_column_names::VARCHAR, expression
                   FROM duckdb_constraints() ORDER BY ALL""").fetchall(),
            "indexes": con.execute(
                "SELECT table_name, index_name, expressions FROM duckdb_indexes() ORDER BY ALL").fetchall(),
        }


def test_a_new_database_is_the_same_as_an_upgraded_one(v1: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.duckdb"
    Database(new).init()
    Database(v1).init()
    assert schema(new) == schema(v1), (
        "a new database and an upgraded one differ: change the schema with a new step in "
        "tasks/store/migrations.py, never by editing TABLES_V1 or near_dupes.SCHEMA"
    )
    assert query(new, "SELECT version, description FROM schema_migrations ORDER BY 1") == [
        (m.version, m.description) for m in MIGRATIONS]


def test_a_step_that_fails_leaves_the_file_at_the_last_complete_step_with_every_row(v1: Path) -> None:
    Database(v1).init()
    titles = query(v1, "SELECT article_id, title FROM articles ORDER BY 1")
    half_way = Migration(LATEST + 1, "fails half way", "UPDATE articles SET title = 'lost'; SELECT error('no room')")
    with duckdb.connect(str(v1)) as con:
        with pytest.raises(duckdb.Error, match="no room"):
            upgrade(con, [*MIGRATIONS, half_way])
        assert recorded_version(con) == LATEST
        assert upgrade(con) == []  # nothing due, nothing applied twice
    assert query(v1, "SELECT article_id, title FROM articles ORDER BY 1") == titles
    assert query(v1, "SELECT max(version) FROM schema_migrations") == [(LATEST,)]


def test_a_step_that_fails_on_open_is_one_line_naming_it_and_the_copy_from_before(v1: Path) -> None:
    with duckdb.connect(str(v1)) as con:  # a file step 2 cannot upgrade: its alerts table is gone
        con.execute("DROP TABLE alerts")
    counts = row_counts(v1)
    with pytest.raises(DatabaseError) as caught:
        Database(v1).init()
    assert str(caught.value) == (
        f"{v1}: upgrading the database failed at step 2 ({MIGRATIONS[1].description}): Catalog Error: Table with "
        f"name alerts does not exist!; the file is at version 1; its copy from before the upgrade is "
        f"{v1.with_name('regwatch.v1-backup.duckdb')}"
    )
    assert {table: n for table, n in row_counts(v1).items() if table != "schema_migrations"} == counts


def test_steps_are_numbered_one_by_one_with_a_description_each() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert all(m.description and "\n" not in m.description for m in MIGRATIONS)


def record_newer_step(path: Path, version: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO schema_migrations VALUES (?, 'from the future', now())", [version])
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version)])


def test_a_file_from_a_newer_regwatch_is_refused_in_one_line_and_left_as_it_is(v1: Path) -> None:
    Database(v1).init()
    record_newer_step(v1, LATEST + 1)
    counts, before = row_counts(v1), answers(v1)
    with pytest.raises(DatabaseError) as refused:
        Database(v1).init()
    assert str(refused.value) == (
        f"{v1}: this database was written by a newer regwatch (database version {LATEST + 1}; this regwatch "
        f"knows versions up to {LATEST}): update regwatch (git pull, then make install)"
    )
    assert row_counts(v1) == counts and answers(v1) == before


def test_the_refusal_names_the_copy_saved_before_the_newer_regwatch_upgraded_the_file(v1: Path) -> None:
    Database(v1).init()
    backup = v1.with_name(f"regwatch.v{LATEST}-backup.duckdb")
    shutil.copy(v1, backup)  # as the newer regwatch left it, upgrading from this regwatch's version
    record_newer_step(v1, LATEST + 1)
    with pytest.raises(DatabaseError) as refused:
        Database(v1).init()
    assert "\n" not in str(refused.value)
    assert str(refused.value).endswith(
        f"update regwatch (git pull, then make install), or go back to the copy saved before that upgrade "
        f"(it lacks what ran since): regwatch restore --db {v1} --from {backup}"
    )


def test_a_version_2_file_of_regwatch_before_schema_migrations_gains_the_alert_columns(v1: Path) -> None:
    """The file of a regwatch that recorded only `meta.schema_version` (2): its steps are listed, 3 applied."""
    with duckdb.connect(str(v1)) as con:
        upgrade(con, MIGRATIONS[:2])
        con.execute("DROP TABLE schema_migrations")
    alerts = query(v1, "SELECT * FROM alerts ORDER BY alert_id")
    Database(v1).init()
    assert query(v1, "SELECT * EXCLUDE (attempted_at, channel_id) FROM alerts ORDER BY alert_id") == alerts
    assert query(v1, "SELECT DISTINCT attempted_at, channel_id FROM alerts") == [(None, None)]
    assert query(v1, "SELECT version, applied_at IS NOT NULL FROM schema_migrations ORDER BY 1") == [
        (1, False), (2, False), *[(m.version, True) for m in MIGRATIONS[2:]]]
    assert query(v1.with_name("regwatch.v2-backup.duckdb"), "SELECT value FROM meta") == [("2",)]


def test_the_readme_counts_the_migrations() -> None:
    counted = re.search(r"\*\*Migrations applied\*\*: (\d+)", README.read_text(encoding="utf-8"))
    assert counted and int(counted.group(1)) == LATEST, "update the count of migrations in README's Reliability"
