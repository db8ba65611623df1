"""Runtime settings from the environment (and `.env`), prefix ``REGWATCH_``.

Settings are read once per run. An unknown ``REGWATCH_*`` variable is an error,
not silently ignored: a typo such as ``REGWATCH_SLACK_TOKEN`` would otherwise
leave alerts going to the console without anyone noticing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tasks.common.endpoints import Endpoint, parse_endpoint
from tasks.common.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG_DIR = REPO_ROOT / "config"
PREFIX = "REGWATCH_"


class Settings(BaseSettings):
    """Every knob that is not in the YAML config: paths, secrets, safety switches."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_file=".env", extra="forbid", case_sensitive=False
    )

    db: Path = Field(Path("data/regwatch.duckdb"), description="DuckDB file the pipeline writes")
    config_dir: Path = Field(DEFAULT_CONFIG_DIR, description="directory with feeds.yaml etc.")
    slack_bot_token: SecretStr | None = None
    slack_channel: str | None = None
    slack_webhook_url: SecretStr | None = None
    slack_api_url: str | None = None
    slack_token_block: str | None = Field(None, description="Prefect Secret block holding the bot token")
    slack_webhook_block: str | None = Field(None, description="Prefect Secret block holding the webhook URL")
    allow_private_networks: bool = Field(
        False, description="let fetches reach loopback/private addresses (tests, demo)"
    )
    allow_private_addresses: str = Field(
        "", description="comma-separated ADDRESS:PORT that fetches may reach although not public (a LAN feed proxy)"
    )
    alert_max_age_hours: float = Field(72.0, gt=0)
    task_runner: Literal["processes", "dask"] = Field(
        "processes", description="where extraction runs: worker processes on this machine, or a Dask cluster"
    )
    dask_address: str | None = Field(
        None, description="scheduler of a running Dask cluster; unset: a local cluster, one worker per core"
    )
    db_lock_timeout_seconds: float = Field(
        60.0, gt=0, description="how long a run waits for another process to release the database"
    )
    page_cpu_seconds: int = Field(
        120, ge=1, description="CPU seconds a worker may spend on one page before the page is quarantined "
        "(a page takes well under one)"
    )

    @field_validator("allow_private_addresses")
    @classmethod
    def _endpoints(cls, value: str) -> str:
        for entry in filter(None, (e.strip() for e in value.split(","))):
            parse_endpoint(entry)
        return value

    @property
    def private_exceptions(self) -> frozenset[Endpoint]:
        """The (address, port) pairs of REGWATCH_ALLOW_PRIVATE_ADDRESSES."""
        return frozenset(parse_endpoint(e) for e in self.allow_private_addresses.split(",") if e.strip())


NO_CHANNEL = ("a Slack bot token is set but no channel: set REGWATCH_SLACK_CHANNEL to the channel ID "
              "(e.g. C0123456789) the bot should post to")
BAD_WEBHOOK = ("REGWATCH_SLACK_WEBHOOK_URL must start with https:// and contain no spaces "
               "(value not shown: it is a secret)")


def is_webhook_url(url: str) -> bool:
    """An http(s) URL with no spaces or control characters: what an incoming webhook URL can be."""
    url = url.strip()
    return url.lower().startswith(("https://", "http://")) and not any(ch.isspace() or ord(ch) < 32 for ch in url)


def check_slack_settings(settings: Settings) -> None:
    """Fail now, in one line, on Slack settings that would otherwise only fail at delivery, after a whole cycle.

    Blank values count as unset, as an empty environment variable means "not configured". A token kept in
    a Prefect Secret block needs a channel too; the block itself is read at delivery, not here.
    """
    token = _filled(settings.slack_bot_token) or bool((settings.slack_token_block or "").strip())
    if token and not (settings.slack_channel or "").strip():
        raise ConfigError(NO_CHANNEL)
    if _filled(settings.slack_webhook_url) and not is_webhook_url(_secret(settings.slack_webhook_url)):
        raise ConfigError(BAD_WEBHOOK)


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value else ""


def _filled(value: SecretStr | None) -> bool:
    return bool(_secret(value).strip())


def _unknown_env_keys() -> list[str]:
    known = {PREFIX + name.upper() for name in Settings.model_fields}
    return sorted(k for k in os.environ if k.upper().startswith(PREFIX) and k.upper() not in known)


def load_settings(**overrides: object) -> Settings:
    """Build settings, failing with one readable line on anything unknown or invalid."""
    unknown = _unknown_env_keys()
    if unknown:
        known = ", ".join(PREFIX + n.upper() for n in Settings.model_fields)
        raise ConfigError(f"environment: unknown setting {unknown[0]} (expected one of {known})")
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        key = PREFIX + ".".join(str(p) for p in err["loc"]).upper()
        source = ".env or environment"
        raise ConfigError(f"{source}: {key}: {err['msg']}") from None
