"""Exact dedupe: URL spelling, GUIDs, canonical links, content hash, in a real DuckDB file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks.common.urls import canonical_url, unwrap_redirect
from tasks.extract.keys import content_key, guid_key
from tasks.fetch.poll import FeedItem
from tasks.fetch.safe_http import Fetched
from tasks.pipeline.page_work import build_article
from tasks.store.articles import filter_new, save_articles
from tasks.store.database import Database
from tasks.store.records import ArticleRecord


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTPS://News.Example.COM:443/a/b/?utm_source=x&utm_medium=rss#comments", "https://news.example.com/a/b"),
        ("https://news.example.com/a/b?id=7&spm=a2c.1&from=timeline", "https://news.example.com/a/b?id=7"),
        ("https://news.example.com/a/b?fbclid=1&gclid=2&b=2&a=1", "https://news.example.com/a/b?a=1&b=2"),
        ("https://news.example.com/a/index.html", "https://news.example.com/a"),
        ("http://news.example.com:80/", "http://news.example.com/"),
        ("  https://news.example.com/a?  ", "https://news.example.com/a"),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical
    assert canonical_url(raw) == canonical  # remembered: the same answer again


def test_a_url_that_does_not_parse_fails_every_time_it_is_asked() -> None:
    """canonical_url remembers its answers; a URL that does not parse has none, and must not pass the second time
    (a page's <link rel=canonical> is only used when it parses)."""
    for _ in range(2):
        with pytest.raises(ValueError, match="IPv6"):
            canonical_url("http://[news.example/a")


@pytest.mark.parametrize(
    ("wrapped", "target"),
    [
        ("http://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&tid=1&url=https%3a%2f%2fpub.example%2fstory%3fid%3d3&c=1",
         "https://pub.example/story?id=3"),
        ("https://agg.example/rd?u=https%3A%2F%2Fpub.example%2Fa", "https://pub.example/a"),
        ("https://pub.example/a?id=3", "https://pub.example/a?id=3"),
    ],
)
def test_aggregator_links_are_unwrapped(wrapped: str, target: str) -> None:
    assert unwrap_redirect(wrapped) == target


def test_guid_scope() -> None:
    assert guid_key("f1", "https://pub.example/a") == guid_key("f2", "https://pub.example/a")
    assert guid_key("f1", "123") != guid_key("f2", "123")


def test_content_key_ignores_case_spacing_and_punctuation_but_not_words() -> None:
    text = "The regulator fined the platform 18.2 billion yuan for abusing its dominance. " * 5
    assert content_key(text) == content_key(text.upper().replace(" ", "  ").replace(".", "!"))
    assert content_key(text) != content_key(text.replace("18.2", "18.3"))
    assert content_key("too short") is None


def item(feed: str, link: str, guid: str | None = None) -> FeedItem:
    return FeedItem(feed, link, canonical_url(link), guid, "Title", "Summary", datetime(2024, 1, 1, tzinfo=UTC))


def record(feed: str, link: str, html: str, guid: str | None = None, final: str | None = None) -> ArticleRecord:
    page = Fetched(final or link, 200, {"content-type": "text/html; charset=utf-8"}, html.encode(), 0.01)
    return build_article(item(feed, link, guid), page, None)


STORY = "<html><head>{head}</head><body><article><h1>Fine</h1><p>{text}</p></article></body></html>"
TEXT = "The market regulator fined the platform a record sum for abusing its dominant position. " * 6


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "t.duckdb")
    database.init()
    return database


def count(db: Database, table: str) -> int:
    with db.read() as con:
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert row is not None
        return int(row[0])


def test_same_story_under_tracking_params_in_two_feeds_is_stored_once(db: Database) -> None:
    first = record("f1", "https://pub.example/a?utm_source=f1", STORY.format(head="", text=TEXT))
    saved = save_articles(db, [first])
    assert len(saved.added) == 1
    new = filter_new(db, [item("f2", "https://PUB.example/a/?utm_campaign=f2#x"), item("f2", "https://pub.example/b")])
    assert [i.link for i in new.items] == ["https://pub.example/b"]
    assert new.known == 1
    with db.read() as con:
        feeds = con.execute("SELECT feed_id FROM sightings ORDER BY feed_id").fetchall()
    assert feeds == [("f1",), ("f2",)]


def test_canonical_link_and_content_hash_fold_copies(db: Database) -> None:
    original = record("f1", "https://pub.example/a", STORY.format(head="", text=TEXT))
    canon = '<link rel="canonical" href="https://pub.example/a">'
    syndicated = record("f2", "https://mirror.example/x/1", STORY.format(head=canon, text=TEXT + " Extra."))
    verbatim = record("f3", "https://other.example/copy", STORY.format(head="", text=TEXT.upper()))
    saved = save_articles(db, [original, syndicated, verbatim])
    assert [r.link for r in saved.added] == ["https://pub.example/a"]
    assert saved.duplicates == 2
    assert count(db, "articles") == 1
    # The copies' own URLs are now known keys: they will not be fetched again.
    new = filter_new(db, [item("f2", "https://mirror.example/x/1"), item("f3", "https://other.example/copy")])
    assert new.items == []


def test_guid_repeats_are_known(db: Database) -> None:
    save_articles(db, [record("f1", "https://pub.example/a", STORY.format(head="", text=TEXT), guid="urn:x:1")])
    moved = filter_new(db, [item("f9", "https://pub.example/moved-url", guid="urn:x:1")])
    assert moved.items == []


def test_repeats_within_one_poll_are_taken_once(db: Database) -> None:
    new = filter_new(db, [item("f1", "https://pub.example/a"), item("f2", "https://pub.example/a?utm_source=2")])
    assert len(new.items) == 1


def test_a_failed_batch_writes_nothing(db: Database) -> None:
    good = record("f1", "https://pub.example/a", STORY.format(head="", text=TEXT))
    other = "A court in another city heard an appeal over a delivery contract on Friday afternoon. " * 6
    # Another story (a record carries its MinHash signature: a near-copy of `good` would be folded, not written).
    broken = replace(record("f1", "https://pub.example/b", STORY.format(head="", text=other)), title=object())
    with pytest.raises(Exception):  # noqa: B017 - any failure must roll back
        save_articles(db, [good, broken])  # type: ignore[list-item]
    assert count(db, "articles") == 0
    assert count(db, "article_keys") == 0
