"""Load history without alerting: from a file of URLs, a sitemap, or a feed and its archive pages.

The same fetch, extraction, dedupe and classification as a scheduled run, in
committed batches; a second run skips everything already stored, so an
interrupted backfill resumes where it stopped. Events are clustered with
their alerts recorded as `suppressed`, so backfilled stories never alert.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lxml import etree

from tasks.alert.plan import plan_alerts
from tasks.alert.rules import AlertRules
from tasks.common.errors import ConfigError
from tasks.common.urls import canonical_url
from tasks.fetch.feeds_config import FeedConfig, FeedsFile
from tasks.fetch.poll import FeedItem, FeedState, poll_feed
from tasks.fetch.safe_http import Endpoint, Fetched, Fetcher, FetchFailure
from tasks.pipeline.batch_loop import run_batches
from tasks.pipeline.cycle import CycleStats, Stored, extract_stage, extraction_pool, store_stage, worker_count
from tasks.store.articles import filter_new
from tasks.store.database import Database
from tasks.store.records import ArticleRecord

BACKFILL_FEED = "backfill"
MAX_ARCHIVE_PAGES = 50
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _item(url: str, published: datetime | None = None) -> FeedItem:
    return FeedItem(BACKFILL_FEED, url, canonical_url(url), None, "", "", published)


def urls_from_file(path: Path) -> list[FeedItem]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    urls = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    bad = next((u for u in urls if not u.startswith(("http://", "https://"))), None)
    if bad:
        raise ConfigError(f"{path}: not an http(s) URL: {bad[:100]!r}")
    return [_item(u) for u in urls]


def parse_sitemap(body: bytes) -> tuple[list[FeedItem], list[str]]:
    """Article URLs (with lastmod) and nested sitemaps of a sitemap or sitemap index; no entities resolved."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"sitemap is not valid XML: {exc}") from None
    items, nested = [], []
    for entry in root:
        loc = entry.findtext(f"{_SITEMAP_NS}loc") or entry.findtext("loc")
        if not loc:
            continue
        if entry.tag.endswith("sitemap"):
            nested.append(loc.strip())
            continue
        lastmod = entry.findtext(f"{_SITEMAP_NS}lastmod") or entry.findtext("lastmod")
        try:
            published = datetime.fromisoformat(lastmod.strip()) if lastmod else None
        except ValueError:
            published = None
        if published is not None and published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        items.append(_item(loc.strip(), published))
    return items, nested


async def collect(source: str, kind: str, feeds: FeedsFile, fetcher: Fetcher) -> list[FeedItem]:
    """Every article URL the source lists."""
    if kind == "urls":
        return urls_from_file(Path(source))
    if kind == "sitemap":
        return await _sitemap_items(source, feeds, fetcher)
    return await _feed_archive_items(source, feeds, fetcher)


async def _sitemap_items(source: str, feeds: FeedsFile, fetcher: Fetcher) -> list[FeedItem]:
    """A sitemap, following a sitemap index into its sitemaps."""
    items: list[FeedItem] = []
    queue, seen = [source], set[str]()
    while queue and len(seen) < MAX_ARCHIVE_PAGES:
        page = queue.pop(0)
        seen.add(page)
        response = await fetcher.get(page, max_bytes=feeds.fetch.max_feed_bytes)
        if isinstance(response, FetchFailure) or response.status >= 400:
            raise ConfigError(f"{page}: {_reason(response)}")
        found, nested = parse_sitemap(response.body)
        items += found
        queue += [n for n in nested if n not in seen]
    return items


async def _feed_archive_items(source: str, feeds: FeedsFile, fetcher: Fetcher) -> list[FeedItem]:
    """A feed and its archive pages, following <link rel="next"> (RFC 5005)."""
    items: list[FeedItem] = []
    page: str | None = source
    pages = 0
    while page and pages < MAX_ARCHIVE_PAGES:
        pages += 1
        poll = await poll_feed(fetcher, FeedConfig(url=page), FeedState(), feeds.fetch)
        if poll.status == "error":
            raise ConfigError(f"{page}: {poll.error}")
        items += [FeedItem(BACKFILL_FEED, i.link, i.url_key, i.guid, i.title, i.summary, i.published)
                  for i in poll.items]
        page = poll.next_page
    return items


def _reason(response: Fetched | FetchFailure) -> str:
    return response.reason if isinstance(response, FetchFailure) else f"HTTP {response.status}"


def backfill(
    db: Database, source: str, kind: str, feeds: FeedsFile, config_dir: Path, allow_private: bool,
    progress: Callable[[int, int], None] = lambda done, total: None, batch_size: int = 100,
    exempt: Collection[Endpoint] = (),
) -> CycleStats:
    """Fetch, extract, classify and store every new URL of `source`; alert on none of them.

    The counts are a cycle's: `items_seen` URLs listed, `items_known` of them already stored, then
    `pages_fetched`, `articles_added` and `duplicates` as the batches are stored."""
    stats = CycleStats()
    db.init()

    async def go() -> None:
        async with Fetcher(feeds.fetch, allow_private, exempt=exempt) as fetcher:
            items = await collect(source, kind, feeds, fetcher)
            stats.items_seen = len(items)
            new = filter_new(db, items)
            stats.items_known = new.known
            progress(0, len(new.items))

            async def store(records: list[ArticleRecord]) -> Stored:
                return store_stage(db, records)

            def done(count: int, stored: Stored) -> None:
                stats.add_batch(count, stored)
                progress(stats.pages_fetched, len(new.items))

            with extraction_pool(worker_count(), str(config_dir)) as extractor:
                await run_batches(  # one batch at a time: backfill is not in a hurry, and stores as it goes
                    new.items, lambda batch: extract_stage(batch, fetcher, feeds.fetch, extractor), store, done,
                    size=batch_size, in_flight=1,
                )

    asyncio.run(go())
    plan_alerts(db, AlertRules(), timedelta(0), datetime.now(UTC), None, only_feed=BACKFILL_FEED)  # alert nothing
    db.refresh_snapshot()
    return stats
