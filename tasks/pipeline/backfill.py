"""Load history without alerting: from a file of URLs, a sitemap, or a feed and its archive pages.

The same fetch, extraction, dedupe and classification as a scheduled run, in
committed batches; a second run skips everything already stored, so an
interrupted backfill resumes where it stopped. Events are clustered with
their alerts recorded as `suppressed`, so backfilled stories never alert.

Nothing is lost quietly: a line of a URL file that is not a URL is reported
with its line number and the others are read, and a page that cannot be
fetched is reported and not stored, so the next backfill tries it again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lxml import etree

from tasks.alert.plan import plan_alerts
from tasks.alert.rules import AlertRules
from tasks.common.errors import ConfigError, RegwatchError
from tasks.common.urls import canonical_url
from tasks.fetch.feeds_config import FeedConfig, FeedsFile, FetchLimits
from tasks.fetch.poll import FeedItem, FeedState, poll_feed
from tasks.fetch.safe_http import Endpoint, Fetched, Fetcher, FetchFailure
from tasks.pipeline.batch_loop import run_batches
from tasks.pipeline.cycle import CycleStats, Extractor, Stored, extraction_pool, fetch_page, store_stage, worker_count
from tasks.store.articles import filter_new
from tasks.store.database import Database
from tasks.store.records import ArticleRecord

BACKFILL_FEED = "backfill"
MAX_ARCHIVE_PAGES = 50
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass
class Listing:
    """The articles a source lists, and its entries that are not a URL (`where: why: 'entry'`)."""

    items: list[FeedItem] = field(default_factory=list)
    bad_entries: list[str] = field(default_factory=list)

    def add(self, url: str, where: str, published: datetime | None = None) -> None:
        """List `url`, or report it as a bad entry found at `where` (`urls.txt:17`, a sitemap's URL)."""
        if not url.startswith(("http://", "https://")):
            self.bad_entries.append(f"{where}: not an http(s) URL: {url[:100]!r}")
            return
        try:
            self.items.append(FeedItem(BACKFILL_FEED, url, canonical_url(url), None, "", "", published))
        except ValueError:  # "Invalid IPv6 URL"
            self.bad_entries.append(f"{where}: not a valid URL: {url[:100]!r}")


def urls_from_file(path: Path) -> Listing:
    """One URL a line; blank lines and `#` comments are skipped, and a bad line does not stop the others."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    listing = Listing()
    for number, line in enumerate(lines, start=1):
        url = line.strip()
        if url and not url.startswith("#"):
            listing.add(url, f"{path}:{number}")
    return listing


def parse_sitemap(body: bytes, where: str = "sitemap") -> tuple[Listing, list[str]]:
    """Article URLs (with lastmod) and nested sitemaps of a sitemap or sitemap index; no entities resolved."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"sitemap is not valid XML: {exc}") from None
    listing, nested = Listing(), []
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
        listing.add(loc.strip(), where, published)
    return listing, nested


async def collect(source: str, kind: str, feeds: FeedsFile, fetcher: Fetcher) -> Listing:
    """Every article URL the source lists."""
    if kind == "urls":
        return urls_from_file(Path(source))
    if kind == "sitemap":
        return await _sitemap_items(source, feeds, fetcher)
    return await _feed_archive_items(source, feeds, fetcher)


async def _sitemap_items(source: str, feeds: FeedsFile, fetcher: Fetcher) -> Listing:
    """A sitemap, following a sitemap index into its sitemaps."""
    listing = Listing()
    queue, seen = [source], set[str]()
    while queue and len(seen) < MAX_ARCHIVE_PAGES:
        page = queue.pop(0)
        seen.add(page)
        response = await fetcher.get(page, max_bytes=feeds.fetch.max_feed_bytes)
        if isinstance(response, FetchFailure) or response.status >= 400:
            raise ConfigError(f"{page}: {_reason(response)}")
        found, nested = parse_sitemap(response.body, page)
        listing.items += found.items
        listing.bad_entries += found.bad_entries
        queue += [n for n in nested if n not in seen]
    return listing


async def _feed_archive_items(source: str, feeds: FeedsFile, fetcher: Fetcher) -> Listing:
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
    return Listing(items)


def _reason(response: Fetched | FetchFailure) -> str:
    return response.reason if isinstance(response, FetchFailure) else f"HTTP {response.status}"


async def fetch_and_extract(
    items: Sequence[FeedItem], fetcher: Fetcher, limits: FetchLimits, extractor: Extractor, failed: list[str]
) -> list[ArticleRecord]:
    """The monitor's extract stage, except that a page that cannot be fetched goes to `failed`, not the database.

    A scheduled run stores such an item from its feed summary, since the feed will not list it again. A
    backfill has no summary to keep (a URL file gives none), and would skip a stored URL on every later
    backfill: storing it would lose the page for good."""

    async def one(item: FeedItem) -> ArticleRecord | None:
        async with extractor.slots:
            _, page, error = await fetch_page(item, fetcher, limits)
            if page is None:
                failed.append(f"{item.link}: {error}")
                return None
            return await extractor.extract(item, page, None)

    return [record for record in await asyncio.gather(*(one(item) for item in items)) if record is not None]


class BackfillIncompleteError(RegwatchError):
    """Some entries of the source or some of its pages were not loaded; the others were."""


@dataclass
class BackfillReport:
    """What a backfill did (a cycle's counts) and what it left out, one line each for the user."""

    stats: CycleStats = field(default_factory=CycleStats)
    bad_entries: list[str] = field(default_factory=list)  # "urls.txt:17: not an http(s) URL: 'ftp://...'"
    failed_pages: list[str] = field(default_factory=list)  # "https://...: HTTP 404", not stored: retried next time

    def shortfall(self) -> BackfillIncompleteError | None:
        """The error to end with when something was left out, so that scripts notice; None when all was loaded."""
        if not (self.bad_entries or self.failed_pages):
            return None
        bad, failed = len(self.bad_entries), len(self.failed_pages)
        return BackfillIncompleteError(
            f"left out, as listed above: {bad} bad {'entry' if bad == 1 else 'entries'} and "
            f"{failed} {'page' if failed == 1 else 'pages'} that could not be fetched; fix what you can and run "
            "the same backfill again (stored URLs are skipped, the rest is tried again)"
        )


def backfill(
    db: Database, source: str, kind: str, feeds: FeedsFile, config_dir: Path, allow_private: bool,
    page_cpu_seconds: int, progress: Callable[[int, int], None] = lambda done, total: None, batch_size: int = 100,
    exempt: Collection[Endpoint] = (),
) -> BackfillReport:
    """Fetch, extract, classify and store every new URL of `source`; alert on none of them.

    The counts are a cycle's: `items_seen` URLs listed, `items_known` of them already stored, then
    `pages_fetched` (tried), `articles_added` and `duplicates` as the batches are stored."""
    report = BackfillReport()
    stats = report.stats
    db.init()

    async def go() -> None:
        async with Fetcher(feeds.fetch, allow_private, exempt=exempt) as fetcher:
            listing = await collect(source, kind, feeds, fetcher)
            report.bad_entries = listing.bad_entries
            stats.items_seen = len(listing.items)
            new = filter_new(db, listing.items)
            stats.items_known = new.known
            progress(0, len(new.items))

            async def store(records: list[ArticleRecord]) -> Stored:
                return store_stage(db, records)

            def done(count: int, stored: Stored) -> None:
                stats.add_batch(count, stored)
                progress(stats.pages_fetched, len(new.items))

            with extraction_pool(worker_count(), str(config_dir), page_cpu_seconds) as extractor:
                await run_batches(  # one batch at a time: backfill is not in a hurry, and stores as it goes
                    new.items,
                    lambda batch: fetch_and_extract(batch, fetcher, feeds.fetch, extractor, report.failed_pages),
                    store, done,
                    size=batch_size, in_flight=1,
                )

    asyncio.run(go())
    plan_alerts(db, AlertRules(), timedelta(0), datetime.now(UTC), None, only_feed=BACKFILL_FEED)  # alert nothing
    db.refresh_snapshot()
    return report
