"""Pick the Slack sender from settings: bot token, webhook, Prefect Secret blocks, or the console."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from tasks.common.settings import Settings

if TYPE_CHECKING:
    from tasks.alert.slack_send import Sender


def sender_factory(settings: Settings, stream: TextIO | None = None) -> Callable[[str | None], Sender]:
    """A sender per channel (routes may pick channels); secrets are read once, never logged.

    tasks.alert.slack_send (and slack_sdk, 0.1 s to import) is loaded when a block
    must be read or a message sent, not by every quiet cycle."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    webhook = settings.slack_webhook_url.get_secret_value() if settings.slack_webhook_url else None
    if token is None:
        token = _from_block(settings.slack_token_block)
    if webhook is None:
        webhook = _from_block(settings.slack_webhook_block)
    senders: dict[str | None, Sender] = {}

    def sender_for(channel: str | None) -> Sender:
        key = channel or settings.slack_channel
        if key not in senders:
            from tasks.alert.slack_send import make_sender

            senders[key] = make_sender(token, key, webhook, settings.slack_api_url, stream=stream)
        return senders[key]

    return sender_for


def _from_block(name: str | None) -> str | None:
    """The secret in Prefect Secret block `name`, or None when no block is named."""
    if not name:
        return None
    from tasks.alert.slack_send import secret_from_prefect_block

    return secret_from_prefect_block(name)
