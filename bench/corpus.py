"""The benchmark's corpus: feeds and article pages, reproducible from a seed.

Pages are the 181 real pages of ``../shared/corpora/article-extraction-benchmark``
made distinct: each copy gets its own random permutation of the Latin letters
in its visible text (tags, scripts and styles untouched), so copies keep the
page's structure, size and extraction cost but share no words, and neither
dedupe nor near-duplicate detection folds them. The labelled regulation
stories of ``tests/data/labelled`` are added as pages of their own, so events
cluster and alerts go out. Feeds list the pages' links round-robin, in RSS 2.0
and Atom, with tracking parameters on some links as real feeds have.
"""

from __future__ import annotations

import gzip
import html
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from evaluation.labelled import Labelled, labelled_files, parse_labelled
from tasks.common.settings import REPO_ROOT

SHARED_PAGES = REPO_ROOT.parent / "shared" / "corpora" / "article-extraction-benchmark" / "html"
_PIECES = re.compile(rb"(<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<[^>]*>|&#?\w+;)", re.S | re.I)
_CANONICAL = re.compile(rb"<link\b[^>]*\bcanonical\b[^>]*>", re.I)
_LOWER, _UPPER = b"abcdefghijklmnopqrstuvwxyz", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STORY_PAGE = """<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><header><nav><a href="/">Home</a> | <a href="/tech">Tech</a> | <a href="/markets">Markets</a></nav></header>
<main><article><h1>{title}</h1><p class="byline">By Staff Reporter</p>{paragraphs}</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Markets close higher</a></li><li><a href="/b">Weather</a></li>
</ul></aside>
<footer>Copyright Bench News. All rights reserved.</footer></body></html>"""


@dataclass
class Item:
    """One feed entry and the page it links to."""

    path: str  # the page's path on the server
    title: str
    published: datetime
    body: bytes
    tracking: bool = False  # the feed's link carries utm_* parameters


@dataclass
class Corpus:
    """Pages by path and feeds by path; `feeds` render against the server's base URL."""

    items: list[Item]
    held_back: list[Item]  # released by `grow` for the "+1%" run
    feed_count: int
    feed_items: dict[int, list[Item]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for index, item in enumerate(self.items):
            self.feed_items.setdefault(index % self.feed_count, []).append(item)

    @property
    def pages(self) -> dict[str, bytes]:
        return {item.path: item.body for items in self.feed_items.values() for item in items}

    def grow(self, count: int) -> list[Item]:
        """Publish `count` held-back items, one per feed from the first, as new entries."""
        released, self.held_back = self.held_back[:count], self.held_back[count:]
        for index, item in enumerate(released):
            self.feed_items[index % self.feed_count].insert(0, item)
        return released

    def feed_paths(self) -> list[str]:
        return [_feed_path(n) for n in range(self.feed_count)]

    def render_feed(self, number: int, base: str) -> bytes:
        items = self.feed_items.get(number, [])
        render = _atom if number % 4 == 3 else _rss
        return render(number, items, base).encode("utf-8")


def _feed_path(number: int) -> str:
    return f"/feeds/{number:03d}.{'atom' if number % 4 == 3 else 'rss'}.xml"


def _link(item: Item, base: str) -> str:
    suffix = "?utm_source=rss&utm_medium=feed&utm_campaign=bench" if item.tracking else ""
    return base + item.path + suffix


def _rss(number: int, items: list[Item], base: str) -> str:
    entries = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(_link(i, base))}</link>"
        f"<guid isPermaLink=\"false\">bench:{escape(i.path)}</guid>"
        f"<pubDate>{format_datetime(i.published, usegmt=True)}</pubDate>"
        f"<description>{escape(i.title)}</description></item>"
        for i in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench outlet {number}'
            f"</title><link>{base}/</link><description>bench</description>{entries}</channel></rss>")


def _atom(number: int, items: list[Item], base: str) -> str:
    entries = "".join(
        f"<entry><title>{escape(i.title)}</title><link href=\"{escape(_link(i, base))}\"/>"
        f"<id>urn:bench:{escape(i.path)}</id><updated>{i.published.isoformat()}</updated>"
        f"<summary>{escape(i.title)}</summary></entry>"
        for i in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Bench outlet {number}</title><id>urn:bench:feed:{number}</id>"
            f"<updated>{datetime.now(UTC).isoformat()}</updated>{entries}</feed>")


class PageVariants:
    """Distinct copies of one real page: same markup, letters of the text permuted per copy."""

    def __init__(self, raw: bytes) -> None:
        raw = _CANONICAL.sub(b"", raw)  # every copy is its own page, not the original's
        self.parts = _PIECES.split(raw)  # even indexes are visible text, odd ones markup

    def variant(self, rng: random.Random) -> bytes:
        lower = bytes(rng.sample(_LOWER, len(_LOWER)))
        table = bytes.maketrans(_LOWER + _UPPER, lower + lower.upper())
        return b"".join(part.translate(table) if i % 2 == 0 else part for i, part in enumerate(self.parts))


def _title_of(page: bytes) -> str:
    match = re.search(rb"<title[^>]*>(.*?)</title", page, re.S | re.I)
    title = html.unescape(match.group(1).decode("utf-8", "replace")).strip() if match else ""
    return " ".join(title.split())[:200] or "Untitled"


def story_page(story: Labelled) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p.strip())}</p>" for p in story.text.split("\n") if p.strip())
    return STORY_PAGE.format(lang=story.language, title=html.escape(story.title), paragraphs=paragraphs).encode()


def build_corpus(pages: int = 5000, feeds: int = 200, extra: int = 60, seed: int = 42,
                 now: datetime | None = None) -> Corpus:
    """`pages` benchmark pages plus every labelled story over `feeds` feeds; `extra` held back for growth."""
    if not SHARED_PAGES.is_dir():
        raise SystemExit(f"{SHARED_PAGES} is absent: the benchmark builds its pages from ../shared")
    now = now or datetime.now(UTC).replace(microsecond=0)
    rng = random.Random(seed)
    sources = [PageVariants(gzip.decompress(p.read_bytes())) for p in sorted(SHARED_PAGES.glob("*.html.gz"))]
    generated: list[Item] = []
    for n in range(pages + extra // 2):
        body = sources[n % len(sources)].variant(rng)
        generated.append(Item(f"/n{n % 37:02d}/story-{n:05d}.html", _title_of(body),
                              now - timedelta(minutes=rng.randrange(10, 60 * 48)), body, tracking=n % 3 == 0))
    stories = []
    for path in labelled_files():
        story = parse_labelled(path)
        published = datetime(*story.published.timetuple()[:3], 9, tzinfo=UTC) if story.published else now
        stories.append(Item(f"/{story.language}/{path.stem}.html", story.title, published, story_page(story)))
    rng.shuffle(stories)
    held = extra - extra // 2
    items = generated[:pages] + stories[held:]
    rng.shuffle(items)
    return Corpus(items=items, held_back=generated[pages:] + stories[:held], feed_count=feeds)
