"""Run monitoring cycles on command in one long-lived process, as `regwatch serve` does.

The benchmark starts this module once, waits for "ready" (imports done,
Prefect's API up: a once-per-process cost it reports separately), then writes
"run" to stdin for each cycle and reads one JSON line back: the flow's counts,
its wall time and the Prefect task runs the cycle created. Settings come from
the environment, as for `regwatch run`.

    python -m bench.cycles   (then: run<newline> ... ; EOF ends it)
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any
from uuid import UUID

STABLE_POLLS = 3  # task runs reach the API as events: count until the number stops moving


async def _task_runs(flow_run_id: UUID, limit_seconds: float = 15.0) -> int:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline, counts = time.monotonic() + limit_seconds, [-1]
    async with get_client() as client:
        while time.monotonic() < deadline:
            runs = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
            counts.append(len(runs))
            if len(counts) > STABLE_POLLS and len(set(counts[-STABLE_POLLS:])) == 1:
                break
            await asyncio.sleep(0.3)
    return counts[-1]


async def _ready() -> None:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        await client.api_healthcheck()


def _cycle() -> dict[str, Any]:
    from prefect.client.schemas.objects import State

    from flows.monitor import monitor
    from flows.runner import check_config
    from tasks.settings import load_settings

    settings = load_settings()
    check_config(settings)
    started = time.perf_counter()
    run = monitor(config_dir=str(settings.config_dir), db=str(settings.db),
                  allow_private_networks=settings.allow_private_networks, return_state=True)
    state: State[dict[str, Any]] = asyncio.run(run)  # type: ignore[arg-type]  # an async flow's call is a coroutine
    wall = time.perf_counter() - started
    summary: dict[str, Any] = state.result()
    flow_run_id = state.state_details.flow_run_id
    if flow_run_id is None:
        raise RuntimeError("the flow run has no id: was it run without a Prefect API?")
    return {"wall": wall, "summary": summary, "task_runs": asyncio.run(_task_runs(flow_run_id))}


def main() -> None:
    started = time.perf_counter()
    import flows.monitor  # noqa: F401  (what every cycle needs, imported once)

    asyncio.run(_ready())
    print(json.dumps({"ready": time.perf_counter() - started}), flush=True)
    for line in sys.stdin:
        if line.strip() == "run":
            print(json.dumps(_cycle()), flush=True)


if __name__ == "__main__":
    main()
