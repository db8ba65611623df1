"""Deliver rendered alerts to Slack (Web API or incoming webhook) or to the console.

A send is one attempt and never raises for delivery problems: it returns a
`SendResult` saying whether it worked and, if not, whether a later retry can
help (`permanent`) and when Slack wants it (`retry_after`). Retrying is the
caller's job (the outbox keeps unsent alerts for the next cycle), so
slack_sdk's own retry handlers are switched off: a retry loop inside a flow
task would only hold the run up.

A message sent with the bot token carries Slack message metadata naming the
alert (`ALERT_EVENT`, its id in the payload), so that `find` can tell later,
from the channel's history, whether Slack accepted it: a run that crashed
between Slack's answer and recording it leaves the alert `sending`, and the
next run looks before posting again. Reading history needs the
`channels:history` scope (`groups:history` for a private channel). An incoming
webhook cannot be read back: what it sent is delivered at least once.

The bot token and the webhook URL are secrets (a webhook URL *is* its
credential). They are never put in an error, a repr or a log line: errors are
built from Slack's error code and the exception type, then scrubbed of both
secrets anyway. slack_sdk gets a logger that stays silent: its debug lines
print the webhook URL, and its error lines quote exceptions that can contain
the URL's path; every failure comes back, scrubbed, in `SendResult.error`.
"""

from __future__ import annotations

import http.client
import itertools
import logging
import re
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TextIO, cast

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient

from tasks.alert.slack_format import MAX_BLOCKS, TEXT_LIMIT, SlackMessage, truncate
from tasks.common.errors import ConfigError
from tasks.common.settings import BAD_WEBHOOK, NO_CHANNEL, is_webhook_url

TIMEOUT_SECONDS = 10
ALERT_EVENT = "regwatch_alert"  # the metadata event type of every message regwatch posts with a bot token
# Looking for a message Slack may have accepted: its ts is within this of when the post started, either way
# (Slack's clock and ours may disagree; a post takes up to TIMEOUT_SECONDS), read LOOKUP_PAGE messages at a time,
# at most LOOKUP_PAGES times.
LOOKUP_MARGIN = timedelta(minutes=10)
LOOKUP_PAGE = 200
LOOKUP_PAGES = 5
HISTORY_SCOPES = ("the bot token lacks the channels:history and groups:history scopes ({code}): add them under "
                  "OAuth & Permissions, reinstall the app and set REGWATCH_SLACK_BOT_TOKEN to the new token")
WEBHOOK_UNREADABLE = "an incoming webhook cannot be read back (a bot token can)"
CHANNEL_BY_NAME = ("channel {channel} is given by name, and no alert sent there yet says its ID: set "
                   "REGWATCH_SLACK_CHANNEL (and routes) to the channel ID (C0123456789, in the channel's details)")
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{6,}")

# Slack error codes that a later retry of the same message cannot fix: fix the
# token, the channel or the message instead. Everything else is retried.
PERMANENT_ERRORS = frozenset({
    # auth and token
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission",
    "missing_scope", "not_allowed_token_type", "org_login_required", "ekm_access_denied", "team_access_not_granted",
    "invalid_token", "team_disabled", "no_team", "no_service", "no_service_id", "action_prohibited",
    # channel
    "channel_not_found", "not_in_channel", "is_archived", "channel_is_archived", "restricted_action",
    "restricted_action_read_only_channel", "restricted_action_thread_only_channel",
    "restricted_action_non_threadable_channel", "posting_to_general_channel_denied", "cannot_reply_to_message",
    "user_not_found", "messages_tab_disabled",
    # message
    "invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text", "too_many_attachments",
    "invalid_attachments", "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large",
    "invalid_arguments", "invalid_arg_name", "invalid_array_arg", "invalid_charset", "invalid_form_data",
    "invalid_post_type", "missing_post_type", "invalid_payload",
})
_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_SDK_LOGGER = logging.getLogger(__name__ + ".slack_sdk")
# slack_sdk builds debug lines (webhook URL included) whenever its logger's own level is <= DEBUG,
# NOTSET included, and logs failures at ERROR: CRITICAL (which it never uses) silences both.
_SDK_LOGGER.setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class SendResult:
    """Outcome of one request to Slack: a delivery attempt, or a look-up (`find`: `ts` None when not there)."""

    ok: bool
    ts: str | None = None  # message timestamp (Web API), for threading/updates
    channel: str | None = None
    error: str | None = None  # one line, never containing the token or webhook URL
    code: str | None = None  # Slack's error code (invalid_auth, not_in_channel...), when Slack gave one
    retry_after: float | None = None  # seconds, when Slack said 429
    permanent: bool = False  # True when retrying the same message cannot help


