"""`regwatch history COMPANY`'s logic: any name of a company finds it, the reference data is there with or
without a database, observed actions join it (a known one once), and the totals add up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tasks.alert.company_history import UnknownCompanyError, company_history, resolve_company
from tasks.alert.plan import plan_alerts
from tasks.alert.rules import AlertRules
from tasks.classify.companies import load_companies
from tasks.classify.currency import load_rates
from tasks.classify.history import load_history
from tasks.store.database import Database
from tasks.store.history import reference_actions
from tests.support.stored_events import store_event

CONFIG = Path(__file__).resolve().parents[2] / "config"
COMPANIES = load_companies(CONFIG)
REFERENCE = reference_actions(load_history(CONFIG), load_rates(CONFIG))


@pytest.mark.parametrize("name", ["Alibaba", "alibaba group", "BABA", "NYSE:BABA", "9988.HK", "阿里巴巴",
                                  "阿里巴巴集團", "Taobao", "alibaba", "  Alibaba Group Holding Ltd  "])
def test_any_name_ticker_or_chinese_name_finds_the_company(name: str) -> None:
    assert resolve_company(name, COMPANIES, REFERENCE) == "Alibaba Group"


def test_a_company_only_the_reference_data_knows_is_found_too() -> None:
    assert resolve_company("cnki", COMPANIES, REFERENCE) == "CNKI"


def test_an_unknown_company_is_one_line_with_close_matches() -> None:
    with pytest.raises(UnknownCompanyError) as raised:
        resolve_company("Alibabba", COMPANIES, REFERENCE)
    assert str(raised.value).startswith("no company 'Alibabba' in companies.yaml or the reference data; close "
                                        "matches: Alibaba Group")
    assert "\n" not in str(raised.value)
    with pytest.raises(UnknownCompanyError, match="give a name, ticker or Chinese name"):
        resolve_company("Zzyzx Widgets", COMPANIES, REFERENCE)


def test_without_a_database_the_reference_history_is_shown(tmp_path: Path) -> None:
    found = company_history("Tencent", CONFIG, Database(tmp_path / "none.duckdb"))
    assert found.actions and all(a.origin == "reference" for a in found.actions)
    assert found.summary().endswith("0 observed by regwatch; no database yet, so reference data only)")
    assert [a.date for a in found.actions] == sorted(a.date for a in found.actions)


def test_an_empty_database_has_the_reference_history(tmp_path: Path) -> None:
    db = Database(tmp_path / "empty.duckdb")
    db.init()
    found = company_history("腾讯", CONFIG, db)
    assert found.company == "Tencent" and found.actions and found.observed_from == db.path
    assert "0 observed by regwatch)" in found.summary()


def test_observed_actions_join_the_reference_and_the_totals_add_up(tmp_path: Path) -> None:
    db = Database(tmp_path / "observed.duckdb")
    db.init()
    now = datetime(2025, 6, 1, tzinfo=UTC)
    store_event(db, "known", datetime(2021, 4, 10, 8, tzinfo=UTC), amount_usd=2.54e9)  # Alibaba's record fine
    store_event(db, "new", now - timedelta(days=2), amount_usd=1.4e6)
    plan_alerts(db, AlertRules(), timedelta(hours=72), now, default_channel=None)
    found = company_history("BABA", CONFIG, db)
    origins = {a.date.isoformat(): a.origin for a in found.actions}
    assert origins["2021-04-10"] == "reference, observed" and origins["2025-05-30"] == "observed"
    assert sum(1 for a in found.actions if a.date.isoformat() == "2021-04-10" and a.kind == "fine") == 1
    by_year = {year: (actions, fines, usd) for year, actions, fines, usd in found.totals("year")}
    in_2025 = [a for a in found.actions if a.date.year == 2025]
    assert by_year["2025"][:2] == (len(in_2025), sum(1 for a in in_2025 if a.kind == "fine"))
    assert by_year["2021"][2] == "$2.54 billion"  # the record fine once, plus 500,000-yuan ones
    assert sum(row[1] for row in found.totals("regulator")) == len(found.actions)
    row = next(r for r in found.rows() if r[0] == "2021-04-10" and r[1] == "Fine")
    assert row[2:5] == ("18.228 billion yuan", "$2.54 billion", "SAMR")
    assert row[6].split()[0] == "http://en.people.cn/n3/2021/0410/c90000-9837748.html"
