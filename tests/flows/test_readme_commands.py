"""Every command the README tells a user to type exists: a program this project installs, and a real subcommand."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import pytest
import typer.main

from flows.cli.app import app

README = Path(__file__).resolve().parents[2] / "README.md"
SYSTEM_PROGRAMS = {"make", "docker", "export"}  # what the README assumes of the machine, besides Python
ASSIGNMENT = re.compile(r"^[A-Z_]+=\S*$")


def readme_commands() -> list[list[str]]:
    """The words of each command line in the README's shell blocks, environment assignments dropped."""
    commands = []
    for block in re.findall(r"```(?:sh|bash)\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        for line in block.splitlines():
            words = shlex.split(line.split(" #")[0], comments=True)
            while words and ASSIGNMENT.match(words[0]):
                words.pop(0)
            if words:
                commands.append(words)
    return commands


@pytest.mark.parametrize("words", readme_commands(), ids=lambda words: " ".join(words[:3]))
def test_readme_command_exists(words: list[str]) -> None:
    program = words[0]
    if program.startswith(".venv/bin/"):
        assert (Path(sys.executable).parent / program.removeprefix(".venv/bin/")).exists(), program
    else:
        assert program in SYSTEM_PROGRAMS, f"{program}: not installed by `make install`"
    if program.endswith("/regwatch"):
        subcommands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
        assert words[1] in subcommands, f"regwatch {words[1]}: no such command"
