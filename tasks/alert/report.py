"""`regwatch report`: one self-contained HTML file about a period, for people who do not open DuckDB.

It holds fines over time by regulator and by company (USD, log scale when
amounts span orders of magnitude), a policy-shift timeline with each shift's
direction, the latest events with their evidence and sources, per-feed health,
and the known major actions since 2020 (the reference set) with this period's
fines and shifts among them. Observed events come from the `recent_events`
view (each real-world action once), feed health from `feed_health`.

The file needs no network to open: charts are inline SVG drawn by matplotlib
(tasks/alert/charts.py), styles are inline, there is no script, and a Content
Security Policy forbids loading anything. Every stored text is hostile (story
titles, evidence, URLs come from the internet): the Jinja2 template escapes
everything it prints, and only http(s) URLs become links.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from matplotlib.figure import Figure

from tasks.alert.charts import FinePoint, PolicyPoint, fines_figure, policy_figure, svg
from tasks.alert.slack_format import link_target
from tasks.alert.wording import approx_usd, stated_amount
from tasks.classify.currency import load_rates
from tasks.classify.history import HISTORY_FILE, load_history
from tasks.classify.kinds import kind_label
from tasks.classify.regulators import display_regulator
from tasks.common.errors import RegwatchError
from tasks.store.database import Database
from tasks.store.feed_health import HEALTH_COLUMNS, feed_health
from tasks.store.history import PastAction, reference_actions

TEMPLATE = "report.html.j2"
LATEST_LIMIT = 100  # events listed in the table (the charts use every event of the period)
EVIDENCE_LIMIT = 400
UNKNOWN_REGULATOR = "regulator not named"
NO_COMPANY = "no tracked company"
DIRECTION_SIGNS = {"tighten": "▲ tightening", "ease": "▼ easing", "neutral": "● neutral"}


@dataclass(frozen=True)
class Observed:
    """One real-world action regwatch found (a row of `recent_events`)."""

    published: datetime
    kind: str
    companies: tuple[str, ...]
    regulator: str | None
    amount: float | None
    currency: str | None
    amount_text: str | None
    amount_usd: float | None
    direction: str | None
    title: str
    url: str
    evidence: str
    sources: tuple[str, ...]  # every outlet's URL, the primary one included


@dataclass(frozen=True)
class ReportData:
    """What one report shows: the period [since, until), its events, the feeds, the reference set."""

    since: datetime
    until: datetime
    events: list[Observed]  # newest first
    feeds: list[dict[str, Any]]  # HEALTH_COLUMNS -> value, failing feeds first
    known: list[PastAction]  # the reference set, oldest first


def load_report(db: Database, config_dir: Path, since: datetime, until: datetime) -> ReportData:
    """Everything the report shows, read once: the period's events, feed health and the reference set."""
    with db.read() as con:
        rows = con.execute(
            """SELECT published_at, kind, companies, regulator, amount, currency, amount_text, amount_usd, direction,
                      title, url, evidence, sources
               FROM recent_events WHERE published_at >= ? AND published_at < ?
               ORDER BY published_at DESC, cluster_id""",
            [since, until],
        ).fetchall()
    events = [
        Observed(published, kind, tuple(companies or ()), regulator, _number(amount), currency, amount_text,
                 _number(amount_usd), direction, title or url, url, evidence or "", tuple(sources or ()))
        for (published, kind, companies, regulator, amount, currency, amount_text, amount_usd, direction, title, url,
             evidence, sources) in rows
    ]
    feeds = [dict(zip(HEALTH_COLUMNS, row, strict=True)) for row in feed_health(db)]
    return ReportData(since, until, events, feeds, known_actions(config_dir))


def known_actions(config_dir: Path) -> list[PastAction]:
    """The reference set: the known major actions in the config dir's `enforcement_history.yaml`, with USD
    amounts at its `rates.yaml`, oldest first. Read from the file, as `regwatch history` does, not from the
    `reference_events` table, which only a run fills: the report has them before the first run."""
    if not (config_dir / HISTORY_FILE).exists():
        return []
    return sorted(reference_actions(load_history(config_dir), load_rates(config_dir)), key=lambda a: a.date)


