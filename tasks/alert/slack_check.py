"""`regwatch slack test`: post one message through the configured sender, or say exactly what is wrong.

A new Slack app comes with a few classic mistakes (a user token or a typo for
the bot token, the chat:write scope not granted, the bot never invited to the
channel); Slack names each with an error code, and this module turns the code
into what to do, in one line that never shows the token or the webhook URL.

It then looks for the test message in the channel's history, the way a run
looks for an alert a crash left half-sent, and says how alerts will be
delivered: exactly once when it is found, at least once otherwise (a webhook
cannot be read back; a token may lack the history scopes), and what to change.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from tasks.alert.senders import sender_factory
from tasks.alert.slack_format import SlackMessage
from tasks.alert.slack_send import HISTORY_SCOPES, Sender, SendResult, WebhookSender
from tasks.common.errors import ConfigError, RegwatchError
from tasks.common.settings import Settings, check_slack_settings

TEST_MESSAGE = SlackMessage(
    text="regwatch test message: regwatch alerts will be posted here.",
    blocks=[{"type": "section", "text": {"type": "mrkdwn", "text":
             "*regwatch test message*: regwatch alerts will be posted here (sent by `regwatch slack test`)."}}],
)
NOT_CONFIGURED = (
    "Slack is not configured: set REGWATCH_SLACK_BOT_TOKEN and REGWATCH_SLACK_CHANNEL, or REGWATCH_SLACK_WEBHOOK_URL "
    "(or name an existing Prefect Secret block in REGWATCH_SLACK_TOKEN_BLOCK / REGWATCH_SLACK_WEBHOOK_BLOCK); "
    "until then alerts are shown on the console"
)
BAD_TOKEN = ("Slack rejected the bot token ({code}): check REGWATCH_SLACK_BOT_TOKEN, the app's Bot User OAuth Token "
             "(xoxb-...), under OAuth & Permissions; reinstall the app if it was revoked")
# Slack's error code -> what to do ({code}: the code, {channel}: where the sender posts).
ADVICE = {
    **dict.fromkeys(("invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive",
                     "not_allowed_token_type"), BAD_TOKEN),
    "missing_scope": ("the bot token lacks the chat:write scope ({code}): add it under OAuth & Permissions, "
                      "reinstall the app and set REGWATCH_SLACK_BOT_TOKEN to the new token"),
    "not_in_channel": "the bot is not in channel {channel} ({code}): invite it (/invite @your-app in the channel)",
    "channel_not_found": ("Slack has no channel {channel} that the bot can see ({code}): set REGWATCH_SLACK_CHANNEL "
                          "to the channel's ID (C0123456789, in the channel's details), and invite the bot to a "
                          "private channel"),
    **dict.fromkeys(("is_archived", "channel_is_archived"),
                    "channel {channel} is archived ({code}): unarchive it or set REGWATCH_SLACK_CHANNEL to another"),
}
WEBHOOK_REFUSED = ("Slack refused the incoming webhook ({code}): create a new one for the channel (Incoming "
                   "Webhooks in the app's settings) and set REGWATCH_SLACK_WEBHOOK_URL to it")
EXACTLY_ONCE = "Delivery: exactly once, even across crashes (the test message was found again in the channel's history)"
AT_LEAST_ONCE = "Delivery: at least once (a crash at the wrong moment may post an alert twice): {reason}"
NOT_FOUND = "the test message was not found in the channel's history"


class SlackSetupError(RegwatchError):
    """Slack refused the test message, or could not be reached; the message says what to do."""


def post_test_message(settings: Settings) -> str:
    """Post TEST_MESSAGE where alerts go; returns what happened and how alerts will be delivered, or raises saying
    what to fix."""
    check_slack_settings(settings)
    senders = sender_factory(settings)
    if not senders.reach_slack:
        raise ConfigError(NOT_CONFIGURED)
    sender = senders(None)
    key, posted_at = f"slack-test-{uuid.uuid4().hex}", datetime.now(UTC)
    result = sender.send(TEST_MESSAGE, key=key)
    if not result.ok:
        raise SlackSetupError(explain(result, sender))
    found = sender.find(key, posted_at, channel_id=result.channel)
    return f"Slack test: posted a test message to {sender.destination}\n{delivery(found)}"


def delivery(found: SendResult) -> str:
    """How alerts will be delivered, from looking for the test message the way a run looks for a half-sent alert."""
    if found.ok and found.ts is not None:
        return EXACTLY_ONCE
    if found.ok:
        return AT_LEAST_ONCE.format(reason=NOT_FOUND)
    if found.code == "missing_scope":
        return AT_LEAST_ONCE.format(reason=HISTORY_SCOPES.format(code=found.code))
    return AT_LEAST_ONCE.format(reason=found.error)


def explain(result: SendResult, sender: Sender) -> str:
    """What a failed send means for someone setting regwatch up, and what to do about it."""
    if not result.permanent:
        return f"Slack did not answer as expected ({result.error}); check REGWATCH_SLACK_API_URL if set, try again"
    code = result.code or "refused"
    if isinstance(sender, WebhookSender):
        return WEBHOOK_REFUSED.format(code=code)
    advice = ADVICE.get(code)
    if advice is None:
        return f"Slack refused the test message: {result.error}"
    return advice.format(code=code, channel=sender.destination)
