"""`alerts.yaml`: which event kinds alert, for which companies, above which amount, to which channel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from tasks.classify.kinds import known_kind
from tasks.common.yamlconf import load_model

Kind = Annotated[str, AfterValidator(known_kind)]


class Route(BaseModel):
    """The first route whose conditions all hold picks the channel."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind | None = None
    company: str | None = None
    min_amount_usd: float | None = Field(None, ge=0)
    channel: str


class AlertRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kinds: list[Kind] = ["fine", "policy_shift"]
    companies: Literal["tracked", "any"] = "any"
    min_amount_usd: float = Field(0, ge=0)
    channel: str | None = None
    routes: list[Route] = []
    failing_feed_runs: int = Field(3, ge=0, description="a feed failing this many runs in a row is reported; 0: never")

    def wants(self, kind: str, tracked_companies: list[str], amount_usd: float | None) -> bool:
        """Should an event of this kind, naming these tracked companies, alert at all?"""
        if kind not in self.kinds:
            return False
        if self.companies == "tracked" and kind != "policy_shift" and not tracked_companies:
            return False
        return not (kind == "fine" and self.min_amount_usd and (amount_usd or 0) < self.min_amount_usd)

    def channel_for(self, kind: str, companies: list[str], amount_usd: float | None, default: str | None) -> str | None:
        for route in self.routes:
            if route.kind and route.kind != kind:
                continue
            if route.company and route.company not in companies:
                continue
            if route.min_amount_usd is not None and (amount_usd or 0) < route.min_amount_usd:
                continue
            return route.channel
        return default or self.channel


def load_alert_rules(config_dir: Path) -> AlertRules:
    """alerts.yaml is optional: without it, new fines and policy shifts alert."""
    path = config_dir / "alerts.yaml"
    return load_model(path, AlertRules) if path.exists() else AlertRules()
