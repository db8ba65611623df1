"""Normalise amounts to CNY and USD with the dated rates in `config/rates.yaml`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from tasks.common.yamlconf import load_model


class Rates(BaseModel):
    """Units of each currency per US dollar on `as_of`."""

    model_config = ConfigDict(extra="forbid")

    as_of: date
    per_usd: dict[str, Decimal]

    @field_validator("per_usd")
    @classmethod
    def _needs_usd_and_cny(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        missing = {"USD", "CNY"} - set(value)
        if missing:
            raise ValueError(f"missing rates for {sorted(missing)}")
        if any(rate <= 0 for rate in value.values()):
            raise ValueError("rates must be positive")
        return value

    def to_usd(self, amount: Decimal, currency: str) -> float | None:
        rate = self.per_usd.get(currency)
        return None if rate is None else float(amount / rate)

    def to_cny(self, amount: Decimal, currency: str) -> float | None:
        rate = self.per_usd.get(currency)
        return None if rate is None else float(amount / rate * self.per_usd["CNY"])


def load_rates(config_dir: Path) -> Rates:
    return load_model(config_dir / "rates.yaml", Rates)
