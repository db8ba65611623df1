"""One event per real action: fold sentences that report the same one, drop follow-ups and chatter."""

from __future__ import annotations

from tasks.classify.currency import Rates
from tasks.classify.events.cues import (
    BINDING_ORDER,
    CAMPAIGN_END,
    NEW_POLICY,
    POLICY_DOCUMENT,
    REASON,
    RECTIFY_ORDER,
    SECTORS,
    TRIGGERS,
)
from tasks.classify.events.model import Event
from tasks.classify.same_action import amounts_agree, companies_overlap


def drop_policy_chatter(events: list[Event]) -> list[Event]:
    """In a story about an action on a company, a regulator's general remarks are not a policy shift;
    a named rule, policy body or campaign milestone still is."""
    if not any(e.kind != "policy_shift" for e in events):
        return events
    return [e for e in events if e.kind != "policy_shift"
            or (e.direction == "ease" and CAMPAIGN_END.search(e.evidence))
            or (POLICY_DOCUMENT.search(e.evidence) and NEW_POLICY.search(e.evidence)
                and not TRIGGERS["fine"].search(e.evidence))]


def drop_followups(events: list[Event]) -> list[Event]:
    """The probe or summons behind a fine, a blocked merger or a halted listing are part of the decision; an
    order that comes with it is news of its own, whether binding ("must end exclusive licences", 责令解除) or
    an order to rectify (责令整改, "ordered it to rectify"), as the company must now report back on it."""
    fined = [e for e in events if e.kind in ("fine", "merger_block", "ipo_block")]
    if not fined:
        return events
    fined_ids = {i for e in fined for i in e.company_ids}
    fined_names = {n for e in fined for n in e.companies}

    def part_of_fine(event: Event) -> bool:
        if event.kind == "investigation" and not event.companies:
            return True  # 对相关涉事企业进行调查 beside a fine: the probe of those it fined
        if event.kind not in ("rectification", "investigation", "app_removal") or not event.companies:
            return False  # an order to "34 platforms" is not about the fined company
        if event.company_ids and not set(event.company_ids) & fined_ids and fined_ids:
            return False
        if not event.company_ids and not set(event.companies) & fined_names:
            return False
        return not (event.kind == "rectification"
                    and (BINDING_ORDER.search(event.evidence) or RECTIFY_ORDER.search(event.evidence)))

    return [e for e in events if not part_of_fine(e)]


def _same_event(a: Event, b: Event, rates: Rates) -> bool:
    if a.kind != b.kind:
        return False
    if not (companies_overlap(a.company_ids, b.company_ids) and companies_overlap(a.companies, b.companies)):
        return False
    if a.kind == "fine" and a.amount is not None and b.amount is not None:
        return amounts_agree(rates.to_usd(a.amount, a.currency or ""), rates.to_usd(b.amount, b.currency or ""))
    return True


def _better_amount(current: Event, other: Event) -> bool:
    """Prefer yuan (how Chinese regulators state fines) and more precise figures."""
    if other.amount is None:
        return False
    if current.amount is None:
        return True
    if (other.currency == "CNY") != (current.currency == "CNY"):
        return other.currency == "CNY"
    mine, theirs = _digits(current.amount_text), _digits(other.amount_text)
    # On a tie, the longer sentence (the body's, not the headline's) is the better evidence.
    return theirs > mine or (theirs == mine and len(other.evidence) > len(current.evidence))


def _digits(text: str | None) -> int:
    """Significant figures as reported: "18.228 billion" beats the headline's "18.2 billion"."""
    return sum(ch.isdigit() for ch in (text or "").replace(",000", ""))


def sector_of(evidence: str) -> str | None:
    return next((name for name, pattern in SECTORS if pattern.search(evidence)), None)


def reason_of(evidence: str) -> str | None:
    """Why a company was fined, when the sentence says: "for abusing its dominant position", 因"二选一"行为."""
    match = REASON.search(evidence)
    if match is None:
        return None
    return (match.group("en") or match.group("zh")).strip(" ,，")


def _drop_per_case(events: list[Event]) -> list[Event]:
    """A company's stated total supersedes the per-case amount it was computed from."""
    totals = {i for e in events if e.kind == "fine" and not e.per_case and e.amount is not None for i in e.company_ids}
    return [e for e in events if not (e.kind == "fine" and e.per_case and set(e.company_ids) & totals)]


def merge_events(events: list[Event], rates: Rates) -> list[Event]:
    """One event per real action: the title and body sentences reporting it are folded together."""
    merged: list[Event] = []
    for event in events:
        twin = next((m for m in merged if _same_event(m, event, rates)), None)
        if twin is None:
            merged.append(event)
            continue
        if _better_amount(twin, event):
            twin.amount, twin.currency, twin.amount_text = event.amount, event.currency, event.amount_text
            twin.evidence, twin.regulator, twin.regulator_text = event.evidence, event.regulator, event.regulator_text
        for name, company_id in zip(event.companies, event.company_ids or [""] * len(event.companies), strict=False):
            if name not in twin.companies:
                twin.companies.append(name)
                if company_id:
                    twin.company_ids.append(company_id)
        if twin.direction == "neutral" and event.direction not in (None, "neutral"):
            twin.direction = event.direction
    merged = _drop_per_case(merged)
    for event in merged:
        event.sector = sector_of(event.evidence)
        if event.kind == "fine":
            event.reason = reason_of(event.evidence)
        if event.amount is not None and event.currency:
            event.amount_cny = rates.to_cny(event.amount, event.currency)
            event.amount_usd = rates.to_usd(event.amount, event.currency)
    return merged
