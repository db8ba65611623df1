"""Group events that report one real-world action into a cluster, across outlets and languages.

Two events are the same action when they are of the same kind, close in time,
about the same company (or, for policy shifts, from the same body about the
same document), and for fines when their amounts agree after conversion to
USD. Candidates come only from clusters seen within the time window that may
share a company with a new event (`window_clusters`), so the cost per new event
barely grows with the size of the database.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import duckdb

from tasks.classify.same_action import amounts_agree, companies_overlap

WINDOW = {"policy_shift": timedelta(days=3)}
DEFAULT_WINDOW = timedelta(days=14)
_DOCUMENT = re.compile(
    r"《([^》]{2,60})》|\b((?:Measures|Provisions|Rules|Guidelines|Regulations|Law) (?:on|for) [A-Z][\w ,-]{3,60})"
)

@dataclass
class ClusterCandidate:
    """The facts clustering compares, for a stored cluster or a new event."""

    kind: str
    company_keys: list[str]
    regulator: str | None
    amount_usd: float | None
    document: str | None
    published: datetime
    cluster_id: str = ""
    event_ids: list[str] = field(default_factory=list)


def company_keys(company_ids: list[str], companies: list[str]) -> list[str]:
    """Tracked companies by id; untracked ones by their lower-cased name as written."""
    keys = list(company_ids)
    tracked = len(company_ids)
    keys += [name.casefold() for name in companies[tracked:]] if len(companies) > tracked else []
    return sorted(set(keys))


def policy_document(evidence: str) -> str | None:
    match = _DOCUMENT.search(evidence)
    return (match.group(1) or match.group(2)).strip() if match else None


def same_action(a: ClusterCandidate, b: ClusterCandidate) -> bool:
    if a.kind != b.kind:
        return False
    window = WINDOW.get(a.kind, DEFAULT_WINDOW)
    if abs(a.published - b.published) > window:
        return False
    if not companies_overlap(a.company_keys, b.company_keys):
        return False
    if a.kind == "policy_shift":
        if a.document and b.document and a.document != b.document:
            return False
        if a.regulator and b.regulator and a.regulator != b.regulator and not (a.document and a.document == b.document):
            return False
    elif bool(a.company_keys) != bool(b.company_keys):
        return False
    return amounts_agree(a.amount_usd, b.amount_usd)


@dataclass
class Assignment:
    cluster_id: str
    new: bool


def _new_id(candidate: ClusterCandidate, event_id: str) -> str:
    return "c" + hashlib.sha256(f"{candidate.kind}|{event_id}".encode()).hexdigest()[:15]


def window_clusters(con: duckdb.DuckDBPyConnection, events: list[ClusterCandidate]) -> list[ClusterCandidate]:
    """The stored clusters that may be the action of one of `events`, in the order they were stored.

    Those of the events' kinds seen within the time window, less those that name only companies no event
    names: `same_action` needs a shared company unless one side names none. The window of a large database
    holds thousands of other companies' clusters; loaded into Python and compared with every new event, they
    made the lookup 3x dearer at 1M stored articles than at 10k. The company test runs on the window's rows
    only (a materialized CTE): on every stored cluster it cost more than it saved. The first match wins, so
    the order is the table's own (`rowid`), which the CTE alone does not keep."""
    earliest = min(c.published for c in events) - max(DEFAULT_WINDOW, *WINDOW.values())
    kinds = sorted({c.kind for c in events})
    open_kinds = sorted({c.kind for c in events if not c.company_keys})  # an event naming no company: any company
    keys = sorted({key for c in events for key in c.company_keys})
    rows = con.execute(
        """WITH window_rows AS MATERIALIZED (
               SELECT rowid AS stored, cluster_id, kind, company_keys, regulator, amount_usd, document, last_published
               FROM event_clusters WHERE last_published >= ? AND kind IN (SELECT unnest(?::VARCHAR[])))
           SELECT * EXCLUDE (stored) FROM window_rows
           WHERE len(company_keys) = 0 OR list_contains(?::VARCHAR[], kind) OR list_has_any(company_keys, ?::VARCHAR[])
           ORDER BY stored""",
        [earliest, kinds, open_kinds, keys],
    ).fetchall()
    return [
        ClusterCandidate(kind, list(keys), regulator, amount, document, published, cluster_id)
        for cluster_id, kind, keys, regulator, amount, document, published in rows
    ]


def assign_clusters(
    con: duckdb.DuckDBPyConnection, events: list[tuple[str, ClusterCandidate]]
) -> dict[str, Assignment]:
    """Give each (event_id, candidate) a cluster: an existing one that is the same action, or a new one.

    Runs inside the caller's transaction; new clusters are inserted, matched ones widened.
    """
    if not events:
        return {}
    known = window_clusters(con, [candidate for _, candidate in events])
    result: dict[str, Assignment] = {}
    for event_id, candidate in events:
        match = next((k for k in known if same_action(k, candidate)), None)
        if match is None:
            candidate.cluster_id = _new_id(candidate, event_id)
            known.append(candidate)
            con.execute(
                "INSERT INTO event_clusters VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [candidate.cluster_id, candidate.kind, candidate.company_keys, candidate.regulator,
                 candidate.amount_usd, candidate.document, candidate.published, candidate.published, event_id],
            )
            result[event_id] = Assignment(candidate.cluster_id, True)
            continue
        match.company_keys = sorted(set(match.company_keys) | set(candidate.company_keys))
        match.published = max(match.published, candidate.published)
        match.amount_usd = match.amount_usd or candidate.amount_usd
        match.document = match.document or candidate.document
        con.execute(
            """UPDATE event_clusters SET company_keys = ?, last_published = greatest(last_published, ?),
                      amount_usd = COALESCE(amount_usd, ?), document = COALESCE(document, ?)
               WHERE cluster_id = ?""",
            [match.company_keys, candidate.published, candidate.amount_usd, candidate.document, match.cluster_id],
        )
        result[event_id] = Assignment(match.cluster_id, False)
    return result
