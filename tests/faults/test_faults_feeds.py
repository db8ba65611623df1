"""Hostile feeds, all in one real monitoring cycle beside a good feed.

Each threat is one feed of the same run, served from 127.0.0.1. The run must
finish within its time budget, store the good feed's stories, and leave in
the `feeds` table (and the run log) a clear reason for every hostile feed.
Empty bodies and HTML pages are errors ("not a feed"); feeds that are
malformed or wrongly encoded but still readable are `ok` with a warning in
`last_error`, because their items are real and are stored.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from flows.demo.corpus_server import CorpusServer, Handler
from tests.support import faultkit as fk
from tests.support.configs import write_config
from tests.support.httpkit import redirect, slow_drip, static

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("prefect_harness")]

TIMEOUT = 2.0  # fetch.timeout_seconds of this run
MAX_ITEMS = 20  # fetch.max_items_per_feed
MAX_FEED_BYTES = 10_000_000
BUDGET = 60.0  # seconds; a run stuck on a hostile feed would take 20 minutes (slow drip) or forever (hang)
SECRET = "XXE-SECRET-7f3a91"  # content of a local file that a feed's entities point at

ZH_TITLE = "市场监管总局对阿里巴巴罚款182.28亿元"
TW_TITLE = "市場監管總局對阿里巴巴罰款182.28億元"
STORIES = {  # one story per page, so that none is folded into another as a near-duplicate
    "good-1": "China's State Administration for Market Regulation fined Alibaba Group 18.228 billion yuan on "
              "Saturday for abusing its dominant position in online retail. ",
    "good-2": "The Cyberspace Administration of China fined Didi Global 8.026 billion yuan on Thursday for "
              "violating cybersecurity, data security and personal information protection laws. ",
    "malformed": "Shares of several Hong Kong listed technology companies rose sharply in afternoon trading. ",
    "laughs": "A new semiconductor plant in Hefei began trial production of display panels this week. ",
    "xxe": "Ride hailing drivers in Shenzhen reported longer waiting times during the holiday weekend. ",
}


@dataclass(frozen=True)
class Threat:
    name: str
    status: str  # expected feeds.last_status
    reason: str  # expected in feeds.last_error


THREATS = [
    Threat("malformed-xml", "ok", "feed is malformed but readable (SAXParseException"),
    Threat("garbage-xml", "error", "not a feed (SAXParseException"),
    Threat("wrong-encoding-declaration", "ok", "encoding declared wrongly or not at all; read as gb18030"),
    Threat("missing-encoding-declaration", "ok", "encoding declared wrongly or not at all; read as big5"),
    Threat("html-instead-of-feed", "error", "not a feed (NonXMLContentType"),
    Threat("empty-200", "error", "empty response body"),
    Threat("100k-items", "ok", f"read the first {MAX_ITEMS} of 100000 items"),
    Threat("billion-laughs", "ok", "undefined entity"),
    Threat("xxe-local-file", "ok", "feed is malformed but readable"),
    Threat("redirect-loop", "error", "too many redirects"),
    Threat("slow-drip-20-minutes", "error", f"timed out after {TIMEOUT:g}s"),
    Threat("gzip-bomb", "error", f"too large: over {MAX_FEED_BYTES} bytes"),
    Threat("too-large-declared", "error", f"too large: 50000000 bytes declared, cap {MAX_FEED_BYTES}"),
    Threat("too-large-streamed", "error", f"too large: over {MAX_FEED_BYTES} bytes"),
    Threat("host-hangs", "error", f"timed out after {TIMEOUT:g}s"),
]


@dataclass
class HostileRun:
    result: dict[str, Any]
    seconds: float
    db: Path
    logs: list[str]
    flood: fk.Flood


def routes(server: CorpusServer, secret: Path, released: threading.Event, flood: fk.Flood) -> dict[str, Handler]:
    def page(name: str) -> str:
        return server.url(f"/pages/{name}.html")

    def feed(title: str, name: str) -> str:
        return fk.rss([(title, page(name))], title=name)

    handlers: dict[str, Handler] = {
        "/good": static(fk.rss([("Alibaba fined", page("good-1")), ("Didi fined", page("good-2"))])),
        "/malformed-xml": static(feed("Loose <b>tag", "malformed").replace("</channel></rss>", "")
                                 .replace("<title>malformed</title>", "<title>Broken & co</title>")),
        "/garbage-xml": static("<rss><channel><item><<<&&&>>></item"),
        # Their links fail (404), so what is stored is the feed's own title, as decoded.
        "/wrong-encoding-declaration": static(fk.rss([(ZH_TITLE, server.url("/missing/gb"))]).encode("gb18030")),
        "/missing-encoding-declaration": static(
            fk.rss([(TW_TITLE, server.url("/missing/big5"))], declaration="").encode("big5"), "application/xml"),
        "/html-instead-of-feed": static("<html><body><h1>Welcome</h1><p>No feed here</p></body></html>", "text/html"),
        "/empty-200": static(""),
        "/100k-items": static(fk.many_items(100_000, lambda i: server.url(f"/missing/item-{i}"))),
        "/billion-laughs": static(fk.BILLION_LAUGHS.replace("{link}", page("laughs"))),
        "/xxe-local-file": static(fk.xxe(secret, page("xxe"))),
        "/redirect-loop": redirect("/redirect-loop-2"),
        "/redirect-loop-2": redirect("/redirect-loop"),
        "/slow-drip-20-minutes": slow_drip(20 * 60),
        "/gzip-bomb": fk.gzip_bomb(fk.gzip_of_zeros(100_000_000)),
        "/too-large-declared": fk.Flood(50_000_000, declare_length=True, content_type="application/rss+xml"),
        "/too-large-streamed": flood,
        "/host-hangs": fk.hang_until(released),
    }
    for name, text in STORIES.items():
        handlers[f"/pages/{name}.html"] = static(fk.article(f"Story {name}", text * 4), "text/html")
    return handlers


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    tmp = tmp_path_factory.mktemp("hostile-feeds")
    secret = tmp / "secret.txt"
    secret.write_text(SECRET)
    released = threading.Event()
    flood = fk.Flood(50_000_000, declare_length=False, content_type="application/rss+xml")
    with pytest.MonkeyPatch.context() as env, CorpusServer() as server:
        env.chdir(tmp)
        server.routes.update(routes(server, secret, released, flood))
        names = ["good", *(t.name for t in THREATS)]
        feeds = "".join(f"  - url: {server.url('/' + n)}\n    name: {n}\n" for n in names)
        config = write_config(tmp / "config", f"feeds:\n{feeds}fetch:\n  timeout_seconds: {TIMEOUT}\n"
                                              f"  max_items_per_feed: {MAX_ITEMS}\n"
                                              f"  max_feed_bytes: {MAX_FEED_BYTES}\n")
        started = time.monotonic()
        try:
            with fk.captured_logs() as logs:
                result = fk.run_flow(config, tmp / "rw.duckdb")
        finally:
            released.set()  # the hanging handler ends with the run, whatever happened
        seconds = time.monotonic() - started
        yield HostileRun(result, seconds, tmp / "rw.duckdb", logs, flood)


def test_the_run_goes_on_within_its_time_budget(hostile: HostileRun) -> None:
    assert hostile.seconds < BUDGET, f"the run took {hostile.seconds:.0f}s"
    assert hostile.result["feeds_polled"] == len(THREATS) + 1
    assert hostile.result["feeds_failed"] == sum(t.status == "error" for t in THREATS)
    print(f"\n{len(THREATS)} hostile feeds in one run: {hostile.seconds:.1f}s")


def test_the_good_feeds_stories_are_stored(hostile: HostileRun) -> None:
    stored = fk.stored_articles(hostile.db)
    for name in ("good-1", "good-2"):
        assert stored[f"/pages/{name}.html"]["extraction"] == "trafilatura"
        assert STORIES[name].strip() in stored[f"/pages/{name}.html"]["text"]
    assert fk.feed_health(hostile.db)["good"]["last_status"] == "ok"


@pytest.mark.parametrize("threat", THREATS, ids=[t.name for t in THREATS])
def test_each_hostile_feed_is_recorded_with_a_clear_reason(hostile: HostileRun, threat: Threat) -> None:
    health = fk.feed_health(hostile.db)[threat.name]
    assert health["last_status"] == threat.status, health
    assert threat.reason in (health["last_error"] or ""), health
    assert health["consecutive_failures"] == (1 if threat.status == "error" else 0)
    if threat.status == "error":
        assert any(line.startswith(f"feed failed: {threat.name}: ") and threat.reason in line
                   for line in hostile.logs), "the reason must be in the run's log too"


def test_misdeclared_encodings_are_decoded(hostile: HostileRun) -> None:
    stored = fk.stored_articles(hostile.db)
    assert (stored["/missing/gb"]["title"], stored["/missing/gb"]["language"]) == (ZH_TITLE, "zh")
    assert stored["/missing/big5"]["title"] == TW_TITLE


def test_entities_never_expand_or_read_local_files(hostile: HostileRun) -> None:
    found = fk.query(
        hostile.db,
        """SELECT count(*) FROM articles WHERE contains(coalesce(title, '') || coalesce(text, ''), ?)
              OR contains(coalesce(title, '') || coalesce(text, ''), 'lollollol')""",
        [SECRET],
    )
    assert found == [(0,)]
    assert not any(SECRET in line for line in hostile.logs)
    health = fk.feed_health(hostile.db)
    assert SECRET not in str(health)
    assert len(str(health["billion-laughs"])) < 2_000


def test_a_100k_item_feed_is_cut_to_max_items(hostile: HostileRun) -> None:
    health = fk.feed_health(hostile.db)["100k-items"]
    assert health["items_last_poll"] == MAX_ITEMS
    rows = fk.query(hostile.db, "SELECT count(*) FROM articles WHERE url LIKE '%/missing/item-%'")
    assert rows == [(MAX_ITEMS,)]


def test_an_oversized_feed_is_not_read_past_the_cap(hostile: HostileRun) -> None:
    assert hostile.flood.sent < 3 * MAX_FEED_BYTES, f"{hostile.flood.sent} of 50 MB were taken"
