"""The periodic digest: what happened in a period, as Markdown, Slack blocks and a PNG chart.

Counts come from `recent_events`, so each real-world action counts once
however many outlets reported it. Next to the failing feeds it names the weak
ones: feeds that poll fine but whose recent stories are mostly not full text
(headlines or summaries only, as `regwatch feeds` flags them). The chart (events per day, stacked by kind)
is posted as a reply in the digest message's thread, so the channel shows one
message per digest.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tasks.alert.slack_format import SlackMessage, escape, truncate
from tasks.classify.kinds import direction_label, kind_label
from tasks.classify.regulators import display_regulator
from tasks.common.errors import ConfigError
from tasks.store.database import FEED_TEXT_SHARE, Database

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from tasks.alert.slack_send import Sender, SendResult

_SPAN = re.compile(r"^(\d+)\s*([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
CHART_TITLE = "Events per day by kind"


def parse_span(text: str) -> timedelta:
    """'7d', '24h', '2w' -> timedelta; anything else is a one-line error."""
    match = _SPAN.match(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise ConfigError(f"--since: expected a span like 24h, 7d or 2w, got {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@dataclass
class Digest:
    since: datetime
    until: datetime
    by_kind: Counter[str] = field(default_factory=Counter)
    by_company: Counter[str] = field(default_factory=Counter)
    largest_fines: list[tuple[str, str, float, str]] = field(default_factory=list)  # companies, as reported, usd, url
    policy_shifts: list[tuple[str, str, str, str]] = field(default_factory=list)  # regulator, direction, title, url
    failing_feeds: list[tuple[str, int, str]] = field(default_factory=list)
    weak_feeds: list[tuple[str, str, int, int]] = field(default_factory=list)  # feed, text, in full, recent stories
    per_day: Counter[tuple[date, str]] = field(default_factory=Counter)  # (UTC day, kind) -> events

    def days(self) -> list[date]:
        """Every UTC day the period touches, first to last, days without events included."""
        first, last = utc_day(self.since), utc_day(self.until - timedelta(microseconds=1))
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def utc_day(moment: datetime) -> date:
    """The UTC date of a stored time (DuckDB hands TIMESTAMPTZ back in the session's zone; naive means UTC)."""
    return (moment.astimezone(UTC) if moment.tzinfo else moment).date()


def build_digest(db: Database, since: datetime, until: datetime) -> Digest:
    digest = Digest(since, until)
    with db.read() as con:
        rows = con.execute(
            """SELECT kind, companies, regulator, direction, amount_text, amount_usd, title, url, published_at
               FROM recent_events WHERE published_at >= ? AND published_at < ? ORDER BY published_at""",
            [since, until],
        ).fetchall()
        digest.failing_feeds = [
            (str(name), int(failures), str(error or ""))
            for name, failures, error in con.execute(
                "SELECT feed, consecutive_failures, last_error FROM feed_health WHERE consecutive_failures > 0"
            ).fetchall()
        ]
        digest.weak_feeds = [
            (str(name), str(text), int(full), int(total))
            for name, text, full, total in con.execute(  # not the view: a file an older regwatch left lacks it
                f"""SELECT COALESCE(f.name, f.url) AS feed, s.text, s.full_text,
                           s.full_text + s.from_summary + s.headline_only AS total
                    FROM feeds f JOIN {FEED_TEXT_SHARE} s USING (feed_id)
                    WHERE s.text LIKE 'mostly %' ORDER BY s.full_text / total, feed"""
            ).fetchall()
        ]
    for kind, companies, regulator, direction, amount_text, amount_usd, title, url, published in rows:
        names = list(companies or [])
        digest.by_kind[kind] += 1
        digest.by_company.update(names)
        digest.per_day[utc_day(published), kind] += 1
        if kind == "fine" and amount_usd:
            digest.largest_fines.append((", ".join(names) or "-", amount_text or "", float(amount_usd), url))
        if kind == "policy_shift":
            body = display_regulator(regulator)
            digest.policy_shifts.append((body.short if body else "-", direction_label(direction) or "neutral",
                                         title or url, url))
    digest.largest_fines.sort(key=lambda f: -f[2])
    return digest


def _usd(value: float) -> str:
    return f"${value / 1e9:.2f}bn" if value >= 1e8 else f"${value / 1e6:.1f}m"


def to_markdown(digest: Digest) -> str:
    """The Prefect artifact: tables an analyst can read in the UI."""
    lines = [f"# regwatch digest {digest.since:%Y-%m-%d %H:%M} – {digest.until:%Y-%m-%d %H:%M} UTC", ""]
    lines += ["| kind | events |", "|---|---|"]
    lines += [f"| {kind_label(k)} | {n} |" for k, n in digest.by_kind.most_common()] or ["| (none) | 0 |"]
    lines += ["", "| company | events |", "|---|---|"]
    lines += [f"| {c} | {n} |" for c, n in digest.by_company.most_common(15)] or ["| (none) | 0 |"]
    lines += ["", "| largest fines | as reported | USD |", "|---|---|---|"]
    lines += [f"| [{c}]({u}) | {a} | {_usd(v)} |" for c, a, v, u in digest.largest_fines[:10]] or ["| (none) | | |"]
    lines += ["", "| policy shift | body | direction |", "|---|---|---|"]
    lines += [f"| [{t[:80]}]({u}) | {r} | {d} |" for r, d, t, u in digest.policy_shifts[:10]] or ["| (none) | | |"]
    lines += ["", "| failing feed | failures | last error |", "|---|---|---|"]
    lines += [f"| {f} | {n} | {e[:80]} |" for f, n, e in digest.failing_feeds] or ["| (none) | | |"]
    lines += ["", "| feed mostly without full text | stories | in full |", "|---|---|---|"]
    lines += [f"| {f} | {t} | {n} of {total} |" for f, t, n, total in digest.weak_feeds] or ["| (none) | | |"]
    return "\n".join(lines) + "\n"


def to_slack(digest: Digest) -> SlackMessage:
    total = sum(digest.by_kind.values())
    kinds = ", ".join(f"{n} {kind_label(k).lower()}" for k, n in digest.by_kind.most_common()) or "no events"
    text = f"Digest: {total} regulatory events since {digest.since:%Y-%m-%d %H:%M} UTC ({kinds})"
    sections = [f"*{escape(text)}*"]
    if digest.by_company:
        top = ", ".join(f"{escape(c)} ({n})" for c, n in digest.by_company.most_common(10))
        sections.append(f"*Companies:* {top}")
    if digest.largest_fines:
        fines = "\n".join(f"• {escape(c)}: {escape(a)} ({_usd(v)})" for c, a, v, _ in digest.largest_fines[:5])
        sections.append(f"*Largest fines:*\n{fines}")
    if digest.policy_shifts:
        shifts = "\n".join(f"• {escape(r)} ({escape(d)}): {escape(t[:120])}" for r, d, t, _ in digest.policy_shifts[:5])
        sections.append(f"*Policy shifts:*\n{shifts}")
    if digest.failing_feeds:
        feeds = ", ".join(f"{escape(f)} ({n})" for f, n, _ in digest.failing_feeds[:10])
        sections.append(f"*Failing feeds:* {feeds}")
    if digest.weak_feeds:
        weak = ", ".join(f"{escape(f)} ({escape(t)}: {n} of {total} stories in full)"
                         for f, t, n, total in digest.weak_feeds[:10])
        sections.append(f"*Feeds mostly without full text:* {weak}")
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": truncate(s, 3000)}} for s in sections
    ]
    return SlackMessage(text=truncate(text, 3000), blocks=blocks)


