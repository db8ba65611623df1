"""`regwatch report`'s HTML, read back with lxml: what it lists, its inline charts, escaping, offline.

The same files are rendered by a real browser in tests/flows/test_report_browser.py."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest

from tasks.alert.report import load_report, render_report, write_report
from tasks.classify.history import HISTORY_FILE, load_history
from tasks.common.errors import RegwatchError
from tasks.store.database import Database
from tests.support.actions import Action, store_actions

CONFIG = Path(__file__).resolve().parents[2] / "config"
UNTIL = datetime(2026, 3, 31, 12, tzinfo=UTC)
SINCE = UNTIL - timedelta(days=90)
HOSTILE_TITLE = '<script>document.body.dataset.pwned = "title"</script><img src=x onerror="alert(1)">Evil & co'
HOSTILE_EVIDENCE = '</blockquote></td></tr></table><iframe src="https://evil.example"></iframe>'
PERIOD = [
    Action("alibaba", UNTIL - timedelta(days=3), amount=18.228e9, currency="CNY", amount_text="182.28亿元",
           amount_usd=2.54e9,
           title="Alibaba fined 18.2 billion yuan", evidence="SAMR fined Alibaba 18.228 billion yuan.",
           also_in=("https://other.example/alibaba-copy",)),
    Action("weibo", UNTIL - timedelta(days=20), companies=("Weibo",), regulator="CAC", amount_text="3 million yuan",
           amount_usd=4.18e5, title="Weibo operator fined 3 million yuan"),
    Action("minors", UNTIL - timedelta(days=40), kind="policy_shift", companies=(), regulator="NPPA",
           direction="tighten", title="Minors limited to an hour of online games a day"),
    Action("fta", UNTIL - timedelta(days=50), kind="investigation", companies=("Full Truck Alliance",),
           regulator="CAC", title="Cybersecurity review of Full Truck Alliance"),
]
BEFORE = Action("old", SINCE - timedelta(days=1), title="A fine from before the period", amount_usd=1e6)


def report(db: Database, config: Path = CONFIG) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(render_report(load_report(db, config, SINCE, UNTIL), UNTIL))


def database(tmp_path: Path, *actions: Action) -> Database:
    db = Database(tmp_path / "r.duckdb")
    db.init()
    store_actions(db, *actions)
    return db


def rows(page: lxml.html.HtmlElement, table: str) -> list[str]:
    """Each row of table `table`, its cells' texts joined by a space."""
    return [" ".join(" ".join(cell.text_content().split()) for cell in row)
            for row in page.xpath(f"//table[@id='{table}']/tbody/tr")]


def test_report_lists_the_periods_events_with_evidence_and_sources(tmp_path: Path) -> None:
    db = database(tmp_path, *PERIOD, BEFORE)
    with db.write() as con:
        con.execute("INSERT INTO feeds (feed_id, url, name, last_status, consecutive_failures, last_error) VALUES "
                    "('a', 'https://a.example/rss', 'Good feed', 'ok', 0, NULL), "
                    "('b', 'https://b.example/rss', 'Broken feed', 'error', 4, 'HTTP 500')")
    page = report(db)
    events = rows(page, "events-table")
    assert [e.split(" Fine ")[0][:10] for e in events] == ["2026-03-28", "2026-03-11", "2026-02-19", "2026-02-09"]
    assert "Alibaba fined 18.2 billion yuan" in events[0] and "SAMR fined Alibaba 18.228 billion yuan." in events[0]
    assert "SAMR 18.228 billion yuan≈ $2.54 billion" in events[0]  # stated in English words, then in dollars
    assert not any("before the period" in e for e in events)
    links = page.xpath("//table[@id='events-table']/tbody/tr[1]//a/@href")
    assert links == ["https://news.example/alibaba", "https://other.example/alibaba-copy"]
    assert rows(page, "policy-table") == [
        "2026-02-19 NPPA ▲ tightening Minors limited to an hour of online games a day"]
    feeds = rows(page, "feeds-table")
    assert feeds[0].startswith("Broken feed error") and "HTTP 500" in feeds[0]
    assert [row.get("class") for row in page.xpath("//table[@id='feeds-table']/tbody/tr")] == ["failing", "ok"]



def test_the_feed_table_says_how_each_feeds_stories_were_read(tmp_path: Path) -> None:
    """A feed that polls fine but whose stories are mostly headlines (Google News links) looked healthy here."""
    db = database(tmp_path)
    with db.write() as con:
        con.execute("INSERT INTO feeds (feed_id, url, name, last_status) "
                    "VALUES ('g', 'https://g.example/rss', 'Headline feed', 'ok')")
        for n, extraction in enumerate(("headline_only", "trafilatura", "headline_only")):
            con.execute("INSERT INTO articles (article_id, url, feed_id, extraction, fetched_at) "
                        "VALUES (?, ?, 'g', ?, ?)", [f"g{n}", f"https://g.example/{n}", extraction, UNTIL])
    [row] = rows(report(db), "feeds-table")
    assert "ok mostly headlines (1 of 3 in full)" in row

