"""The container files refer to what exists (no Docker engine here to build them)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_dockerfile_copies_existing_paths_and_serves() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (.+) \S+$", text, re.M):
        for path in source.split():
            assert (DEPLOY.parent / path).exists(), path
    assert 'CMD ["regwatch", "serve"]' in text and "USER regwatch" in text


def test_compose_runs_server_worker_and_deployer_on_one_volume() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"prefect-server", "worker", "deployer"} <= set(services)
    assert "deploy --all --prefect-file deploy/prefect.yaml" in services["deployer"]["command"]
    assert "regwatch-data:/data" in services["worker"]["volumes"]
    assert services["worker"]["environment"]["PREFECT_API_URL"] == "http://prefect-server:4200/api"


def test_every_prefect_server_the_readme_starts_has_telemetry_off() -> None:
    """Offline, Prefect's server logs `Failed to send telemetry` unless told not to send it."""
    readme = (DEPLOY.parent / "README.md").read_text()
    starts = [line for line in readme.splitlines() if "bin/prefect server start" in line]
    assert starts and all("PREFECT_SERVER_ANALYTICS_ENABLED=false" in line for line in starts)
    assert "PREFECT_SERVER_ANALYTICS_ENABLED=false" in (DEPLOY / "Dockerfile").read_text()
