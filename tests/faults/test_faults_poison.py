"""Poisonous pages: a page that kills the worker extracting it must not block the pipeline.

Real `regwatch run` and `regwatch backfill` children whose extraction workers really die on marked pages
(tasks/pipeline/fault_hook.py, switched on by `fk.child_env(..., poisonous=True)`): one aborts (as on a
segfault in lxml), one spins (a C loop that never returns) until its CPU time (REGWATCH_PAGE_CPU_SECONDS=1)
runs out, and one whose feed summary kills every worker that reads it (the OOM killer's SIGKILL). Before,
the first death broke the worker pool and failed the whole batch, retried and failed again on every later
run. Now each such page is quarantined: stored from its feed summary with the reason, never fetched or
extracted again, listed by `regwatch quarantine`, and every other page of the run is stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.demo.corpus_server import CorpusServer
from tests.support import faultkit as fk
from tests.support.configs import write_config
from tests.support.httpkit import static

pytestmark = pytest.mark.faults

FINE = "SAMR fines Alibaba Group 18.228 billion yuan for abusing its dominant position in online retail"
POISONED = {  # path -> (the item's title, whose summary repeats it; the page's body)
    "/p/abort.html": (FINE, fk.filler_story(101) + " " + fk.poison("abort")),
    "/p/spin.html": ("A page that spins", fk.filler_story(102) + " " + fk.poison("spin")),
    "/p/kill.html": (f"A summary that kills {fk.poison('kill')}", fk.filler_story(103)),
}
REASONS = {
    "/p/abort.html": "its worker process crashed (SIGABRT)",
    "/p/spin.html": "its worker process spent more than 1 s of CPU on it (REGWATCH_PAGE_CPU_SECONDS)",
    "/p/kill.html": "its worker process was killed (SIGKILL: out of memory?); its feed summary killed a worker "
                    "too, so the story is not classified",
}


def site(server: CorpusServer, good: int) -> set[str]:
    """A feed of the three poisoned pages among `good` ordinary ones; the ordinary pages' paths."""
    paths = {f"/s/{i}.html" for i in range(good)}
    items = [(f"Story {i}", server.url(f"/s/{i}.html")) for i in range(good)]
    items += [(title, server.url(path)) for path, (title, _) in POISONED.items()]
    server.routes["/feed"] = static(fk.rss(items))
    for i in range(good):
        server.routes[f"/s/{i}.html"] = static(fk.article(f"Story {i}", fk.filler_story(i)), "text/html")
    for path, (title, body) in POISONED.items():
        server.routes[path] = static(fk.article(title, body), "text/html")
    return paths


def test_pages_that_kill_their_worker_are_quarantined_and_never_touched_again(
    tmp_path: Path, prefect_api_url: str
) -> None:
    db = tmp_path / "rw.duckdb"
    env = fk.child_env(prefect_api_url, tmp_path / "prefect-home", poisonous=True, allow_private_networks="1",
                       page_cpu_seconds="1")
    with CorpusServer() as server:
        good = site(server, 4)
        config = write_config(tmp_path / "config", f"feeds:\n  - url: {server.url('/feed')}\n    name: wire\n")
        first = fk.run_cli(config, db, env)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "3 quarantined" in first.stdout

        stored = fk.stored_articles(db)
        assert {p for p, a in stored.items() if a["extraction"] == "trafilatura"} == good  # the rest of the batch
        quarantined = {p: a["fetch_error"] for p, a in stored.items() if a["extraction"] == "quarantined"}
        assert quarantined == REASONS
        # The aborting page's story is still classified, from its feed summary: its fine may alert.
        assert fk.query(db, "SELECT e.kind FROM events e JOIN articles a USING (article_id) "
                            "WHERE a.extraction = 'quarantined'") == [("fine",)]
        listing = fk.cli("quarantine", "--db", str(db), "--format", "json", env=env).stdout
        listed = [json.loads(line) for line in listing.splitlines()]
        assert {(r["feed"], r["url"].split("/", 3)[3], r["reason"]) for r in listed} == {
            ("wire", path.lstrip("/"), reason) for path, reason in REASONS.items()}

        # The next run: a new story beside the same three; the poisoned pages are neither fetched nor extracted.
        hits = {path: server.hits[path] for path in POISONED}
        good = site(server, 5)
        second = fk.run_cli(config, db, env)
        assert second.returncode == 0, second.stdout + second.stderr
        assert {path: server.hits[path] for path in POISONED} == hits == dict.fromkeys(POISONED, 1)
    stored = fk.stored_articles(db)
    assert "quarantined" not in second.stdout and "/s/4.html" in stored
    assert {p for p, a in stored.items() if a["extraction"] == "trafilatura"} == good
    assert {p for p, a in stored.items() if a["extraction"] == "quarantined"} == set(POISONED)
    print(f"\npoisonous pages survived: {len(POISONED)}; quarantined with: {sorted(REASONS.values())}")


def test_a_backfill_quarantines_a_page_that_kills_its_worker_and_skips_it_next_time(
    tmp_path: Path, prefect_api_url: str
) -> None:
    db = tmp_path / "rw.duckdb"
    env = fk.child_env(prefect_api_url, tmp_path / "prefect-home", poisonous=True, allow_private_networks="1")
    with CorpusServer() as server:
        site(server, 2)
        urls = tmp_path / "urls.txt"
        urls.write_text(f"{server.url('/s/0.html')}\n{server.url('/p/abort.html')}\n{server.url('/s/1.html')}\n")
        config = write_config(tmp_path / "config", "feeds: []\n")
        args = ("backfill", str(urls), "--config-dir", str(config), "--db", str(db))
        first = fk.cli(*args, env=env)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "3 articles added" in first.stdout and "1 quarantined" in first.stdout
        again = fk.cli(*args, env=env)
        assert "3 already stored" in again.stdout and server.hits["/p/abort.html"] == 1
    extraction = {p: a["extraction"] for p, a in fk.stored_articles(db).items()}
    assert extraction == {"/s/0.html": "trafilatura", "/s/1.html": "trafilatura", "/p/abort.html": "quarantined"}
