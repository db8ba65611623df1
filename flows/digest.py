"""The digest flow: a summary of a period's events to Slack and as a Prefect artifact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from tasks.alert.digest import build_digest, render_chart, share_chart, to_markdown, to_slack
from tasks.alert.senders import sender_factory
from tasks.common.settings import load_settings
from tasks.store.database import Database


@task(name="post-digest", cache_policy=NONE, retries=2, retry_delay_seconds=[10, 60])
def post(settings: Any, message: Any, chart: Any) -> str:
    """The digest message, then its chart as a reply in the message's thread."""
    senders = sender_factory(settings)
    sender = senders(None)
    result = sender.send(message)
    if not result.ok and not result.permanent:
        raise RuntimeError(result.error or "Slack unavailable")  # let Prefect retry with backoff
    outcome = share_chart(sender, result, chart)
    return outcome if senders.reach_slack else "not configured (printed to the console)"


@flow(name="regwatch-digest", log_prints=False)
def digest(since_hours: float = 24, db: str | None = None, config_dir: str | None = None) -> dict[str, Any]:
    """Summarise the last `since_hours` of events; post it to Slack and save the chart beside the database."""
    settings = load_settings(db=db, config_dir=config_dir)
    until = datetime.now(UTC)
    since = until - timedelta(hours=since_hours)
    summary = build_digest(Database.for_settings(settings), since, until)
    chart = render_chart(summary, settings.db.parent / f"digest-{until:%Y%m%d-%H%M}.png")
    markdown = to_markdown(summary)
    create_markdown_artifact(markdown, key="regwatch-digest", description=f"Events since {since:%Y-%m-%d %H:%M} UTC")
    outcome = post(settings, to_slack(summary), chart)
    get_run_logger().info("digest of %d events: %s; chart at %s", sum(summary.by_kind.values()), outcome, chart)
    return {"events": sum(summary.by_kind.values()), "chart": str(chart), "slack": outcome, "markdown": markdown}
