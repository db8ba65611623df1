"""Pick the Slack sender from settings: bot token, webhook, Prefect Secret blocks, or the console."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from pydantic import SecretStr

from tasks.common.settings import Settings

if TYPE_CHECKING:
    from tasks.alert.slack_send import Sender


class Senders:
    """A sender per channel (routes may pick channels); secrets are read once, never logged.

    tasks.alert.slack_send (and slack_sdk, 0.1 s to import) is loaded when a block
    must be read or a message sent, not by every quiet cycle."""

    def __init__(self, settings: Settings, stream: TextIO | None = None) -> None:
        self._settings = settings
        self._stream = stream
        self._token = _secret(settings.slack_bot_token) or _from_block(settings.slack_token_block)
        self._webhook = _secret(settings.slack_webhook_url) or _from_block(settings.slack_webhook_block)
        self._made: dict[str | None, Sender] = {}

    @property
    def reach_slack(self) -> bool:
        """Whether messages go to Slack; otherwise to the console, which does not use an alert up.

        A blank value counts as unset, as in `make_sender`."""
        return bool((self._token or "").strip() or (self._webhook or "").strip())

    def __call__(self, channel: str | None) -> Sender:
        key = channel or self._settings.slack_channel
        if key not in self._made:
            from tasks.alert.slack_send import make_sender

            self._made[key] = make_sender(self._token, key, self._webhook, self._settings.slack_api_url,
                                          stream=self._stream)
        return self._made[key]


def sender_factory(settings: Settings, stream: TextIO | None = None) -> Senders:
    """The senders `settings` ask for; call the result with a channel (None: the default one) to get one."""
    return Senders(settings, stream)


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value else None


def _from_block(name: str | None) -> str | None:
    """The secret in Prefect Secret block `name`, or None when no block is named."""
    if not name:
        return None
    from tasks.alert.slack_send import secret_from_prefect_block

    return secret_from_prefect_block(name)
