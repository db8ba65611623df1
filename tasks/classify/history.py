"""Known enforcement actions (`config/enforcement_history.yaml`): public facts about the major Chinese
tech fines, blocks and policy turns since 2020.

Classification uses them to recognise recaps: a story that mentions Alibaba's 18.228 billion yuan fine
three years later is recalling it, whatever tense it writes in. Only distinctive actions count for that:
a fine large enough to be told apart by its amount, an IPO or merger block, an app removal.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from tasks.classify.currency import Rates
from tasks.classify.events.model import RECAP_DAYS, Event
from tasks.classify.kinds import known_kind
from tasks.classify.same_action import amounts_agree
from tasks.common.yamlconf import load_model

HISTORY_FILE = "enforcement_history.yaml"
DISTINCTIVE_FINE_USD = 10_000_000  # smaller fines (500,000 yuan per unreported deal) repeat, so they prove nothing
RECAP_AFTER = timedelta(days=RECAP_DAYS)  # the gap `timing` uses for dated sentences


class KnownAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: date
    kind: Annotated[str, AfterValidator(known_kind)]
    companies: list[str] = []
    regulator: str | None = None
    amount: Decimal | None = Field(None, gt=0)
    currency: str | None = None
    direction: Literal["tighten", "ease", "neutral"] | None = None
    about: str
    source: str = Field(pattern=r"^https?://")


class History(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actions: list[KnownAction] = []


def load_history(config_dir: Path) -> History:
    """The known actions, or none when the file is absent (it is optional)."""
    path = config_dir / HISTORY_FILE
    return load_model(path, History) if path.exists() else History()


def known_before(event: Event, history: History, rates: Rates, published: date) -> KnownAction | None:
    """The known action this event recalls, if it happened a week or more before the story."""
    for action in history.actions:
        if action.kind != event.kind or published - action.date < RECAP_AFTER:
            continue
        if not set(action.companies) & set(event.companies):
            continue
        if action.kind == "fine":
            if event.amount is None or action.amount is None or action.currency is None:
                continue
            known_usd = rates.to_usd(action.amount, action.currency)
            if not known_usd or known_usd < DISTINCTIVE_FINE_USD:
                continue
            if amounts_agree(known_usd, rates.to_usd(event.amount, event.currency or "")):
                return action
        elif action.kind in ("ipo_block", "merger_block", "app_removal"):
            return action
    return None
