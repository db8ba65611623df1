"""Keep the README's command reference equal to the real `--help` output.

`python -m flows.cli.reference` rewrites the block between the markers in README.md;
`tests/flows/test_cli.py` fails when the two differ, so the docs never drift.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from flows.cli.app import app

README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- command-reference:start -->", "<!-- command-reference:end -->"
WIDTH = 100


def help_text(args: list[str]) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], prog_name="regwatch", terminal_width=WIDTH)
    if result.exit_code != 0:
        raise RuntimeError(f"regwatch {' '.join(args)} --help failed: {result.output}")
    return result.output


def command_names() -> list[str]:
    """Every command, each group's own commands right after it: ..., "slack", "slack test"."""
    group = typer.main.get_command(app)
    names = []
    for name, command in getattr(group, "commands", {}).items():
        names += [name, *(f"{name} {sub}" for sub in getattr(command, "commands", {}))]
    return names


def command_reference() -> str:
    parts = ["```", help_text([]).rstrip(), "```"]
    for name in command_names():
        parts += ["", f"#### `regwatch {name}`", "", "```", help_text(name.split()).rstrip(), "```"]
    return "\n".join(parts)


def readme_section(text: str) -> str:
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n")


def main() -> None:
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{command_reference()}\n{END}{tail}", encoding="utf-8")
    sys.stdout.write(f"updated {README}\n")


if __name__ == "__main__":
    main()
