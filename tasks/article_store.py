"""Store articles once: look keys up before fetching, fold duplicates after extracting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from tasks.articles import ArticleRecord
from tasks.dedupe import guid_key
from tasks.near_dupes import DEFAULT_THRESHOLD, add_signatures, band_keys, estimated_similarity, find_many
from tasks.poll import FeedItem
from tasks.store import Database


def item_keys(item: FeedItem) -> list[str]:
    keys = ["url:" + item.url_key]
    if item.guid:
        keys.append(guid_key(item.feed_id, item.guid))
    return keys


def _known(con: object, keys: list[str]) -> dict[str, str]:
    if not keys:
        return {}
    rows = con.execute(  # type: ignore[attr-defined]
        "SELECT key, article_id FROM article_keys WHERE key IN (SELECT unnest(?::VARCHAR[]))", [keys]
    ).fetchall()
    return dict(rows)


@dataclass
class NewItems:
    """Feed items not seen before, and how many were skipped as already stored."""

    items: list[FeedItem]
    known: int


def filter_new(db: Database, items: list[FeedItem]) -> NewItems:
    """Drop items whose URL or GUID is already stored, and repeats within this poll.

    Items already stored under another feed are recorded as sightings, so an
    analyst can see every outlet that carried a story.
    """
    all_keys = [k for item in items for k in item_keys(item)]
    now = datetime.now(UTC)
    fresh: list[FeedItem] = []
    taken: set[str] = set()
    sightings = []
    with db.write() as con:
        known = _known(con, all_keys)
        for item in items:
            keys = item_keys(item)
            hit = next((known[k] for k in keys if k in known), None)
            if hit is not None:
                sightings.append((hit, item.feed_id, item.link, now))
            elif not taken.intersection(keys):
                taken.update(keys)
                fresh.append(item)
        _add_sightings(con, sightings)
    return NewItems(fresh, len(items) - len(fresh))


def _add_sightings(con: object, rows: list[tuple[str, str, str, datetime]]) -> None:
    if rows:
        con.executemany(  # type: ignore[attr-defined]
            """INSERT INTO sightings SELECT ?, ?, ?, ?
               WHERE NOT EXISTS (SELECT 1 FROM sightings WHERE article_id = ? AND feed_id = ?)""",
            [(a, f, link, t, a, f) for a, f, link, t in rows],
        )


@dataclass
class Saved:
    """Outcome of storing a batch."""

    added: list[ArticleRecord] = field(default_factory=list)
    duplicates: int = 0
    near_duplicates: int = 0


ARTICLE_COLUMNS = (
    "article_id", "url", "feed_id", "guid", "title", "author", "published_at", "language", "site",
    "text", "extraction", "fetch_error", "content_hash", "fetched_at", "relevant",
)


def _company_rows(record: ArticleRecord) -> list[tuple[object, ...]]:
    return [(record.article_id, m.company_id, m.company, m.surface, m.start, m.end) for m in record.matches]


def _event_rows(record: ArticleRecord) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for index, e in enumerate(record.events):
        rows.append((
            f"{record.article_id}-{index}", record.article_id, e.kind, e.companies, e.company_ids, e.regulator,
            e.regulator_text,
            float(e.amount) if e.amount is not None else None, e.currency, e.amount_text, e.amount_cny,
            e.amount_usd, e.direction, e.sector, e.reason, e.evidence, record.published_at or record.fetched_at,
        ))
    return rows


def _near_copies(con: object, records: list[ArticleRecord]) -> dict[str, str]:
    """article_id -> the stored (or earlier in this batch) story it is a syndicated or edited copy of."""
    signed = {r.article_id: r.signature for r in records if r.signature}
    if not signed:
        return {}
    stored = find_many(con, signed)  # type: ignore[arg-type]
    copies: dict[str, str] = {}
    seen_bands: dict[int, list[str]] = {}
    for article_id, sig in signed.items():
        if stored.get(article_id):
            copies[article_id] = stored[article_id][0][0]
            continue
        candidates = {a for key in band_keys(sig) for a in seen_bands.get(key, [])}
        twin = next((a for a in candidates if estimated_similarity(sig, signed[a]) >= DEFAULT_THRESHOLD), None)
        if twin is not None:
            copies[article_id] = copies.get(twin, twin)
            continue
        for key in band_keys(sig):
            seen_bands.setdefault(key, []).append(article_id)
    return copies


def save_articles(db: Database, records: list[ArticleRecord]) -> Saved:
    """Insert new stories and fold exact duplicates into the story they copy, in one transaction."""
    saved = Saved()
    with db.write() as con:
        known = _known(con, [k for r in records for k in r.keys])
        copies = _near_copies(con, [r for r in records if not any(k in known for k in r.keys)])
        key_rows: list[tuple[str, str]] = []
        sightings = []
        for record in records:
            owner = next((known[k] for k in record.keys if k in known), None)
            if owner is None and record.article_id in copies:
                owner = copies[record.article_id]
                saved.near_duplicates += 1
            if owner is None:
                owner = record.article_id
                saved.added.append(record)
            else:
                saved.duplicates += 1
            for key in record.keys:
                if key not in known:
                    known[key] = owner
                    key_rows.append((key, owner))
            sightings.append((owner, record.feed_id, record.link, record.fetched_at))
        placeholders = ", ".join("?" for _ in ARTICLE_COLUMNS)
        if saved.added:
            con.executemany(
                f"INSERT OR IGNORE INTO articles ({', '.join(ARTICLE_COLUMNS)}) VALUES ({placeholders})",
                [tuple(getattr(r, c) for c in ARTICLE_COLUMNS) for r in saved.added],
            )
        if key_rows:
            con.executemany("INSERT OR IGNORE INTO article_keys VALUES (?, ?)", key_rows)
        signed = [(r.article_id, r.signature) for r in saved.added if r.signature]
        if signed:
            add_signatures(con, signed)
        companies = [row for r in saved.added for row in _company_rows(r)]
        if companies:
            con.executemany("INSERT INTO article_companies VALUES (?, ?, ?, ?, ?, ?)", companies)
        events = [row for r in saved.added for row in _event_rows(r)]
        if events:
            con.executemany(
                """INSERT OR IGNORE INTO events (event_id, article_id, kind, companies, company_ids, regulator,
                   regulator_text, amount, currency, amount_text, amount_cny, amount_usd, direction, sector, reason,
                   evidence, published_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                events,
            )
        _add_sightings(con, sightings)
    return saved
