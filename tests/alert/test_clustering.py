"""Clustering: when two events are one real-world action, and how clusters are kept in the database."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from tasks.alert.clustering import (
    ClusterCandidate,
    assign_clusters,
    company_keys,
    policy_document,
    same_action,
    window_clusters,
)
from tasks.store.migrations import upgrade

DAY = timedelta(days=1)
T0 = datetime(2021, 4, 10, 8, tzinfo=UTC)
# SAMR's fine on Alibaba: 18.228 billion yuan, about $2.78 billion.
FINE = ClusterCandidate("fine", ["alibaba"], "SAMR", 2.78e9, None, T0)
POLICY = ClusterCandidate("policy_shift", [], "CAC", None, "互联网信息服务算法推荐管理规定", T0)


def test_the_same_fine_reported_again_within_two_weeks_is_one_action() -> None:
    assert same_action(FINE, replace(FINE, published=T0 + 13 * DAY))
    assert not same_action(FINE, replace(FINE, published=T0 + 15 * DAY))


def test_policy_shifts_have_a_three_day_window() -> None:
    assert same_action(POLICY, replace(POLICY, published=T0 + 2 * DAY))
    assert not same_action(POLICY, replace(POLICY, published=T0 + 4 * DAY))


def test_another_kind_or_another_company_is_another_action() -> None:
    assert not same_action(FINE, replace(FINE, kind="investigation"))
    assert not same_action(FINE, replace(FINE, company_keys=["tencent"]))
    assert same_action(FINE, replace(FINE, company_keys=["alibaba", "ant"]))  # they share Alibaba


def test_a_fine_naming_no_company_is_not_the_fine_on_a_company() -> None:
    assert not same_action(FINE, replace(FINE, company_keys=[]))
    assert same_action(replace(FINE, company_keys=[]), replace(FINE, company_keys=[]))


@pytest.mark.parametrize(
    ("other_usd", "same"),
    [
        (2.8e9, True),  # "$2.8 billion": a headline's rounding
        (2.78e9 * 0.89, True),  # within 12% of the larger amount
        (2.78e9 * 0.87, False),
        (1.2e9, False),  # another fine on the same company in the same fortnight
        (None, True),  # an amount not reported never disagrees
    ],
)
def test_fine_amounts_must_agree_within_twelve_percent(other_usd: float | None, same: bool) -> None:
    assert same_action(FINE, replace(FINE, amount_usd=other_usd)) is same
    assert same_action(replace(FINE, amount_usd=other_usd), FINE) is same  # symmetric


def test_policy_shifts_match_on_the_document_they_cite_and_the_body_that_issued_it() -> None:
    assert not same_action(POLICY, replace(POLICY, document="数据出境安全评估办法"))
    assert same_action(POLICY, replace(POLICY, document=None))  # an uncited document may be the same one
    assert not same_action(replace(POLICY, document=None), replace(POLICY, regulator="MIIT", document=None))
    assert same_action(POLICY, replace(POLICY, regulator="State Council"))  # same document, bodies differ in wording


def test_policy_document_is_the_cited_title_in_either_language() -> None:
    assert policy_document("国家网信办发布《互联网信息服务算法推荐管理规定》，自3月1日起施行") == (
        "互联网信息服务算法推荐管理规定"
    )
    assert policy_document("SAMR issued the Guidelines on Anti-Monopoly in the Platform Economy.") == (
        "Guidelines on Anti-Monopoly in the Platform Economy"
    )
    assert policy_document("The regulator tightened rules for platforms.") is None


def test_company_keys_are_tracked_ids_then_untracked_names_folded() -> None:
    assert company_keys(["alibaba"], ["Alibaba Group", "Hangzhou Widget Co"]) == ["alibaba", "hangzhou widget co"]
    assert company_keys(["tencent", "tencent"], ["Tencent", "Tencent"]) == ["tencent"]
    assert company_keys([], []) == []


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    upgrade(connection)
    return connection


def test_reports_of_one_action_share_a_cluster_and_widen_it(con: duckdb.DuckDBPyConnection) -> None:
    first = assign_clusters(con, [("e1", replace(FINE, amount_usd=None))])
    later = assign_clusters(con, [("e2", replace(FINE, company_keys=["alibaba", "ant"], published=T0 + 3 * DAY))])
    assert first["e1"].new and not later["e2"].new
    assert later["e2"].cluster_id == first["e1"].cluster_id
    row = con.execute(
        "SELECT company_keys, amount_usd, first_published, last_published, primary_event_id FROM event_clusters"
    ).fetchall()
    assert row == [(["alibaba", "ant"], 2.78e9, T0, T0 + 3 * DAY, "e1")]
    assign_clusters(con, [("e3", replace(FINE, amount_usd=2.9e9, published=T0 + 4 * DAY))])
    assert con.execute("SELECT amount_usd FROM event_clusters").fetchall() == [(2.78e9,)]  # the first amount stays


def test_an_amount_learnt_in_a_batch_separates_the_next_fine_of_that_batch(con: duckdb.DuckDBPyConnection) -> None:
    result = assign_clusters(con, [
        ("e1", replace(FINE, amount_usd=None)),
        ("e2", replace(FINE, published=T0 + DAY)),  # joins e1, and tells its amount
        ("e3", replace(FINE, amount_usd=1.2e9, published=T0 + 2 * DAY)),  # another fine: $1.2bn is not $2.78bn
    ])
    assert result["e2"].cluster_id == result["e1"].cluster_id != result["e3"].cluster_id


def test_other_actions_in_one_batch_get_their_own_clusters(con: duckdb.DuckDBPyConnection) -> None:
    result = assign_clusters(con, [
        ("e1", replace(FINE)),  # a copy: assign_clusters fills in the candidates it is given
        ("e2", replace(FINE, published=T0 + DAY)),  # the same fine, same batch
        ("e3", replace(FINE, company_keys=["didi"], amount_usd=1.19e9)),
        ("e4", replace(FINE, published=T0 + 30 * DAY)),  # a month later: another action
    ])
    assert result["e1"].cluster_id == result["e2"].cluster_id
    assert len({a.cluster_id for a in result.values()}) == 3
    assert [e for e, a in result.items() if a.new] == ["e1", "e3", "e4"]
    assert con.execute("SELECT count(*) FROM event_clusters").fetchone() == (3,)


def test_a_cluster_outside_the_window_is_not_a_candidate(con: duckdb.DuckDBPyConnection) -> None:
    old = assign_clusters(con, [("e1", replace(FINE))])
    new = assign_clusters(con, [("e2", replace(FINE, published=T0 + 60 * DAY))])
    assert new["e2"].new and new["e2"].cluster_id != old["e1"].cluster_id


def _store(con: duckdb.DuckDBPyConnection, clusters: list[ClusterCandidate]) -> None:
    for number, cluster in enumerate(clusters):
        con.execute("INSERT INTO event_clusters VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [f"c{number:04d}", cluster.kind, cluster.company_keys, cluster.regulator, cluster.amount_usd,
                     cluster.document, cluster.published, cluster.published, f"e{number:04d}"])


def test_a_lookup_loads_only_the_clusters_that_could_be_its_events_action(con: duckdb.DuckDBPyConnection) -> None:
    """A fortnight of a large database holds thousands of clusters about other companies: loading each into
    Python and comparing it with every new event made the lookup 3x dearer at 1M stored articles than at 10k."""
    others = [replace(FINE, company_keys=[f"other{n}"], published=T0 - n * timedelta(minutes=10)) for n in range(300)]
    unnamed = replace(FINE, company_keys=[], published=T0 - DAY)  # names no company: may be anyone's fine
    ours = replace(FINE, company_keys=["alibaba", "ant"], published=T0 - 2 * DAY)
    _store(con, [*others, unnamed, ours, replace(POLICY, published=T0 - DAY)])
    loaded = window_clusters(con, [replace(FINE, company_keys=["ant"])])
    assert sorted(c.company_keys for c in loaded) == [[], ["alibaba", "ant"]]
    assert [c.cluster_id for c in loaded] == ["c0300", "c0301"]  # in the order they were stored
    # A new event naming no company may be any company's action of its kind: all of that kind are loaded.
    assert len(window_clusters(con, [replace(FINE, company_keys=[])])) == 302
    assert len(window_clusters(con, [replace(POLICY, company_keys=[])])) == 1


def test_clusters_found_are_the_ones_a_comparison_with_every_cluster_finds(con: duckdb.DuckDBPyConnection) -> None:
    """The lookup narrows in SQL what Python then compares: a seeded mix of kinds, companies (some none),
    amounts, documents and days gets the same clusters as comparing each event with every cluster of the window,
    in the order stored (the first match wins)."""
    rng = random.Random(7)
    kinds, companies = ["fine", "investigation", "policy_shift"], ["alibaba", "ant", "didi", "jd", "meituan"]

    def candidate() -> ClusterCandidate:
        keys = sorted(set(rng.sample(companies, rng.choice([0, 1, 1, 2]))))
        return ClusterCandidate(rng.choice(kinds), keys, rng.choice(["SAMR", "CAC", None]),
                                rng.choice([None, 1e6, 1.05e6, 3e6]), rng.choice([None, "A", "B"]),
                                T0 + timedelta(hours=rng.randrange(0, 30 * 24)))

    _store(con, [candidate() for _ in range(400)])
    for batch in range(10):
        events = [(f"b{batch}e{n}", candidate()) for n in range(rng.choice([1, 5, 20]))]
        known = [replace(c) for c in _every_cluster(con)]
        expected = {}
        for event_id, event in events:  # what assign_clusters did when it loaded every cluster of the window
            match = next((k for k in known if same_action(k, event)), None)
            expected[event_id] = match.cluster_id if match else None
            if match is None:
                known.append(replace(event, cluster_id=event_id))
            else:
                match.company_keys = sorted(set(match.company_keys) | set(event.company_keys))
                match.published = max(match.published, event.published)
                match.amount_usd = match.amount_usd or event.amount_usd
                match.document = match.document or event.document
        con.execute("BEGIN TRANSACTION")
        found = assign_clusters(con, [(e, replace(c)) for e, c in events])
        con.execute("ROLLBACK")
        assert {e: None if a.new else a.cluster_id for e, a in found.items()} == expected


def _every_cluster(con: duckdb.DuckDBPyConnection) -> list[ClusterCandidate]:
    rows = con.execute("SELECT cluster_id, kind, company_keys, regulator, amount_usd, document, last_published "
                       "FROM event_clusters").fetchall()
    return [ClusterCandidate(kind, list(keys), regulator, amount, document, published, cluster_id)
            for cluster_id, kind, keys, regulator, amount, document, published in rows]
