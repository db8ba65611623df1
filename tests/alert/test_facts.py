"""What an alert is built from, on a real database: one source per story with its outlet's name (as many as
`recent_events.stories` counts), a policy shift's English headline, and context from the reference data."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tasks.alert.facts import cluster_facts
from tasks.alert.plan import plan_alerts
from tasks.alert.rules import AlertRules
from tasks.alert.slack_format import render_alert
from tasks.store.database import Database
from tasks.store.history import sync_reference_events

CONFIG = Path(__file__).resolve().parents[2] / "config"
NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
PRIMARY = "https://wire.example/didi-fined"


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "facts.duckdb")
    database.init()
    return database


def story(db: Database, article_id: str, url: str, site: str | None, title: str, published: datetime,
          sightings: tuple[str, ...] = (), extraction: str = "trafilatura", **event: object) -> None:
    """A stored story, its event and the feed links that pointed at it."""
    values = {"kind": "fine", "companies": ["Didi Global"], "company_ids": ["didi"], "regulator": "CAC",
              "regulator_text": "cyberspace regulator", "amount": 8.026e9, "currency": "CNY",
              "amount_text": "8.026 billion yuan", "amount_usd": 1.12e9, "direction": None, "sector": None,
              "evidence": "The cyberspace regulator fined Didi Global 8.026 billion yuan."} | event
    with db.write() as con:
        con.execute("""INSERT INTO articles (article_id, url, feed_id, title, published_at, site, extraction,
                                             fetched_at)
                       VALUES (?, ?, 'feed', ?, ?, ?, ?, ?)""",
                    [article_id, url, title, published, site, extraction, published])
        con.execute(f"""INSERT INTO events (event_id, article_id, published_at, {', '.join(values)})
                        VALUES (?, ?, ?, {', '.join('?' * len(values))})""",
                    [f"ev-{article_id}", article_id, published, *values.values()])
        for link in sightings:
            con.execute("INSERT INTO sightings VALUES (?, 'other-feed', ?, ?)", [article_id, link, published])


def only_cluster(db: Database) -> str:
    plan_alerts(db, AlertRules(), timedelta(hours=72), NOW, default_channel=None)
    with db.read() as con:
        [(cluster_id,)] = con.execute("SELECT DISTINCT cluster_id FROM events").fetchall()
    return str(cluster_id)


def test_each_story_is_one_source_under_its_canonical_url_with_its_outlet(db: Database) -> None:
    when = NOW - timedelta(hours=3)
    story(db, "a", PRIMARY, "Pacific Wire", "Didi fined $1.2 billion", when,
          sightings=(PRIMARY + "?utm_source=rss&utm_medium=feed#article-top", "https://aggregator.example/rd/1"))
    story(db, "b", "https://www.caixinglobal.com/2025-06-01/didi.html", None, "滴滴被罚80.26亿元",
          when + timedelta(hours=1), amount_text="80.26亿元")
    cluster = only_cluster(db)
    with db.read() as con:
        facts, urls = cluster_facts(con, cluster, date(2025, 6, 1)) or (None, [])
        [(stories,)] = con.execute("SELECT stories FROM recent_events").fetchall()
    assert facts is not None
    assert [(s.url, s.site) for s in [facts.primary, *facts.others]] == [
        (PRIMARY, "Pacific Wire"), ("https://www.caixinglobal.com/2025-06-01/didi.html", "caixinglobal.com")]
    assert len(urls) == stories == 2
    sources = render_alert(facts).blocks[-1]["text"]["text"]
    assert "utm_source" not in sources and "aggregator" not in sources
    assert sources.endswith("*Also reported by:* <https://www.caixinglobal.com/2025-06-01/didi.html|caixinglobal.com>")


def test_a_policy_shift_is_told_by_its_english_headline(db: Database) -> None:
    when = NOW - timedelta(hours=2)
    shift = {"kind": "policy_shift", "companies": [], "company_ids": [], "regulator": "POLITBURO",
             "regulator_text": "中央政治局", "amount": None, "currency": None, "amount_text": None, "amount_usd": None,
             "direction": "ease", "sector": "e-commerce and platforms", "evidence": "会议要求促进平台经济健康发展。"}
    story(db, "zh", "https://cn.example/politburo", "财经观察", "中央政治局会议：促进平台经济健康发展", when, **shift)
    story(db, "en", "https://en.example/politburo", "Mainland Business Daily",
          "Politburo pledges support for platform economy", when + timedelta(hours=1), **shift)
    cluster = only_cluster(db)
    with db.read() as con:
        found = cluster_facts(con, cluster, date(2025, 6, 1))
    assert found is not None
    text = render_alert(found[0]).text
    assert text == "Policy shift, easing — Politburo pledges support for platform economy — <https://cn.example/politburo>"


REFERENCE = """actions:
  - {date: 2022-07-21, kind: fine, companies: [Didi Global], regulator: CAC, amount: 8026000000, currency: CNY,
     about: data security, source: 'https://example.org/didi'}
  - {date: 2023-03-01, kind: fine, companies: [Weibo], regulator: CAC, amount: 3000000, currency: CNY,
     about: illegal information, source: 'https://example.org/weibo'}