class Sender(Protocol):
    """Something that delivers a SlackMessage, optionally as a reply in a thread."""

    name: str
    reaches_slack: bool  # False for the console: what it shows is still owed to Slack
    destination: str  # where a message goes, for people: a channel, "the console"...

    def send(self, message: SlackMessage, thread_ts: str | None = None, key: str | None = None) -> SendResult:
        """Deliver `message` (in thread `thread_ts`); `key` names it for `find` (an alert's id)."""
        ...

    def find(self, key: str, sent_at: datetime, thread_ts: str | None = None,
             channel_id: str | None = None) -> SendResult:
        """The message `key` that Slack accepted from a post started at `sent_at`: ok with its ts, ok without one
        when Slack has none; not ok when Slack cannot be asked (`permanent`: it never can, so the message may be
        sent twice). `channel_id`: the ID of a channel this sender knows by name only."""
        ...

    def attach(self, path: Path, title: str, thread_ts: str | None = None) -> SendResult:
        """Share a file (the digest's chart) in the channel, or as a reply in thread `thread_ts`."""
        ...


def is_channel_id(channel: str) -> bool:
    """Whether `channel` is a Slack conversation ID (C0123456789), which reading history needs, and not a name."""
    return _CHANNEL_ID.fullmatch(channel) is not None


class WebApiSender:
    """chat.postMessage with a bot token: the only way to get a `ts` and so thread follow-ups."""

    name = "slack-web-api"
    reaches_slack = True

    def __init__(self, token: str, channel: str, api_url: str | None = None, timeout: int = TIMEOUT_SECONDS) -> None:
        self.channel = self.destination = channel
        self._secrets = _secrets(token)
        self._client = WebClient(
            token=token, base_url=api_url or WebClient.BASE_URL, timeout=timeout, logger=_SDK_LOGGER, retry_handlers=[]
        )

    def __repr__(self) -> str:
        return f"WebApiSender(channel={self.channel!r}, base_url={self._client.base_url!r})"

    def send(self, message: SlackMessage, thread_ts: str | None = None, key: str | None = None) -> SendResult:
        metadata = {"event_type": ALERT_EVENT, "event_payload": {"alert_id": key}} if key else None
        response = self._call(lambda: self._client.chat_postMessage(
            channel=self.channel, text=message.text, blocks=message.blocks, thread_ts=thread_ts, unfurl_links=False,
            metadata=metadata,
        ))
        if isinstance(response, SendResult):
            return response
        return SendResult(ok=True, ts=response.get("ts"), channel=response.get("channel"))

    def find(self, key: str, sent_at: datetime, thread_ts: str | None = None,
             channel_id: str | None = None) -> SendResult:
        """Read the channel's history (a thread's replies for a reply) around `sent_at` for the message whose
        metadata names `key`; a few pages at most, so a busy channel costs a few requests, not its history."""
        channel = self.channel if is_channel_id(self.channel) else channel_id
        if channel is None:
            return SendResult(ok=False, error=CHANNEL_BY_NAME.format(channel=self.channel), permanent=True)
        window: dict[str, Any] = {
            "channel": channel, "oldest": _slack_time(sent_at - LOOKUP_MARGIN),
            "latest": _slack_time(sent_at + LOOKUP_MARGIN), "inclusive": True, "limit": LOOKUP_PAGE,
            "include_all_metadata": True,
        }
        read = (partial(self._client.conversations_replies, ts=thread_ts) if thread_ts
                else self._client.conversations_history)
        cursor = None
        for _ in range(LOOKUP_PAGES):
            page = self._call(partial(read, cursor=cursor, **window))
            if isinstance(page, SendResult):
                return page
            ts = next((m.get("ts") for m in page.get("messages") or [] if _names(m, key)), None)
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if ts or not cursor:
                return SendResult(ok=True, ts=ts, channel=channel)
        return SendResult(ok=False, permanent=True, error=f"{self.name}: more than {LOOKUP_PAGES * LOOKUP_PAGE} "
                          f"messages in {channel} around the attempt, not all read")

    def attach(self, path: Path, title: str, thread_ts: str | None = None) -> SendResult:
        response = self._call(lambda: self._client.files_upload_v2(
            channel=self.channel, file=str(path), title=title, filename=path.name, thread_ts=thread_ts))
        return response if isinstance(response, SendResult) else SendResult(ok=True, channel=self.channel)

    def _call(self, request: Callable[[], SlackResponse]) -> SlackResponse | SendResult:
        """Slack's answer to `request`, or the failure it came to, classified and scrubbed of the token."""
        try:
            return request()
        except SlackApiError as exc:
            data = exc.response.data if isinstance(exc.response.data, dict) else {}
            return _failure(
                self.name, exc.response.status_code, str(data.get("error") or ""), exc.response.headers, self._secrets
            )
        except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts, resets, remote disconnected
            return _failure_from_exception(self.name, exc, self._secrets)
        except SlackClientError as exc:  # e.g. a malformed api_url: configuration, not weather
            return _failure_from_exception(self.name, exc, self._secrets, permanent=True)


