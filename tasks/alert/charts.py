"""The charts of the digest and the report, drawn with matplotlib.

Figures are built with `matplotlib.figure.Figure`, not pyplot: no global
state to leak between a flow's tasks, no window backend on a server. The
report embeds them as inline SVG (sharp at any zoom, its text searchable and
selectable, a few kB a chart); the digest's goes to Slack as a PNG.

Every label may come from stored text, so matplotlib's mathtext is off (a
company written "$5bn ... $" would otherwise be parsed as a formula, or fail),
labels are cut to a readable length, and SVG text is written as XML-escaped
`<text>` elements.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.typing import RcKeyType

from tasks.classify.kinds import KINDS, direction_label, kind_label

WIDTH = 9.0  # inches; at 100 dpi, 900 px: the report's column width
LOG_RATIO = 30  # a USD axis is logarithmic when its largest amount is this many times its smallest
MAX_GROUPS = 8  # series named in a legend; the rest are drawn as "other"
LABEL_LIMIT = 40
# One colour per event kind, in the order of tasks/classify/kinds.py, so a kind looks the same in every chart.
KIND_COLORS = dict(zip(KINDS, ("#d62728", "#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#2ca02c"),
                       strict=True))
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")
DIRECTION_STYLE = {  # marker and colour of a policy shift by direction
    "tighten": ("^", "#d62728"), "ease": ("v", "#2ca02c"), "neutral": ("o", "#7f7f7f"),
}
_RC: dict[RcKeyType, Any] = {
    "text.parse_math": False,
    "svg.fonttype": "none",  # text stays text in the SVG
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@dataclass(frozen=True)
class FinePoint:
    """One fine on a chart: when, the series it belongs to (a regulator, a company), its USD amount."""

    when: datetime
    group: str
    usd: float
    reference: bool = False  # a known past action (drawn hollow), not one regwatch observed


@dataclass(frozen=True)
class PolicyPoint:
    """One policy shift on a timeline: when, who issued it, which way it goes."""

    when: datetime
    body: str
    direction: str
    reference: bool = False


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(_RC):
        yield


def _label(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"


def _top_groups(names: Sequence[str]) -> list[str]:
    """The MAX_GROUPS most frequent names, most frequent first; the others share one series."""
    return [name for name, _ in Counter(names).most_common(MAX_GROUPS)]


def _usd_axis(axes: Axes, amounts: Sequence[float]) -> bool:
    """A USD y axis: logarithmic when amounts span more than LOG_RATIO (a $70k fine and a $2.5bn one both
    visible), linear from 0 otherwise. Returns whether it is logarithmic."""
    positive = [a for a in amounts if a > 0]
    log = bool(positive) and max(positive) / min(positive) >= LOG_RATIO
    if log:
        axes.set_yscale("log")
        axes.set_ylim(10 ** math.floor(math.log10(min(positive))), 10 ** math.ceil(math.log10(max(positive))))
    else:
        axes.set_ylim(0, max(positive, default=1) * 1.15)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _usd_tick(value)))
    return log


def _usd_tick(value: float) -> str:
    """$10bn, $2.5bn, $100m, $70k: an axis label, no trailing zeros."""
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if value >= size:
            return f"${value / size:g}{suffix}"
    return f"${value:g}"


def _dates(axes: Axes, start: datetime | date, end: datetime | date) -> None:
    locator = AutoDateLocator(maxticks=10)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.set_xlim(date2num(start), date2num(end))


def _empty(axes: Axes, message: str) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes, color="#555555")
    axes.set_yticks([])


def _legend_or_note(axes: Axes, drawn: bool, message: str) -> None:
    """The legend beside the plot, or, with nothing drawn, a note saying so in its middle."""
    if drawn:
        axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    else:
        _empty(axes, message)


def fines_figure(points: Sequence[FinePoint], title: str, start: datetime, end: datetime) -> Figure:
    """Fines over time, one colour per group, amounts in USD (log scale when they span orders of magnitude).

    Observed fines are filled dots, known reference fines hollow ones, so both can share one axis."""
    with _style():
        figure = Figure(figsize=(WIDTH, 3.6), layout="constrained")
        axes = figure.subplots()
        top = _top_groups([p.group for p in points])
        for index, group in enumerate([*top, None]):
            members = [p for p in points if (p.group == group if group else p.group not in top)]
            color = PALETTE[index % len(PALETTE)] if group else "#999999"
            label = _label(group or "other")
            for reference in (False, True):
                drawn = [p for p in members if p.reference == reference]
                if drawn:
                    axes.scatter(date2num([p.when for p in drawn]), [p.usd for p in drawn], s=36, zorder=3,
                                 label=label, clip_on=False, edgecolors=color,
                                 facecolors="none" if reference else color, linewidths=1.5)
                    label = "_"  # one legend entry per group (matplotlib skips labels starting with _)
        log = _usd_axis(axes, [p.usd for p in points])
        _dates(axes, start, end)
        axes.set_title(title + (" (USD, log scale)" if log else " (USD)"), loc="left")
        axes.grid(axis="y", alpha=0.3)
        _legend_or_note(axes, bool(points), "no fines with an amount")
    return figure


def policy_figure(points: Sequence[PolicyPoint], title: str, start: datetime, end: datetime) -> Figure:
    """Policy shifts on a timeline, a row per issuing body, the marker saying the direction (▲ tighten,
    ▼ ease, ● neutral); known reference turns are hollow."""
    bodies = sorted({_label(p.body) for p in points})
    with _style():
        figure = Figure(figsize=(WIDTH, 1.4 + 0.35 * max(len(bodies), 1)), layout="constrained")
        axes = figure.subplots()
        for direction, (marker, color) in DIRECTION_STYLE.items():
            for reference in (False, True):
                drawn = [p for p in points if _direction(p.direction) == direction and p.reference == reference]
                if drawn:
                    axes.scatter(date2num([p.when for p in drawn]), [bodies.index(_label(p.body)) for p in drawn],
                                 marker=marker, s=70, zorder=3, clip_on=False, edgecolors=color, linewidths=1.5,
                                 facecolors="none" if reference else color,
                                 label=(direction_label(direction) or direction) + (" (known)" if reference else ""))
        axes.set_yticks(range(len(bodies)), bodies)
        axes.set_ylim(-0.7, max(len(bodies), 1) - 0.3)
        _dates(axes, start, end)
        axes.set_title(title, loc="left")
        axes.grid(axis="x", alpha=0.3)
        _legend_or_note(axes, bool(points), "no policy shifts")
    return figure


def _direction(value: str) -> str:
    return value if value in DIRECTION_STYLE else "neutral"


def daily_kinds_figure(days: Sequence[date], counts: dict[str, list[int]], title: str) -> Figure:
    """Events per day, a bar per day stacked by kind: how a period's activity moved, day by day."""
    with _style():
        figure = Figure(figsize=(8, 4), dpi=100, layout="constrained")
        axes = figure.subplots()
        bottom = [0] * len(days)
        for kind in sorted(counts, key=lambda k: KINDS.index(k) if k in KINDS else len(KINDS)):
            axes.bar(date2num(days), counts[kind], bottom=bottom, width=0.8, label=kind_label(kind),
                     color=KIND_COLORS.get(kind, "#bcbd22"))
            bottom = [b + n for b, n in zip(bottom, counts[kind], strict=True)]
        locator = AutoDateLocator(maxticks=12)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel("events")
        axes.set_title(title, loc="left")
        if counts:
            axes.legend(fontsize="small", loc="upper left")
        else:
            _empty(axes, "no events in this period")
    return figure


def svg(figure: Figure, name: str) -> str:
    """The figure as an inline `<svg>` element (no XML prolog); `name` keeps its element ids apart from those
    of the other charts on the same page."""
    buffer = io.StringIO()
    salted: dict[RcKeyType, Any] = {"svg.hashsalt": name, **_RC}
    with matplotlib.rc_context(salted):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def png(figure: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path
