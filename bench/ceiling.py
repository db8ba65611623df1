"""L2, the ceiling for regwatch's orchestration: a cold run's job done by a minimal script, storing nothing.

It polls every feed and fetches every page from the benchmark's server with regwatch's own HTTP client and
limits (`tasks.fetch.safe_http.Fetcher`, `tasks.pipeline.cycle.fetch_page`, the config's fetch limits), and runs
the workers' per-page function (`tasks.pipeline.page_work.process_page`: extraction, company matching, events,
MinHash) in a pool of as many processes as regwatch uses, forked from the same preloaded server. Feeds are
parsed in that pool too, and each page goes to it as soon as it arrives, with at most as many fetched pages
waiting as regwatch lets wait. Nothing else: no database, no dedupe, no alerts, no Prefect. What a cold
`regwatch run` costs above this script is the cost of regwatch's orchestration, dedupe, storage and alerting.

    python -m bench.ceiling CONFIG_DIR

prints {"articles": pages fetched and processed, "extracted": of them by trafilatura, "feeds": feeds polled}.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import sys
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from tasks.fetch.feeds_config import FetchLimits, load_feeds
from tasks.fetch.poll import FeedItem, poll_all
from tasks.fetch.safe_http import Fetcher
from tasks.pipeline.cycle import PAGES_PER_WORKER, fetch_page, worker_count
from tasks.pipeline.page_work import process_page


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """`workers` processes forked from a server that preloaded what regwatch's workers preload."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tasks.pipeline.worker_preload"])
    return ProcessPoolExecutor(workers, mp_context=context)


async def process_all(items: list[FeedItem], fetcher: Fetcher, limits: FetchLimits, pool: Executor,
                      waiting: int, config_dir: str) -> int:
    """Fetch every item's page and run `process_page` on it in `pool`; how many gave an article."""
    slots = asyncio.Semaphore(waiting)
    loop = asyncio.get_running_loop()

    async def one(item: FeedItem) -> bool:
        async with slots:
            page = await fetch_page(item, fetcher, limits)
            record = await loop.run_in_executor(pool, process_page, *page, config_dir)
        return record.extraction == "trafilatura"

    return sum(await asyncio.gather(*(one(item) for item in items)))


async def run(config_dir: Path, workers: int) -> dict[str, int]:
    feeds = load_feeds(config_dir)
    with worker_pool(workers) as pool:
        async with Fetcher(feeds.fetch, allow_private=True) as fetcher:  # the benchmark's server is on loopback
            polls = await poll_all(fetcher, feeds.feeds, {}, feeds.fetch, pool)
            items = [item for poll in polls for item in poll.items]
            extracted = await process_all(items, fetcher, feeds.fetch, pool, workers * PAGES_PER_WORKER,
                                          str(config_dir))
    return {"articles": len(items), "extracted": extracted, "feeds": len(polls)}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(Path(sys.argv[1]), worker_count()))))
