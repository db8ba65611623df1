"""The `regwatch` command line, driven as a user drives it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from flows.cli.reference import README, command_reference, readme_section
from flows.demo.corpus_server import CorpusServer
from tests.support.configs import write_config
from tests.support.feeds_samples import RSS2
from tests.support.httpkit import static

REPO = Path(__file__).resolve().parents[2]
REGWATCH = Path(sys.executable).parent / "regwatch"


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), prog_name="regwatch")
    return result.exit_code, result.output


def test_readme_command_reference_matches_the_real_help() -> None:
    assert readme_section(README.read_text(encoding="utf-8")) == command_reference(), (
        "README's command reference is stale: run `python -m flows.cli.reference`"
    )


@pytest.mark.parametrize(
    ("feeds_yaml", "expected"),
    [
        ("- just a list\n", "feeds.yaml:1: expected a mapping at the top level"),
        ("feeds:\n  - url: https://a.example/rss\n    colour: red\n",
         "feeds.yaml:3: feeds[0].colour: Extra inputs"),
        ("feeds:\n  - name: x\n    url: ftp://a.example/rss\n",
         "feeds.yaml:3: feeds[0].url: expected an http(s) URL"),
        ("feeds:\n  - url: https://a.example/rss\n    url: https://b.example/rss\n",
         "feeds.yaml:3: duplicate key 'url'"),
        ("feeds: [\n", "feeds.yaml:2: invalid YAML"),
        ("fetch:\n  timeout_seconds: -1\nfeeds: []\n",
         "feeds.yaml:2: fetch.timeout_seconds: Input should be greater than 0"),
        ("", "feeds.yaml: the file is empty"),
        ("# nothing here yet\n", "feeds.yaml: the file is empty"),
        ("feeds:\n  - url: https://a.example:99999/rss\n",
         "feeds.yaml:2: feeds[0].url: the port must be a number from 1 to 65535"),
    ],
    ids=["not-a-mapping", "unknown-key", "bad-url", "duplicate-key", "broken-yaml", "bad-limit", "empty",
         "only-comments", "port-out-of-range"],
)
def test_bad_config_fails_fast_with_one_line_naming_the_place(tmp_path: Path, feeds_yaml: str, expected: str) -> None:
    write_config(tmp_path, feeds_yaml)
    code, output = cli("run", "--config-dir", str(tmp_path), "--db", str(tmp_path / "x.duckdb"))
    assert code == 1
    assert expected in output
    assert output.startswith("regwatch: ") and output.count("\n") == 1
    assert not (tmp_path / "x.duckdb").exists()


def test_every_config_mistake_is_reported_at_once(tmp_path: Path) -> None:
    """Three mistakes in feeds.yaml and two in companies.yaml: five lines, each naming its place."""
    write_config(tmp_path, "feeds:\n  - url: ftp://a.example/rss\n  - url: https://b.example/rss\n"
                           "    colour: red\nfetch:\n  concurrency: 0\n  concurrency: 1\n")
    (tmp_path / "companies.yaml").write_text("companies:\n  - id: x\n    nmae: X\n")
    code, output = cli("run", "--config-dir", str(tmp_path), "--db", str(tmp_path / "x.duckdb"))
    lines = output.splitlines()
    assert code == 1 and all(line.startswith("regwatch: ") for line in lines), output
    assert [line.split(": ")[1] for line in lines] == [
        f"{tmp_path}/feeds.yaml:7", f"{tmp_path}/feeds.yaml:2", f"{tmp_path}/feeds.yaml:4",
        f"{tmp_path}/companies.yaml:2", f"{tmp_path}/companies.yaml:3"]


def test_credentials_in_a_feed_url_are_never_printed(tmp_path: Path) -> None:
    (tmp_path / "feeds.yaml").write_text("feeds:\n  - url: gopher://user:s3cret@a.example/rss\n")
    code, output = cli("run", "--config-dir", str(tmp_path))
    assert code == 1 and "s3cret" not in output and "***@a.example" in output


def test_unknown_or_invalid_settings_fail_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGWATCH_SLACK_TOKEN", "xoxb-secret")
    code, output = cli("feeds")
    assert code == 1 and "unknown setting REGWATCH_SLACK_TOKEN" in output and "xoxb-secret" not in output
    monkeypatch.delenv("REGWATCH_SLACK_TOKEN")
    monkeypatch.setenv("REGWATCH_ALERT_MAX_AGE_HOURS", "soon")
    code, output = cli("feeds")
    assert code == 1 and "REGWATCH_ALERT_MAX_AGE_HOURS" in output


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"REGWATCH_DB={tmp_path / 'from-dotenv.duckdb'}\n")
    code, output = cli("feeds")
    assert code == 1 and "from-dotenv.duckdb: no database yet" in output


def test_unusable_database_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "not.duckdb"
    bad.write_text("this is not a database")
    write_config(tmp_path, "feeds: []\n")
    code, output = cli("run", "--config-dir", str(tmp_path), "--db", str(bad))
    assert code == 1 and output.startswith(f"regwatch: {bad}: cannot be opened")


def test_run_then_feeds_and_query_in_real_processes(tmp_path: Path, prefect_api_url: str) -> None:
    """The contract: `regwatch run --config-dir --db`, exit 0, then `feeds` and `query` read it. The first run
    is in Prefect's embedded mode, as a new user's; the second uses a Prefect server (and costs no startup)."""
    db = tmp_path / "rw.duckdb"
    env = {**os.environ, "REGWATCH_ALLOW_PRIVATE_NETWORKS": "1", "PREFECT_HOME": str(tmp_path / "prefect")}
    env.pop("PREFECT_API_URL", None)
    with CorpusServer() as server:
        server.routes["/rss"] = static(RSS2)  # its links point at an unreachable public host
        write_config(tmp_path, f"feeds:\n  - url: {server.url('/rss')}\n    name: Wire\nfetch:\n  timeout_seconds: 2\n")
        run = subprocess.run([str(REGWATCH), "run", "--config-dir", str(tmp_path), "--db", str(db)],
                             env=env, capture_output=True, text=True, timeout=300)
        again = subprocess.run([str(REGWATCH), "run", "--config-dir", str(tmp_path), "--db", str(db), "--json"],
                               env={**env, "PREFECT_API_URL": prefect_api_url}, capture_output=True, text=True,
                               timeout=300)
    assert run.returncode == 0, run.stderr
    assert "1 feeds polled (0 failed" in run.stdout
    assert "Traceback" not in run.stderr and "ERROR" not in run.stderr
    counts = json.loads(again.stdout)  # --json: the whole stdout is the counts, for scripts
    assert counts["feeds_polled"] == 1 and counts["feeds_not_modified"] == 1 and counts["articles_added"] == 0
    feeds = subprocess.run([str(REGWATCH), "feeds", "--db", str(db), "--format", "json"],
                           env=env, capture_output=True, text=True, timeout=60)
    health = json.loads(feeds.stdout.splitlines()[0])
    assert health["name"] == "Wire" and health["status"] == "ok" and health["items_seen"] == 2
    query = subprocess.run([str(REGWATCH), "query", "SELECT extraction, count(*) AS n FROM articles GROUP BY 1",
                            "--db", str(db), "--format", "csv"], env=env, capture_output=True, text=True, timeout=60)
    assert query.stdout.splitlines() == ["extraction,n", "feed_summary,2"]


def test_run_upgrades_a_version_1_database_after_a_copy_and_says_so_in_one_line(
    tmp_path: Path, prefect_api_url: str
) -> None:
    from tasks.store.migrations import LATEST

    db = tmp_path / "regwatch.duckdb"
    shutil.copy(REPO / "tests" / "data" / "regwatch-v1.duckdb", db)
    env = {**os.environ, "REGWATCH_ALLOW_PRIVATE_NETWORKS": "1", "PREFECT_HOME": str(tmp_path / "prefect"),
           "PREFECT_API_URL": prefect_api_url}
    with CorpusServer() as server:
        server.routes["/rss"] = static(RSS2)
        write_config(tmp_path, f"feeds:\n  - url: {server.url('/rss')}\nfetch:\n  timeout_seconds: 2\n")
        run = subprocess.run([str(REGWATCH), "run", "--config-dir", str(tmp_path), "--db", str(db)],
                             env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    backup = tmp_path / "regwatch.v1-backup.duckdb"
    upgraded = [line for line in run.stderr.splitlines() if "upgrading" in line]
    assert upgraded == [f"{db}: upgrading the database from version 1 to {LATEST}; a copy of it as it was: {backup}"]
    count = [str(REGWATCH), "query", "SELECT count(*) AS n FROM articles", "--format", "csv"]
    before = subprocess.run([*count, "--db", str(backup)], env=env, capture_output=True, text=True, timeout=60)
    after = subprocess.run([*count, "--db", str(db)], env=env, capture_output=True, text=True, timeout=60)
    assert before.stdout.splitlines() == ["n", "16"]  # the version-1 file's stories
    assert after.stdout.splitlines() == ["n", "18"]  # and the two of this run


def test_query_errors_are_one_line(tmp_path: Path) -> None:
    from tasks.store.database import Database

    Database(tmp_path / "q.duckdb").init()
    code, output = cli("query", "SELEC nonsense", "--db", str(tmp_path / "q.duckdb"))
    assert code == 1 and output.startswith("regwatch: query failed: Parser Error")


FINE_TEXT = """SAMR fines Alibaba record 18.228 billion yuan

