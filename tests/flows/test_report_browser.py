"""`regwatch report` as a reader sees it: written by the command, opened in headless Chromium.

On the demo database (the real flow run over the bundled corpus) and on an empty one. Asserts on the DOM the
browser built (charts there and drawn at a real size, the page no wider than its window, the tables listing
the corpus's events) and keeps a screenshot of the demo report in data/test-artifacts/report.png."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import lxml.html
import yaml

from flows.demo.corpus_server import CorpusServer
from flows.demo.run import CORPUS, write_demo_config
from flows.monitor import monitor
from tasks.classify.history import load_history
from tasks.classify.kinds import kind_label
from tasks.store.database import Database
from tests.support.actions import Action, store_actions
from tests.support.browser import WINDOW, measure, png_size, screenshot

REPO = Path(__file__).resolve().parents[2]
REGWATCH = Path(sys.executable).parent / "regwatch"
ARTIFACT = REPO / "data" / "test-artifacts" / "report.png"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))


def write_report(db: Path, out: Path) -> str:
    """`regwatch report` run as a user runs it; its one line of output."""
    done = subprocess.run([str(REGWATCH), "report", "--db", str(db), "--out", str(out)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PREFECT_HOME": str(out.parent / "prefect")})
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout


def check_charts(measured: dict[str, Any], expected: set[str]) -> None:
    """Every expected chart is drawn, at a readable size, and nothing makes the page wider than its window."""
    drawn = {chart["id"]: chart for chart in measured["charts"]}
    assert set(drawn) == expected
    for chart in drawn.values():
        assert 400 < chart["width"] <= WINDOW[0] and chart["height"] > 80, chart
    assert measured["scrollWidth"] <= measured["windowWidth"], "the report is wider than the window"


def table(dom: lxml.html.HtmlElement, name: str) -> list[lxml.html.HtmlElement]:
    return dom.xpath(f"//table[@id='{name}']/tbody/tr")


def test_the_demo_databases_report_in_chromium(tmp_path: Path, prefect_harness: None) -> None:
    db = tmp_path / "demo.duckdb"
    with CorpusServer(CORPUS / "site") as server:
        write_demo_config(tmp_path / "config", server.base)
        asyncio.run(monitor(config_dir=str(tmp_path / "config"), db=str(db), allow_private_networks=True))
    with Database(db).read() as con:
        (stored,) = con.execute("SELECT count(*) FROM recent_events").fetchone() or (0,)
    out = tmp_path / "report.html"
    assert write_report(db, out).startswith(f"report: {stored} events since ")
    assert png_size(screenshot(out, ARTIFACT, tmp_path / "profile")) == WINDOW

    html, measured = measure(out, tmp_path / "profile")
    check_charts(measured, {"chart-fines-by-regulator", "chart-fines-by-company", "chart-policy-shifts",
                            "chart-known-fines", "chart-known-policy"})
    dom = lxml.html.fromstring(html)
    with Database(db).read() as con:
        events = con.execute("SELECT kind, url FROM recent_events ORDER BY published_at DESC, cluster_id").fetchall()
    listed = [(row[1].text_content(), row.xpath(".//td[@class='story']/a/@href")[0], row[2].text_content())
              for row in table(dom, "events-table")]
    assert len(listed) == len(events) > 0
    for (kind, url), (shown, href, _) in zip(events, listed, strict=True):  # newest first, linked to its story
        assert shown.startswith(kind_label(kind)) and href == url, (kind, url, shown, href)
    for event in EXPECTED["events"]:  # each of the corpus's events, for each of its companies (one row for all: [])
        for company in event["companies"] or [""]:
            assert any(kind.startswith(kind_label(event["kind"])) and company in companies
                       for kind, _, companies in listed), (event["id"], company, listed)
    (policy,) = table(dom, "policy-table")
    assert "Politburo" in policy.text_content() and "▼ easing" in policy.text_content()
    chart_text = " ".join(dom.xpath("//figure[@id='chart-fines-by-company']/svg")[0].itertext())
    assert all(company in chart_text for company in ("Alibaba Group", "Didi Global", "Meituan"))
    assert len(table(dom, "feeds-table")) == len(yaml.safe_load((CORPUS / "feeds.yaml").read_text())["feeds"])


def test_an_empty_databases_report_in_chromium_shows_the_reference_set(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    Database(db).init()
    out = tmp_path / "report.html"
    assert write_report(db, out).startswith("report: 0 events since ")
    html, measured = measure(out, tmp_path / "profile")
    check_charts(measured, {"chart-known-fines", "chart-known-policy"})
    dom = lxml.html.fromstring(html)
    assert "No events in this period" in dom.get_element_by_id("summary").text_content()
    known = table(dom, "known-table")
    assert len(known) == len(load_history(REPO / "config").actions)
    assert "Alibaba Group" in " ".join(row.text_content() for row in known)


def test_hostile_story_text_stays_text_in_chromium(tmp_path: Path) -> None:
    """A headline carrying markup and script is shown as the characters it is, even with the report's Content
    Security Policy (which would block an injected script anyway) taken out."""
    db = tmp_path / "hostile.duckdb"
    Database(db).init()
    title = ('<img src=x onerror="document.body.dataset.pwned=1"><script>document.body.dataset.pwned=2</script>'
             "Tencent fined")
    store_actions(Database(db), Action("evil", datetime.now(UTC) - timedelta(days=1), amount_usd=1e8, title=title,
                                       evidence="<b>bold</b>", url="javascript:document.body.dataset.pwned=3"))
    out = tmp_path / "report.html"
    write_report(db, out)
    html, _ = measure(out, tmp_path / "profile")
    dom = lxml.html.fromstring(html)
    assert dom.xpath("//body/@data-pwned") == [] and not dom.xpath("//img | //b")
    (row,) = table(dom, "events-table")
    assert title in row.text_content() and "<b>bold</b>" in row.text_content()
    assert dom.xpath("//table[@id='events-table']//a") == []  # a javascript: URL is not a link