def chart_figure(digest: Digest) -> Figure:
    """Events per day over the period, each day's bar stacked by kind."""
    from tasks.alert.charts import daily_kinds_figure  # matplotlib: only when a chart is drawn

    days = digest.days()
    counts = {kind: [digest.per_day[day, kind] for day in days] for kind in digest.by_kind}
    title = f"Events per day by kind, {digest.since:%Y-%m-%d %H:%M} – {digest.until:%Y-%m-%d %H:%M} UTC"
    return daily_kinds_figure(days, counts, title)


def render_chart(digest: Digest, path: Path) -> Path:
    """The chart as a PNG at `path` (Slack shows PNGs inline)."""
    from tasks.alert.charts import png

    return png(chart_figure(digest), path)


def share_chart(sender: Sender, posted: SendResult, chart: Path) -> str:
    """Post the chart as a reply in the thread of the digest message `posted` (in the channel when the message
    has no thread to reply in), and say how both went, in a few words for the log and the CLI."""
    attached = sender.attach(chart, CHART_TITLE, thread_ts=posted.ts if posted.ok else None)
    outcome = "sent" if posted.ok else f"failed: {posted.error}"
    if not attached.ok:
        return f"{outcome}; chart not posted: {attached.error}"
    return f"{outcome} (chart in its thread)" if posted.ok and posted.ts else outcome
