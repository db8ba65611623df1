"""Build one stored article from a feed item and its fetched page.

`build_article` is what worker processes run: decode, extract, fall back to the
feed summary when the page gives nothing, and compute the dedupe keys and the
MinHash signature (from one folding of the text). An
aggregator's link that does not say where the article is (Google News) is not
extracted at all: its page is the aggregator's, so the story is stored from the
feed's headline and summary as `headline_only` (`unresolved_link`). A page
that killed its worker is quarantined: stored from the feed summary, never
extracted again (`quarantine_record`, `quarantined_page`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tasks.classify.classifier import classifier_for
from tasks.common.language import detect_language
from tasks.common.urls import aggregator_page, canonical_url, opaque_aggregator_link
from tasks.extract.keys import article_id_for, content_key_of_tokens, guid_key, url_key
from tasks.extract.minhash import signature_of_tokens, tokens
from tasks.extract.pages import decode_html, extract_article
from tasks.fetch.poll import FeedItem
from tasks.fetch.safe_http import Fetched
from tasks.pipeline import fault_hook
from tasks.store.records import HEADLINE_ONLY, QUARANTINED, ArticleRecord

# Why such an item's page is not used: said by a run (stored from the headline) and a backfill (not stored) alike.
UNRESOLVED_LINK = "an aggregator's link (Google News) that names no publisher page: its article cannot be read"


def _page_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _usable_link(url: str) -> bool:
    """An http(s) URL that parses: a page's <link rel=canonical> is as hostile as the rest of it."""
    try:
        canonical_url(url)
    except ValueError:  # "Invalid IPv6 URL", "Port out of range"
        return False
    return url.startswith(("http://", "https://"))


def unresolved_link(item: FeedItem, page: Fetched | None) -> bool:
    """Whether the item's link, or where it led, is an aggregator's own page rather than the publisher's."""
    return opaque_aggregator_link(item.link) or (page is not None and aggregator_page(page.url))


def build_article(item: FeedItem, page: Fetched | None, fetch_error: str | None) -> ArticleRecord:
    """Extract `page` (None when the fetch failed) into an ArticleRecord."""
    headline_only = unresolved_link(item, page)
    if headline_only:
        page, fetch_error = None, UNRESOLVED_LINK
    extracted = None
    final_url = item.link
    if page is not None:
        final_url = page.url
        try:
            html = decode_html(page.body, page.headers.get("content-type"))
            extracted = extract_article(html, final_url, need_date=item.published is None)
        except Exception as exc:  # hostile markup must not lose the item
            fetch_error = f"extraction failed: {type(exc).__name__}: {exc}"[:300]
        if extracted is None and fetch_error is None:
            fetch_error = "no article text found on the page"
    canonical = extracted.canonical if extracted else None
    if canonical and not _usable_link(canonical):
        canonical = None
    url = canonical or final_url
    if extracted is not None:
        title = extracted.title or item.title
        text, method = extracted.text, "trafilatura"
        author, language, site = extracted.author, extracted.language, extracted.site
    else:
        title, text, method = item.title, item.summary, HEADLINE_ONLY if headline_only else "feed_summary"
        author, language, site = None, detect_language(item.title + " " + item.summary), None
    published = item.published or _page_date(extracted.date if extracted else None)
    keys = [url_key(item.link), url_key(final_url), url_key(url)]
    if item.guid:
        keys.append(guid_key(item.feed_id, item.guid))
    stream = tokens(text)
    hashed = content_key_of_tokens(stream)
    if hashed:
        keys.append(hashed)
    return ArticleRecord(
        article_id=article_id_for(url),
        url=url_key(url)[4:],
        feed_id=item.feed_id,
        link=item.link,
        guid=item.guid,
        title=title,
        author=author,
        published_at=published,
        language=language,
        site=site,
        text=text,
        extraction=method,
        fetch_error=fetch_error,
        content_hash=hashed[5:] if hashed else None,
        fetched_at=datetime.now(UTC),
        keys=list(dict.fromkeys(keys)),
        signature=signature_of_tokens(stream),
    )


def process_page(item: FeedItem, page: Fetched | None, fetch_error: str | None, config_dir: str) -> ArticleRecord:
    """What a worker does per page: extract, then find companies and events.

    A page that breaks a rule nobody foresaw is stored from the feed summary,
    with the reason, instead of failing its whole batch run after run (here,
    so the local workers and a Dask cluster behave alike)."""
    fault_hook.strike(item.summary, page.body if page else None)
    try:
        return _classified(build_article(item, page, fetch_error), config_dir)
    except Exception as exc:
        reason = f"extraction failed: {type(exc).__name__}: {exc}"[:300]
        return _classified(build_article(item, None, reason), config_dir)


def quarantine_record(item: FeedItem, final_url: str | None, reason: str) -> ArticleRecord:
    """The story of a page that killed its worker, from the feed summary, not yet classified.

    Known by the page's URLs (the feed link and where it redirected), so the page is never fetched or
    extracted again. Not by its text: a quarantined story is never folded into another one as a copy,
    so `regwatch quarantine` can always list it."""
    record = build_article(item, None, reason)
    record.extraction = QUARANTINED
    record.content_hash = record.signature = None
    record.keys = [key for key in record.keys if not key.startswith("hash:")]
    if final_url and url_key(final_url) not in record.keys:
        record.keys.append(url_key(final_url))
    return record


def quarantined_page(item: FeedItem, final_url: str | None, reason: str, config_dir: str) -> ArticleRecord:
    """What a worker does for a page that killed another one: classify its feed summary, which may alert."""
    fault_hook.strike(item.summary)
    return _classified(quarantine_record(item, final_url, reason), config_dir)


def _classified(record: ArticleRecord, config_dir: str) -> ArticleRecord:
    """`record` with its companies and events."""
    result = classifier_for(config_dir).classify(
        record.title, record.text, record.published_at.date() if record.published_at else None, record.language
    )
    record.relevant, record.matches, record.events = result.relevant, result.matches, result.events
    return record
