"""The benchmark's own parts, quickly: its corpus is distinct and reproducible, its server behaves, its
meters read real numbers. (`make bench` runs the benchmark itself; it is too long for `make test`.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bench.corpus import SHARED_PAGES, Corpus, build_corpus
from bench.proctree import PeakRss, cpu_seconds
from bench.run import config_dir
from bench.server import BenchServer
from tasks.common.settings import REPO_ROOT
from tasks.extract.minhash import estimated_similarity, signature
from tasks.extract.pages import decode_html, extract_article


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    if not SHARED_PAGES.is_dir():
        pytest.skip(f"{SHARED_PAGES} is absent: the benchmark corpus is built from ../shared")
    return build_corpus(pages=200, feeds=8, extra=10)


def test_corpus_copies_are_distinct_stories_with_the_same_markup(corpus: Corpus) -> None:
    first, copy = corpus.pages["/n00/story-00000.html"], corpus.pages["/n33/story-00181.html"]  # one source page
    assert len(first) == len(copy) and first != copy
    assert first.count(b"<") == copy.count(b"<")  # markup untouched
    texts = [extract_article(decode_html(page), "http://127.0.0.1/") for page in (first, copy)]
    assert texts[0] and texts[1] and len(texts[0].text) == len(texts[1].text)
    assert estimated_similarity(signature(texts[0].text), signature(texts[1].text)) < 0.2  # not near-copies
    again = build_corpus(pages=200, feeds=8, extra=10, now=corpus.items[0].published)
    assert again.pages.keys() == corpus.pages.keys()


def test_server_answers_conditional_requests_and_counts(corpus: Corpus) -> None:
    with BenchServer(corpus) as server:
        feed = server.base_for(1) + corpus.feed_paths()[1]
        first = httpx.get(feed)
        assert first.status_code == 200 and b"<rss" in first.content
        assert httpx.get(feed, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        grown = corpus.grow(3)
        server.refresh()
        changed = httpx.get(feed, headers={"If-None-Match": first.headers["etag"]})
        assert changed.status_code == 200 and grown[1].path.encode() in changed.content
        assert server.take_hits() == {"feed_200": 2, "feed_304": 1}


def test_meters_see_a_child_burn_cpu_and_memory() -> None:
    burn = ("x = bytearray(b'1' * 200 * 2**20)\nimport time\n"
            "end = time.process_time() + 0.5\nwhile time.process_time() < end: pass")
    child = subprocess.Popen([sys.executable, "-c", burn])
    with PeakRss.tree(os.getpid(), interval=0.05) as memory:
        child.wait()
    assert memory.peak > 200 * 2**20
    assert cpu_seconds(os.getpid()) >= 0.5  # the reaped child's time counts


ORPHAN_BURN = """
import json, os, subprocess, sys, tempfile
from bench.proctree import become_subreaper
from bench.run import run_child
become_subreaper()  # here, not in pytest's process: adopted zombies there would look like survivors to other tests
orphan = ("import os, subprocess, sys, time\\n"
          "if os.fork() == 0:\\n"  # the grandchild outlives its parent, as a fork server outlives `regwatch run`
          "    end = time.process_time() + 0.5\\n"
          "    while time.process_time() < end: pass\\n"
          "    os._exit(0)\\n"
          "print('parent done')")
with tempfile.TemporaryFile("w+") as log:
    wall, cpu, _, out = run_child([sys.executable, "-c", orphan], dict(os.environ), log)
print(json.dumps({"wall": wall, "cpu": cpu, "out": out}))
"""


def test_a_run_counts_the_cpu_of_descendants_it_orphaned() -> None:
    result = subprocess.run([sys.executable, "-c", ORPHAN_BURN], capture_output=True, text=True, timeout=60,
                            cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout.splitlines()[-1])
    assert measured["out"].strip() == "parent done"
    assert measured["cpu"] >= 0.5  # the orphan's half second is in, although its parent never waited for it


def test_the_ceiling_fetches_and_processes_every_page_once_and_stores_nothing(tmp_path: Path) -> None:
    """L2 (bench.ceiling) does a cold run's whole job on every page, and nothing more: a page it skipped or
    fetched twice would make regwatch look slower or faster against it than it is."""
    if not SHARED_PAGES.is_dir():
        pytest.skip(f"{SHARED_PAGES} is absent: the benchmark corpus is built from ../shared")
    small = build_corpus(pages=12, feeds=3, extra=2)
    with BenchServer(small) as server:
        config = config_dir(tmp_path, server)
        result = subprocess.run([sys.executable, "-m", "bench.ceiling", str(config)], capture_output=True, text=True,
                                timeout=120, cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
        hits = server.take_hits()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"articles": len(small.items), "extracted": len(small.items), "feeds": 3}
    assert hits == {"feed_200": 3, "page_200": len(small.items)}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config-1"]  # no database, nothing else written
