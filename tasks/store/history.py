"""Past regulatory actions: the reference data (`config/enforcement_history.yaml`) and what regwatch
observed itself (`event_clusters`), as one list in which an action both know of appears once.

The reference data makes context right from the first day; it is kept apart from the observed events, in
its own table `reference_events`, refilled from the file on every run (`sync_reference_events`), so that
analysts' SQL and the alerts see it too. The `company_history` view (tasks/store/database.py) joins the
two by the rule `same_action` applies here: keep the two in step (tests/store/test_history.py checks it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from tasks.classify.currency import Rates, load_rates
from tasks.classify.history import History, load_history
from tasks.classify.same_action import amounts_agree
from tasks.store.database import Database, insert_rows

MATCH_DAYS = 14  # an observed action this close to a known one of the same kind and company is that one


@dataclass(frozen=True)
class PastAction:
    """One regulatory action: known from the reference data, observed in stories, or both."""

    date: date
    kind: str
    companies: tuple[str, ...]  # canonical names from companies.yaml; others as written
    regulator: str | None  # the code (SAMR, CAC...)
    regulator_text: str | None  # as a story wrote it (observed only): tells a local office from the national body
    amount: float | None
    currency: str | None
    amount_text: str | None
    amount_usd: float | None
    direction: str | None
    about: str  # the reference's few words, or the sentence a story showed it with
    sources: tuple[str, ...]
    reference_id: int | None = None  # position in the reference file (1-based)
    cluster_ids: tuple[str, ...] = ()  # the observed real-world actions it is

    @property
    def origin(self) -> str:
        """"reference", "observed" or "reference, observed": where regwatch knows it from."""
        return ", ".join(n for n, on in (("reference", self.reference_id), ("observed", self.cluster_ids)) if on)


def reference_actions(history: History, rates: Rates) -> list[PastAction]:
    """The reference file's actions, numbered in file order, their amounts in USD at the configured rates."""
    return [
        PastAction(
            date=action.date, kind=action.kind, companies=tuple(action.companies), regulator=action.regulator,
            regulator_text=None, amount=float(action.amount) if action.amount is not None else None,
            currency=action.currency, amount_text=None,
            amount_usd=rates.to_usd(action.amount, action.currency) if action.amount and action.currency else None,
            direction=action.direction, about=action.about, sources=(action.source,), reference_id=number,
        )
        for number, action in enumerate(history.actions, start=1)
    ]


def sync_reference_events(db: Database, config_dir: Path) -> None:
    """Make `reference_events` hold exactly the reference file's actions (one transaction): every run does,
    so an edit of the file shows in the next run's alerts and in SQL."""
    actions = reference_actions(load_history(config_dir), load_rates(config_dir))
    rows = [(a.reference_id, a.date, a.kind, list(a.companies), a.regulator, a.amount, a.currency, a.amount_usd,
             a.direction, a.about, a.sources[0]) for a in actions]
    with db.write() as con:
        con.execute("DELETE FROM reference_events")
        insert_rows(con, """INSERT INTO reference_events (reference_id, date, kind, companies, regulator, amount,
                            currency, amount_usd, direction, about, source)""", rows)


def stored_reference_actions(con: duckdb.DuckDBPyConnection) -> list[PastAction]:
    """The reference actions as the last run stored them (what alerts are put in context with)."""
    rows = con.execute(
        """SELECT reference_id, date, kind, companies, regulator, amount, currency, amount_usd, direction, about,
                  source FROM reference_events ORDER BY reference_id"""
    ).fetchall()
    return [PastAction(date=day, kind=kind, companies=tuple(companies), regulator=regulator, regulator_text=None,
                       amount=amount, currency=currency, amount_text=None, amount_usd=usd, direction=direction,
                       about=about, sources=(source,), reference_id=number)
            for number, day, kind, companies, regulator, amount, currency, usd, direction, about, source in rows]


def observed_actions(con: duckdb.DuckDBPyConnection, companies: Sequence[str] | None = None,
                     regulator: str | None = None, with_sources: bool = False) -> list[PastAction]:
    """Every real-world action regwatch observed (one per cluster, told by its primary event), or only those
    about one of `companies` or by `regulator` when either is given; `with_sources`: every story's URL."""
    rows = con.execute(
        """SELECT c.cluster_id, c.first_published, c.kind, COALESCE(e.companies, []), c.regulator, e.regulator_text,
                  e.amount, e.currency, e.amount_text, e.amount_usd, e.direction, COALESCE(e.evidence, '')
           FROM event_clusters c JOIN events e ON e.event_id = c.primary_event_id
           WHERE (?::VARCHAR[] IS NULL AND ?::VARCHAR IS NULL)
              OR list_has_any(COALESCE(e.companies, []), ?::VARCHAR[]) OR c.regulator = ?
           ORDER BY c.first_published, c.cluster_id""",
        [companies, regulator, companies or [], regulator],
    ).fetchall()
    sources = _sources(con, [row[0] for row in rows]) if with_sources else {}
    return [
        PastAction(date=_utc_day(published), kind=kind, companies=tuple(names), regulator=code, regulator_text=text,
                   amount=amount, currency=currency, amount_text=amount_text, amount_usd=usd, direction=direction,
                   about=evidence, sources=tuple(sources.get(cluster_id, ())), cluster_ids=(cluster_id,))
        for (cluster_id, published, kind, names, code, text, amount, currency, amount_text, usd, direction,
             evidence) in rows
    ]


def _sources(con: duckdb.DuckDBPyConnection, cluster_ids: list[str]) -> dict[str, list[str]]:
    rows = con.execute(
        """SELECT e.cluster_id, list(DISTINCT a.url ORDER BY a.url) FROM events e JOIN articles a USING (article_id)
           WHERE e.cluster_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY e.cluster_id""",
        [cluster_ids],
    ).fetchall()
    return dict(rows)


def _utc_day(moment: datetime) -> date:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()


def same_action(known: PastAction, observed: PastAction) -> bool:
    """Whether an observed action is a known one: same kind and company, within MATCH_DAYS, amounts agreeing."""
    return (known.kind == observed.kind and bool(set(known.companies) & set(observed.companies))
            and abs((known.date - observed.date).days) <= MATCH_DAYS
            and amounts_agree(known.amount_usd, observed.amount_usd))


def merge_actions(reference: Iterable[PastAction], observed: Iterable[PastAction]) -> list[PastAction]:
    """Both lists as one, by date: an observed action that is a known one (the first that matches, in file
    order) is folded into it, which then counts as observed too and lists the stories' URLs after its own."""
    known = sorted(reference, key=lambda a: a.reference_id or 0)
    folded: dict[int, PastAction] = {a.reference_id or 0: a for a in known}
    merged: list[PastAction] = []
    for action in observed:
        match = next((k for k in known if same_action(k, action)), None)
        if match is None:
            merged.append(action)
            continue
        into = folded[match.reference_id or 0]
        folded[match.reference_id or 0] = replace(
            into, cluster_ids=into.cluster_ids + action.cluster_ids,
            sources=into.sources + tuple(s for s in action.sources if s not in into.sources),
        )
    return sorted([*folded.values(), *merged], key=lambda a: (a.date, a.reference_id or 0, a.cluster_ids))
