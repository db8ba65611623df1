"""Build tests/data/regwatch-v1.duckdb: a database as regwatch's schema version 1 wrote it, for the upgrade tests.

    .venv/bin/python -m tests.support.build_v1_database [OUT]

Nothing here imitates version 1: the script takes regwatch's own code at
`V1_COMMIT` (the last commit whose database was version 1; e841560 made it 2)
out of git, and runs that code's monitor once against the demo corpus it
shipped, alerts on the console. So the file holds what real version-1 runs
left: feeds with their health, stories with their keys, sightings, companies,
events, clusters, the near-duplicate index, a run, and console alerts counted
as `sent` (which version 2 turned into `shown`).

The result is then copied, table by table, into a file of 16 kB blocks (DuckDB's
own COPY FROM DATABASE, which regwatch's snapshots use too): the same
contents in 0.5 MB instead of 6 MB, small enough to commit. The committed file
is the reference; run this again only to replace it (it needs git and takes
about a minute: the old code starts its own Prefect server).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "data" / "regwatch-v1.duckdb"
V1_COMMIT = "cf4d72c"
BLOCK_SIZE = 16 * 1024  # DuckDB's smallest; its default (256 kB) makes a file of a few rows 6 MB

# Run inside the extracted version-1 tree (it comes first on sys.path): its demo corpus, config and monitor flow.
ONE_V1_RUN = """
import sys, tempfile
from pathlib import Path
from flows.demo.corpus_server import CorpusServer
from flows.demo.run import CORPUS, write_demo_config
from flows.runner import run_monitor

with CorpusServer(CORPUS / "site") as server, tempfile.TemporaryDirectory() as tmp:
    config_dir = Path(tmp) / "config"
    write_demo_config(config_dir, server.base)
    run_monitor(config_dir=config_dir, db=Path(sys.argv[1]), allow_private_networks=True)
"""


def extract_v1_source(target: Path) -> None:
    """regwatch's tree at V1_COMMIT, from git (read only: no checkout, no worktree)."""
    archive = subprocess.run(["git", "archive", V1_COMMIT], cwd=REPO, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")


def run_version_1(source: Path, db: Path) -> None:
    """One monitoring cycle of the version-1 code into `db`, alerts to the console whatever this shell has set."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("REGWATCH_", "PREFECT_", "PYTHONPATH"))}
    env |= {"PREFECT_HOME": str(source / ".prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-c", ONE_V1_RUN, str(db)], cwd=source, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # the alerts it prints


def compact(raw: Path, out: Path) -> None:
    """Copy every table, view and index of `raw` into a new file of small blocks at `out`."""
    out.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{raw}' AS v1 (READ_ONLY)")
        con.execute(f"ATTACH '{out}' AS fixture (BLOCK_SIZE {BLOCK_SIZE})")
        con.execute("COPY FROM DATABASE v1 TO fixture")
        con.execute("CHECKPOINT fixture")
    finally:
        con.close()


def check(out: Path) -> None:
    """Fail loudly unless `out` is what version 1 left: its version, no migration records, console alerts `sent`."""
    con = duckdb.connect(str(out), read_only=True)
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall() == [("1",)]
        tables = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert "schema_migrations" not in tables, tables
        console_sent = con.execute("SELECT count(*) FROM alerts WHERE status = 'sent' AND slack_ts LIKE 'console-%'")
        assert console_sent.fetchone() != (0,), "no console alert: the demo's events did not alert"
    finally:
        con.close()


def build(out: Path = FIXTURE) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "regwatch-v1"
        extract_v1_source(source)
        raw = Path(tmp) / "raw.duckdb"
        run_version_1(source, raw)
        compact(raw, out)
    check(out)
    return out


if __name__ == "__main__":
    built = build(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURE)
    print(f"{built}: {built.stat().st_size / 1e6:.2f} MB")