def test_fines_and_policy_charts_are_inline_svg_with_a_log_scale_when_amounts_span_orders(tmp_path: Path) -> None:
    page = report(database(tmp_path, *PERIOD))
    charts = {figure.get("id"): figure.xpath("svg") for figure in page.xpath("//figure")}
    assert set(charts) == {"chart-fines-by-regulator", "chart-fines-by-company", "chart-policy-shifts",
                           "chart-known-fines", "chart-known-policy"}
    for name, (svg,) in charts.items():
        assert svg.get("viewbox") and float(svg.get("width", "0").removesuffix("pt")) > 0, name  # lowercased by lxml
    texts = {name: " ".join(svg[0].itertext()) for name, svg in charts.items()}  # text stays text: searchable
    assert "Fines by regulator (USD, log scale)" in texts["chart-fines-by-regulator"]  # $418k next to $2.54bn
    assert "SAMR" in texts["chart-fines-by-regulator"] and "Weibo" in texts["chart-fines-by-company"]
    assert "NPPA" in texts["chart-policy-shifts"]


def test_amounts_of_one_order_keep_a_linear_axis(tmp_path: Path) -> None:
    page = report(database(tmp_path, PERIOD[0], Action("didi", UNTIL - timedelta(days=9), companies=("Didi Global",),
                                                       regulator="CAC", amount_usd=1.12e9)))
    (svg,) = page.xpath("//figure[@id='chart-fines-by-regulator']/svg")
    assert "Fines by regulator (USD)" in " ".join(svg.itertext())


def test_an_empty_database_shows_the_known_actions_for_reference(tmp_path: Path) -> None:
    page = report(database(tmp_path))
    assert "No events in this period" in page.get_element_by_id("summary").text_content()
    for section in ("fines", "policy", "latest", "feeds"):
        assert page.xpath(f"//section[@id='{section}']/p[@class='empty']"), section
    assert not page.xpath("//table[@id='events-table' or @id='feeds-table']")
    known = load_history(CONFIG).actions
    assert len(rows(page, "known-table")) == len(known) > 0
    assert page.xpath("//figure[@id='chart-known-fines']/svg") and page.xpath("//figure[@id='chart-known-policy']/svg")


def test_without_a_reference_file_the_report_says_so(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    (config / HISTORY_FILE).unlink()
    page = report(database(tmp_path, *PERIOD), config)
    assert "No reference set" in page.get_element_by_id("reference").text_content()
    assert page.xpath("//figure[@id='chart-fines-by-regulator']/svg")


def test_hostile_story_text_is_shown_as_text_and_never_links_anywhere_but_http(tmp_path: Path) -> None:
    hostile = Action("evil", UNTIL - timedelta(days=1), companies=('<b onmouseover="alert(2)">Evil</b>',),
                     regulator='"><svg onload=alert(3)>', amount_usd=5e8, amount_text="<i>lots</i>",
                     title=HOSTILE_TITLE, evidence=HOSTILE_EVIDENCE, url="javascript:alert(4)",
                     also_in=("data:text/html,<script>alert(5)</script>", "https://fine.example/a\"onclick=\"x"))
    page = report(database(tmp_path, hostile))
    assert not page.xpath("//script | //iframe | //img | //b | //i | //object | //embed")
    assert not [el for el in page.iter() if isinstance(el.tag, str) and any(a.startswith("on") for a in el.attrib)]
    hrefs = page.xpath("//a/@href")
    assert [href for href in hrefs if "fine.example" in href] == ["https://fine.example/a%22onclick=%22x"]
    assert all(href.startswith(("http://", "https://")) for href in hrefs)
    (row,) = page.xpath("//table[@id='events-table']/tbody/tr")
    assert HOSTILE_TITLE in row.text_content() and HOSTILE_EVIDENCE in row.text_content()
    (chart,) = page.xpath("//figure[@id='chart-fines-by-company']/svg")
    assert '<b onmouseover="alert(2)">Evil</b>' in " ".join(chart.itertext())


def test_the_report_loads_nothing_from_the_network(tmp_path: Path) -> None:
    html = render_report(load_report(database(tmp_path, *PERIOD), CONFIG, SINCE, UNTIL), UNTIL)
    page = lxml.html.fromstring(html)
    (policy,) = page.xpath("//meta[@http-equiv='Content-Security-Policy']")
    assert "default-src 'none'" in policy.get("content")
    fetched = [(el.tag, name, value) for el in page.iter() if isinstance(el.tag, str) and el.tag != "a"
               for name, value in el.attrib.items() if name in ("src", "href", "data") or name.endswith("}href")]
    assert fetched == []
    assert not re.search(r"url\((?!#)|@import", html)  # url(#clip-path) within the page only


def test_writing_replaces_the_file_whole_and_a_bad_path_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "reports" / "report.html"
    write_report("<p>old</p>", out)
    write_report("<p>new</p>", out)
    assert out.read_text(encoding="utf-8") == "<p>new</p>"
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]
    with pytest.raises(RegwatchError, match="is a directory; give --out a file name"):
        write_report("<p>x</p>", tmp_path)
    with pytest.raises(RegwatchError, match="cannot write the report: "):
        write_report("<p>x</p>", out / "inside-a-file.html")
