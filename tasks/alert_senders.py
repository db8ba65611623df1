"""Pick the Slack sender from settings: bot token, webhook, Prefect Secret blocks, or the console."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from tasks.settings import Settings
from tasks.slack_send import Sender, make_sender, secret_from_prefect_block


def sender_factory(settings: Settings, stream: TextIO | None = None) -> Callable[[str | None], Sender]:
    """A sender per channel (routes may pick channels); secrets are read once, never logged."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    webhook = settings.slack_webhook_url.get_secret_value() if settings.slack_webhook_url else None
    if token is None and settings.slack_token_block:
        token = secret_from_prefect_block(settings.slack_token_block)
    if webhook is None and settings.slack_webhook_block:
        webhook = secret_from_prefect_block(settings.slack_webhook_block)
    senders: dict[str | None, Sender] = {}

    def sender_for(channel: str | None) -> Sender:
        key = channel or settings.slack_channel
        if key not in senders:
            senders[key] = make_sender(token, key, webhook, settings.slack_api_url, stream=stream)
        return senders[key]

    return sender_for
