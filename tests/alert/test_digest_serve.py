"""The digest (Slack summary, Markdown artifact, PNG chart) and the schedule that `serve` reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fakes.slack_server import SlackServer, block_problems
from flows.serve import deployment_specs
from tasks.alert.digest import build_digest, chart_figure, parse_span, render_chart, share_chart, to_markdown, to_slack
from tasks.alert.slack_send import WebApiSender
from tasks.common.errors import ConfigError
from tasks.store.database import Database


def seeded(tmp_path: Path, hours_ago: tuple[float, ...] = (5, 10, 15),
           kinds: tuple[str, ...] = ("fine", "fine", "policy_shift")) -> Database:
    """A database with a fine on Alibaba, one on Meituan and a policy shift (or `kinds`), `hours_ago`."""
    db = Database(tmp_path / "d.duckdb")
    db.init()
    now = datetime.now(UTC)
    facts = [("Alibaba Group", 2.8e9), ("Meituan", 5.3e8), (None, None)]
    with db.write() as con:
        for i, ((company, usd), kind, hours) in enumerate(zip(facts, kinds, hours_ago, strict=True)):
            usd = usd if kind == "fine" else None
            published = now - timedelta(hours=hours)
            con.execute("INSERT INTO articles (article_id, url, title, extraction, fetched_at, published_at) "
                        "VALUES (?, ?, ?, 'trafilatura', ?, ?)", [f"a{i}", f"https://n.example/{i}", f"T{i}", now,
                                                                  published])
            con.execute("INSERT INTO events (event_id, article_id, kind, companies, amount_text, amount_usd, "
                        "regulator, direction, published_at, cluster_id) VALUES (?, ?, ?, ?, ?, ?, 'SAMR', ?, ?, ?)",
                        [f"e{i}", f"a{i}", kind, [company] if company else [], "x yuan" if usd else None, usd,
                         "ease" if kind == "policy_shift" else None, published, f"c{i}"])
            con.execute("INSERT INTO event_clusters VALUES (?, ?, [], 'SAMR', ?, NULL, ?, ?, ?)",
                        [f"c{i}", kind, usd, published, published, f"e{i}"])
        con.execute("INSERT INTO feeds (feed_id, url, name, consecutive_failures, last_error) "
                    "VALUES ('f', 'https://f.example', 'Broken feed', 3, 'HTTP 500')")
    return db


def test_digest_counts_each_action_once_and_lists_the_facts(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    digest = build_digest(seeded(tmp_path), now - timedelta(days=1), now)
    assert digest.by_kind == {"fine": 2, "policy_shift": 1}
    assert [f[0] for f in digest.largest_fines] == ["Alibaba Group", "Meituan"]
    assert digest.failing_feeds == [("Broken feed", 3, "HTTP 500")]
    markdown = to_markdown(digest)
    assert "| Fine | 2 |" in markdown and "Broken feed" in markdown
    message = to_slack(digest)
    assert message.text.startswith("Digest: 3 regulatory events") and not block_problems(message.blocks)
    chart = render_chart(digest, tmp_path / "chart.png")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_digest_chart_has_a_bar_per_day_stacked_by_kind(tmp_path: Path) -> None:
    """A week's digest draws seven days (empty ones too), each day's events split by kind: not one bar for the
    whole period."""
    until = datetime(2026, 3, 8, 12, tzinfo=UTC)
    db = seeded(tmp_path, hours_ago=(24 * 5, 24 * 5 + 1, 24 * 2), kinds=("fine", "investigation", "fine"))
    with db.write() as con:  # move the events to fixed days before `until`
        con.execute("UPDATE event_clusters SET first_published = ?::TIMESTAMPTZ - (CASE cluster_id WHEN 'c2' "
                    "THEN INTERVAL 2 DAY ELSE INTERVAL 5 DAY END)", [until])
    digest = build_digest(db, until - timedelta(days=7), until)
    figure = chart_figure(digest)
    (axes,) = figure.axes
    bars = {container.get_label(): [patch.get_height() for patch in container.patches]
            for container in axes.containers}
    assert set(bars) == {"Fine", "Investigation"}
    assert bars["Fine"] == [0, 0, 1, 0, 0, 1, 0, 0]  # Mar 1 .. Mar 8, a slot per day
    assert bars["Investigation"] == [0, 0, 1, 0, 0, 0, 0, 0]
    assert render_chart(digest, tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_digest_chart_is_posted_in_the_digest_thread(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    digest = build_digest(seeded(tmp_path), now - timedelta(days=1), now)
    chart = render_chart(digest, tmp_path / "chart.png")
    with SlackServer() as slack:
        sender = WebApiSender(slack.token, "C0ALERTS", api_url=slack.api_url)
        posted = sender.send(to_slack(digest))
        assert share_chart(sender, posted, chart) == "sent (chart in its thread)"
        (upload,) = slack.uploads.values()
        (message,) = slack.messages
    assert upload.completed and upload.channel == "C0ALERTS" and (upload.data or b"")[:4] == b"\x89PNG"
    assert upload.thread_ts == message.ts == posted.ts


def test_a_chart_that_fails_to_upload_is_reported_even_when_the_message_went(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    digest = build_digest(seeded(tmp_path), now - timedelta(days=1), now)
    chart = render_chart(digest, tmp_path / "chart.png")
    with SlackServer(scopes={"chat:write"}) as slack:  # no files:write
        sender = WebApiSender(slack.token, "C0ALERTS", api_url=slack.api_url)
        outcome = share_chart(sender, sender.send(to_slack(digest)), chart)
    assert outcome.startswith("sent; chart not posted: ") and "missing_scope" in outcome


@pytest.mark.parametrize(("text", "hours"), [("24h", 24), ("7d", 168), ("2w", 336)])
def test_since_spans(text: str, hours: int) -> None:
    assert parse_span(text) == timedelta(hours=hours)


def test_bad_span_is_one_line() -> None:
    with pytest.raises(ConfigError, match="expected a span like"):
        parse_span("last week")


def test_schedules_come_from_prefect_yaml() -> None:
    specs = deployment_specs()
    assert specs["monitor"]["cron"] == "* * * * *"
    assert specs["monitor"]["concurrency_limit"] == 1
    assert specs["monitor"]["parameters"] == {"config_dir": None, "db": None}
    assert specs["daily-digest"]["cron"] == "0 8 * * *"


def test_digest_names_bodies_and_directions_in_words(tmp_path: Path) -> None:
    """No internal code (SAMR's is fine: it is what the news calls it; POLITBURO or 'ease' are not words)."""
    now = datetime.now(UTC)
    digest = build_digest(seeded(tmp_path), now - timedelta(days=1), now)
    message = to_slack(digest)
    shown = message.text + "".join(b["text"]["text"] for b in message.blocks) + to_markdown(digest)
    assert "SAMR (easing)" in shown and "(ease)" not in shown and "| ease |" not in shown


def test_a_feed_whose_stories_are_mostly_headlines_is_named_in_the_digest(tmp_path: Path) -> None:
    """A feed that polls fine but whose stories are read from headlines only (Google News links) finds events
    in a line or two: the digest says so next to the failing feeds, which it alone named before."""
    db = seeded(tmp_path)
    now = datetime.now(UTC)
    with db.write() as con:
        con.execute("INSERT INTO feeds (feed_id, url, name) VALUES ('g', 'https://g.example', 'Headline feed')")
        for n, extraction in enumerate(["headline_only", "headline_only", "trafilatura"]):
            con.execute("INSERT INTO articles (article_id, url, feed_id, extraction, fetched_at) "
                        "VALUES (?, ?, 'g', ?, ?)", [f"g{n}", f"https://g.example/{n}", extraction, now])

    digest = build_digest(db, now - timedelta(days=1), now)

    assert digest.weak_feeds == [("Headline feed", "mostly headlines", 1, 3)]
    assert "| Headline feed | mostly headlines | 1 of 3 |" in to_markdown(digest)
    message = to_slack(digest)
    assert "Headline feed (mostly headlines: 1 of 3 stories in full)" in str(message.blocks)
    assert not block_problems(message.blocks)
