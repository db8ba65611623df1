"""Feed polling against a real local HTTP server."""

from __future__ import annotations

import asyncio
import gzip
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from flows.demo.corpus_server import CorpusServer, send
from tasks.fetch.feeds_config import FeedConfig, FetchLimits
from tasks.fetch.poll import FeedPoll, FeedState, poll_all, poll_feed
from tasks.fetch.safe_http import Fetcher
from tests.support.corpora import shared_corpus
from tests.support.feeds_samples import ATOM, RSS1, RSS2
from tests.support.httpkit import hang, redirect, slow_drip, static, status

LIMITS = FetchLimits(timeout_seconds=1.0, max_feed_bytes=200_000)


NO_STATE = FeedState()


def poll(url: str, state: FeedState = NO_STATE, limits: FetchLimits = LIMITS) -> FeedPoll:
    async def go() -> FeedPoll:
        async with Fetcher(limits, allow_private=True) as fetcher:
            return await poll_feed(fetcher, FeedConfig(url=url, name="t"), state, limits)

    return asyncio.run(go())


def test_rss2_items_are_parsed_with_clean_links_and_dates(server: CorpusServer) -> None:
    server.routes["/rss"] = static(RSS2)
    result = poll(server.url("/rss"))
    assert result.status == "ok", result.error
    first, second = result.items
    assert first.link == "https://wire.example/a?utm_source=rss#top"
    assert first.url_key == "https://wire.example/a"
    assert first.guid == "wire-1"
    assert first.published == datetime(2021, 4, 10, 8, tzinfo=UTC)
    assert first.summary == "The regulator fined a platform ."
    assert second.published is None and second.guid is None


def test_atom_and_rss1_feeds(server: CorpusServer) -> None:
    server.routes["/atom"] = static(ATOM, "application/atom+xml")
    server.routes["/rdf"] = static(RSS1, "application/rdf+xml")
    atom = poll(server.url("/atom"))
    assert [i.link for i in atom.items] == ["https://daily.example/story-1"]
    assert atom.items[0].guid == "tag:daily.example,2021:1"
    rdf = poll(server.url("/rdf"))
    assert rdf.items[0].title == "监管新规"
    assert rdf.items[0].published == datetime(2022, 4, 29, 2, tzinfo=UTC)


def test_second_poll_is_conditional_and_gets_304(server: CorpusServer) -> None:
    server.routes["/rss"] = static(RSS2)
    first = poll(server.url("/rss"))
    assert first.state.etag and first.state.last_modified
    second = poll(server.url("/rss"), first.state)
    assert second.status == "not_modified"
    assert second.items == []
    only_date = poll(server.url("/rss"), FeedState(None, first.state.last_modified))
    assert only_date.status == "not_modified"


def test_redirects_are_followed(server: CorpusServer) -> None:
    server.routes["/rss"] = static(RSS2)
    server.routes["/old"] = redirect("/rss")
    assert len(poll(server.url("/old")).items) == 2


def test_gzip_responses_are_decoded(server: CorpusServer) -> None:
    def gzip_only(request: BaseHTTPRequestHandler) -> None:
        if "gzip" not in request.headers.get("Accept-Encoding", ""):
            send(request, 406, b"", {})
            return
        send(request, 200, gzip.compress(RSS2.encode()),
             {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"})

    server.routes["/rss"] = gzip_only
    assert len(poll(server.url("/rss")).items) == 2


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        (status(404), "HTTP 404"),
        (status(500), "HTTP 500"),
        (static("", "application/rss+xml"), "empty response body"),
        (static("<html><body><h1>Welcome</h1><p>Not a feed</p></body></html>", "text/html"), "not a feed"),
        (hang(3), "timed out"),
        (slow_drip(3), "timed out"),
        (static(b"<rss>" + b"x" * 300_000 + b"</rss>"), "too large"),
    ],
    ids=["404", "500", "empty", "html-page", "hang", "slow-drip", "too-large"],
)
def test_broken_feeds_report_a_reason(server: CorpusServer, handler: object, expected: str) -> None:
    server.routes["/bad"] = handler  # type: ignore[assignment]
    result = poll(server.url("/bad"))
    assert result.status == "error"
    assert expected in (result.error or "")


def test_one_bad_feed_does_not_stop_the_others(server: CorpusServer) -> None:
    server.routes["/good"] = static(RSS2)
    server.routes["/bad"] = status(500)
    feeds = [FeedConfig(url=server.url("/bad")), FeedConfig(url="http://127.0.0.1:1/refused"),
             FeedConfig(url=server.url("/good"))]

    async def go() -> list[FeedPoll]:
        async with Fetcher(LIMITS, allow_private=True) as fetcher:
            return await poll_all(fetcher, feeds, {}, LIMITS)

    results = asyncio.run(go())
    assert [r.status for r in results] == ["error", "error", "ok"]
    assert len(results[2].items) == 2


@pytest.mark.slow  # about 3 000 files
def test_every_feedparser_corpus_file_goes_through_the_poll_stage() -> None:
    """2 000+ real-world, malformed and encoding-trap feeds: a status for each, no exception."""
    corpus = shared_corpus("feedparser-tests")
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name != "LICENSE")
    assert len(files) > 2000
    with CorpusServer(corpus) as srv:
        feeds = [FeedConfig(url=srv.url("/" + str(p.relative_to(corpus)))) for p in files]
        limits = FetchLimits(timeout_seconds=10, concurrency=8, per_host_concurrency=8)

        async def go() -> list[FeedPoll]:
            async with Fetcher(limits, allow_private=True) as fetcher:
                return await poll_all(fetcher, feeds, {}, limits)

        results = asyncio.run(go())
    assert len(results) == len(files)
    statuses = {r.status for r in results}
    assert statuses <= {"ok", "error"}
    errors = [r for r in results if r.status == "error"]
    assert all(r.error for r in errors)
    # Most of the corpus is readable feeds; it is not all rejected.
    assert sum(r.status == "ok" for r in results) > len(files) // 2
    assert not [r.error for r in errors if "parser failed" in (r.error or "")]


def test_feed_bytes_naming_a_local_file_are_not_opened(server: CorpusServer, tmp_path: Path) -> None:
    """feedparser opens a *path* it is given; a hostile feed body that is a path must not be read."""
    secret = tmp_path / "secret.xml"
    secret.write_text(RSS2)
    server.routes["/evil"] = static(str(secret), "application/rss+xml")
    result = poll(server.url("/evil"))
    assert result.status == "error"
    assert result.items == []
