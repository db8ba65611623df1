"""`regwatch slack test` and the Slack settings check: a new user learns what is wrong before the first alert.

The command posts one message through the configured sender, against the
Slack-shaped server on loopback (driven through the real slack_sdk clients);
each setup mistake a new Slack app comes with is answered in one line that
says what to do, and never shows the token or the webhook URL. A second line
says how alerts will be delivered: exactly once when the test message can be
read back from the channel's history, at least once otherwise (a webhook, a
token without the history scopes), with what to change.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from typer.testing import CliRunner

from fakes.slack_server import SlackServer
from flows.cli.app import app
from tasks.common.errors import ConfigError
from tasks.common.settings import Settings, check_slack_settings

TOKEN = "xoxb-1111-2222-s3cr3tT0k3nValue"


def slack_test() -> tuple[int, str]:
    result = CliRunner().invoke(app, ["slack", "test"], prog_name="regwatch")
    return result.exit_code, result.output


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackServer]:
    """A Slack whose bot has every scope it needs and is in C0ALERTS; settings point at it."""
    with SlackServer(token=TOKEN) as slack:
        monkeypatch.setenv("REGWATCH_SLACK_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("REGWATCH_SLACK_CHANNEL", "C0ALERTS")
        monkeypatch.setenv("REGWATCH_SLACK_API_URL", slack.api_url)
        yield slack


EXACTLY_ONCE = ("Delivery: exactly once, even across crashes (the test message was found again in the channel's "
                "history)\n")


def test_posts_one_test_message_with_the_bot_token(fake: SlackServer) -> None:
    code, output = slack_test()
    assert (code, output) == (0, "Slack test: posted a test message to C0ALERTS\n" + EXACTLY_ONCE)
    [message] = fake.messages
    assert message.channel == "C0ALERTS" and "regwatch" in (message.text or "")
    assert [r.path for r in fake.requests] == ["/api/chat.postMessage", "/api/conversations.history"]


def test_a_channel_given_by_name_is_read_back_by_the_id_slack_answers_with(
    fake: SlackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGWATCH_SLACK_CHANNEL", "#regwatch-alerts")
    code, output = slack_test()
    assert (code, output) == (0, "Slack test: posted a test message to #regwatch-alerts\n" + EXACTLY_ONCE)


def test_without_the_history_scopes_it_says_alerts_may_come_twice_and_what_to_add(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with SlackServer(token=TOKEN, scopes=("chat:write", "files:write")) as slack:
        monkeypatch.setenv("REGWATCH_SLACK_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("REGWATCH_SLACK_CHANNEL", "C0ALERTS")
        monkeypatch.setenv("REGWATCH_SLACK_API_URL", slack.api_url)
        code, output = slack_test()
        assert len(slack.messages) == 1
    first, second = output.splitlines()
    assert (code, first) == (0, "Slack test: posted a test message to C0ALERTS")
    assert second.startswith("Delivery: at least once (a crash at the wrong moment may post an alert twice): the "
                             "bot token lacks the channels:history and groups:history scopes (missing_scope)"), second


def test_posts_one_test_message_through_a_webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    with SlackServer() as slack:
        monkeypatch.setenv("REGWATCH_SLACK_WEBHOOK_URL", slack.webhook_url)
        code, output = slack_test()
        assert len(slack.messages) == 1
    assert (code, output) == (0, "Slack test: posted a test message to the incoming webhook's channel\n"
                                 "Delivery: at least once (a crash at the wrong moment may post an alert twice): "
                                 "an incoming webhook cannot be read back (a bot token can)\n")


@dataclass(frozen=True)
class Setup:
    """A Slack app as a new user may have set it up, and the channel regwatch is told to post to."""

    token: str = TOKEN
    channel: str = "C0ALERTS"
    scopes: tuple[str, ...] = ("chat:write",)
    members: tuple[str, ...] | None = None  # channels the bot is in; None: every channel


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (Setup(token="xoxb-wrong-s3cr3t"),
         "Slack rejected the bot token (invalid_auth): check REGWATCH_SLACK_BOT_TOKEN"),
        (Setup(scopes=("channels:read",)), "the bot token lacks the chat:write scope (missing_scope)"),
        (Setup(members=()), "the bot is not in channel C0ALERTS (not_in_channel): invite it"),
        (Setup(channel="C0NOWHERE"), "Slack has no channel C0NOWHERE that the bot can see (channel_not_found)"),
    ],
    ids=["bad-token", "missing-scope", "not-in-channel", "no-such-channel"],
)
def test_says_exactly_what_is_wrong_in_one_line(monkeypatch: pytest.MonkeyPatch, setup: Setup, expected: str) -> None:
    with SlackServer(token=TOKEN, scopes=setup.scopes, members=setup.members) as slack:
        monkeypatch.setenv("REGWATCH_SLACK_BOT_TOKEN", setup.token)
        monkeypatch.setenv("REGWATCH_SLACK_CHANNEL", setup.channel)
        monkeypatch.setenv("REGWATCH_SLACK_API_URL", slack.api_url)
        code, output = slack_test()
        assert slack.messages == []
    assert code == 1 and output.startswith(f"regwatch: {expected}") and output.count("\n") == 1, output
    assert "s3cr3t" not in output


def test_a_refused_webhook_is_one_line_without_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    with SlackServer() as slack:
        monkeypatch.setenv("REGWATCH_SLACK_WEBHOOK_URL", slack.webhook_url)
        slack.fail_next(1, "invalid_auth")  # a webhook that was removed answers 403 invalid_token
        code, output = slack_test()
    assert code == 1 and output.startswith("regwatch: Slack refused the incoming webhook (invalid_token)"), output
    assert output.count("\n") == 1 and "s3cr3tW3bh00kP4th" not in output


def test_an_unreachable_slack_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens on it once the socket closes
    monkeypatch.setenv("REGWATCH_SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("REGWATCH_SLACK_CHANNEL", "C0ALERTS")
    monkeypatch.setenv("REGWATCH_SLACK_API_URL", f"http://127.0.0.1:{port}/api/")
    code, output = slack_test()
    assert code == 1 and output.startswith("regwatch: Slack did not answer"), output
    assert output.count("\n") == 1 and TOKEN not in output


def test_without_slack_settings_it_says_how_to_configure_them() -> None:
    code, output = slack_test()
    assert code == 1 and output.count("\n") == 1
    assert output.startswith("regwatch: Slack is not configured: set REGWATCH_SLACK_BOT_TOKEN and "
                             "REGWATCH_SLACK_CHANNEL"), output


def test_a_token_without_a_channel_is_found_before_anything_is_sent(fake: SlackServer,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGWATCH_SLACK_CHANNEL")
    code, output = slack_test()
    assert code == 1 and output.count("\n") == 1
    assert "REGWATCH_SLACK_CHANNEL" in output and TOKEN not in output
    assert fake.requests == []


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (Settings(slack_bot_token=TOKEN), "a Slack bot token is set but no channel: set REGWATCH_SLACK_CHANNEL"),
        (Settings(slack_bot_token=TOKEN, slack_channel=" "), "set REGWATCH_SLACK_CHANNEL"),
        (Settings(slack_token_block="regwatch-slack-bot-token"), "set REGWATCH_SLACK_CHANNEL"),
        (Settings(slack_webhook_url="hooks.slack.com/services/T0/B0/s3cr3t"),
         "REGWATCH_SLACK_WEBHOOK_URL must start with https://"),
    ],
    ids=["token-no-channel", "blank-channel", "token-block-no-channel", "webhook-not-a-url"],
)
def test_settings_that_could_only_fail_at_delivery_fail_the_check(settings: Settings, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected) as failed:
        check_slack_settings(settings)
    assert TOKEN not in str(failed.value) and "s3cr3t" not in str(failed.value)


@pytest.mark.parametrize("settings", [
    Settings(), Settings(slack_bot_token=TOKEN, slack_channel="C0ALERTS"),
    Settings(slack_webhook_url="https://hooks.slack.com/services/T0/B0/x"), Settings(slack_bot_token=" "),
], ids=["console", "bot", "webhook", "blank-token"])
def test_working_settings_pass_the_check(settings: Settings) -> None:
    check_slack_settings(settings)
