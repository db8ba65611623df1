"""What an alert says about one real-world action (an event cluster), read from the database.

The stories are listed once each, by their canonical URL and their outlet's name, so "Also reported by"
counts what `recent_events.stories` counts: a feed's tracking-decorated link to the same story, or a copy
folded into it, is not another report. A story read in full comes first, before one known only from its
headline (an aggregator link that names no publisher page), so the alert quotes and links the full story
when there is one. The context lines put the action among the reference data and what regwatch observed
before it (`tasks.alert.context`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import duckdb

from tasks.alert.context import context_lines
from tasks.alert.slack_format import AlertFacts, Source
from tasks.common.text import HAN
from tasks.store.history import merge_actions, observed_actions, stored_reference_actions
from tasks.store.records import HEADLINE_ONLY


def cluster_facts(con: duckdb.DuckDBPyConnection, cluster_id: str,
                  today: date | None = None) -> tuple[AlertFacts, list[str]] | None:
    """The primary event's facts, one source per story (primary first) and the context; with the URLs."""
    rows = con.execute(
        """SELECT e.kind, e.companies, e.regulator, e.regulator_text, e.amount_text, e.amount, e.currency,
                  e.amount_usd, e.direction, e.evidence, e.sector, a.title, a.url, a.site, e.published_at,
                  a.extraction = ?
           FROM events e JOIN articles a USING (article_id)
           WHERE e.cluster_id = ?
           ORDER BY (a.extraction = ?), (e.amount IS NULL), e.published_at, e.event_id""",
        [HEADLINE_ONLY, cluster_id, HEADLINE_ONLY],
    ).fetchall()
    if not rows:
        return None
    (kind, companies, regulator, regulator_text, amount_text, amount, currency, amount_usd, direction,
     evidence, _sector, _title, _url, _site, published, _headline_only) = rows[0]
    sources: dict[str, Source] = {}
    for *_, title, url, site, _published, headline_only in rows:
        sources.setdefault(url, Source(title=title or outlet(site, url), url=url, site=outlet(site, url),
                                       headline_only=bool(headline_only)))
    primary, *others = sources.values()
    names = sorted({n for row in rows for n in (row[1] or [])}, key=lambda n: (n not in (companies or []), n))
    facts = AlertFacts(
        kind=kind, companies=names, regulator=regulator, regulator_text=regulator_text, amount_text=amount_text,
        amount=amount, currency=currency, amount_usd=amount_usd, direction=direction, evidence=evidence or "",
        primary=primary, others=others, published=published,
        about=next((t.strip() for t in (row[11] for row in rows) if t and t.strip() and not HAN.search(t)), None),
        sector=next((row[10] for row in rows if row[10]), None),
        context=_context(con, cluster_id, names, regulator, today or datetime.now(UTC).date()),
    )
    return facts, list(sources)


def outlet(site: str | None, url: str) -> str:
    """The outlet's name as the page gives it, else its web address without "www."."""
    if site and site.strip():
        return site.strip()
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def _context(con: duckdb.DuckDBPyConnection, cluster_id: str, companies: list[str], regulator: str | None,
             today: date) -> list[str]:
    """Context lines for the cluster among every other action about its companies or by its regulator."""
    actions = merge_actions(stored_reference_actions(con), observed_actions(con, companies, regulator))
    this = next((a for a in actions if cluster_id in a.cluster_ids), None)
    if this is None:
        return []
    return context_lines(this, [a for a in actions if a is not this], today)
