"""Where an event stands among past actions: the lines an alert adds that no alerting tool gives.

"Largest fine by CAC since Jul 2022", "Tencent's third fine this year", "Previous policy turn by the
Politburo: easing, Apr 2022 ...". Plain functions of the event and the past actions, reference and
observed alike (`tasks.store.history`): the reference data makes them right from the first day. Fines are
compared in USD (config/rates.yaml), so a fine in HK dollars ranks against one in yuan.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from tasks.alert.wording import approx_usd, ordinal
from tasks.classify.kinds import direction_label, kind_noun
from tasks.classify.regulators import DISPLAY_NAMES, RegulatorName, display_regulator
from tasks.store.history import PastAction

TIE = 0.005  # fines within half a percent of each other in USD are equal (rates and roundings differ)
MAX_COMPANIES = 3  # "Nth fine this year" lines, at most one per company for this many companies
ABOUT_LIMIT = 120
RECORD_DAYS = 365  # "largest since at least 2020" only from records that go back a year or more


def context_lines(action: PastAction, past: Sequence[PastAction], today: date) -> list[str]:
    """Every context line for `action` that what came before it supports (`past` may hold later actions too,
    but not the action itself)."""
    lines = [largest_fine(action, past), previous_policy_turn(action, past)]
    return [line for line in lines if line] + nth_this_year(action, past, today)


def _before(action: PastAction, past: Sequence[PastAction]) -> list[PastAction]:
    """The actions of an earlier day: one of the same day is no precedent (nor is the action itself)."""
    return [p for p in past if p.date < action.date]


def _national(action: PastAction) -> RegulatorName | None:
    """The national body that acted, or None for a local office, an unnamed authority or none."""
    name = display_regulator(action.regulator, action.regulator_text)
    return name if name is not None and name is DISPLAY_NAMES.get(action.regulator or "") else None


def largest_fine(action: PastAction, past: Sequence[PastAction]) -> str | None:
    """"Largest fine by SAMR since Apr 2021 (Alibaba Group, ≈ $2.54 billion)" when smaller fines by the same
    body came in between; "... since at least 2020" when it exceeds every one on record (and the records go
    back a year). A fine equal to an earlier one (within TIE) has not exceeded it."""
    name = _national(action)
    if action.kind != "fine" or not action.amount_usd or name is None:
        return None
    earlier = _before(action, past)
    fines = [p for p in earlier if p.kind == "fine" and p.regulator == action.regulator and p.amount_usd
             and _national(p) is not None]
    if not fines:
        return None
    not_smaller = [p for p in fines if (p.amount_usd or 0) >= action.amount_usd * (1 - TIE)]
    if not not_smaller:
        start = min(p.date for p in earlier)  # where the records begin: the reference data's first action
        recent = (action.date - start).days < RECORD_DAYS
        return None if recent else f"Largest fine by {name.short} since at least {start.year}"
    last = max(not_smaller, key=lambda p: p.date)
    if not any(p.date > last.date for p in fines):
        return None  # the last fine before it by this body was as large: nothing to remark
    who = ", ".join(last.companies) or "a company"
    if abs((last.amount_usd or 0) - action.amount_usd) <= TIE * action.amount_usd:
        return f"Largest fine by {name.short} since {who}'s equal fine in {last.date:%b %Y}"
    return f"Largest fine by {name.short} since {last.date:%b %Y} ({who}, ≈ {approx_usd(last.amount_usd or 0)})"


def nth_this_year(action: PastAction, past: Sequence[PastAction], today: date) -> list[str]:
    """"Tencent's third fine this year": for each company, from its second action of a kind in a year."""
    year = action.date.year
    when = "this year" if year == today.year else f"in {year}"
    lines = []
    for company in action.companies[:MAX_COMPANIES]:
        before = [p for p in _before(action, past)
                  if p.kind == action.kind and company in p.companies and p.date.year == year]
        if before:
            lines.append(f"{company}'s {ordinal(len(before) + 1)} {kind_noun(action.kind)} {when}")
    return lines


def previous_policy_turn(action: PastAction, past: Sequence[PastAction]) -> str | None:
    """"Previous policy turn by the Politburo: easing, Apr 2022 — support for the platform economy"."""
    name = _national(action)
    if action.kind != "policy_shift" or name is None:
        return None
    turns = [p for p in _before(action, past) if p.kind == "policy_shift" and p.regulator == action.regulator]
    if not turns:
        return None
    last = max(turns, key=lambda p: p.date)
    direction = direction_label(last.direction)
    about = last.about if len(last.about) <= ABOUT_LIMIT else last.about[: ABOUT_LIMIT - 1].rstrip() + "…"
    by = f"{name.article} {name.short}".strip()
    return f"Previous policy turn by {by}: " + ", ".join(p for p in (direction, f"{last.date:%b %Y}") if p) + (
        f" — {about}" if about else "")
