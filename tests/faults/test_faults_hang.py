"""A host that accepts connections and never answers, serving a feed and 60 article links.

Each request has a deadline, but a run that waited it out once per link
(60 links, two at a time per host) would take a minute at a 2 s timeout, and
over ten minutes at the default 20 s. After three timeouts in a row the run
stops asking that host, so it finishes within a few timeouts, and the good
feed's stories are stored.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from flows.demo.corpus_server import CorpusServer
from tests.support import faultkit as fk
from tests.support.configs import write_config
from tests.support.httpkit import static

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("prefect_harness")]

TIMEOUT = 2.0
LINKS = 60
BUDGET = 30.0  # seconds: a few timeouts plus the run's own work; one timeout per link would be 60 s
STORY = ("The Ministry of Industry and Information Technology told app stores on Monday to remove "
         "applications that collect personal data without consent. ")


def test_a_hanging_host_costs_a_few_timeouts_not_one_per_link(tmp_path: Path) -> None:
    released = threading.Event()
    with CorpusServer() as site, CorpusServer() as stuck:
        for path in ["/feed", *(f"/p/{i}" for i in range(LINKS))]:
            stuck.routes[path] = fk.hang_until(released)
        site.routes["/good"] = static(fk.rss([("Apps removed", site.url("/good.html"))]))
        site.routes["/good.html"] = static(fk.article("Apps removed", STORY * 4), "text/html")
        site.routes["/links-to-stuck"] = static(fk.rss([(f"stuck {i}", stuck.url(f"/p/{i}")) for i in range(LINKS)]))
        feeds = {"good": site.url("/good"), "hanging-feed": stuck.url("/feed"),
                 "links-to-stuck": site.url("/links-to-stuck")}
        listed = "".join(f"  - url: {url}\n    name: {name}\n" for name, url in feeds.items())
        config = write_config(tmp_path / "config", f"feeds:\n{listed}fetch:\n  timeout_seconds: {TIMEOUT}\n")
        started = time.monotonic()
        try:
            result = fk.run_flow(config, tmp_path / "rw.duckdb")
        finally:
            released.set()  # the stuck handlers end with the run, whatever happened
        seconds = time.monotonic() - started
    print(f"\nhanging host with {LINKS} links: run took {seconds:.1f}s")
    assert seconds < BUDGET
    assert result["articles_added"] == LINKS + 1
    health = fk.feed_health(tmp_path / "rw.duckdb")
    assert health["hanging-feed"]["last_status"] == "error"
    assert health["hanging-feed"]["last_error"] == f"timed out after {TIMEOUT:g}s"
    stored = fk.stored_articles(tmp_path / "rw.duckdb")
    assert stored["/good.html"]["extraction"] == "trafilatura"
    reasons = {str(stored[f"/p/{i}"]["fetch_error"]).split(" ")[0] for i in range(LINKS)}
    assert reasons == {"timed", "skipped:"}  # a few waited out, the rest skipped at once
