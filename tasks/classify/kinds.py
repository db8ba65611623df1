"""The kinds of regulatory event regwatch reports: the one list that classification, alert rules,
Slack messages, the digest and the docs all read. Add a kind here first."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventKind:
    code: str  # stored in events.kind and written in alerts.yaml
    label: str  # what a person reads in Slack and the digest
    meaning: str
    noun: str  # one of them in a sentence: "Tencent's third fine this year"


EVENT_KINDS: tuple[EventKind, ...] = (
    EventKind("fine", "Fine", "a monetary penalty on a company, with its amount, currency and regulator", "fine"),
    EventKind("policy_shift", "Policy shift", "a new rule, plan or stance on the sector, with its direction",
              "policy shift"),
    EventKind("investigation", "Investigation", "a probe, case filing or security review opened", "investigation"),
    EventKind("ipo_block", "IPO blocked", "a listing suspended, halted or refused", "blocked listing"),
    EventKind("merger_block", "Merger blocked", "a merger or acquisition prohibited", "blocked merger"),
    EventKind("app_removal", "App removal", "apps ordered off stores or barred from new users", "app removal"),
    EventKind("rectification", "Rectification order", "a summons or an order to correct conduct",
              "rectification order"),
)
KINDS: tuple[str, ...] = tuple(k.code for k in EVENT_KINDS)
_LABELS = {k.code: k.label for k in EVENT_KINDS}
_NOUNS = {k.code: k.noun for k in EVENT_KINDS}

# Policy shifts' directions (events.direction) as a person reads them.
DIRECTIONS: dict[str, str] = {"tighten": "tightening", "ease": "easing", "neutral": "no clear direction"}


def kind_label(kind: str) -> str:
    """Human label of an event kind; an unknown kind is shown rather than dropping the alert."""
    return _LABELS.get(kind, kind.replace("_", " ").strip().capitalize() or "Event")


def kind_noun(kind: str) -> str:
    """An event of this kind in a sentence ("fine", "blocked listing"); an unknown kind in plain words."""
    return _NOUNS.get(kind, kind.replace("_", " ").strip() or "event")


def direction_label(direction: str | None) -> str | None:
    """A policy shift's direction in words ("tighten" -> "tightening"); None when the event has none."""
    return DIRECTIONS.get(direction or "")


def known_kind(value: str) -> str:
    """`value` if it is a kind, else a ValueError that lists the kinds (for config validation)."""
    if value not in _LABELS:
        raise ValueError(f"unknown event kind {value!r} (expected one of {', '.join(KINDS)})")
    return value
