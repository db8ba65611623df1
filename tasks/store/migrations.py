"""Numbered schema migrations: how a database file of any earlier regwatch becomes this regwatch's.

Each database file lists in `schema_migrations` the steps applied to it (version, description, when).
Opening a file (`Database.init`) applies the steps it lacks, oldest first, each in its own transaction
together with its record: a step is applied entirely and once, or not at all, and a file left by a
failed upgrade is at its last complete step. A new file takes the same steps from 1, so a new database
and an upgraded one are alike (tests/store/test_schema_upgrade.py compares them). Before the first
step on a file that holds data, `Database.init` writes a copy of it beside it
(`regwatch.v1-backup.duckdb`); a file whose last step is newer than this regwatch's is refused.

To change the schema, append one entry to MIGRATIONS: the next number, a one-line description (stored
in every file it upgrades), and SQL, or a function taking the connection for what SQL cannot say:

    Migration(4, "alerts keep the metadata of their Slack message",
              "ALTER TABLE alerts ADD COLUMN slack_metadata JSON"),

- Never edit a step once it is committed, TABLES_V1 included (it is step 1): files in the wild ran it.
- A step runs inside its transaction: no BEGIN or COMMIT of its own.
- A new NOT NULL column needs a DEFAULT: the rows already stored get it.
- A new value of a column (a `status`, an `extraction`) needs a step only if stored rows must change.
- Views are not steps: database.py's VIEWS replaces them on every open (their columns only ever grow).
- Then the README's count of migrations (Reliability); a test checks it.

regwatch before this module kept only `meta.schema_version`. It is still written with each step, so
such a regwatch refuses a file upgraded past it instead of misreading it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import duckdb

# Step 1: the tables as regwatch's first schema created them, character for character
# (`git show cf4d72c:tasks/store/database.py`). Later columns are in the later steps.
TABLES_V1 = """
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
    status VARCHAR NOT NULL,          -- pending | sending | sent | failed | suppressed
    created_at TIMESTAMPTZ NOT NULL,
    not_before TIMESTAMPTZ,           -- Slack asked us to wait (429 Retry-After)
    sent_at TIMESTAMPTZ,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error VARCHAR,
    channel VARCHAR,
    text VARCHAR,                     -- the notification text as sent
    sources JSON,                     -- URLs included when sent (updates add only newer ones)
    slack_ts VARCHAR
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

# The near-duplicate index (tasks.store.near_dupes stores and queries it), here with the rest of the schema's
# history, so that opening a database never loads numpy for a few CREATE statements.
NEAR_DUPES_SCHEMA = """
CREATE TABLE IF NOT EXISTS article_minhash (article_id VARCHAR PRIMARY KEY, signature BIGINT[] NOT NULL);
-- One row per (band, article). The ART index lets a lookup probe only its own keys: without it every
-- lookup scans all BANDS rows of every stored article (about 60x slower at 1M articles than at 10k).
CREATE TABLE IF NOT EXISTS minhash_bands (band_key BIGINT NOT NULL, article_id VARCHAR NOT NULL);
CREATE INDEX IF NOT EXISTS minhash_bands_key ON minhash_bands (band_key);
"""

BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    description VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ            -- NULL: applied by a regwatch from before this table, which kept only meta
)"""


@dataclass(frozen=True)
class Migration:
    """One numbered step: SQL, or a function for what SQL cannot say."""

    version: int
    description: str
    step: str | Callable[[duckdb.DuckDBPyConnection], None]

    def apply(self, con: duckdb.DuckDBPyConnection) -> None:
        """Run the step and record it in one transaction: all of it, once, or nothing."""
        with transaction(con):
            if isinstance(self.step, str):
                con.execute(self.step)
            else:
                self.step(con)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [self.version, self.description])
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(self.version)])


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The block in one transaction: committed at its end, rolled back if it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the tables: feeds, articles and their keys, sightings, companies, events, clusters, alerts, runs, "
                 "the near-duplicate index", TABLES_V1 + NEAR_DUPES_SCHEMA),
    # Version 1 counted an alert printed on the console as sent (slack_ts 'console-N'), so Slack never got it.
    Migration(2, "alerts printed on the console are shown and still owed to Slack, no longer sent",
              """UPDATE alerts SET status = 'shown', slack_ts = NULL, sent_at = NULL
                 WHERE status = 'sent' AND slack_ts LIKE 'console-%'"""),
    # An alert a crash left `sending` is looked up in Slack before it is sent again: around its last attempt, in
    # its channel, by ID.
    Migration(3, "alerts record when their last attempt started and the Slack channel ID they went to",
              """ALTER TABLE alerts ADD COLUMN IF NOT EXISTS attempted_at TIMESTAMPTZ;
                 ALTER TABLE alerts ADD COLUMN IF NOT EXISTS channel_id VARCHAR"""),
    # Adaptive polling (tasks/fetch/schedule.py): a feed is polled when due, every cycle while it has news, less
    # often while it is quiet or failing. Stored feeds get no schedule: due at once, as a new feed.
    Migration(4, "feeds remember how often they are polled, when next, the items they listed last, and quiet polls",
              """ALTER TABLE feeds ADD COLUMN poll_interval_seconds INTEGER;
                 ALTER TABLE feeds ADD COLUMN next_poll_at TIMESTAMPTZ;
                 ALTER TABLE feeds ADD COLUMN items_digest VARCHAR;
                 ALTER TABLE feeds ADD COLUMN quiet_polls INTEGER NOT NULL DEFAULT 0"""),
)
LATEST = MIGRATIONS[-1].version


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'"
    ).fetchall()
    return {name for (name,) in rows}


def recorded_version(con: duckdb.DuckDBPyConnection) -> int:
    """The file's last step: from `schema_migrations`, or the `meta` row older regwatch kept; 0 for a new file."""
    tables = _tables(con)
    versions = [0]
    if "schema_migrations" in tables:
        (last,) = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()  # type: ignore[misc]
        versions.append(last)
    if "meta" in tables:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        versions.append(int(row[0]) if row else 0)
    return max(versions)


def _record_earlier_steps(con: duckdb.DuckDBPyConnection, version: int, migrations: Sequence[Migration]) -> None:
    """Create `schema_migrations` if missing; a file of older regwatch gets its steps listed, with no date."""
    if "schema_migrations" in _tables(con):
        return
    with transaction(con):
        con.execute(BOOKKEEPING)
        earlier = [(m.version, m.description) for m in migrations if m.version <= version]
        if earlier:
            con.executemany("INSERT INTO schema_migrations VALUES (?, ?, NULL)", earlier)


def upgrade(
    con: duckdb.DuckDBPyConnection,
    migrations: Sequence[Migration] = MIGRATIONS,
    before: Callable[[int], None] = lambda version: None,
) -> list[Migration]:
    """Apply the steps the database lacks, oldest first, each once in its own transaction; return them.

    `before(version)` runs first when a file that already has a schema has steps due: `Database.init`
    writes its backup copy there. A step that fails leaves the steps before it applied and recorded.
    """
    version = recorded_version(con)
    due = [m for m in migrations if m.version > version]
    if due and version:
        before(version)
    _record_earlier_steps(con, version, migrations)
    for migration in due:
        migration.apply(con)
    return due
