"""`regwatch alerts`: listing the outbox and resending, as a user types them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from flows.cli.app import app
from tasks.store.database import Database


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), prog_name="regwatch")
    return result.exit_code, result.output


def test_an_unknown_status_is_one_line_listing_the_valid_ones(tmp_path: Path) -> None:
    db = tmp_path / "rw.duckdb"
    Database(db).init()
    code, output = cli("alerts", "--db", str(db), "--status", "bogus")
    assert (code, output) == (1, "regwatch: unknown alert status 'bogus': choose one of pending, sending, sent, "
                                 "shown, failed, suppressed\n")


def test_a_known_status_with_no_alerts_is_an_empty_listing(tmp_path: Path) -> None:
    db = tmp_path / "rw.duckdb"
    Database(db).init()
    code, output = cli("alerts", "--db", str(db), "--status", "shown", "--format", "csv")
    assert code == 0 and output.splitlines()[0].startswith("alert_id,status")