class WebhookSender:
    """An incoming webhook: no token needed, but no `ts` and no threads.

    A reply (`thread_ts` given) goes out as a new message whose text starts
    with "↳ " and whose blocks open with a note saying it follows up an
    earlier alert.
    """

    name = "slack-webhook"
    reaches_slack = True
    destination = "the incoming webhook's channel"  # the webhook alone knows which

    def __init__(self, url: str, timeout: int = TIMEOUT_SECONDS) -> None:
        url = url.strip()
        if not is_webhook_url(url):
            raise ConfigError(BAD_WEBHOOK)
        self._secrets = _secrets(url)
        self._client = WebhookClient(url, timeout=timeout, logger=_SDK_LOGGER, retry_handlers=[])

    def __repr__(self) -> str:
        return "WebhookSender(url='[redacted]')"

    def send(self, message: SlackMessage, thread_ts: str | None = None, key: str | None = None) -> SendResult:
        text, blocks = message.text, message.blocks
        if thread_ts is not None:
            text = truncate("↳ " + text, TEXT_LIMIT)
            note = {"type": "context", "elements": [{"type": "mrkdwn", "text": "↳ Follow-up to an earlier alert"}]}
            blocks = [note, *blocks][:MAX_BLOCKS] if blocks else blocks
        try:
            response = self._client.send(text=text, blocks=blocks, unfurl_links=False)
        except (OSError, http.client.HTTPException) as exc:
            return _failure_from_exception(self.name, exc, self._secrets)
        except SlackClientError as exc:
            return _failure_from_exception(self.name, exc, self._secrets, permanent=True)
        body = (response.body or "").strip()
        if response.status_code == 200 and body == "ok":
            return SendResult(ok=True)
        return _failure(self.name, response.status_code, body, response.headers, self._secrets)

    def find(self, key: str, sent_at: datetime, thread_ts: str | None = None,
             channel_id: str | None = None) -> SendResult:
        """A webhook cannot read its channel: whether Slack got a message is unknowable (at least once)."""
        return SendResult(ok=False, error=WEBHOOK_UNREADABLE, permanent=True)

    def attach(self, path: Path, title: str, thread_ts: str | None = None) -> SendResult:
        """Incoming webhooks cannot carry files; the chart stays beside the database."""
        return SendResult(ok=False, error=f"{self.name}: webhooks cannot upload files ({path.name} kept)",
                          permanent=True)


class ConsoleSender:
    """Prints alerts instead of sending them: the demo, and runs with no Slack configured."""

    name = "console"
    reaches_slack = False
    destination = "the console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._counter = itertools.count(1)

    def send(self, message: SlackMessage, thread_ts: str | None = None, key: str | None = None) -> SendResult:
        stream = self._stream or sys.stdout  # looked up now, so a redirected stdout is honoured
        prefix = "↳ " if thread_ts else ""
        lines = [prefix + _plain(message.text), *("    " + line for line in compact_blocks(message.blocks))]
        stream.write("\n".join(lines) + "\n")
        stream.flush()
        return SendResult(ok=True, ts=f"console-{next(self._counter)}", channel="console")

    def find(self, key: str, sent_at: datetime, thread_ts: str | None = None,
             channel_id: str | None = None) -> SendResult:
        """Nothing to look up: printing an alert twice on the console costs nothing."""
        return SendResult(ok=True)

    def attach(self, path: Path, title: str, thread_ts: str | None = None) -> SendResult:
        stream = self._stream or sys.stdout
        stream.write(f"{'↳ ' if thread_ts else ''}[attachment] {title}: {path}\n")
        return SendResult(ok=True, channel="console")


def compact_blocks(blocks: list[dict[str, Any]]) -> list[str]:
    """One readable line per block (fields joined by " | "), links shown as "label (url)"."""
    lines = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append("# " + _plain(block["text"]["text"]))
        elif kind == "section":
            parts = [block["text"]["text"]] if "text" in block else []
            parts += [field["text"] for field in block.get("fields", [])]
            lines.append(" | ".join(_plain(p) for p in parts))
        elif kind == "context":
            lines.append(" · ".join(_plain(e.get("text", "")) for e in block.get("elements", [])))
        else:
            lines.append(f"[{kind}]")
    return lines


