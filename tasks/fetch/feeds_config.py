"""`feeds.yaml`: which feeds to poll and how politely."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tasks.common.errors import ConfigError
from tasks.common.yamlconf import error_at, load_model

USER_AGENT = "regwatch/0.1 (+https://github.com/regwatch/regwatch; China tech-regulation monitor)"


class FetchLimits(BaseModel):
    """Limits on every download; defaults suit public news sites."""

    model_config = ConfigDict(extra="forbid")

    timeout_seconds: float = Field(20.0, gt=0, description="whole request, body included")
    max_feed_bytes: int = Field(10_000_000, gt=0)
    max_page_bytes: int = Field(5_000_000, gt=0)
    max_redirects: int = Field(5, ge=0)
    concurrency: int = Field(16, ge=1, description="requests in flight in all")
    per_host_concurrency: int = Field(2, ge=1, description="requests in flight per host")
    max_items_per_feed: int = Field(500, ge=1, description="newest items taken from one feed")
    # 1: only a run in which every feed failed is a failed run. One feed down is that outlet's problem (its health
    # and a Slack report after a few runs say so); every feed down is ours (DNS, network, proxy, address rules),
    # and regwatch is then monitoring nothing, which cron and Prefect must see.
    fail_run_share: float = Field(1.0, gt=0, le=1, description="the run ends failed when this share of feeds fail")
    user_agent: str = USER_AGENT
    # Adaptive polling (tasks/fetch/schedule.py says why these defaults): a feed with new items is polled every
    # cycle; one quiet for quiet_polls_before_backoff polls, or failing, less and less often, but at least every
    # max_poll_interval_seconds.
    min_poll_interval_seconds: int = Field(60, ge=1, description="a feed with news: every cycle of the schedule")
    max_poll_interval_seconds: int = Field(600, ge=1, description="the quietest feed: at least this often")
    quiet_polls_before_backoff: int = Field(240, ge=1, description="polls in a row with nothing new, then back off")

    @model_validator(mode="after")
    def _bounds_in_order(self) -> FetchLimits:
        if self.max_poll_interval_seconds < self.min_poll_interval_seconds:
            raise ValueError(f"max_poll_interval_seconds ({self.max_poll_interval_seconds}) must be at least "
                             f"min_poll_interval_seconds ({self.min_poll_interval_seconds})")
        return self


class FeedConfig(BaseModel):
    """One feed; `url` is all that is required."""

    model_config = ConfigDict(extra="forbid")

    url: str
    name: str | None = None
    language: str | None = Field(None, description="hint: en or zh")
    enabled: bool = True
    # The quietest this feed may be polled, below fetch.max_poll_interval_seconds: a regulator's own notices
    # publish a few times a week, so adaptive polling backs them off first, yet their first notice after a lull
    # is the story an analyst waits for.
    max_poll_interval_seconds: int | None = Field(None, ge=1, description="this feed: at least this often")

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"expected an http(s) URL, got {redact_url(value)!r}")
        try:
            port = parts.port
        except ValueError:  # urllib's own check, which a fetch would only make when the feed is polled
            port = 0
        if port == 0:
            raise ValueError(f"the port must be a number from 1 to 65535, got {redact_url(value)!r}")
        return value.strip()

    @property
    def feed_id(self) -> str:
        """Stable key for the feed's state: changes only when the URL does."""
        return hashlib.sha256(self.url.encode()).hexdigest()[:16]

    @property
    def label(self) -> str:
        """What logs and tables show: the name, or the URL without credentials."""
        return self.name or redact_url(self.url)


class FeedsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feeds: list[FeedConfig]
    fetch: FetchLimits = FetchLimits()


def redact_url(url: str) -> str:
    """Drop user:password from a URL so that it can be logged."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def load_feeds(config_dir: Path) -> FeedsFile:
    """feeds.yaml, validated; a feed's own polling maximum below the minimum is named by its line."""
    path = config_dir / "feeds.yaml"
    loaded = load_model(path, FeedsFile)
    low = loaded.fetch.min_poll_interval_seconds
    problems = [error_at(path, ("feeds", index, "max_poll_interval_seconds"),
                         f"{feed.max_poll_interval_seconds} is below fetch.min_poll_interval_seconds ({low}); "
                         "give at least that")
                for index, feed in enumerate(loaded.feeds)
                if feed.max_poll_interval_seconds is not None and feed.max_poll_interval_seconds < low]
    if problems:
        raise ConfigError("\n".join(str(problem) for problem in problems))
    return loaded
