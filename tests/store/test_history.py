"""Reference data next to observed events: stored in its own table on every run, merged with what regwatch
observed by one rule, which the `company_history` view and the Python code apply alike."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tasks.alert.plan import plan_alerts
from tasks.alert.rules import AlertRules
from tasks.classify.currency import load_rates
from tasks.classify.history import load_history
from tasks.store.database import Database
from tasks.store.history import (
    merge_actions,
    observed_actions,
    reference_actions,
    stored_reference_actions,
    sync_reference_events,
)
from tests.support.stored_events import store_event

CONFIG = Path(__file__).resolve().parents[2] / "config"
NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "history.duckdb")
    database.init()
    return database


def observe(db: Database, article_id: str, published: datetime, **event: object) -> None:
    store_event(db, article_id, published, **event)  # type: ignore[arg-type]
    plan_alerts(db, AlertRules(), timedelta(hours=72), NOW, default_channel=None)


def test_every_run_refills_the_reference_table_from_the_file(db: Database, tmp_path: Path) -> None:
    sync_reference_events(db, CONFIG)
    with db.read() as con:
        stored = stored_reference_actions(con)
    shipped = reference_actions(load_history(CONFIG), load_rates(CONFIG))
    assert stored == shipped and len(stored) == len(load_history(CONFIG).actions)
    alibaba = next(a for a in stored if a.companies == ("Alibaba Group",) and a.kind == "fine")
    assert alibaba.amount_usd == pytest.approx(18.228e9 / 7.17)  # converted at config/rates.yaml's rate
    config = tmp_path / "config"
    config.mkdir()
    shutil.copy(CONFIG / "rates.yaml", config)
    (config / "enforcement_history.yaml").write_text(
        "actions:\n  - {date: 2024-01-02, kind: investigation, companies: [Baidu], regulator: CAC, about: x,"
        " source: 'https://example.org/x'}\n", encoding="utf-8")
    sync_reference_events(db, config)
    with db.read() as con:
        assert [(a.kind, a.companies) for a in stored_reference_actions(con)] == [("investigation", ("Baidu",))]


def test_an_observed_action_that_is_a_known_one_is_listed_once(db: Database) -> None:
    sync_reference_events(db, CONFIG)
    observe(db, "recap", datetime(2021, 4, 11, 3, tzinfo=UTC), amount_usd=2.6e9)  # Alibaba's fine, a day later
    observe(db, "new", datetime(2025, 5, 30, tzinfo=UTC), amount_usd=1e6)  # a fine the reference does not have
    with db.read() as con:
        merged = merge_actions(stored_reference_actions(con), observed_actions(con, with_sources=True))
    alibaba = [a for a in merged if "Alibaba Group" in a.companies and a.kind == "fine"]
    record = next(a for a in alibaba if a.date.isoformat() == "2021-04-10")
    assert record.origin == "reference, observed" and len(record.cluster_ids) == 1
    assert record.sources == ("http://en.people.cn/n3/2021/0410/c90000-9837748.html", "https://wire.example/recap")
    assert [a.origin for a in alibaba if a.date.year == 2025] == ["observed"]
    assert not any(a.origin == "observed" and a.date.year == 2021 for a in alibaba)


def test_the_view_and_the_code_agree(db: Database) -> None:
    sync_reference_events(db, CONFIG)
    observe(db, "recap", datetime(2021, 4, 11, 3, tzinfo=UTC), amount_usd=2.6e9)
    observe(db, "other", datetime(2021, 4, 12, tzinfo=UTC), amount_usd=5e6)  # too far from the amount: not it
    observe(db, "late", datetime(2021, 4, 30, tzinfo=UTC), amount_usd=2.54e9, companies=("Tencent",),
            company_ids=("tencent",))
    with db.read() as con:
        merged = merge_actions(stored_reference_actions(con), observed_actions(con))
        view = con.execute("SELECT company, date, kind, origin FROM company_history").fetchall()
    code = [(c, a.date, a.kind, a.origin) for a in merged for c in a.companies]
    assert sorted(view) == sorted(code)
    assert ("Alibaba Group", datetime(2021, 4, 12).date(), "fine", "observed") in view


def test_an_empty_database_has_the_reference_history(db: Database) -> None:
    sync_reference_events(db, CONFIG)
    with db.read() as con:
        rows = con.execute("SELECT DISTINCT origin FROM company_history WHERE company = 'Tencent'").fetchall()
    assert rows == [("reference",)]
