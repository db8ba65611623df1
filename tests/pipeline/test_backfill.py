"""`regwatch backfill`: history from URLs, a sitemap or a paged feed, stored like a run, never alerted."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from flows.cli.app import app
from flows.demo.corpus_server import CorpusServer
from tasks.pipeline.backfill import parse_sitemap, urls_from_file
from tasks.store.database import Database
from tests.support.configs import write_config

PAGE = ("<html><head><title>{t}</title></head><body><nav>Home</nav><article><h1>{t}</h1><p>{b}</p></article>"
        "<footer>(c)</footer></body></html>")
STORIES = {
    "/a.html": ("SAMR fines Alibaba 18.228 billion yuan",
                "China's State Administration for Market Regulation fined Alibaba Group 18.228 billion yuan on "
                "Saturday for abusing its dominant position in online retail platforms. " * 3),
    "/b.html": ("CAC fines Didi 8.026 billion yuan",
                "The Cyberspace Administration of China fined Didi Global 8.026 billion yuan on Thursday for "
                "violating cybersecurity, data security and personal information laws. " * 3),
    "/c.html": ("Politburo pledges support for the platform economy",
                "China's Politburo said on Friday it would support the healthy development of the platform "
                "economy and introduce specific measures to back internet companies. " * 3),
}
SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{{BASE}}/a.html</loc><lastmod>{{ISO:-2h}}</lastmod></url>
<url><loc>{{BASE}}/b.html</loc><lastmod>{{ISO:-3h}}</lastmod></url>
</urlset>"""
PAGE1 = """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><id>urn:x</id>
<link rel="next" href="{{BASE}}/archive-2.atom.xml"/>
<entry><title>a</title><id>urn:a</id><link href="{{BASE}}/a.html"/><updated>{{ISO:-2h}}</updated></entry></feed>"""
PAGE2 = """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><id>urn:x2</id>
<entry><title>c</title><id>urn:c</id><link href="{{BASE}}/c.html"/><updated>{{ISO:-4h}}</updated></entry></feed>"""


def site(root: Path) -> Path:
    root.mkdir()
    for path, (title, body) in STORIES.items():
        (root / path.lstrip("/")).write_text(PAGE.format(t=title, b=body))
    (root / "sitemap.xml").write_text(SITEMAP)
    (root / "archive-1.atom.xml").write_text(PAGE1)
    (root / "archive-2.atom.xml").write_text(PAGE2)
    return root


def invoke_backfill(tmp_path: Path, *args: str) -> Result:
    config = write_config(tmp_path / "config", "feeds: []\n")
    return CliRunner().invoke(app, ["backfill", *args, "--config-dir", str(config), "--db",
                                    str(tmp_path / "rw.duckdb")], catch_exceptions=False)


def backfill(tmp_path: Path, *args: str) -> str:
    result = invoke_backfill(tmp_path, *args)
    assert result.exit_code == 0, result.output
    return result.output


def stored_urls(db: Path) -> set[str]:
    with Database(db).read() as con:
        return {r[0] for r in con.execute("SELECT url FROM articles").fetchall()}


@pytest.mark.slow  # starts the extraction workers
def test_backfill_from_sitemap_then_feed_archive_resumes_and_never_alerts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGWATCH_ALLOW_PRIVATE_NETWORKS", "1")
    with CorpusServer(site(tmp_path / "site")) as server:
        out = backfill(tmp_path, server.url("/sitemap.xml"), "--from", "sitemap")
        assert "2 URLs listed, 0 already stored, 2 articles added" in out
        out = backfill(tmp_path, server.url("/archive-1.atom.xml"), "--from", "feed")
        assert "2 URLs listed, 1 already stored, 1 articles added" in out  # a.html was stored: resumed
        urls = tmp_path / "urls.txt"
        urls.write_text("# history\n" + "\n".join(server.url(p) for p in STORIES) + "\n")
        out = backfill(tmp_path, str(urls))
        assert "3 URLs listed, 3 already stored, 0 articles added" in out
    with Database(tmp_path / "rw.duckdb").read() as con:
        kinds = sorted(r[0] for r in con.execute("SELECT kind FROM recent_events").fetchall())
        statuses = {r[0] for r in con.execute("SELECT status FROM alerts").fetchall()}
    assert kinds == ["fine", "fine", "policy_shift"]
    assert statuses == {"suppressed"}


def test_bad_lines_are_reported_with_their_line_number_and_the_rest_is_read(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("# history\nhttps://ok.example/a\n\nftp://bad.example/b\nhttp://[::1/c\n  https://ok.example/d  \n")
    listing = urls_from_file(urls)
    assert [item.link for item in listing.items] == ["https://ok.example/a", "https://ok.example/d"]
    assert listing.bad_entries == [f"{urls}:4: not an http(s) URL: 'ftp://bad.example/b'",
                                 f"{urls}:5: not a valid URL: 'http://[::1/c'"]


def test_a_sitemap_entry_that_is_not_a_url_is_reported_not_raised() -> None:
    body = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>http://[::1/broken</loc></url><url><loc>https://ok.example/a</loc></url></urlset>"""
    listing, nested = parse_sitemap(body, "https://ok.example/sitemap.xml")
    assert [item.link for item in listing.items] == ["https://ok.example/a"] and nested == []
    assert listing.bad_entries == ["https://ok.example/sitemap.xml: not a valid URL: 'http://[::1/broken'"]


def test_a_file_of_only_bad_lines_says_which_and_exits_1(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("ftp://bad.example/b\nnot a url\n")
    result = invoke_backfill(tmp_path, str(urls))
    assert result.exit_code == 1, result.output
    assert f"regwatch: {urls}:1: not an http(s) URL: 'ftp://bad.example/b'" in result.stderr
    assert f"regwatch: {urls}:2: not an http(s) URL: 'not a url'" in result.stderr
    assert "Traceback" not in result.output
    assert "0 URLs listed" in result.stdout


@pytest.mark.slow  # starts the extraction workers
def test_a_page_that_fails_is_reported_not_stored_and_fetched_by_the_next_backfill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 404 stored as an empty story would be skipped forever as 'already stored': the page would be lost."""
    monkeypatch.setenv("REGWATCH_ALLOW_PRIVATE_NETWORKS", "1")
    root = site(tmp_path / "site")
    (root / "b.html").rename(tmp_path / "b.html")  # not published yet: 404
    urls = tmp_path / "urls.txt"
    with CorpusServer(root) as server:
        urls.write_text(f"{server.url('/a.html')}\nmailto:someone@example.com\n{server.url('/b.html')}\n")
        first = invoke_backfill(tmp_path, str(urls))
        assert first.exit_code == 1, first.output
        assert "2 URLs listed, 0 already stored, 1 articles added" in first.stdout
        assert "1 could not be fetched" in first.stdout
        assert f"regwatch: {server.url('/b.html')}: HTTP 404" in first.stderr
        assert f"regwatch: {urls}:2: not an http(s) URL" in first.stderr
        assert stored_urls(tmp_path / "rw.duckdb") == {server.url("/a.html")}

        (tmp_path / "b.html").rename(root / "b.html")  # the page is back
        urls.write_text(f"{server.url('/a.html')}\n{server.url('/b.html')}\n")
        out = backfill(tmp_path, str(urls))
        assert "2 URLs listed, 1 already stored, 1 articles added" in out
        assert stored_urls(tmp_path / "rw.duckdb") == {server.url("/a.html"), server.url("/b.html")}
