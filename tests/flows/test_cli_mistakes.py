"""Every command, given the mistakes a new user makes, answers in one line: no traceback, no Prefect noise.

Real processes, as a user runs them: what Prefect prints at exit (its temporary server, its
event worker) only shows there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.configs import write_config

REGWATCH = Path(sys.executable).parent / "regwatch"
MISSING_DB = "{tmp}/none.duckdb"

# (arguments, what the one line must say); {tmp} is the test's directory.
MISTAKES = [
    (["run", "--config-dir", "{tmp}/no-config"], "no-config: no such config directory"),
    (["run", "--db", "/proc/regwatch.duckdb"], "/proc/regwatch.duckdb: cannot be opened"),
    (["serve", "--config-dir", "{tmp}/no-config"], "no-config: no such config directory"),
    (["feeds", "--db", MISSING_DB], "none.duckdb: no database yet"),
    (["quarantine", "--db", MISSING_DB], "none.duckdb: no database yet"),
    (["query", "SELECT 1", "--db", MISSING_DB], "none.duckdb: no database yet"),
    (["query", "", "--db", "{tmp}/empty.duckdb"], "no SQL given"),
    (["query", "SELEC nonsense", "--db", "{tmp}/empty.duckdb"], "query failed: Parser Error"),
    (["query", "COPY articles TO '{tmp}/out.csv'", "--db", "{tmp}/empty.duckdb"], "reads this database only"),
    (["alerts", "--db", MISSING_DB], "none.duckdb: no database yet"),
    (["alerts", "--resend", "a1", "--db", MISSING_DB], "none.duckdb: no database yet"),
    (["alerts", "--resend", "a1", "--db", "{tmp}/empty.duckdb"], "no alert 'a1'"),
    (["digest", "--db", MISSING_DB], "none.duckdb: no database yet"),
    (["digest", "--since", "soon", "--db", "{tmp}/empty.duckdb"], "expected a span like 24h"),
    (["report", "--db", MISSING_DB], "none.duckdb: no database yet"),
    (["report", "--since", "soon", "--db", "{tmp}/empty.duckdb"], "expected a span like 24h"),
    (["report", "--db", "{tmp}/empty.duckdb", "--out", "{tmp}"], "is a directory; give --out a file name"),
    (["classify", "{tmp}/no-such-page.html"], "no-such-page.html: cannot read"),
    (["eval", "--data", "{tmp}/no-labels"], "no-labels: no labelled files"),
    (["eval", "--real", "{tmp}/no-texts"], "no-texts: no such directory"),
    (["fetch-corpus", "{tmp}/texts", "--labels", "{tmp}/no-labels.jsonl"], "no-labels.jsonl: cannot read"),
    (["fetch-corpus", "/proc/texts"], "/proc/texts: cannot make the texts directory here"),
    (["extraction-f1", "--corpus", "{tmp}/no-corpus"], "extraction-f1 needs the article-extraction-benchmark"),
    (["demo", "--db", "/proc/demo.duckdb"], "/proc/demo.duckdb: cannot be opened"),
    (["restore", "--db", MISSING_DB], "none.snapshot.duckdb: no such file to restore from"),
]


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    from tasks.store.database import Database

    Database(tmp_path / "empty.duckdb").init()
    return tmp_path


@pytest.mark.parametrize(("args", "expected"), MISTAKES, ids=[" ".join(a[:2]) for a, _ in MISTAKES])
def test_a_mistake_gets_one_line_on_stderr(tmp: Path, args: list[str], expected: str) -> None:
    argv = [str(REGWATCH), *(a.format(tmp=tmp) for a in args)]
    env = {**os.environ, "PREFECT_HOME": str(tmp / "prefect")}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, cwd=tmp)
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("regwatch: "), done.stderr
    assert expected in done.stderr
    assert not (tmp / "none.duckdb").exists() and not (tmp / "out.csv").exists()


@pytest.mark.parametrize("args", [["query"], ["bogus"], ["alerts", "--format", "xml"]], ids=" ".join)
def test_usage_mistakes_say_what_is_wrong_without_a_traceback(tmp: Path, args: list[str]) -> None:
    done = subprocess.run([str(REGWATCH), *args], capture_output=True, text=True, timeout=60, cwd=tmp)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.strip().splitlines()[-1].startswith("Error: ")


def test_a_temporary_prefect_server_too_slow_to_start_is_one_line_that_says_what_to_do(tmp: Path) -> None:
    """On a busy machine Prefect's temporary server can miss its start-up deadline (20 s by Prefect's default;
    regwatch allows 90 unless the user sets it): a run then ends in one line, not Prefect's traceback."""
    write_config(tmp, "feeds:\n  - url: http://127.0.0.1:9/rss\n    name: Never polled\n")
    env = {**os.environ, "PREFECT_HOME": str(tmp / "prefect"), "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "0"}
    env.pop("PREFECT_API_URL", None)
    argv = [str(REGWATCH), "run", "--config-dir", str(tmp), "--db", str(tmp / "rw.duckdb")]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, cwd=tmp)
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("regwatch: "), done.stderr
    assert "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS" in done.stderr and "PREFECT_API_URL" in done.stderr
