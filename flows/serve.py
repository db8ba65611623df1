"""`regwatch serve`: the deployments of deploy/prefect.yaml, served by this one process.

The schedules are read from deploy/prefect.yaml, so the cron expressions live
in one place whichever way regwatch is run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from flows.runner import check_config
from tasks.common.settings import REPO_ROOT, Settings, load_settings

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

PREFECT_YAML = REPO_ROOT / "deploy" / "prefect.yaml"


def deployment_specs(path: Path = PREFECT_YAML) -> dict[str, dict[str, Any]]:
    """name -> {cron, timezone, parameters, concurrency_limit} for each deployment in prefect.yaml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    specs = {}
    for deployment in data["deployments"]:
        schedule = deployment["schedules"][0]
        limit = deployment.get("concurrency_limit") or {}
        specs[deployment["name"]] = {
            "cron": schedule["cron"],
            "timezone": schedule.get("timezone", "UTC"),
            "parameters": dict(deployment.get("parameters") or {}),
            "concurrency_limit": limit.get("limit") if isinstance(limit, dict) else limit,
        }
    return specs


def served_name(name: str) -> str:
    """`monitor` -> `monitor-served`: never the name `prefect deploy` gives, or each path would overwrite the other's
    deployment and the worker's scheduled runs would crash looking for flow code at storage `None`."""
    return f"{name}-served"


def served_deployments(settings: Settings) -> list[RunnerDeployment]:
    """The monitor and the digest on prefect.yaml's schedules, run by this process rather than a work pool."""
    from prefect.deployments.runner import RunnerDeployment

    from flows.digest import digest
    from flows.monitor import monitor

    specs = deployment_specs()
    monitor_spec, digest_spec = specs["monitor"], specs["daily-digest"]
    deployments = [
        monitor.to_deployment(
            name=served_name("monitor"), cron=monitor_spec["cron"], concurrency_limit=monitor_spec["concurrency_limit"],
            parameters={"config_dir": str(settings.config_dir), "db": str(settings.db)},
        ),
        digest.to_deployment(
            name=served_name("daily-digest"), cron=digest_spec["cron"],
            parameters={**digest_spec["parameters"], "db": str(settings.db)},
        ),
    ]
    return [d for d in deployments if isinstance(d, RunnerDeployment)]  # to_deployment is sync here


def serve_flows(config_dir: Path | None, db: Path | None) -> None:
    settings = load_settings(config_dir=config_dir, db=db)
    check_config(settings)
    from prefect import serve

    serve(*served_deployments(settings))
