"""Config abuse, through the real `regwatch` command line.

A broken file stops the run before anything starts (no database, no request)
with one line naming the file and line; pattern-like names are matched as
literal text, never as regular expressions; and a feed URL's password is used
for that feed only, never printed, logged, stored or sent on.
(tests/flows/test_cli.py covers the same for feeds.yaml's own mistakes.)
"""

from __future__ import annotations

import time
import uuid
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from flows.demo.corpus_server import CorpusServer
from tests.support import faultkit as fk
from tests.support.cli import regwatch as cli
from tests.support.configs import write_config
from tests.support.httpkit import static

pytestmark = pytest.mark.faults

COMPANY = "  - id: {id}\n    name: {name}\n    aliases: [{name}]\n"
BROKEN = [  # (file, content, what the one line must say)
    ("companies.yaml", "- alibaba\n- tencent\n", "companies.yaml:1: expected a mapping at the top level, got list"),
    ("alerts.yaml", "just words\n", "alerts.yaml:1: expected a mapping at the top level, got str"),
    ("rates.yaml", "42\n", "rates.yaml:1: expected a mapping at the top level, got int"),
    ("companies.yaml", "companies:\n" + COMPANY.format(id="a", name="A") + "    colour: red\n",
     "companies.yaml:5: companies[0].colour: Extra inputs are not permitted"),
    ("alerts.yaml", "kinds: [fine]\nchanel: '#fines'\n", "alerts.yaml:2: chanel: Extra inputs are not permitted"),
    ("companies.yaml", "companies:\n" + COMPANY.format(id="alibaba", name="Alibaba")
     + COMPANY.format(id="alibaba", name="Alibaba Group"),
     "companies.yaml:5: companies[1].id: duplicate company 'alibaba' (see companies[0])"),
    ("companies.yaml", "companies:\n  - id: a\n    name: A\n    id: b\n", "companies.yaml:4: duplicate key 'id'"),
    ("alerts.yaml", "kinds: [fine, everything]\n",
     "alerts.yaml:1: kinds[1]: unknown event kind 'everything'"),
]
# Catastrophic-backtracking patterns, as names: they must be looked up as the text they are.
EVIL_PATTERNS = ["(a+)+$", "(x+x+)+y", "^(a|aa)+$", "(.*a){25}"]



@pytest.mark.parametrize(("name", "content", "expected"), BROKEN,
                         ids=[f"{n}-{e.split(': ', 1)[1][:28]}" for n, _, e in BROKEN])
def test_broken_config_stops_the_run_before_anything_starts(
    tmp_path: Path, server: CorpusServer, name: str, content: str, expected: str
) -> None:
    server.routes["/feed"] = static(fk.rss([("x", server.url("/x"))]))
    config = write_config(tmp_path / "config", f"feeds:\n  - url: {server.url('/feed')}\n")
    (config / name).write_text(content)
    code, output = cli("run", "--config-dir", str(config), "--db", str(tmp_path / "rw.duckdb"))
    assert code == 1
    assert output.startswith("regwatch: ") and output.count("\n") == 1, output
    assert expected in output
    assert not (tmp_path / "rw.duckdb").exists() and sum(server.hits.values()) == 0


def test_a_bad_setting_stops_the_run_before_anything_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_config(tmp_path / "config", "feeds: []\n")
    monkeypatch.setenv("REGWATCH_ALLOW_PRIVATE_ADDRESSES", "intranet.example:80")
    code, output = cli("run", "--config-dir", str(config), "--db", str(tmp_path / "rw.duckdb"))
    assert code == 1 and "REGWATCH_ALLOW_PRIVATE_ADDRESSES" in output and "is not an IP address" in output
    assert not (tmp_path / "rw.duckdb").exists()


def test_pattern_like_names_are_literal_and_fast(tmp_path: Path) -> None:
    companies = "companies:\n" + "".join(
        f"  - id: evil{i}\n    name: Evil {i}\n    aliases: ['{p}']\n    not: ['{p} Ltd']\n    context: ['{p}']\n"
        for i, p in enumerate(EVIL_PATTERNS)
    )
    config = write_config(tmp_path / "config", "feeds: []\n")
    (config / "companies.yaml").write_text(companies)
    story = tmp_path / "story.txt"
    story.write_text("a" * 5_000 + "!\n\nRegulators fined the firm called (a+)+$ on Monday. " + "x" * 5_000)
    started = time.monotonic()
    code, output = cli("classify", "--config-dir", str(config), "--json", str(story))
    assert code == 0, output
    assert time.monotonic() - started < 10
    assert '"name": "Evil 0"' in output  # the literal text "(a+)+$" is in the story
    assert all(f'"name": "Evil {i}"' not in output for i in range(1, len(EVIL_PATTERNS)))


def test_a_feed_urls_password_is_never_printed_logged_stored_or_sent_on(
    tmp_path: Path, prefect_api_url: str
) -> None:
    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL

    secret = f"s3cret-{uuid.uuid4().hex[:8]}"
    failing_name = f"private-feed-{uuid.uuid4().hex[:8]}"
    authorized: list[str] = []
    with CorpusServer() as server:
        def feed(request: BaseHTTPRequestHandler) -> None:
            authorized.append(request.headers.get("Authorization", ""))
            static(fk.rss([("Relative link", "/pages/a.html")]))(request)  # relative: resolved against the feed

        server.routes["/feed"] = feed
        server.routes["/pages/a.html"] = static(fk.article("A story", fk.filler_story(1)), "text/html")
        host = server.base.removeprefix("http://")
        config = write_config(tmp_path / "config", (
            f"feeds:\n  - url: http://reader:{secret}@{host}/feed\n"
            f"  - url: http://reader:{secret}@{host}/gone\n"  # 404, logged under its redacted URL
            f"  - url: http://reader:{secret}@127.0.0.1:1/feed\n    name: {failing_name}\n"  # refused
        ))
        env = fk.child_env(prefect_api_url, tmp_path / "prefect-home", allow_private_networks="1")
        result = fk.run_cli(config, tmp_path / "rw.duckdb", env)
    assert result.returncode == 0, result.stderr
    assert authorized and authorized[0].startswith("Basic ")  # the feed's own host got its credentials
    output = result.stdout + result.stderr
    assert f"feed failed: http://***@{host}/gone: HTTP 404" in output
    assert secret not in output

    dump = "\n".join(str(row) for table in ("feeds", "articles", "sightings", "article_keys", "alerts", "runs")
                     for row in fk.query(tmp_path / "rw.duckdb", f"SELECT * FROM {table}"))
    assert f"{host}/pages/a.html" in dump  # the story was stored, under a URL without credentials
    assert secret not in dump and "reader:" not in dump
    assert "***@" in dump  # feeds.url is stored redacted

    prefect_db = Path(str(PREFECT_SERVER_DATABASE_CONNECTION_URL.value()).split(":///", 1)[1])
    time.sleep(1)  # the child's last log lines reach the server after it exits
    stored = b"".join(p.read_bytes() for p in prefect_db.parent.glob(prefect_db.name + "*"))
    assert failing_name.encode() in stored  # the run's logs are in this database...
    assert secret.encode() not in stored  # ...without the password
