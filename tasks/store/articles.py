"""Store articles once: look keys up before fetching, fold duplicates after extracting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import numpy as np

from tasks.extract.keys import guid_key
from tasks.extract.minhash import DEFAULT_THRESHOLD, band_key_matrix, estimated_similarity
from tasks.fetch.poll import FeedItem
from tasks.store.database import Database, insert_rows
from tasks.store.near_dupes import add_signatures, find_many
from tasks.store.records import ArticleRecord


def item_keys(item: FeedItem) -> list[str]:
    keys = ["url:" + item.url_key]
    if item.guid:
        keys.append(guid_key(item.feed_id, item.guid))
    return keys


# Keys are looked up as a literal IN list, which DuckDB answers through the primary-key index: the cost
# per key stays flat as the table grows (bench/lookup_scaling.py). A list given as one array parameter
# (IN (SELECT unnest(?))) becomes a join that scans every stored key: 7x slower at 1M articles than at 100k.
KEYS_PER_QUERY = 1000


def known_keys(con: duckdb.DuckDBPyConnection, keys: list[str]) -> dict[str, str]:
    """key -> article_id for those of `keys` already stored."""
    found: dict[str, str] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), KEYS_PER_QUERY):
        chunk = unique[start:start + KEYS_PER_QUERY]
        placeholders = ", ".join("?" * len(chunk))
        sql = f"SELECT key, article_id FROM article_keys WHERE key IN ({placeholders})"
        found.update(con.execute(sql, chunk).fetchall())
    return found


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
        known = known_keys(con, all_keys)
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


def _add_sightings(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str, str, datetime]]) -> None:
    """Record each (story, feed) pair once, however often the feed lists the story."""
    insert_rows(
        con, "INSERT INTO sightings SELECT DISTINCT ON (article_id, feed_id) * FROM (", rows,
        """) v(article_id, feed_id, link, seen_at)
           WHERE NOT EXISTS (SELECT 1 FROM sightings s WHERE s.article_id = v.article_id AND s.feed_id = v.feed_id)""",
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


def _near_copies(con: duckdb.DuckDBPyConnection, records: list[ArticleRecord]) -> dict[str, str]:
    """article_id -> the stored (or earlier in this batch) story it is a syndicated or edited copy of."""
    signed = {r.article_id: r.signature for r in records if r.signature}
    if not signed:
        return {}
    stored = find_many(con, signed)
    copies: dict[str, str] = {}
    seen_bands: dict[int, list[str]] = {}
    all_keys = band_key_matrix(np.asarray(list(signed.values()), dtype=np.int64)).tolist()  # one call, not one a story
    for (article_id, sig), keys in zip(signed.items(), all_keys, strict=True):
        if stored.get(article_id):
            copies[article_id] = stored[article_id][0][0]
            continue
        candidates = {a for key in keys for a in seen_bands.get(key, [])}
        twin = next((a for a in candidates if estimated_similarity(sig, signed[a]) >= DEFAULT_THRESHOLD), None)
        if twin is not None:
            copies[article_id] = copies.get(twin, twin)
            continue
        for key in keys:
            seen_bands.setdefault(key, []).append(article_id)
    return copies


def save_articles(db: Database, records: list[ArticleRecord]) -> Saved:
    """Insert new stories and fold exact duplicates into the story they copy, in one transaction."""
    saved = Saved()
    with db.write() as con:
        known = known_keys(con, [k for r in records for k in r.keys])
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
        insert_rows(con, f"INSERT OR IGNORE INTO articles ({', '.join(ARTICLE_COLUMNS)})",
                    [tuple(getattr(r, c) for c in ARTICLE_COLUMNS) for r in saved.added])
        insert_rows(con, "INSERT OR IGNORE INTO article_keys", key_rows)
        signed = [(r.article_id, r.signature) for r in saved.added if r.signature]
        if signed:
            add_signatures(con, signed)
        insert_rows(con, "INSERT INTO article_companies", [row for r in saved.added for row in _company_rows(r)])
        insert_rows(
            con,
            """INSERT OR IGNORE INTO events (event_id, article_id, kind, companies, company_ids, regulator,
               regulator_text, amount, currency, amount_text, amount_cny, amount_usd, direction, sector, reason,
               evidence, published_at)""",
            [row for r in saved.added for row in _event_rows(r)],
        )
        _add_sightings(con, sightings)
    return saved
