"""The same flow with extraction on a Dask cluster (`REGWATCH_TASK_RUNNER=dask`), two local workers.

The result must be the default runner's: the same stories, events and alerts
from the demo corpus; the extraction must really run on the cluster's workers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.slack_server import SlackServer
from flows.demo.corpus_server import CorpusServer
from flows.demo.run import CORPUS, write_demo_config
from flows.monitor import monitor
from tasks.store.database import Database

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


def stored(db: Path) -> tuple[set[str], set[tuple[str, str]]]:
    with Database(db).read() as con:
        urls = {r[0] for r in con.execute("SELECT url FROM articles").fetchall()}
        events = {(k, e) for k, e in con.execute("SELECT kind, evidence FROM events").fetchall()}
    return urls, events


def test_dask_runner_stores_what_the_default_runner_stores(
    tmp_path: Path, cluster: object, slack: SlackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with CorpusServer(CORPUS / "site") as server:
        write_demo_config(tmp_path / "config", server.base)
        local = asyncio.run(monitor(config_dir=str(tmp_path / "config"), db=str(tmp_path / "local.duckdb"),
                                    allow_private_networks=True))
        local_posts = len(slack.messages)
        monkeypatch.setenv("REGWATCH_TASK_RUNNER", "dask")
        monkeypatch.setenv("REGWATCH_DASK_ADDRESS", cluster.scheduler_address)  # type: ignore[attr-defined]
        on_dask = asyncio.run(monitor(config_dir=str(tmp_path / "config"), db=str(tmp_path / "dask.duckdb"),
                                      allow_private_networks=True))
    for key in ("pages_fetched", "articles_added", "duplicates", "near_duplicates", "events_clustered",
                "alerts_sent"):
        assert on_dask[key] == local[key], key
    assert local["alerts_sent"] > 0 and len(slack.messages) == 2 * local_posts
    assert stored(tmp_path / "dask.duckdb") == stored(tmp_path / "local.duckdb")
    ran = cluster.scheduler.task_prefixes  # type: ignore[attr-defined]
    assert "extract_batch" in ran, sorted(ran)  # the extraction tasks ran on the cluster
