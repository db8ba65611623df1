"""Hostile article links and pages, in one real monitoring cycle with the address guard on.

The run does *not* allow private networks: only the test's own server
(127.0.0.1:port, standing in for a public site) is let through with
REGWATCH_ALLOW_PRIVATE_ADDRESSES, the way a LAN feed proxy would be. Every
other loopback, private, link-local or metadata address must be refused
before a connection is made, whether an item links to it directly or a public
page redirects to it: sentinel servers on 127.0.0.1 and ::1 count every
connection and must see none. Refused, binary and oversized pages are stored
from the feed summary, with the reason in `articles.fetch_error`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.demo.corpus_server import CorpusServer, Handler
from tests.support import faultkit as fk
from tests.support.configs import write_config
from tests.support.httpkit import redirect, static

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("prefect_harness")]

MAX_PAGE_BYTES = 5_000_000
# Where a hostile link may point. {v4} and {v6} are the ports of the sentinels on 127.0.0.1 and ::1.
FORBIDDEN = {
    "loopback": "http://127.0.0.1:{v4}/admin",
    "loopback-127.0.0.2": "http://127.0.0.2:{v4}/admin",
    "ipv6-loopback": "http://[::1]:{v6}/admin",
    "ipv4-mapped-ipv6": "http://[::ffff:127.0.0.1]:{v4}/admin",
    "unspecified-0.0.0.0": "http://0.0.0.0:{v4}/admin",
    "decimal-ip": "http://2130706433:{v4}/admin",
    "name-resolving-to-loopback": "http://localhost:{v4}/admin",
    "cloud-metadata": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "private-10": "http://10.0.0.1/",
    "private-172.16": "http://172.16.0.1/",
    "private-192.168": "http://192.168.1.1/",
    "cgnat-100.64": "http://100.64.0.1/",
    "ipv6-unique-local": "http://[fd00::1]/",
}
NOT_HTTP = {"file": "file:///etc/passwd", "ftp": "ftp://127.0.0.1:{v4}/pub"}
MALFORMED = {  # links no URL parser accepts: refused, or skipped when even the feed's parse cannot take them
    "port-out-of-range": "http://127.0.0.1:99999/admin",
    "bad-idna-label": "http://a..b.example/",
    "unclosed-ipv6-bracket": "http://[::1/admin",
    "aggregator-wrapping-a-malformed-url": "http://news.example/go?url=http://[::1/admin",
}
ENCODED = {  # charset declared by the page -> (codec it is written in, text it says)
    "gb2312": ("gb18030", "国家市场监督管理总局依法对阿里巴巴集团作出行政处罚，责令其停止违法行为，罚款182.28亿元。"),
    "big5": ("big5hkscs", "國家市場監督管理總局依法對阿里巴巴集團作出行政處罰，責令其停止違法行為，罰款182.28億元。"),
    "shift_jis": ("cp932", "中国の国家市場監督管理総局は、アリババ集団に対して過去最大の罰金を科したと発表した。"),
}
GOOD = ("Regulators in Beijing published draft rules on algorithmic recommendation services on Friday, "
        "asking platforms to let users switch off personalised feeds. ")
CANONICAL = ("Electric vehicle makers cut prices again this month as competition in the domestic market "
             "intensified and inventories of unsold cars kept rising. ")


@dataclass
class PagesRun:
    result: dict[str, object]
    db: Path
    breaches: int
    streamed: fk.Flood
    logs: list[str]


def titles_and_links(server: CorpusServer, v4: int, v6: int) -> list[tuple[str, str]]:
    items = [(f"direct {n}", url.format(v4=v4, v6=v6)) for n, url in FORBIDDEN.items()]
    items += [(f"redirect {n}", server.url(f"/redirect/{n}")) for n in [*FORBIDDEN, *NOT_HTTP]]
    items += [(f"link {n}", url.format(v4=v4, v6=v6)) for n, url in {**NOT_HTTP, **MALFORMED}.items()]
    items += [(f"page {n}", server.url(f"/pages/{n}.html")) for n in [*ENCODED, "binary", "good", "canonical"]]
    items += [("page 50 MB streamed", server.url("/pages/huge-streamed.html")),
              ("page 50 MB declared", server.url("/pages/huge-declared.html"))]
    return items


def routes(server: CorpusServer, v4: int, v6: int, streamed: fk.Flood) -> dict[str, Handler]:
    handlers: dict[str, Handler] = {"/feed": static(fk.rss(titles_and_links(server, v4, v6)))}
    for name, url in {**FORBIDDEN, **NOT_HTTP}.items():
        handlers[f"/redirect/{name}"] = redirect(url.format(v4=v4, v6=v6), 302)
    for charset, (codec, text) in ENCODED.items():
        html = fk.article(text[:20], text * 5, charset=charset)
        handlers[f"/pages/{charset}.html"] = static(html.encode(codec), "text/html")
    handlers["/pages/binary.html"] = static(random.Random(6).randbytes(400_000), "text/html")
    handlers["/pages/good.html"] = static(fk.article("Draft rules on algorithms", GOOD * 5), "text/html")
    handlers["/pages/canonical.html"] = static(fk.article("Hostile canonical", CANONICAL * 5,
                                                          head='<link rel="canonical" href="http://[::1/x">'),
                                               "text/html")
    handlers["/pages/huge-streamed.html"] = streamed
    handlers["/pages/huge-declared.html"] = fk.Flood(50_000_000, declare_length=True)
    return handlers


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PagesRun]:
    tmp = tmp_path_factory.mktemp("hostile-pages")
    streamed = fk.Flood(50_000_000, declare_length=False)
    with pytest.MonkeyPatch.context() as env, CorpusServer() as server, fk.Sentinel() as v4, \
            fk.Sentinel("::1") as v6:
        env.chdir(tmp)
        port = server.base.rsplit(":", 1)[1]
        env.setenv("REGWATCH_ALLOW_PRIVATE_ADDRESSES", f"127.0.0.1:{port}")  # only the stand-in public site
        server.routes.update(routes(server, v4.port, v6.port, streamed))
        config = write_config(tmp / "config", f"feeds:\n  - url: {server.url('/feed')}\n    name: hostile-links\n"
                                              f"fetch:\n  timeout_seconds: 3\n  max_page_bytes: {MAX_PAGE_BYTES}\n")
        with fk.captured_logs() as logs:
            result = fk.run_flow(config, tmp / "rw.duckdb", allow_private=False)
        time.sleep(0.2)  # let a late connection, if any, reach a sentinel before counting
        yield PagesRun(result, tmp / "rw.duckdb", v4.breaches + v6.breaches, streamed, logs)


def stored_by_title(db: Path) -> dict[str, dict[str, object]]:
    rows = fk.query(db, "SELECT title, url, extraction, fetch_error, text, language FROM articles")
    return {r[0]: {"url": r[1], "extraction": r[2], "fetch_error": r[3], "text": r[4], "language": r[5]}
            for r in rows}


def test_no_forbidden_address_is_ever_contacted(pages: PagesRun) -> None:
    assert pages.breaches == 0
    print(f"\n{len(FORBIDDEN) * 2 + len(NOT_HTTP) * 2} forbidden links and redirects: 0 connections")


@pytest.mark.parametrize("how", ["direct", "redirect"])
@pytest.mark.parametrize("name", list(FORBIDDEN))
def test_forbidden_links_are_refused_and_the_summary_is_stored(pages: PagesRun, how: str, name: str) -> None:
    article = stored_by_title(pages.db)[f"{how} {name}"]
    assert article["extraction"] == "feed_summary"
    assert str(article["fetch_error"]).startswith("refused: "), article
    assert "not a public address" in str(article["fetch_error"])


def test_non_http_links_are_skipped_and_the_feed_says_so(pages: PagesRun) -> None:
    stored = stored_by_title(pages.db)
    assert {t for t in stored if t.startswith("link ")} == {"link port-out-of-range", "link bad-idna-label"}
    health = fk.feed_health(pages.db)["hostile-links"]
    assert health["last_status"] == "ok"
    assert "skipped 4 items without an http(s) link (file:, ftp:, malformed, no link)" in health["last_error"]
    for name in NOT_HTTP:
        error = str(stored[f"redirect {name}"]["fetch_error"])
        assert error.startswith("refused: ") and "unsupported protocol" in error


@pytest.mark.parametrize("name", ["port-out-of-range", "bad-idna-label"])
def test_malformed_links_are_refused_without_failing_the_batch(pages: PagesRun, name: str) -> None:
    article = stored_by_title(pages.db)[f"link {name}"]
    assert article["extraction"] == "feed_summary"
    assert str(article["fetch_error"]).startswith("refused: malformed URL")


def test_a_malformed_canonical_link_is_ignored(pages: PagesRun) -> None:
    article = stored_by_title(pages.db)["Hostile canonical"]
    assert article["extraction"] == "trafilatura" and str(article["url"]).endswith("/pages/canonical.html")


@pytest.mark.parametrize("charset", list(ENCODED))
def test_east_asian_encodings_are_decoded(pages: PagesRun, charset: str) -> None:
    article = stored_by_title(pages.db)
    text = next(a["text"] for a in article.values() if a["url"].endswith(f"/pages/{charset}.html"))
    assert ENCODED[charset][1] in str(text)


def test_binary_served_as_html_falls_back_to_the_summary(pages: PagesRun) -> None:
    article = stored_by_title(pages.db)["page binary"]
    assert (article["extraction"], article["fetch_error"]) == ("feed_summary", "no article text found on the page")


def test_a_50_mb_page_is_cut_at_the_cap_without_downloading_it(pages: PagesRun) -> None:
    stored = stored_by_title(pages.db)
    assert stored["page 50 MB streamed"]["fetch_error"] == f"too large: over {MAX_PAGE_BYTES} bytes"
    assert stored["page 50 MB declared"]["fetch_error"] == f"too large: 50000000 bytes declared, cap {MAX_PAGE_BYTES}"
    assert pages.streamed.sent < 4 * MAX_PAGE_BYTES, f"the server got {pages.streamed.sent} bytes out"


def test_the_run_goes_on_and_logs_each_unused_page(pages: PagesRun) -> None:
    stored = stored_by_title(pages.db)
    assert stored["Draft rules on algorithms"]["extraction"] == "trafilatura"
    assert pages.result["feeds_failed"] == 0
    assert any("page not used" in line and "refused: " in line for line in pages.logs)
