"""Run a cycle from the CLI: validate first, then record a quiet cycle or hand over to Prefect.

Config and database problems are found before Prefect starts, so they end
with one line instead of a failed flow run and a traceback. A cycle in which
no feed has anything new is recorded without starting Prefect at all
(`tasks.pipeline.quiet`), unless every cycle is to be a flow run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tasks.alert.rules import load_alert_rules
from tasks.classify.companies import load_companies
from tasks.classify.currency import load_rates
from tasks.classify.history import load_history
from tasks.common.errors import ConfigError, RegwatchError
from tasks.common.settings import Settings, check_slack_settings, load_settings
from tasks.fetch.feeds_config import load_feeds
from tasks.pipeline.quiet import quiet_cycle
from tasks.store.database import Database

CONFIG_FILES: tuple[Callable[[Path], object], ...] = (
    load_feeds, load_companies, load_rates, load_history, load_alert_rules,
)


def check_config(settings: Settings) -> None:
    """Every config file and the database, checked before Prefect starts; the mistakes of all files at once."""
    if not settings.config_dir.is_dir():
        raise ConfigError(f"{settings.config_dir}: no such config directory (--config-dir or REGWATCH_CONFIG_DIR)")
    problems = []
    for load in CONFIG_FILES:
        try:
            load(settings.config_dir)
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigError("\n".join(problems))
    check_slack_settings(settings)  # a token without a channel would otherwise fail only after the whole cycle
    Database.for_settings(settings).init()


def run_monitor(
    config_dir: Path | None = None, db: Path | None = None, allow_private_networks: bool | None = None,
    always_flow: bool = False,
) -> dict[str, Any]:
    """One cycle: recorded without Prefect when it is quiet, unless `always_flow`; else the monitor flow's run.
    The summary's `quiet` says which."""
    settings = load_settings(config_dir=config_dir, db=db, allow_private_networks=allow_private_networks)
    check_config(settings)
    if not always_flow:
        recorded = quiet_cycle(settings)
        if recorded is not None:
            return recorded
    return {**run_flow(settings), "quiet": False}


def run_flow(settings: Settings) -> dict[str, Any]:
    """The monitor flow, run here; a run that ended failed is one line (RegwatchError)."""
    from prefect.exceptions import FailedRun

    from flows.monitor import monitor

    try:
        summary = asyncio.run(
            monitor(
                config_dir=str(settings.config_dir),
                db=str(settings.db),
                allow_private_networks=settings.allow_private_networks,
            )
        )
    except FailedRun as failed:  # the flow did its work, then ended Failed (too many feeds failed): one line, exit 1
        raise RegwatchError(str(failed)) from None
    assert isinstance(summary, dict)  # the state a flow returns is raised (failed) or unwrapped by Prefect
    return summary
