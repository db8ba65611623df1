"""`regwatch` run in-process, as the tests that only read its output and exit status need it."""

from __future__ import annotations

from typer.testing import CliRunner

from flows.cli.app import app


def regwatch(*args: str) -> tuple[int, str]:
    """Exit status and output (stdout and stderr together) of `regwatch ARGS`."""
    result = CliRunner().invoke(app, list(args), prog_name="regwatch")
    return result.exit_code, result.output
