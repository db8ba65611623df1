"""Shared fixtures: a local HTTP server, a fake Slack, one Prefect test harness for the whole session.

Helpers that are not fixtures live in `tests/support/`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.slack_server import SlackServer
from flows.demo.corpus_server import CorpusServer

SLOW_DIRS = ("flows", "faults")  # whole flows, real processes, fault injection: in `make test`, not `make test-fast`


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` what the edit-test loop skips: tests/flows, tests/faults, and whatever starts Prefect's harness."""
    tests_dir = Path(__file__).resolve().parent
    for item in items:
        folder = item.path.resolve().relative_to(tests_dir).parts[0]
        if folder in SLOW_DIRS or "prefect_harness" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer's REGWATCH_* variables or .env leak into a test."""
    for key in list(os.environ):
        if key.upper().startswith("REGWATCH_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server and database for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackServer]:
    """A Slack-shaped server on loopback, and the settings that point regwatch at it."""
    with SlackServer() as fake:
        monkeypatch.setenv("REGWATCH_SLACK_BOT_TOKEN", fake.token)
        monkeypatch.setenv("REGWATCH_SLACK_CHANNEL", "C0ALERTS")
        monkeypatch.setenv("REGWATCH_SLACK_API_URL", fake.api_url)
        yield fake


@pytest.fixture
def server() -> Iterator[CorpusServer]:
    """An empty local server; tests add routes to `server.routes`."""
    with CorpusServer() as srv:
        yield srv


@pytest.fixture
def prefect_api_url(prefect_harness: None) -> str:
    """The session's Prefect server, for `regwatch` child processes: they start in a second, not ten."""
    from prefect.settings import PREFECT_API_URL

    return str(PREFECT_API_URL.value())
