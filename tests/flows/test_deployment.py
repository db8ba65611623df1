"""deploy/prefect.yaml for real: a Prefect server on 127.0.0.1, `prefect deploy`, a process worker, a run."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.prefect_server import BIN, PrefectServer, stop
from flows.demo.corpus_server import CorpusServer
from tasks.store.queries import run_query
from tests.support.configs import write_config
from tests.support.feeds_samples import RSS2
from tests.support.httpkit import static

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, env=env, cwd=REPO, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def prefect(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(BIN / "prefect"), *args], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def server_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with PrefectServer(tmp_path / "prefect", tmp_path / "server.log") as server:
        yield server.env


# What `regwatch serve` registers when it starts serving, registered without then serving.
APPLY_SERVED = """
from flows.serve import served_deployments
from tasks.common.settings import load_settings
for deployment in served_deployments(load_settings()):
    deployment.apply()
"""


def test_deploy_from_prefect_yaml_and_run_through_a_worker(tmp_path: Path, server_env: dict[str, str]) -> None:
    """Both deploy paths, one after the other, as a user may try them: the worker's deployment still runs."""
    started = time.monotonic()
    env = {**server_env, "REGWATCH_ALLOW_PRIVATE_NETWORKS": "1"}
    db = tmp_path / "rw.duckdb"
    with CorpusServer() as feeds:
        feeds.routes["/rss"] = static(RSS2)
        feeds_yaml = f"feeds:\n  - url: {feeds.url('/rss')}\nfetch:\n  timeout_seconds: 2\n"
        config = write_config(tmp_path / "config", feeds_yaml)
        prefect(env, "work-pool", "create", "regwatch", "--type", "process")
        out = prefect(env, "--no-prompt", "deploy", "--all", "--prefect-file", "deploy/prefect.yaml")
        assert "regwatch-monitor/monitor" in out and "regwatch-digest/daily-digest" in out
        served = subprocess.run([str(BIN / "python"), "-c", APPLY_SERVED], env=env, cwd=REPO, capture_output=True,
                                text=True, timeout=180)
        assert served.returncode == 0, served.stderr
        worker = start([str(BIN / "prefect"), "worker", "start", "--pool", "regwatch", "--limit", "1"], env,
                       tmp_path / "worker.log")
        try:
            run = prefect(env, "deployment", "run", "regwatch-monitor/monitor", "--param", f"config_dir={config}",
                          "--param", f"db={db}", "--watch", "--watch-timeout", "240")
        finally:
            stop(worker)
    assert "Completed" in run, run + (tmp_path / "worker.log").read_text()[-3000:]
    assert run_query(db, "SELECT count(*) FROM articles")[1] == [(2,)]
    served = json.loads(prefect(env, "deployment", "inspect", "regwatch-monitor/monitor-served", "-o", "json"))
    assert served["work_pool_name"] is None and served["parameters"]["config_dir"]
    schedules = json.loads(prefect(env, "deployment", "inspect", "regwatch-monitor/monitor", "-o", "json"))
    assert schedules["schedules"][0]["schedule"]["cron"] == "* * * * *"
    assert schedules["concurrency_limit"] == 1 or schedules.get("global_concurrency_limit", {}).get("limit") == 1
    print(f"integration test wall time: {time.monotonic() - started:.1f}s")
