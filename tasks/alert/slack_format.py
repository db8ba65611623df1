"""Render a regulatory event as a Slack message: notification text plus Block Kit.

Everything shown comes from scraped articles, so every piece of it is treated
as hostile: `escape` turns it into inert mrkdwn (no ``<!channel>`` pings, no
``<https://evil|Alibaba>`` link spoofing, no bidi tricks that reverse what a
reader sees), links are only ever made to http(s) URLs, and every text is cut
to Slack's limits so that a 10 000-character headline cannot get the whole
alert rejected with ``invalid_blocks`` or ``msg_too_long``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from tasks.alert.wording import approx_usd, stated_amount
from tasks.classify.kinds import direction_label, kind_label
from tasks.classify.regulators import RegulatorName, display_regulator

# Slack's documented limits (chat.postMessage and Block Kit).
TEXT_LIMIT = 3000  # top-level text: Slack accepts more, but notifications cut it and 3000 keeps it readable
HEADER_LIMIT = 150
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
MAX_FIELDS = 10
MAX_BLOCKS = 50

# Our own budgets, chosen so that every assembled text fits its Slack limit
# without a last-resort cut (which could only drop the end, i.e. the links).
NAMES_LIMIT = 300  # companies in the text and header
SHORT_LIMIT = 100  # regulator, amount as reported, direction
LABEL_LIMIT = 150  # a link's label (an article title)
URL_LIMIT = 2000  # longer http(s) URLs are not linked (see link_target)
CONTEXT_LIMIT = 300
MAX_OTHER_SOURCES = 10  # outlets listed by name before "and N more"

# Bidi marks, embeddings, overrides and isolates (plus the Arabic letter mark):
# they make a reader see text in another order than it is.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# An entity or link left open by a cut: "&am", "<https://exa".
_OPEN_TAIL = re.compile(r"(<[^>]*|&[a-z]{0,4})$")
# Characters kept as they are in a link target; the rest (| < > " space, non-ASCII...) is percent-encoded.
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]~_"


@dataclass(frozen=True)
class Source:
    """One outlet that reported the event."""

    title: str
    url: str
    site: str | None = None
    headline_only: bool = False  # known from its feed's headline and summary only: its link names no article


HEADLINE_ONLY_NOTE = "(from the headline only)"


@dataclass(frozen=True)
class AlertFacts:
    """What an alert says about one real-world regulatory event."""

    kind: str  # fine | policy_shift | investigation | ipo_block | merger_block | app_removal | rectification
    companies: list[str]  # canonical names
    regulator: str | None  # code such as SAMR, CAC, PBOC (never shown: see `display_regulator`)
    regulator_text: str | None  # as written, e.g. "State Administration for Market Regulation"
    amount_text: str | None  # as reported, e.g. "18.228 billion yuan"
    amount: float | None
    currency: str | None  # ISO 4217
    amount_usd: float | None
    direction: str | None  # policy shifts: tighten | ease | neutral
    evidence: str  # the sentence that shows the event
    primary: Source  # the first/best report
    others: list[Source]  # the other stories that reported it, one each
    published: datetime | None
    about: str | None = None  # a policy shift: what it is about, in English (a story's headline)
    sector: str | None = None  # the sector the event concerns ("online games")
    context: list[str] = field(default_factory=list)  # where it stands among past actions (`alert.context`)


@dataclass(frozen=True)
class SlackMessage:
    """A message ready for chat.postMessage or an incoming webhook."""

    text: str  # plain notification text (also the fallback where blocks cannot be shown)
    blocks: list[dict[str, Any]]  # Block Kit


def escape(text: str) -> str:
    """Make article text inert and single-line for Slack mrkdwn.

    Slack gives meaning to ``<...>`` (links, ``<!channel>``, ``<@U123>``) and to
    ``&``-entities only, so escaping ``& < >`` neutralises every mention and
    link a hostile headline could carry. Bidi controls are removed so a name
    cannot be displayed reversed; control characters are removed and runs of
    whitespace (newlines included) become one space so that article text can
    never start a quote or list of its own.
    """
    text = _BIDI.sub("", text)
    text = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch) != "Cc")
    text = " ".join(text.split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """Cut already-escaped mrkdwn to `limit` characters, ending with "…".

    The cut never leaves half an entity ("&am") or half a link ("<https://ex"),
    which Slack would show garbled or reject.
    """
    if len(text) <= limit:
        return text
    cut = _OPEN_TAIL.sub("", text[: limit - 1])
    return cut.rstrip() + "…"


def link_target(url: str) -> str | None:
    """The URL as a safe Slack link target, or None when it must not be linked.

    Only http(s) with a host is linked (no javascript:, file:, slack:// ...).
    Characters that would end or split Slack's ``<url|label>`` syntax (``|``,
    ``>``, ``<``), spaces and non-ASCII are percent-encoded. A target longer
    than URL_LIMIT is refused too: it would crowd everything else out.
    """
    target = _http_target(url)
    return target if target is not None and len(target) <= URL_LIMIT else None


def link(url: str, label: str) -> str:
    """An mrkdwn link with an escaped label; anything but a sane http(s) URL becomes plain text."""
    target = link_target(url)
    shown = truncate(escape(label), LABEL_LIMIT)
    if target is not None:
        return f"<{target}|{shown or escape(urlsplit(target).netloc)}>"
    if _http_target(url) is not None:  # http(s) but too long: a cut URL would be a broken link
        return f"{shown or 'link'} (URL too long to show)"
    plain = truncate(escape(url), LABEL_LIMIT)
    return f"{shown} ({plain})" if shown and plain else shown or plain


def _http_target(url: str) -> str | None:
    url = _BIDI.sub("", url).strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=_URL_SAFE)


def render_alert(facts: AlertFacts) -> SlackMessage:
    """The first message about an event: what happened, to whom, how much, by whom, where it stands among
    past actions, the evidence and the stories that reported it."""
    subject = _subject(facts)
    text = subject + (f" {HEADLINE_ONLY_NOTE}" if facts.primary.headline_only else "")
    target = link_target(facts.primary.url)
    if target is not None:
        text += f" — <{target}>"
    elif _http_target(facts.primary.url) is None and facts.primary.url.strip():
        text += f" — {truncate(escape(facts.primary.url), LABEL_LIMIT)}"
    header = subject if facts.kind == "policy_shift" else f"{kind_label(facts.kind)}: {_who(facts)}"
    blocks: list[dict[str, Any]] = [
        _header(header),
        {"type": "section", "fields": _fields(facts)},  # at most 6 of the 10 allowed
    ]
    context = [truncate(escape(line), CONTEXT_LIMIT) for line in facts.context]
    if context:
        blocks.append(_section("*Context*\n" + "\n".join(f"• {line}" for line in context if line)))
    evidence = escape(facts.evidence)
    if evidence:
        blocks.append(_section(f"> {evidence}"))
    blocks.append(_section(_sources_text(facts.primary, facts.others)))
    return SlackMessage(text=truncate(text, TEXT_LIMIT), blocks=blocks)  # 5 blocks of the 50 allowed


def render_update(facts: AlertFacts, new_sources: list[Source]) -> SlackMessage:
    """A thread reply: more outlets reported an event that was already alerted.

    The reply repeats which event it is about, because a webhook cannot thread
    and posts it as a message of its own.
    """
    sources = _unique(new_sources)
    if not sources:
        raise ValueError("render_update needs at least one new source")
    names = [truncate(escape(s.site or s.title), SHORT_LIMIT) for s in sources]
    shown = ", ".join(names[:MAX_OTHER_SOURCES])
    more = len(names) - MAX_OTHER_SOURCES
    if more > 0:
        shown += f" and {more} more"
    links = _links_within(sources, SECTION_LIMIT - len("*Also reported by:* "))
    event = _subject(facts, amount=False)
    text = f"Also reported by {truncate(shown, TEXT_LIMIT // 2)} — {event}"
    blocks: list[dict[str, Any]] = [
        _section(f"*Also reported by:* {links}"),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(event, CONTEXT_LIMIT)}]},
    ]
    return SlackMessage(text=truncate(text, TEXT_LIMIT), blocks=blocks)


def _who(facts: AlertFacts) -> str:
    names = ", ".join(n for n in (escape(c) for c in facts.companies) if n)
    if names:
        return truncate(names, NAMES_LIMIT)
    return "tech sector" if facts.kind == "policy_shift" else "unnamed company"


def _regulator(facts: AlertFacts) -> RegulatorName | None:
    return display_regulator(facts.regulator, facts.regulator_text)


def _subject(facts: AlertFacts, amount: bool = True) -> str:
    """What happened, in one line: "Fine: Ant Group fined 7.123 billion yuan (≈ $993 million) by the ...",
    "Policy shift, easing — Politburo pledges support for the platform economy"."""
    if facts.kind == "policy_shift":
        return _policy_subject(facts)
    regulator = _regulator(facts)
    by = f" {truncate(escape(regulator.by()), SHORT_LIMIT)}" if regulator else ""
    subject = f"{kind_label(facts.kind)}: {_who(facts)}"
    if facts.kind == "fine":
        stated = _amount_as_reported(facts) if amount else ""
        usd = _usd(facts) if amount else ""
        subject += " fined" + (f" {stated}" if stated else "") + (f" (≈ {usd})" if usd else "")
    return subject + by


def _policy_subject(facts: AlertFacts) -> str:
    """A policy shift by its direction and what it is about: the story's English headline (with the body
    that issued it when the headline does not say), else the body and the sector."""
    direction = direction_label(facts.direction)
    label = kind_label(facts.kind) + (f", {direction}" if direction and facts.direction != "neutral" else "")
    regulator = _regulator(facts)
    about = escape(facts.about or "")
    if about:
        if regulator and regulator.short.lower() not in about.lower() and regulator.name.lower() not in about.lower():
            about += f" ({escape(regulator.short)})"
    else:
        body = escape(f"{regulator.article} {regulator.name}".strip()) if regulator else ""
        sector = escape(facts.sector or "") or "the tech sector"
        named = ", ".join(escape(c) for c in facts.companies if escape(c))
        about = " on ".join(p for p in (body, named or sector) if p)
    return f"{label} — {truncate(about, LABEL_LIMIT)}"


def _amount_as_reported(facts: AlertFacts) -> str:
    return truncate(escape(stated_amount(facts.amount_text, facts.amount, facts.currency)), SHORT_LIMIT)


def _usd(facts: AlertFacts) -> str:
    if facts.amount_usd is None or facts.currency == "USD":
        return ""
    return approx_usd(facts.amount_usd)


def _fields(facts: AlertFacts) -> list[dict[str, str]]:
    companies = ", ".join(n for n in (escape(c) for c in facts.companies) if n)
    fields = [_field("Companies", companies or "—")] if companies or facts.kind != "policy_shift" else []
    regulator = _regulator(facts)
    if regulator is not None:
        fields.append(_field("Regulator", escape(regulator.full)))
    amount = _amount_as_reported(facts)
    usd = _usd(facts)
    if amount or usd:
        fields.append(_field("Amount", "\n".join(p for p in (amount, f"≈ {usd}" if usd else "") if p)))
    if facts.kind == "policy_shift":
        fields.append(_field("Direction", escape(direction_label(facts.direction) or "") or "—"))
    if facts.sector and escape(facts.sector):
        fields.append(_field("Sector", escape(facts.sector)))
    if facts.published is not None:
        published = facts.published if facts.published.tzinfo else facts.published.replace(tzinfo=UTC)
        fields.append(_field("Published", f"{published.astimezone(UTC):%Y-%m-%d %H:%M} UTC"))
    return fields


def _field(name: str, value: str) -> dict[str, str]:
    heading = f"*{name}*\n"
    return {"type": "mrkdwn", "text": heading + truncate(value, FIELD_LIMIT - len(heading))}


def _header(text: str) -> dict[str, Any]:
    # Escaped like the rest: Slack decodes &amp; &lt; &gt; in plain_text too.
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(text, HEADER_LIMIT), "emoji": True}}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_LIMIT)}}


def _sources_text(primary: Source, others: list[Source]) -> str:
    site = truncate(escape(primary.site or ""), SHORT_LIMIT)
    first = f"*Source:* {link(primary.url, primary.title or primary.site or '')}" + (f" · {site}" if site else "")
    if primary.headline_only:
        first += f" {HEADLINE_ONLY_NOTE}"
    rest = [s for s in _unique(others) if s.url.strip() != primary.url.strip()]
    if not rest:
        return first
    prefix = f"{first}\n*Also reported by:* "
    return prefix + _links_within(rest, SECTION_LIMIT - len(prefix))


def _links_within(sources: list[Source], budget: int) -> str:
    """Links to `sources` joined by commas, cut to MAX_OTHER_SOURCES and to `budget` characters with "and N more"."""
    shown: list[str] = []
    used = 0
    reserve = len(f" and {len(sources)} more")
    for source in sources[:MAX_OTHER_SOURCES]:
        item = link(source.url, source.site or source.title)
        if used + len(item) + 2 + reserve > budget:
            break
        shown.append(item)
        used += len(item) + 2
    more = len(sources) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def _unique(sources: list[Source]) -> list[Source]:
    """Sources in order, each URL once: the same story syndicated twice is one outlet to the reader."""
    seen: set[str] = set()
    unique = []
    for source in sources:
        key = source.url.strip()
        if key not in seen:
            seen.add(key)
            unique.append(source)
    return unique
