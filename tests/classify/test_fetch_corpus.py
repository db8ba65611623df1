"""`regwatch fetch-corpus`: the real-text cache refilled from the publishers' own pages, served here on
loopback (pages in our own words), through the monitor's fetcher and extraction workers."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from evaluation.real_corpus import load_corpus
from evaluation.real_fetch import corpus_text, fetch_corpus
from flows.demo.corpus_server import CorpusServer
from tasks.common.errors import ConfigError
from tasks.fetch.feeds_config import FetchLimits
from tests.support.cli import regwatch
from tests.support.configs import write_config
from tests.support.faultkit import article, hang_until
from tests.support.httpkit import static, status

CONFIG = Path(__file__).resolve().parents[2] / "config"
LIMITS = FetchLimits(timeout_seconds=5)

FINE_TITLE = "Regulator fines Example Platform"
FINE_BODY = ("The market regulator said on Tuesday it had fined the Example Platform operator 2 million yuan for "
             "misleading discounts shown to shoppers during a sales festival, and ordered it to correct its pricing "
             "pages within thirty days. The operator said it accepted the decision and would comply in full. ")
ZH_TITLE = "市场监管部门对示例平台作出行政处罚"
ZH_BODY = ("市场监管部门近日公布，示例平台因在促销活动中虚构原价，被处以罚款二百万元，并被责令限期改正。"
           "该平台表示接受处罚，将全面整改相关页面，并加强对商品价格信息的审核。" * 3)


def row(ident: str, url: str, **extra: Any) -> dict[str, Any]:
    base = {"id": ident, "url": url, "published": "2024-05-07", "language": "en", "relevant": False,
            "split": "fit", "outlet": "Example", "companies": [], "events": []}
    return base | extra


def labels_file(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def serve_pages(server: CorpusServer) -> None:
    server.routes["/en/fine"] = static(article(FINE_TITLE, FINE_BODY * 2), "text/html; charset=utf-8")
    server.routes["/zh/fine"] = static(article(ZH_TITLE, ZH_BODY, charset="gb18030").encode("gb18030"),
                                       "text/html")
    server.routes["/gone"] = status(404)
    server.routes["/empty"] = static("<html><body><nav>Home</nav></body></html>", "text/html")


def test_fetch_writes_each_readable_page_and_names_each_page_left_out(server: CorpusServer, tmp_path: Path) -> None:
    serve_pages(server)
    rows = [row("en-fine", server.url("/en/fine")), row("zh-fine", server.url("/zh/fine"), language="zh"),
            row("gone", server.url("/gone")), row("empty", server.url("/empty"))]
    texts = tmp_path / "texts"

    fetched = fetch_corpus(rows, texts, LIMITS, CONFIG, allow_private=True, page_cpu_seconds=30)

    assert fetched.written == ["en-fine", "zh-fine"] and fetched.kept == 0
    assert [line.split()[0] for line in fetched.failed] == ["empty", "gone"]
    assert "HTTP 404" in fetched.failed[1] and server.url("/gone") in fetched.failed[1]
    assert "not the article" in fetched.failed[0]  # a menu is not an article, though trafilatura returns it
    assert sorted(p.name for p in texts.iterdir()) == ["en-fine.txt", "zh-fine.txt"]  # no empty text, no .part
    headline, blank, *body = (texts / "zh-fine.txt").read_text(encoding="utf-8").splitlines()
    assert (headline, blank) == (ZH_TITLE, "") and "二百万元" in "".join(body)  # decoded from GB18030
    assert fetched.shortfall() is not None and "2 pages left out" in str(fetched.shortfall())

    corpus, missing = load_corpus(texts, labels_file(tmp_path, rows))  # what `regwatch eval --real` reads
    assert sorted(missing) == ["empty", "gone"]
    english = next(a for a in corpus if a.labelled.path.name == "en-fine")
    assert english.labelled.title == FINE_TITLE and "2 million yuan" in english.labelled.text


def test_a_second_fetch_keeps_what_is_there_and_retries_only_what_failed(server: CorpusServer,
                                                                          tmp_path: Path) -> None:
    serve_pages(server)
    rows = [row("en-fine", server.url("/en/fine")), row("gone", server.url("/gone"))]
    texts = tmp_path / "texts"
    fetch_corpus(rows, texts, LIMITS, CONFIG, allow_private=True, page_cpu_seconds=30)
    server.routes["/en/fine"] = status(500)  # were it asked again, the kept text would be lost
    server.routes["/gone"] = static(article(FINE_TITLE, FINE_BODY * 2), "text/html")

    again = fetch_corpus(rows, texts, LIMITS, CONFIG, allow_private=True, page_cpu_seconds=30)

    assert (again.written, again.kept, again.failed) == (["gone"], 1, [])
    assert again.shortfall() is None
    assert "2 million yuan" in (texts / "en-fine.txt").read_text(encoding="utf-8")


def test_private_addresses_are_refused_unless_allowed(server: CorpusServer, tmp_path: Path) -> None:
    serve_pages(server)
    fetched = fetch_corpus([row("en-fine", server.url("/en/fine"))], tmp_path, LIMITS, CONFIG, page_cpu_seconds=30)
    assert fetched.written == [] and "private" in fetched.failed[0].lower()


def test_corpus_text_is_a_headline_line_then_the_text() -> None:
    assert corpus_text("  A   headline\nsplit ", "\nBody.\n\n") == "A headline split\n\nBody.\n"


def test_corpus_text_keeps_the_opening_the_labels_describe_cut_at_a_character() -> None:
    """2,000 bytes are some 670 Chinese characters: a cut inside a three-byte character drops the character."""
    text = corpus_text(ZH_TITLE, ZH_BODY * 10)
    assert len(text.encode("utf-8")) <= 2001 and text.startswith(ZH_TITLE + "\n\n")
    assert text.rstrip("\n")[-1] in ZH_BODY  # a whole character, no replacement mark
    assert corpus_text(ZH_TITLE, ZH_BODY * 10, max_bytes=None).count("二百万元") == 30



def test_cli_lists_pages_left_out_then_succeeds_once_they_can_be_read(
    server: CorpusServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGWATCH_ALLOW_PRIVATE_NETWORKS", "1")
    serve_pages(server)
    labels = labels_file(tmp_path, [row("en-fine", server.url("/en/fine")), row("gone", server.url("/gone"))])
    texts = tmp_path / "texts"

    code, out = regwatch("fetch-corpus", str(texts), "--labels", str(labels))
    assert code == 1, out
    assert f"regwatch: gone {server.url('/gone')}: HTTP 404" in out
    assert "2 labelled articles: 1 texts written, 0 already there, 1 could not be fetched or read" in out
    assert "run the same command again" in out and "Traceback" not in out

    server.routes["/gone"] = static(article(FINE_TITLE, FINE_BODY * 2), "text/html")
    code, out = regwatch("fetch-corpus", str(texts), "--labels", str(labels))
    assert code == 0, out
    assert "1 texts written, 1 already there, 0 could not be fetched or read" in out


@pytest.mark.parametrize(("content", "says"), [
    (None, "cannot read"),
    ('{"id": "a", "url": "https://example.com/a"}\n', "outlet, published, language, relevant, split missing"),
    (json.dumps(row("a", "https://example.com/a", published="last May")) + "\n", "published must be a date"),
    ("not json\n", "not JSON"),
    (json.dumps(row("a", "http://[::1")) + "\n", "url must be an http(s) URL"),
    (json.dumps(row("a", "ftp://example.com/a")) + "\n", "url must be an http(s) URL"),
    (json.dumps(row("../a", "https://example.com/a")) + "\n", "must be a plain file name"),
    (json.dumps(row("a", "https://example.com/a")) + "\n" + json.dumps(row("a", "https://example.com/b")) + "\n",
     ":2: the same id as line 1"),
    (json.dumps(row("a", "https://example.com/a")) + "\n"
     + json.dumps(row("b", "https://example.com/a?utm_source=rss")) + "\n", ":2: the same URL as line 1"),
])
def test_cli_a_bad_labels_file_is_one_line_naming_it(tmp_path: Path, content: str | None, says: str) -> None:
    labels = tmp_path / "labels.jsonl"
    if content is not None:
        labels.write_text(content, encoding="utf-8")
    code, out = regwatch("fetch-corpus", str(tmp_path / "texts"), "--labels", str(labels))
    assert code == 1 and "Traceback" not in out
    assert out.startswith(f"regwatch: {labels}") and says in out, out


def test_cli_a_texts_path_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    labels = labels_file(tmp_path, [row("a", "https://example.com/a")])
    (tmp_path / "taken").write_text("a file, not a directory")
    code, out = regwatch("fetch-corpus", str(tmp_path / "taken"), "--labels", str(labels))
    assert code == 1 and "Traceback" not in out
    assert out.startswith(f"regwatch: {tmp_path / 'taken'}: not a directory"), out


def test_cli_cuts_each_page_to_the_labelled_opening_unless_asked_for_the_whole(
    server: CorpusServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGWATCH_ALLOW_PRIVATE_NETWORKS", "1")
    server.routes["/long"] = static(article(FINE_TITLE, FINE_BODY * 12), "text/html")
    labels = labels_file(tmp_path, [row("long", server.url("/long"))])
    for option, texts in (([], tmp_path / "opening"), (["--whole"], tmp_path / "whole")):
        code, out = regwatch("fetch-corpus", str(texts), "--labels", str(labels), *option)
        assert code == 0, out
    opening = (tmp_path / "opening" / "long.txt").read_bytes()
    assert 1900 <= len(opening) <= 2001 < len((tmp_path / "whole" / "long.txt").read_bytes())


def test_a_run_stopped_half_way_keeps_the_texts_it_wrote(server: CorpusServer, tmp_path: Path) -> None:
    """Each text is written as its page is read, not at the end: Ctrl-C during a long fetch loses nothing done."""
    serve_pages(server)
    released = threading.Event()
    server.routes["/slow"] = hang_until(released)
    labels = labels_file(tmp_path, [row("en-fine", server.url("/en/fine")), row("slow", server.url("/slow"))])
    texts = tmp_path / "texts"
    regwatch_program = Path(sys.executable).parent / "regwatch"
    env = {**os.environ, "REGWATCH_ALLOW_PRIVATE_NETWORKS": "1"}
    # The slow page outlasts the wait below, so a run that wrote only at its end would have written nothing.
    config = write_config(tmp_path / "config", "fetch:\n  timeout_seconds: 100\nfeeds: []\n")
    run = subprocess.Popen([str(regwatch_program), "fetch-corpus", str(texts), "--labels", str(labels),
                            "--config-dir", str(config)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 40
        while not (texts / "en-fine.txt").exists() and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.1)
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=60)
    finally:
        released.set()
        if run.poll() is None:
            run.kill()
    assert run.returncode != 0 and "Traceback" not in err, err
    assert "2 million yuan" in (texts / "en-fine.txt").read_text(encoding="utf-8")
    assert sorted(p.name for p in texts.iterdir()) == ["en-fine.txt"]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_offline_the_fetch_stops_after_a_few_pages_with_one_line(tmp_path: Path) -> None:
    """Nothing answers (a closed port stands for a machine with no network): one reason, not a line a page."""
    port = closed_port()
    rows = [row(f"a{n}", f"http://127.0.0.1:{port}/{n}") for n in range(200)]
    with pytest.raises(ConfigError) as stopped:
        fetch_corpus(rows, tmp_path / "texts", LIMITS, CONFIG, allow_private=True, page_cpu_seconds=30)
    assert "no host answered" in str(stopped.value) and "is this machine online" in str(stopped.value)
    tried = int(re.search(r"the first (\d+) pages", str(stopped.value)).group(1))  # type: ignore[union-attr]
    assert 25 <= tried < 100  # the pages in flight when the 25th failed, and none after
    assert list((tmp_path / "texts").iterdir()) == []


def test_one_host_answering_is_enough_to_go_on(server: CorpusServer, tmp_path: Path) -> None:
    """A 404 is an answer: the machine is online, the other pages are only gone, and each is named."""
    serve_pages(server)
    port = closed_port()
    rows = [row("gone", server.url("/gone"))] + [row(f"a{n}", f"http://127.0.0.1:{port}/{n}") for n in range(40)]
    fetched = fetch_corpus(rows, tmp_path / "texts", LIMITS, CONFIG, allow_private=True, page_cpu_seconds=30)
    assert len(fetched.failed) == 41