def render_report(data: ReportData, generated: datetime) -> str:
    """The report as one HTML document."""
    environment = Environment(loader=FileSystemLoader(Path(__file__).parent), autoescape=True,
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.globals.update(link=link, kind_label=kind_label, direction=direction_sign, regulator=regulator_name,
                               stated=stated_amount, approx_usd=approx_usd)
    fines = [e for e in data.events if e.kind == "fine"]
    shifts = [e for e in data.events if e.kind == "policy_shift"]
    return environment.get_template(TEMPLATE).render(
        data=data, generated=generated, charts=_charts(data, fines, shifts),
        by_kind=Counter(e.kind for e in data.events).most_common(), latest=data.events[:LATEST_LIMIT],
        fines=fines, unplotted=sum(1 for e in fines if not e.amount_usd), shifts=shifts,
        failing=sum(1 for f in data.feeds if f["consecutive_failures"]), evidence_limit=EVIDENCE_LIMIT,
        history_file=HISTORY_FILE,
    )


def write_report(html: str, out: Path) -> Path:
    """Write the file whole or not at all (written aside, then renamed): a browser never opens half a report."""
    if out.is_dir():
        raise RegwatchError(f"{out}: is a directory; give --out a file name, e.g. {out / 'report.html'}")
    partial = out.with_name(f".{out.name}.partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(html, encoding="utf-8")
        os.replace(partial, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise RegwatchError(f"{out}: cannot write the report: {exc.strerror or exc}") from None
    return out


def link(url: str | None, label: str | None = None) -> Markup:
    """An escaped link to `url` labelled `label` (its host when none), or the escaped text alone when `url`
    is not a sane http(s) URL (javascript:, data:, file: ... are never links)."""
    target = link_target(url or "")
    shown = label or (urlsplit(target).hostname if target else None) or url or ""
    if target is None:
        return Markup("{}").format(shown)
    return Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(target, shown)


def direction_sign(value: str | None) -> str:
    return DIRECTION_SIGNS.get(value or "", DIRECTION_SIGNS["neutral"])


def regulator_name(code: str | None) -> str:
    """A regulator as people call it for short (SAMR, the State Council), never an internal code."""
    name = display_regulator(code)
    return name.short if name else UNKNOWN_REGULATOR


def _charts(data: ReportData, fines: list[Observed], shifts: list[Observed]) -> dict[str, Markup]:
    """The report's charts as inline SVG, by name; a chart with nothing to draw is left out (the page says so)."""
    figures = {**_period_figures(data, fines, shifts), **_reference_figures(data, fines, shifts)}
    return {name: Markup(svg(figure, name)) for name, figure in figures.items()}


def _period_figures(data: ReportData, fines: list[Observed], shifts: list[Observed]) -> dict[str, Figure]:
    """Fines by regulator and by company, and the policy shifts, over the period."""
    figures = {}
    with_amount = [e for e in fines if e.amount_usd]
    if with_amount:
        by_regulator = [FinePoint(e.published, regulator_name(e.regulator), e.amount_usd or 0) for e in with_amount]
        figures["fines-by-regulator"] = fines_figure(by_regulator, "Fines by regulator", data.since, data.until)
        figures["fines-by-company"] = fines_figure(_observed_by_company(fines), "Fines by company", data.since,
                                                   data.until)
    if shifts:
        figures["policy-shifts"] = policy_figure(_policy_points(shifts), "Policy shifts by issuing body", data.since,
                                                 data.until)
    return figures


def _reference_figures(data: ReportData, fines: list[Observed], shifts: list[Observed]) -> dict[str, Figure]:
    """The known fines and policy turns since the reference set's first year, this period's among them."""
    if not data.known:
        return {}
    first = min(datetime(data.known[0].date.year, 1, 1, tzinfo=UTC), data.since)
    known_fines = _by_company(((_moment(k.date), k.companies, k.amount_usd) for k in data.known
                               if k.kind == "fine" and k.amount_usd), reference=True)
    figures = {"known-fines": fines_figure([*known_fines, *_observed_by_company(fines)],
                                           "Known major fines and this period's", first, data.until)}
    known_turns = [PolicyPoint(_moment(k.date), regulator_name(k.regulator), k.direction or "neutral",
                               reference=True) for k in data.known if k.kind == "policy_shift"]
    if known_turns or shifts:
        figures["known-policy"] = policy_figure([*known_turns, *_policy_points(shifts)],
                                                "Known policy turns and this period's", first, data.until)
    return figures


def _policy_points(shifts: list[Observed]) -> list[PolicyPoint]:
    return [PolicyPoint(e.published, regulator_name(e.regulator), e.direction or "neutral") for e in shifts]


def _observed_by_company(fines: list[Observed]) -> list[FinePoint]:
    return _by_company((e.published, e.companies, e.amount_usd) for e in fines if e.amount_usd)


def _by_company(fines: Iterable[tuple[datetime, tuple[str, ...], float]], reference: bool = False
                ) -> list[FinePoint]:
    """A point per fined company, from (when, companies, USD) fines: a decision naming two companies counts for
    each (as the `fines_by_company` view counts it)."""
    return [FinePoint(when, company, amount, reference) for when, companies, amount in fines
            for company in companies or (NO_COMPANY,)]


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def _number(value: float | Decimal | None) -> float | None:
    """DuckDB's DECIMAL and DOUBLE as a float (None stays None)."""
    return None if value is None else float(value)