"""


def test_context_comes_from_the_reference_data_on_the_first_day(db: Database, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    shutil.copy(CONFIG / "rates.yaml", config)
    (config / "enforcement_history.yaml").write_text(REFERENCE, encoding="utf-8")
    sync_reference_events(db, config)  # as every run does; nothing was observed before this fine
    story(db, "a", PRIMARY, "Pacific Wire", "Weibo fined", NOW - timedelta(hours=1), companies=["Weibo"],
          company_ids=["weibo"], amount=5e6, amount_text="5 million yuan", amount_usd=697_350.07)
    cluster = only_cluster(db)
    with db.read() as con:
        found = cluster_facts(con, cluster, date(2025, 6, 1))
    assert found is not None
    assert found[0].context == ["Largest fine by CAC since Jul 2022 (Didi Global, ≈ $1.12 billion)"]
    message = render_alert(found[0])
    assert message.text.startswith("Fine: Weibo fined 5 million yuan (≈ $697,000) by the Cyberspace Administration")
    context = {"type": "section", "text": {"type": "mrkdwn", "text": "*Context*\n• " + found[0].context[0]}}
    assert context in message.blocks


def test_an_alert_from_a_headline_only_story_says_so(db: Database) -> None:
    """A Google News link names no publisher page: the event was read from the headline, and the alert says so."""
    link = "https://news.google.com/rss/articles/CBMiWkFVX3lxTGNoaW5h?oc=5"
    story(db, "a", link, None, "Didi fined 8.026 billion yuan by cyberspace regulator - Outlet",
          NOW - timedelta(hours=3), extraction="headline_only")
    cluster = only_cluster(db)
    with db.read() as con:
        found = cluster_facts(con, cluster, NOW.date())
    assert found is not None
    message = render_alert(found[0])
    assert "(from the headline only)" in message.text
    assert "(from the headline only)" in str(message.blocks)


def test_a_full_story_is_the_source_before_a_headline_only_one(db: Database) -> None:
    """The same event read in full and from a headline: the full story is the one the alert quotes and links."""
    when = NOW - timedelta(hours=3)
    story(db, "a", "https://news.google.com/rss/articles/CBMiWkFVX3lxTGRpZGk?oc=5", None,
          "Didi fined 8.026 billion yuan - Outlet", when, extraction="headline_only")
    story(db, "b", PRIMARY, "Pacific Wire", "Didi fined $1.2 billion", when + timedelta(minutes=5))
    cluster = only_cluster(db)
    with db.read() as con:
        found = cluster_facts(con, cluster, NOW.date())
    assert found is not None
    facts = found[0]
    assert facts.primary.url == PRIMARY and not facts.primary.headline_only
    assert [s.headline_only for s in facts.others] == [True]
    assert "(from the headline only)" not in render_alert(facts).text
