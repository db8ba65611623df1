"""An event: one regulatory action a story reports, with the sentence that shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

RECAP_DAYS = 7  # an action dated a week or more before the story is background: its own reports were the news


@dataclass
class Event:
    """One regulatory action a story reports, with the sentence that shows it."""

    kind: str
    evidence: str
    companies: list[str] = field(default_factory=list)  # canonical names, or names as written if untracked
    company_ids: list[str] = field(default_factory=list)
    regulator: str | None = None
    regulator_text: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    amount_text: str | None = None
    amount_cny: float | None = None
    amount_usd: float | None = None
    direction: str | None = None
    sector: str | None = None
    reason: str | None = None
    per_case: bool = False  # "500,000 yuan per case": superseded by a company's stated total