China's State Administration for Market Regulation on Saturday fined Alibaba Group Holding 18.228 billion yuan \
($2.8 billion) for abusing its dominant position in online retail.
"""


def test_classify_json_contract(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(FINE_TEXT)
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>x</title><meta property='article:published_time' content='2021-04-10'></head><body>"
        "<article><h1>SAMR fines Alibaba record 18.228 billion yuan</h1><p>"
        + FINE_TEXT.split("\n", 2)[2] * 3 + "</p></article></body></html>"
    )
    code, output = cli("classify", "--json", "--published", "2021-04-10", str(story))
    assert code == 0, output
    result = json.loads(output)
    assert result["file"] == str(story) and result["relevant"] is True
    assert [c["name"] for c in result["companies"]] == ["Alibaba Group"]
    (event,) = result["events"]
    assert event["kind"] == "fine" and event["companies"] == ["Alibaba Group"]
    assert event["amount"] == 18228000000 and event["currency"] == "CNY"
    assert round(event["amount_usd"] / 1e9, 1) == 2.5 and event["amount_cny"] == 18228000000
    assert "fined Alibaba" in event["evidence"]
    assert event["reason"].startswith("abusing its dominant position") and event["sector"] == "e-commerce and platforms"
    code, output = cli("classify", "--json", str(page))
    assert code == 0 and json.loads(output)["events"][0]["amount"] == 18228000000


def test_classify_reads_stdin_and_explains(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["classify", "-"], input=FINE_TEXT, prog_name="regwatch")
    assert result.exit_code == 0
    assert "relevant" in result.output and "company  Alibaba Group" in result.output
    assert "event    Fine | Alibaba Group | SAMR" in result.output and "evidence:" in result.output


def test_classify_names_kinds_directions_and_local_offices_in_words() -> None:
    def shown(story: str) -> str:
        result = CliRunner().invoke(app, ["classify", "-", "--published", "2024-01-15"], input=story,
                                    prog_name="regwatch")
        assert result.exit_code == 0
        return " ".join(result.output.split())

    fine = shown("Bureau fines Didi\n\n龙里县交通运输局对滴滴出行处以罚款6000元。")
    assert "Fine | Didi Global | local transport bureau (龙里县交通运输局) | 6000元" in fine and "LOCAL" not in fine
    policy = shown("State Council backs platforms\n\nChina's State Council issued new guidelines on Monday to "
                   "support the healthy development of platform companies and ease rules on their listings.")
    assert "Policy shift | - | State Council | easing" in policy and "policy_shift" not in policy


def test_classify_missing_file_is_one_line() -> None:
    code, output = cli("classify", "/nonexistent/story.txt")
    assert code == 1 and output.startswith("regwatch: /nonexistent/story.txt: cannot read")


def test_eval_prints_the_table() -> None:
    code, output = cli("eval")
    assert code == 0
    assert "relevance P" in output and "\nen " in output and "\nzh " in output and "\nall " in output
