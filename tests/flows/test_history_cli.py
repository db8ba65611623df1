"""`regwatch history COMPANY` as a user runs it: on an empty database, with no database, in CSV/JSON, and a name
regwatch does not know (one line, exit 1, no traceback)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from flows.cli.app import app
from tasks.store.database import Database

REGWATCH = Path(sys.executable).parent / "regwatch"


def history(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["history", *args], prog_name="regwatch")
    return result.exit_code, result.output


def test_history_on_an_empty_database_shows_the_reference_actions_and_totals(tmp_path: Path) -> None:
    Database(tmp_path / "empty.duckdb").init()
    code, output = history("9988.HK", "--db", str(tmp_path / "empty.duckdb"))
    assert code == 0, output
    assert output.startswith("Alibaba Group: ") and "0 observed by regwatch)" in output
    assert "2021-04-10  Fine  18.228 billion yuan (≈ $2.54 billion)  by SAMR  [reference]" in output
    assert "Totals by regulator" in output and "Totals by year" in output


def test_history_as_json_is_one_object_per_action(tmp_path: Path) -> None:
    code, output = history("Tencent", "--db", str(tmp_path / "none.duckdb"), "--format", "json")
    assert code == 0, output
    rows = [json.loads(line) for line in output.splitlines()]
    assert rows and {row["origin"] for row in rows} == {"reference"}
    assert all(row["sources"].startswith("http") for row in rows)


def test_an_unknown_company_is_one_line_naming_close_matches(tmp_path: Path) -> None:
    done = subprocess.run([str(REGWATCH), "history", "Alibabba", "--db", str(tmp_path / "none.duckdb")],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "regwatch: no company 'Alibabba' in companies.yaml or the reference data; close matches: Alibaba Group "
        "(config/companies.yaml lists them)"
    ]
