"""Poll feeds: conditional GET, parse with feedparser, report per-feed health.

Nothing here raises for a bad feed: each poll returns a `FeedPoll` whose
`error` says what went wrong, so one broken feed never stops the others.
"""

from __future__ import annotations

import asyncio
import calendar
import html
import io
import re
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import feedparser

from tasks.common.urls import canonical_url, unwrap_redirect, without_userinfo
from tasks.fetch.feeds_config import FeedConfig, FetchLimits
from tasks.fetch.safe_http import Fetched, Fetcher, FetchFailure
from tasks.fetch.schedule import Outcome, failure_streak, is_due, items_digest, next_interval, quiet_streak

_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
# The start of an RSS <item> or Atom <entry>, namespaced or not (not RSS 1.0's <items>).
_ENTRY_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]")


@dataclass(frozen=True)
class FeedState:
    """What we remember between polls: to make the next one conditional, and when it is due."""

    etag: str | None = None
    last_modified: str | None = None
    items_digest: str | None = None  # the items the feed listed last (schedule.items_digest)
    interval_seconds: int | None = None  # None: never polled (adaptive polling, tasks/fetch/schedule.py)
    next_poll_at: datetime | None = None  # None: due at once
    quiet_polls: int = 0  # polls in a row that found nothing new, failures included
    failures: int = 0  # polls in a row that failed


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, before its page is fetched."""

    feed_id: str
    link: str  # the publisher URL after unwrapping aggregator redirects
    url_key: str  # canonical form of `link`
    guid: str | None
    title: str
    summary: str
    published: datetime | None


@dataclass
class FeedPoll:
    """Outcome of polling one feed."""

    feed: FeedConfig
    status: str  # "ok", "not_modified" or "error"
    state: FeedState = FeedState()
    items: list[FeedItem] = field(default_factory=list)
    error: str | None = None
    warning: str | None = None
    http_status: int | None = None
    next_page: str | None = None  # the feed's archive: <link rel="next"> (RFC 5005)


def conditional_headers(state: FeedState) -> dict[str, str]:
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def html_to_text(fragment: str) -> str:
    """Feed summaries are HTML snippets; keep their words only."""
    return _SPACE.sub(" ", html.unescape(_TAGS.sub(" ", fragment))).strip()


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _entry_link(entry: Any, base: str) -> str | None:
    link = entry.get("link")
    if not link:
        for candidate in entry.get("links", []) or []:
            if candidate.get("href") and candidate.get("rel", "alternate") == "alternate":
                link = candidate["href"]
                break
    if not link or not isinstance(link, str):
        return None
    return unwrap_redirect(urljoin(base, link.strip()))


def _first_entries(body: bytes, max_items: int) -> tuple[bytes, int]:
    """The feed cut before its (max_items + 1)th entry, and how many entries it has.

    Only the first `max_items` entries are ever used, and feedparser costs
    time in proportion to what it reads: a feed of 100 000 items must not
    hold the run for a minute. feedparser reads a feed cut short like this.
    """
    starts = [m.start() for m in _ENTRY_START.finditer(body)]
    return (body[: starts[max_items]] if len(starts) > max_items else body), len(starts)


def _feedparse(body: bytes, content_type: str, location: str) -> Any:
    # A BytesIO, never raw bytes: feedparser treats a bytes argument that names a
    # local file as a path to open.
    return feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-type": content_type, "content-location": location},
        sanitize_html=False,
        resolve_relative_uris=False,
    )


def _parse_any_encoding(body: bytes, content_type: str, location: str) -> tuple[Any, str | None]:
    """feedparser's result, decoded with the detected encoding when the declared one is wrong or missing.

    feedparser falls back to windows-1252 when the declaration does not fit,
    which turns an undeclared GBK or Big5 feed into mojibake. Returns the
    parse and a note for the feed's health when the encoding was detected.
    """
    parsed = _feedparse(body, content_type, location)
    if not isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride):
        return parsed, None
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    if best is None or best.encoding.replace("_", "-") in ("ascii", "utf-8"):
        return parsed, None
    retry = _feedparse(body, f"application/xml; charset={best.encoding}", location)
    if isinstance(retry.get("bozo_exception"), feedparser.CharacterEncodingOverride) or not retry.entries:
        return parsed, None
    declared = parsed.get("encoding") or "none"
    return retry, f"encoding declared wrongly or not at all; read as {best.encoding} (feedparser tried {declared})"


def parse_feed(feed: FeedConfig, response: Fetched, max_items: int) -> FeedPoll:
    """Turn a 200 response into items, or an error that says why it is not a feed."""
    state = FeedState(response.headers.get("etag"), response.headers.get("last-modified"))
    if not response.body.strip():
        return FeedPoll(feed, "error", state, error="empty response body", http_status=response.status)
    base = without_userinfo(response.url)  # relative links must not inherit the feed URL's credentials
    body, entries = _first_entries(response.body, max_items)
    parsed, encoding_note = _parse_any_encoding(body, response.headers.get("content-type", ""), base)
    bozo = parsed.get("bozo_exception")
    if not parsed.entries and (bozo is not None or not parsed.get("version")):
        reason = f"not a feed ({type(bozo).__name__}: {bozo})" if bozo else "not a feed (no entries)"
        return FeedPoll(feed, "error", state, error=reason[:300], http_status=response.status)
    items: list[FeedItem] = []
    refused: set[str] = set()
    for entry in parsed.entries[:max_items]:
        try:
            link = _entry_link(entry, base)
            key = canonical_url(link) if link else ""
        except ValueError:  # "Invalid IPv6 URL": one bad link must not cost the feed its other items
            refused.add("malformed")
            continue
        if link is None or not link.startswith(("http://", "https://")):
            refused.add(urlsplit(link).scheme + ":" if link else "no link")
            continue
        guid = entry.get("id") or None
        items.append(
            FeedItem(
                feed_id=feed.feed_id,
                link=link,
                url_key=key,
                guid=str(guid)[:2000] if guid else None,
                title=html_to_text(str(entry.get("title", "")))[:1000],
                summary=html_to_text(str(entry.get("summary", "")))[:20_000],
                published=_entry_date(entry),
            )
        )
    malformed = f"{type(bozo).__name__}: {bozo}"[:200] if bozo is not None and encoding_note is None else None
    if not items and malformed:
        return FeedPoll(feed, "error", state, error=f"not a feed ({malformed})", http_status=response.status)
    notes = []
    if entries > max_items:
        notes.append(f"read the first {max_items} of {entries} items (fetch.max_items_per_feed)")
    elif malformed:
        notes.append(f"feed is malformed but readable ({malformed})")
    if encoding_note:
        notes.append(encoding_note)
    if refused:
        skipped = len(parsed.entries[:max_items]) - len(items)
        notes.append(f"skipped {skipped} items without an http(s) link ({', '.join(sorted(refused))[:100]})")
    next_page = next((urljoin(base, str(link.get("href"))) for link in parsed.feed.get("links", [])
                      if link.get("rel") == "next" and link.get("href")), None)
    state = replace(state, items_digest=items_digest(item.guid or item.url_key for item in items))
    return FeedPoll(feed, "ok", state, items, warning="; ".join(notes) or None, http_status=response.status,
                    next_page=next_page)


async def poll_feed(fetcher: Fetcher, feed: FeedConfig, state: FeedState, limits: FetchLimits,
                    parser: Executor | None = None) -> FeedPoll:
    """Fetch one feed conditionally and parse it (in `parser`'s processes if given, else here)."""
    result = await fetcher.get(feed.url, max_bytes=limits.max_feed_bytes, headers=conditional_headers(state))
    if isinstance(result, FetchFailure):
        return FeedPoll(feed, "error", state, error=result.reason)
    if result.status == 304:
        return FeedPoll(feed, "not_modified", state, http_status=304)
    if result.status >= 400:
        return FeedPoll(feed, "error", state, error=f"HTTP {result.status}", http_status=result.status)
    try:
        if parser is None:
            return parse_feed(feed, result, limits.max_items_per_feed)
        return await asyncio.get_running_loop().run_in_executor(parser, parse_feed, feed, result,
                                                                limits.max_items_per_feed)
    except Exception as exc:  # feedparser on hostile input: record, never crash the run
        return FeedPoll(feed, "error", state, error=f"parser failed: {type(exc).__name__}: {exc}"[:300])


async def poll_all(
    fetcher: Fetcher, feeds: list[FeedConfig], states: dict[str, FeedState], limits: FetchLimits,
    parser: Executor | None = None,
) -> list[FeedPoll]:
    """Poll every enabled feed concurrently (the fetcher bounds concurrency).

    With a `parser` pool, feedparser runs in its processes: parsing is most of
    a cold poll's CPU (0.4 ms an item), and there it runs on every core while
    this process goes on fetching the other feeds.
    """
    jobs = [poll_feed(fetcher, f, states.get(f.feed_id, FeedState()), limits, parser) for f in feeds if f.enabled]
    return list(await asyncio.gather(*jobs))


def due_feeds(feeds: list[FeedConfig], states: dict[str, FeedState], limits: FetchLimits,
              now: datetime) -> list[FeedConfig]:
    """The enabled feeds a cycle starting at `now` polls: those due (a feed with no state is due at once)."""
    def due(state: FeedState) -> bool:
        return is_due(state.interval_seconds, state.next_poll_at, now, limits.min_poll_interval_seconds)

    return [feed for feed in feeds if feed.enabled and due(states.get(feed.feed_id, FeedState()))]


def outcome(poll: FeedPoll, previous: FeedState) -> Outcome:
    """What the poll says about how often to poll the feed: new items only if it lists items it did not."""
    if poll.status == "error":
        return Outcome.FAILED
    if poll.status == "ok" and poll.state.items_digest != previous.items_digest:
        return Outcome.NEW_ITEMS
    return Outcome.UNCHANGED


def rescheduled(poll: FeedPoll, previous: FeedState, limits: FetchLimits, cycle_start: datetime) -> FeedPoll:
    """`poll` with the feed's next interval and due time, counted from the cycle's start so that the next
    cycles find it due however late in this one it was polled."""
    found = outcome(poll, previous)
    quiet, failures = quiet_streak(previous.quiet_polls, found), failure_streak(previous.failures, found)
    interval = next_interval(quiet, failures, limits, poll.feed.max_poll_interval_seconds)
    poll.state = replace(poll.state, interval_seconds=interval, quiet_polls=quiet, failures=failures,
                         next_poll_at=cycle_start + timedelta(seconds=interval))
    return poll
