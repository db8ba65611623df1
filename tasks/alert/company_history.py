"""`regwatch history COMPANY`: a company's regulatory actions over time, reference and observed, with totals.

The company may be given by any of its names in companies.yaml (aliases, Chinese names, subsidiaries),
a ticker in any written form ("BABA", "9988.HK"), or a name the reference data uses; anything else is one
line naming the close matches. The reference data comes from the config file, so history is there for a
company before regwatch has observed anything, or with no database at all.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks.alert.wording import approx_usd, stated_amount
from tasks.classify.companies import Company, CompanyMatcher, load_companies, ticker_surfaces
from tasks.classify.currency import load_rates
from tasks.classify.history import load_history
from tasks.classify.kinds import kind_label
from tasks.classify.regulators import display_regulator
from tasks.common.errors import RegwatchError
from tasks.store.database import Database
from tasks.store.history import PastAction, merge_actions, observed_actions, reference_actions

HISTORY_COLUMNS = ("date", "kind", "amount", "usd", "regulator", "evidence", "sources", "origin")
TOTAL_COLUMNS = ("actions", "fines", "fined_usd")
EVIDENCE_LIMIT = 110


class UnknownCompanyError(RegwatchError):
    """The name given to `regwatch history` is no company regwatch knows."""


@dataclass(frozen=True)
class CompanyHistory:
    company: str
    actions: list[PastAction]
    observed_from: Path | None  # the database read, or None when there is none yet

    def rows(self) -> list[tuple[Any, ...]]:
        """One row per action (HISTORY_COLUMNS), oldest first."""
        return [_row(action) for action in self.actions]

    def lines(self) -> list[str]:
        """The actions for a terminal, each a line of facts, then its evidence and sources indented."""
        lines = []
        for action in self.actions:
            date, kind, amount, usd, regulator, evidence, sources, origin = _row(action)
            money = f"{amount} (≈ {usd})" if amount and usd and action.currency != "USD" else amount or usd
            head = "  ".join(p for p in (date, kind, money, f"by {regulator}" if regulator else "") if p)
            lines += [f"{head}  [{origin}]", *(f"    {text}" for text in (evidence, *sources.split()) if text)]
        return lines

    def totals(self, by: str) -> list[tuple[Any, ...]]:
        """Actions, fines and the USD fined, per regulator (`by="regulator"`) or per year (`by="year"`)."""
        groups: dict[str, list[PastAction]] = defaultdict(list)
        for action in self.actions:
            key = (_regulator(action) or "unnamed authorities") if by == "regulator" else str(action.date.year)
            groups[key].append(action)
        return [(key, *_totals(group)) for key, group in sorted(groups.items())]

    def summary(self) -> str:
        """One line above the table: how many actions, since when, from where."""
        if not self.actions:
            return f"{self.company}: no regulatory actions on record"
        reference = sum(1 for a in self.actions if a.reference_id)
        observed = sum(1 for a in self.actions if a.cluster_ids)
        where = "" if self.observed_from else "; no database yet, so reference data only"
        return (f"{self.company}: {len(self.actions)} regulatory actions since {self.actions[0].date.year} "
                f"({reference} in the reference data, {observed} observed by regwatch{where})")


def company_history(query: str, config_dir: Path, db: Database | None) -> CompanyHistory:
    """The history of the company `query` names: the reference file's actions and, when `db` exists, the
    observed ones (read from its snapshot when there is one), an action known to both listed once."""
    reference = reference_actions(load_history(config_dir), load_rates(config_dir))
    company = resolve_company(query, load_companies(config_dir), reference)
    observed: list[PastAction] = []
    source = None
    if db is not None and db.path.exists():
        reader = db.reader()
        with reader.read() as con:
            observed = observed_actions(con, companies=[company], with_sources=True)
        source = reader.path
    actions = [a for a in merge_actions(reference, observed) if company in a.companies]
    return CompanyHistory(company, actions, source)


def resolve_company(query: str, companies: Sequence[Company], reference: Iterable[PastAction]) -> str:
    """The canonical name of the company `query` names, or UnknownCompanyError listing close matches."""
    wanted = _key(query)
    names = {_key(name): company.name for company in companies for name in _names_of(company)}
    for action in reference:
        for name in action.companies:
            names.setdefault(_key(name), name)
    if wanted in names:
        return names[wanted]
    found = {m.company for m in CompanyMatcher(companies).find(query.strip())}
    if len(found) == 1:
        return found.pop()
    close = list(dict.fromkeys(names[k] for k in difflib.get_close_matches(wanted, list(names), n=5, cutoff=0.6)))
    hint = f"; close matches: {', '.join(close[:3])}" if close else "; give a name, ticker or Chinese name"
    raise UnknownCompanyError(f"no company {query.strip()!r} in companies.yaml or the reference data{hint} "
                              "(config/companies.yaml lists them)")


def _names_of(company: Company) -> list[str]:
    tickers = [form for ticker in company.tickers
               for form in (ticker, ticker.partition(":")[2], *ticker_surfaces(ticker))]
    return [company.id, company.name, *company.aliases, *company.weak_aliases, *company.zh, *company.weak_zh,
            *company.subsidiaries, *tickers]


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _regulator(action: PastAction) -> str | None:
    name = display_regulator(action.regulator, action.regulator_text)
    return name.short if name else None


def _row(action: PastAction) -> tuple[Any, ...]:
    amount = stated_amount(action.amount_text, action.amount, action.currency) if action.amount else ""
    evidence = " ".join(action.about.split())
    if len(evidence) > EVIDENCE_LIMIT:
        evidence = evidence[: EVIDENCE_LIMIT - 1].rstrip() + "…"
    return (action.date.isoformat(), kind_label(action.kind), amount,
            approx_usd(action.amount_usd) if action.amount_usd else "", _regulator(action) or "",
            evidence, " ".join(action.sources), action.origin)


def _totals(actions: Sequence[PastAction]) -> tuple[int, int, str]:
    fines = [a for a in actions if a.kind == "fine"]
    fined = sum(a.amount_usd or 0 for a in fines)
    return len(actions), len(fines), approx_usd(fined) if fined else ""