def make_sender(
    bot_token: str | None,
    channel: str | None,
    webhook_url: str | None,
    api_url: str | None,
    stream: TextIO | None = None,
) -> Sender:
    """The sender the settings ask for: a bot token (with its channel) wins over a webhook; neither -> console.

    Blank values count as unset, as an empty environment variable means "not configured".
    """
    token, hook, target = (v.strip() if v else "" for v in (bot_token, webhook_url, channel))
    if token:
        if not target:
            raise ConfigError(NO_CHANNEL)
        return WebApiSender(token, target, api_url=api_url or None)
    if hook:
        return WebhookSender(hook)
    return ConsoleSender(stream)


def secret_from_prefect_block(name: str) -> str | None:
    """The value of the Prefect `Secret` block `name`, or None when no such block exists.

    Lets a deployment keep the bot token or webhook URL in Prefect (created with
    ``Secret(value="xoxb-...").save("regwatch-slack-bot-token")`` or in the UI)
    instead of in an environment variable. It talks to the Prefect API the
    current profile points at; other failures (API unreachable...) propagate.
    Prefect is imported here, not at module level, so that sending to Slack
    does not pay for importing it.
    """
    from prefect.blocks.system import Secret
    from prefect.exceptions import ObjectNotFound

    try:
        # _sync=True (understood by Prefect's async_dispatch wrapper, unknown to its signature):
        # the block itself, not a coroutine, even when called from async code.
        block = cast("Secret[Any]", Secret.load(name, _sync=True))  # type: ignore[call-arg]
    except ValueError as exc:
        if isinstance(exc.__cause__, ObjectNotFound):
            return None
        raise
    value = block.value.get_secret_value()
    if not isinstance(value, str):
        raise TypeError(f"Prefect Secret block {name!r} holds a {type(value).__name__}, not a string")
    return value


def _secrets(secret: str) -> tuple[str, ...]:
    """The secret and the parts of it that could show up on their own: a webhook URL's path and its last segment."""
    found = {secret.strip()}
    path = re.sub(r"^[a-zA-Z]+://[^/]*", "", secret.strip())
    found.update(part for part in (path, path.rstrip("/").rsplit("/", 1)[-1]) if len(part) >= 8)
    return tuple(s for s in found if s)


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    """One line, secrets replaced, bounded length: fit for logs and the outbox table."""
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
    return " ".join(text.split())[:300]


def _failure(
    sender: str, status: int, code: str, headers: Mapping[str, Any], secrets: tuple[str, ...]
) -> SendResult:
    code = code.strip()
    code = code if _CODE.fullmatch(code) else ""  # an HTML error page is not an error code
    retry_after = _retry_after(headers) if status == 429 or code in ("ratelimited", "rate_limited") else None
    permanent = status != 429 and status < 500 and code in PERMANENT_ERRORS
    error = f"{sender}: {code or 'unexpected response'} (HTTP {status})"
    if status == 429 and retry_after is not None:
        error += f", retry after {retry_after:g}s"
    return SendResult(ok=False, error=_scrub(error, secrets), code=code or None, retry_after=retry_after,
                      permanent=permanent)


def _failure_from_exception(
    sender: str, exc: BaseException, secrets: tuple[str, ...], permanent: bool = False
) -> SendResult:
    return SendResult(ok=False, error=_scrub(f"{sender}: {type(exc).__name__}: {exc}", secrets), permanent=permanent)


def _retry_after(headers: Mapping[str, Any]) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), None when absent or unreadable."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(value, list):  # slack_sdk keeps some header values as lists
        value = value[0] if value else None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(str(value)).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _slack_time(moment: datetime) -> str:
    """A moment as Slack's timestamps write it (seconds since the epoch, microseconds)."""
    return f"{moment.timestamp():.6f}"


def _names(message: dict[str, Any], key: str) -> bool:
    """Whether a message from history carries regwatch's metadata naming `key`."""
    metadata = message.get("metadata") or {}
    return metadata.get("event_type") == ALERT_EVENT and (metadata.get("event_payload") or {}).get("alert_id") == key


def _plain(mrkdwn: str) -> str:
    """Slack mrkdwn as terminal text: <url|label> -> "label (url)", entities decoded."""
    text = re.sub(r"<([^|>]+)\|([^>]*)>", r"\2 (\1)", mrkdwn)
    text = re.sub(r"<([^>]+)>", r"\1", text)
    return " ".join(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").split())
