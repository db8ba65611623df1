"""The whole monitoring flow: local server, real DuckDB file, Prefect's test harness."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from flows.demo.corpus_server import CorpusServer
from flows.monitor import monitor
from tasks.store.database import Database
from tests.support.configs import write_config as write_config_dir
from tests.support.feeds_samples import ATOM

pytestmark = pytest.mark.usefixtures("prefect_harness")

TEXT = "The State Administration for Market Regulation fined {who} for abusing its dominant position. " * 6
OTHER = ("Meituan was ordered to pay 3.44 billion yuan after investigators found the food delivery platform "
         "forced restaurants to sign exclusive contracts and return deposits to merchants. ") * 4
ZH = "国家市场监督管理总局依法对{who}作出行政处罚，责令其停止违法行为并罚款。" * 6


def article(title: str, body: str, head: str = "", charset: str = "utf-8") -> str:
    return (
        f'<html><head><meta charset="{charset}"><title>{title}</title>{head}</head><body>'
        f"<nav>Home | Markets | Tech</nav><div class='cookie'>We use cookies</div>"
        f"<article><h1>{title}</h1><p>{body}</p><p>{body[:200]}</p></article>"
        f"<aside>Related: other stories</aside><footer>© Outlet</footer></body></html>"
    )


def rss(items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>{{{{RFC822:-2h}}}}</pubDate>"
        f"<description>{t} summary</description></item>"
        for t, link in items
    )
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>'
    return f"{head}{entries}</channel></rss>"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "feeds").mkdir(parents=True)
    (root / "pub").mkdir()
    pages = {
        "pub/a.html": article("Alibaba fined", TEXT.format(who="Alibaba")),
        "pub/b.html": article("Meituan fined", OTHER),
        "pub/copy.html": article("Alibaba fined (copy)", TEXT.format(who="Alibaba") + " Syndicated.",
                                 head='<link rel="canonical" href="{{BASE}}/pub/a.html">'),
    }
    for name, html in pages.items():
        (root / name).write_text(html, encoding="utf-8")
    (root / "pub/zh.html").write_bytes(article("罚款", ZH.format(who="美团"), charset="gb2312").encode("gb18030"))
    (root / "feeds/one.rss.xml").write_text(rss([
        ("Alibaba fined", "{{BASE}}/pub/a.html?utm_source=rss&amp;utm_medium=feed"),
        ("Meituan fined", "{{BASE}}/pub/b.html"),
        ("Gone", "{{BASE}}/pub/missing.html"),
    ]))
    (root / "feeds/two.rss.xml").write_text(rss([
        ("Alibaba again", "{{BASE}}/pub/a.html#top"),
        ("Copy", "{{BASE}}/rd?u={{BASE}}%2Fpub%2Fcopy.html"),
        ("美团被罚", "{{BASE}}/pub/zh.html"),
    ]))
    (root / "feeds/three.atom.xml").write_text(ATOM)  # links to an unreachable public host
    return root


def write_config(config: Path, server: CorpusServer) -> None:
    feeds = ["/feeds/one.rss.xml", "/feeds/two.rss.xml", "/feeds/broken.rss.xml"]
    lines = ["feeds:"] + [f"  - url: {server.url(p)}" for p in feeds]
    lines += ["  - url: http://127.0.0.1:1/refused", "fetch:", "  timeout_seconds: 5"]
    write_config_dir(config, "\n".join(lines) + "\n")


def run(config: Path, db: Path) -> dict[str, Any]:
    return asyncio.run(monitor(config_dir=str(config), db=str(db), allow_private_networks=True))


def pages_hit(server: CorpusServer) -> int:
    return sum(n for path, n in server.hits.items() if path.startswith(("/pub/", "/rd")))


def test_flow_stores_each_story_once_and_a_rerun_fetches_nothing(site: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "rw.duckdb"
    with CorpusServer(site) as server:
        write_config(tmp_path / "config", server)
        first = run(tmp_path / "config", db_path)
        assert first["feeds_polled"] == 4
        assert first["feeds_failed"] == 2  # a 404 feed and a refused host; the rest went on
        # a, b, missing (summary fallback), zh; copy folded into a; a#top known before fetch
        assert first["articles_added"] == 4
        assert first["duplicates"] == 1
        fetched_once = pages_hit(server)

        second = run(tmp_path / "config", db_path)
        assert second["articles_added"] == 0
        assert second["feeds_not_modified"] == 2
        assert pages_hit(server) == fetched_once, "a re-run must not fetch any page again"

    db = Database(db_path)
    with db.read() as con:
        rows = con.execute("SELECT url, extraction, language, fetch_error FROM articles ORDER BY url").fetchall()
        health = dict(con.execute("SELECT url, consecutive_failures FROM feeds").fetchall())
        runs = con.execute("SELECT count(*) FROM runs").fetchone()
    base = server.base
    assert [r[0] for r in rows] == [f"{base}/pub/a.html", f"{base}/pub/b.html", f"{base}/pub/missing.html",
                                    f"{base}/pub/zh.html"]
    by_url = {r[0]: r for r in rows}
    assert by_url[f"{base}/pub/missing.html"][1:] == ("feed_summary", "en", "HTTP 404")
    assert by_url[f"{base}/pub/zh.html"][1:3] == ("trafilatura", "zh")
    assert health[server.url("/feeds/broken.rss.xml")] == 2
    assert health[server.url("/feeds/one.rss.xml")] == 0
    assert runs == (2,)
