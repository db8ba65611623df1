"""What the store keeps of one article: its row, the keys it is known by, and what classify found."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tasks.classify.companies import CompanyMatch
from tasks.classify.events.model import Event

QUARANTINED = "quarantined"  # `extraction` of a page that killed its worker: stored from the feed summary
# `extraction` of an aggregator's link that does not say where the article is (Google News): stored from the
# feed's headline and summary, and its alerts say so.
HEADLINE_ONLY = "headline_only"

@dataclass
class ArticleRecord:
    """A row of `articles` plus the keys it is known by."""

    article_id: str
    url: str
    feed_id: str
    link: str
    guid: str | None
    title: str
    author: str | None
    published_at: datetime | None
    language: str
    site: str | None
    text: str
    extraction: str  # trafilatura | feed_summary | quarantined | headline_only
    fetch_error: str | None
    content_hash: str | None
    fetched_at: datetime
    keys: list[str] = field(default_factory=list)
    signature: list[int] | None = None  # MinHash of the text, for near-duplicate stories
    relevant: bool | None = None
    matches: list[CompanyMatch] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
