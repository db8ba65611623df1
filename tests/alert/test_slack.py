"""Slack alerts: rendering hostile article text safely, and delivering it through the real slack_sdk clients.

Delivery tests run against `SlackServer` on 127.0.0.1, which answers like
Slack (and breaks like it on request), so retries, permanence and secrecy are
checked on real HTTP exchanges.
"""

from __future__ import annotations

import io
import json
import logging
import re
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from fakes.slack_server import SlackServer, block_problems
from tasks.alert.slack_format import (
    FIELD_LIMIT,
    HEADER_LIMIT,
    MAX_BLOCKS,
    MAX_FIELDS,
    SECTION_LIMIT,
    TEXT_LIMIT,
    AlertFacts,
    SlackMessage,
    Source,
    escape,
    link_target,
    render_alert,
    render_update,
    truncate,
)
from tasks.alert.slack_send import (
    ConsoleSender,
    Sender,
    SendResult,
    WebApiSender,
    WebhookSender,
    make_sender,
    secret_from_prefect_block,
)
from tasks.classify.kinds import kind_label
from tasks.common.errors import ConfigError

TOKEN = "xoxb-1111-2222-s3cr3tT0k3nValue"
CHANNEL = "C0ALERTS"
URL = "https://www.reuters.com/world/china/china-fines-alibaba-2021-04-10/"
BY_SAMR = "by the State Administration for Market Regulation (SAMR)"


def fine(**changes: Any) -> AlertFacts:
    facts = AlertFacts(
        kind="fine",
        companies=["Alibaba Group"],
        regulator="SAMR",
        regulator_text="State Administration for Market Regulation",
        amount_text="18.228 billion yuan",
        amount=18.228e9,
        currency="CNY",
        amount_usd=2.54e9,
        direction=None,
        evidence="China's market regulator fined Alibaba Group 18.228 billion yuan for abusing its dominant position.",
        primary=Source("China fines Alibaba record $2.8 bln", URL, "Reuters"),
        others=[
            Source("Alibaba fined 18.2 billion yuan", "https://www.caixinglobal.com/2021-04-10/a.html", "Caixin"),
            Source("阿里巴巴被罚182.28亿元", "https://www.thepaper.cn/newsDetail_forward_12", None),
        ],
        published=datetime(2021, 4, 10, 9, 30, tzinfo=UTC),
    )
    return AlertFacts(**{**facts.__dict__, **changes})


def all_texts(message: SlackMessage) -> list[str]:
    """Every string Slack will render: the text and every text object in the blocks."""
    texts = [message.text]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                texts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.blocks)
    return texts


def link_targets(message: SlackMessage) -> list[str]:
    """What Slack would treat as <...> control sequences in the message."""
    return [m for text in all_texts(message) for m in re.findall(r"<([^|>]*)", text)]


def assert_within_limits(message: SlackMessage) -> None:
    assert len(message.text) <= TEXT_LIMIT
    assert len(message.blocks) <= MAX_BLOCKS
    assert block_problems(message.blocks) == []
    for block in message.blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= HEADER_LIMIT
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= SECTION_LIMIT
            assert len(block.get("fields", [])) <= MAX_FIELDS
            assert all(len(f["text"]) <= FIELD_LIMIT for f in block.get("fields", []))
    for text in all_texts(message):
        assert not re.search(r"&(?!amp;|lt;|gt;)", re.sub(r"<https?://[^>]*>", "", text)), "half an entity"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk routes through *_proxy variables: the loopback server must be reached directly."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer(token=TOKEN, hang_seconds=5) as server:
        yield server


# -- rendering ------------------------------------------------------------


def test_escape_neutralises_mentions_and_link_spoofing() -> None:
    hostile = "<!channel> <!here> <@U123> <https://evil.example|Alibaba> AT&T"
    assert escape(hostile) == (
        "&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;https://evil.example|Alibaba&gt; AT&amp;T"
    )


def test_escape_strips_bidi_and_control_characters_and_collapses_whitespace() -> None:
    text = "\u202eAli\u2066baba\u2069\u200f Group\x00\x07\n\n\t fined\u202a \u200e\r\n"
    assert escape(text) == "Alibaba Group fined"


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("fine", "Fine"), ("policy_shift", "Policy shift"), ("investigation", "Investigation"),
        ("ipo_block", "IPO blocked"), ("merger_block", "Merger blocked"), ("app_removal", "App removal"),
        ("rectification", "Rectification order"), ("data_breach", "Data breach"),
    ],
)
def test_kind_labels(kind: str, label: str) -> None:
    assert kind_label(kind) == label


def test_fine_text_starts_with_label_and_carries_the_facts() -> None:
    message = render_alert(fine())
    assert message.text == (
        f"Fine: Alibaba Group fined 18.228 billion yuan (≈ $2.54 billion) {BY_SAMR} — <{URL}>"
    )


@pytest.mark.parametrize(
    ("kind", "direction", "start"),
    [
        ("investigation", None, f"Investigation: Alibaba Group {BY_SAMR} — <https://"),
        ("policy_shift", "tighten", "Policy shift, tightening — the State Administration for Market Regulation on "
                                    "Alibaba Group — <https://"),
        ("ipo_block", None, f"IPO blocked: Alibaba Group {BY_SAMR}"),
        ("rectification", None, f"Rectification order: Alibaba Group {BY_SAMR}"),
    ],
)
def test_other_kinds_start_with_their_label(kind: str, direction: str | None, start: str) -> None:
    message = render_alert(fine(kind=kind, direction=direction, amount_text=None, amount=None, amount_usd=None))
    assert message.text.startswith(start)
    assert "fined" not in message.text


def test_blocks_show_header_fields_evidence_and_sources() -> None:
    message = render_alert(fine())
    assert_within_limits(message)
    header, facts, evidence, sources = message.blocks
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "Fine: Alibaba Group", "emoji": True}}
    fields = {f["text"].split("\n", 1)[0]: f["text"].split("\n", 1)[1] for f in facts["fields"]}
    assert fields == {
        "*Companies*": "Alibaba Group",
        "*Regulator*": "State Administration for Market Regulation (SAMR)",
        "*Amount*": "18.228 billion yuan\n≈ $2.54 billion",
        "*Published*": "2021-04-10 09:30 UTC",
    }
    assert evidence["text"]["text"] == f"> {fine().evidence}"
    assert sources["text"]["text"] == (
        f"*Source:* <{URL}|China fines Alibaba record $2.8 bln> · Reuters\n"
        "*Also reported by:* <https://www.caixinglobal.com/2021-04-10/a.html|Caixin>, "
        "<https://www.thepaper.cn/newsDetail_forward_12|阿里巴巴被罚182.28亿元>"
    )


def test_policy_shift_shows_direction_and_published_time_in_utc() -> None:
    published = datetime(2021, 4, 10, 17, 30, tzinfo=timezone(timedelta(hours=8)))
    message = render_alert(fine(kind="policy_shift", direction="ease", companies=[], amount_text=None, amount=None,
                                amount_usd=None, currency=None, published=published))
    assert message.text.startswith("Policy shift, easing — the State Administration for Market Regulation on the "
                                   "tech sector")
    texts = [f["text"] for f in message.blocks[1]["fields"]]
    assert "*Direction*\neasing" in texts
    assert "*Published*\n2021-04-10 09:30 UTC" in texts
    assert not any(t.startswith("*Amount*") for t in texts)


def test_foreign_currency_fine_shows_the_amount_as_stated_and_usd() -> None:
    message = render_alert(fine(amount_text="HK$1.2 billion", amount=1.2e9, currency="HKD", amount_usd=154e6))
    assert "fined HK$1.2 billion (≈ $154 million)" in message.text
    amount = next(f["text"] for f in message.blocks[1]["fields"] if f["text"].startswith("*Amount*"))
    assert amount == "*Amount*\nHK$1.2 billion\n≈ $154 million"


def test_hostile_article_text_cannot_ping_or_spoof_links() -> None:
    facts = fine(
        companies=["<!channel> Alibaba"],
        regulator_text="<@U123>",
        amount_text="<!here> 1 yuan",
        evidence="Read <https://evil.example|Alibaba statement> now <!everyone>",
        primary=Source("<https://evil.example|Reuters> \u202eexploit", URL, "Reu<!here>ters"),
        others=[Source("x", "https://ok.example/a", "<https://evil.example|Caixin>")],
    )
    for message in (render_alert(facts), render_update(facts, facts.others)):
        assert_within_limits(message)
        assert set(link_targets(message)) <= {URL, "https://ok.example/a"}
        assert not any("\u202e" in text for text in all_texts(message))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "slack://open", "https:///nohost", ""])
def test_only_http_urls_become_links(url: str) -> None:
    message = render_alert(fine(primary=Source("Title", url, "Site"), others=[Source("Other", url, "Other")]))
    assert_within_limits(message)
    assert link_targets(message) == []
    if url:
        assert escape(url) in message.blocks[-1]["text"]["text"]


def test_link_targets_cannot_break_out_of_the_link_syntax() -> None:
    target = link_target("https://example.com/a|b>c<d e?q=1&r=2#frag")
    assert target == "https://example.com/a%7Cb%3Ec%3Cd%20e?q=1&r=2#frag"
    message = render_alert(fine(primary=Source("T", "https://example.com/x|<!channel>", None), others=[]))
    assert link_targets(message) == ["https://example.com/x%7C%3C!channel%3E"] * 2


def test_huge_inputs_stay_within_slack_limits() -> None:
    long = "A&<" * 4000  # 12 000 characters, and escaping makes it five times longer
    facts = fine(
        companies=[f"Company {i} & Co" for i in range(300)],
        regulator_text=long,
        amount_text=long,
        evidence=long,
        primary=Source("T" * 10_000, URL + "x" * 5000, "S" * 10_000),
        others=[Source("t" * 10_000, f"https://outlet{i}.example/{'p' * 1500}", None) for i in range(500)],
        kind="policy_shift",
        direction=long,
    )
    message = render_alert(facts)
    assert_within_limits(message)
    assert message.text.startswith("Policy shift — ")
    assert "xxxx" not in json.dumps([message.text, message.blocks]), "a cut URL would be a broken link"
    assert message.blocks[-1]["text"]["text"].startswith("*Source:* TTTT")
    assert "(URL too long to show)" in message.blocks[-1]["text"]["text"]
    assert re.search(r"and \d+ more$", message.blocks[-1]["text"]["text"])
    update = render_update(facts, facts.others)
    assert_within_limits(update)
    assert update.text.startswith("Also reported by ")
    assert "and 490 more" in update.text


def test_ten_thousand_character_title_is_cut_with_an_ellipsis() -> None:
    message = render_alert(fine(primary=Source("Alibaba " * 1250, URL, "Reuters")))
    assert_within_limits(message)
    label = re.search(r"\|([^>]*)>", message.blocks[-1]["text"]["text"])
    assert label is not None and label.group(1).endswith("…") and len(label.group(1)) <= 150


def test_truncate_never_leaves_half_an_entity_or_link() -> None:
    assert truncate("abc &amp; def", 8) == "abc…"
    assert truncate("see <https://example.com/long|label> end", 20) == "see…"
    assert truncate("short", 10) == "short"
    assert len(truncate("x" * 5000, 3000)) == 3000


def test_update_lists_the_new_outlets_and_names_the_event() -> None:
    new = [Source("Alibaba fined", "https://www.ft.com/content/1", "FT"), Source("罚款", "https://36kr.com/p/2", None)]
    message = render_update(fine(), new)
    assert_within_limits(message)
    assert message.text == f"Also reported by FT, 罚款 — Fine: Alibaba Group fined {BY_SAMR}"
    assert message.blocks[0]["text"]["text"] == (
        "*Also reported by:* <https://www.ft.com/content/1|FT>, <https://36kr.com/p/2|罚款>"
    )
    with pytest.raises(ValueError, match="at least one"):
        render_update(fine(), [])


# -- Web API ----------------------------------------------------------------


def test_web_api_posts_text_and_blocks(slack: SlackServer) -> None:
    message = render_alert(fine())
    result = WebApiSender(TOKEN, CHANNEL, api_url=slack.api_url).send(message)
    assert result.ok and result.channel == CHANNEL and result.ts and result.error is None
    [received] = slack.messages
    assert (received.endpoint, received.channel, received.text, received.blocks, received.thread_ts) == (
        "chat.postMessage", CHANNEL, message.text, message.blocks, None
    )
    assert received.body["unfurl_links"] is False
    assert slack.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_web_api_thread_reply_passes_thread_ts(slack: SlackServer) -> None:
    sender = WebApiSender(TOKEN, CHANNEL, api_url=slack.api_url)
    first = sender.send(render_alert(fine()))
    assert first.ts is not None
    reply = sender.send(render_update(fine(), [Source("FT", "https://www.ft.com/content/1", "FT")]), thread_ts=first.ts)
    assert reply.ok and reply.ts is not None and float(reply.ts) > float(first.ts)
    assert slack.messages[1].thread_ts == first.ts


@pytest.mark.parametrize(
    ("via", "mode", "code", "permanent", "retry_after"),
    [
        ("web_api", "429", "ratelimited", False, 1.0),
        ("web_api", "500", "internal_error", False, None),
        ("web_api", "invalid_auth", "invalid_auth", True, None),
        ("web_api", "channel_not_found", "channel_not_found", True, None),
        ("webhook", "429", "rate_limited", False, 1.0),
        ("webhook", "500", "internal_error", False, None),
        ("webhook", "invalid_auth", "invalid_token", True, None),
        ("webhook", "channel_not_found", "channel_not_found", True, None),
    ],
)
def test_web_api_and_webhook_failures_are_classified(
    slack: SlackServer, via: str, mode: str, code: str, permanent: bool, retry_after: float | None
) -> None:
    sender: Sender = (WebApiSender(TOKEN, CHANNEL, api_url=slack.api_url) if via == "web_api"
                      else WebhookSender(slack.webhook_url))
    slack.fail_next(1, mode)
    result = sender.send(render_alert(fine()))
    assert (result.ok, result.permanent, result.retry_after) == (False, permanent, retry_after)
    assert result.error is not None and code in result.error
    assert not [secret for secret in (TOKEN, slack.webhook_url, "s3cr3tW3bh00kP4th") if secret in result.error]
    assert len(slack.requests) == 1, "slack_sdk must not retry on its own"
    assert sender.send(render_alert(fine())).ok, "the fault is spent: the next send goes through"


def test_web_api_real_auth_and_channel_errors_are_permanent(slack: SlackServer) -> None:
    wrong_token = WebApiSender("xoxb-wrong-s3cr3t", CHANNEL, api_url=slack.api_url).send(render_alert(fine()))
    assert (wrong_token.ok, wrong_token.permanent) == (False, True)
    assert wrong_token.error is not None and "invalid_auth" in wrong_token.error
    assert "xoxb-wrong-s3cr3t" not in wrong_token.error
    no_channel = WebApiSender(TOKEN, "C0NOWHERE", api_url=slack.api_url).send(render_alert(fine()))
    assert (no_channel.ok, no_channel.permanent) == (False, True)
    assert no_channel.error is not None and "channel_not_found" in no_channel.error


def test_web_api_blocks_slack_would_reject_are_permanent(slack: SlackServer) -> None:
    too_long = SlackMessage("x", [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}])
    result = WebApiSender(TOKEN, CHANNEL, api_url=slack.api_url).send(too_long)
    assert (result.ok, result.permanent) == (False, True)
    assert result.error is not None and "invalid_blocks" in result.error
    assert slack.messages == []


@pytest.mark.parametrize("mode", ["drop", "hang"])
def test_web_api_dropped_or_hung_connection_is_transient_and_bounded(slack: SlackServer, mode: str) -> None:
    sender = WebApiSender(TOKEN, CHANNEL, api_url=slack.api_url, timeout=1)
    slack.fail_next(1, mode)
    started = time.monotonic()
    result = sender.send(render_alert(fine()))
    assert time.monotonic() - started < 3
    assert (result.ok, result.permanent, result.retry_after) == (False, False, None)
    assert result.error is not None and "\n" not in result.error and TOKEN not in result.error
    assert len(slack.requests) == 1


def test_unreachable_server_is_transient() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens on it once the socket closes
    hook = f"http://127.0.0.1:{port}/hooks/T0/B0/s3cr3tPathPart"
    for sender in (WebApiSender(TOKEN, CHANNEL, api_url=f"http://127.0.0.1:{port}/api/", timeout=2),
                   WebhookSender(hook, timeout=2)):
        result = sender.send(render_alert(fine()))
        assert (result.ok, result.permanent) == (False, False)
        assert result.error is not None and TOKEN not in result.error and "s3cr3tPathPart" not in result.error


# -- incoming webhook -------------------------------------------------------


def test_webhook_posts_text_and_blocks(slack: SlackServer) -> None:
    message = render_alert(fine())
    result = WebhookSender(slack.webhook_url).send(message)
    assert result == SendResult(ok=True)
    [received] = slack.messages
    assert (received.endpoint, received.text, received.blocks) == ("webhook", message.text, message.blocks)
    assert received.body["unfurl_links"] is False


def test_webhook_reply_is_a_new_message_marked_as_follow_up(slack: SlackServer) -> None:
    update = render_update(fine(), [Source("FT", "https://www.ft.com/content/1", "FT")])
    assert WebhookSender(slack.webhook_url).send(update, thread_ts="1618047000.000100").ok
    [received] = slack.messages
    assert received.text == "↳ " + update.text
    assert received.thread_ts is None
    assert received.blocks is not None and received.blocks[0]["type"] == "context"
    assert received.blocks[1:] == update.blocks


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (SlackMessage("", []), "no_text"),
        (SlackMessage("x", [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}]), "invalid_blocks"),
    ],
)
def test_webhook_payloads_slack_rejects_are_permanent(slack: SlackServer, message: SlackMessage, code: str) -> None:
    result = WebhookSender(slack.webhook_url).send(message)
    assert (result.ok, result.permanent) == (False, True)
    assert result.error is not None and code in result.error


@pytest.mark.parametrize("mode", ["drop", "hang"])
def test_webhook_dropped_or_hung_connection_is_transient_and_bounded(slack: SlackServer, mode: str) -> None:
    slack.fail_next(1, mode)
    started = time.monotonic()
    result = WebhookSender(slack.webhook_url, timeout=1).send(render_alert(fine()))
    assert time.monotonic() - started < 3
    assert (result.ok, result.permanent) == (False, False)
    assert result.error is not None and "s3cr3tW3bh00kP4th" not in result.error


def test_secrets_never_reach_the_logs(slack: SlackServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = WebApiSender(TOKEN, CHANNEL, api_url=slack.api_url, timeout=1)
    hook = WebhookSender(slack.webhook_url, timeout=1)
    results = []
    for mode in ("drop", "500", None):
        for sender in (api, hook):
            if mode:
                slack.fail_next(1, mode)
            results.append(sender.send(render_alert(fine())))
    assert [r.ok for r in results] == [False, False, False, False, True, True]
    assert TOKEN not in caplog.text and "s3cr3tW3bh00kP4th" not in caplog.text
    assert "s3cr3tW3bh00kP4th" not in repr(hook) and TOKEN not in repr(api)


# -- choosing a sender, console ---------------------------------------------


def test_make_sender_prefers_the_bot_token(slack: SlackServer) -> None:
    assert isinstance(make_sender(TOKEN, CHANNEL, slack.webhook_url, slack.api_url), WebApiSender)
    assert isinstance(make_sender(None, None, slack.webhook_url, None), WebhookSender)
    assert isinstance(make_sender(" ", "", "", None), ConsoleSender)
    assert make_sender(None, None, None, None).name == "console"
    sender = make_sender(TOKEN, CHANNEL, None, slack.api_url)
    assert sender.name == "slack-web-api" and sender.send(render_alert(fine())).ok


def test_make_sender_rejects_a_token_without_channel_and_a_non_http_webhook() -> None:
    with pytest.raises(ConfigError, match="channel") as no_channel:
        make_sender(TOKEN, None, None, None)
    assert TOKEN not in str(no_channel.value)
    with pytest.raises(ConfigError, match="https://") as bad_hook:
        make_sender(None, None, "hooks.slack.com/services/T0/B0/s3cr3t", None)
    assert "s3cr3t" not in str(bad_hook.value)


def test_console_sender_prints_text_and_compact_blocks() -> None:
    out = io.StringIO()
    sender = ConsoleSender(out)
    first = sender.send(render_alert(fine(companies=["AT&T <Test>"])))
    second = sender.send(render_update(fine(), [Source("FT", "https://www.ft.com/content/1", "FT")]), thread_ts="x")
    assert (first.ok, first.ts, second.ts) == (True, "console-1", "console-2")
    lines = out.getvalue().splitlines()
    assert lines[0] == f"Fine: AT&T <Test> fined 18.228 billion yuan (≈ $2.54 billion) {BY_SAMR} — {URL}"
    assert lines[1] == "    # Fine: AT&T <Test>"
    assert lines[2].startswith("    *Companies* AT&T <Test> | *Regulator* State Administration for Market "
                               "Regulation (SAMR)")
    assert f"China fines Alibaba record $2.8 bln ({URL})" in out.getvalue()
    assert any(line.startswith("↳ Also reported by FT") for line in lines)


def test_console_sender_defaults_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert ConsoleSender().send(SlackMessage("hello", [])).ok
    assert capsys.readouterr().out == "hello\n"


# -- the server's other endpoints, for later modules ---------------------------


def test_server_supports_auth_test_update_and_file_upload(slack: SlackServer) -> None:
    client = WebClient(token=TOKEN, base_url=slack.api_url, retry_handlers=[])
    assert client.auth_test()["bot_id"] == "B0REGWATCH"
    posted = client.chat_postMessage(channel="#regwatch-alerts", text="draft")
    assert posted["channel"] == CHANNEL
    updated = client.chat_update(channel=CHANNEL, ts=posted["ts"], text="final")
    assert updated["ts"] == posted["ts"] and slack.messages[-1].text == "final"
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    upload = client.files_upload_v2(channel=CHANNEL, content=png, filename="digest.png", title="Weekly digest",
                                    initial_comment="This week", thread_ts=posted["ts"])
    assert upload["ok"] and upload["file"]["title"] == "Weekly digest"
    [stored] = slack.uploads.values()
    assert (stored.data, stored.channel, stored.thread_ts, stored.completed) == (png, CHANNEL, posted["ts"], True)


def test_server_rejects_what_slack_rejects(slack: SlackServer) -> None:
    client = WebClient(token=TOKEN, base_url=slack.api_url, retry_handlers=[])
    anonymous = WebClient(base_url=slack.api_url, retry_handlers=[])
    calls = [
        lambda: client.api_call("chat.postMessage", json={"channel": CHANNEL}),
        lambda: client.api_call("chat.postMessage", params={"channel": CHANNEL, "text": "x", "blocks": "[{}]"}),
        lambda: client.api_call("chat.update", json={"channel": CHANNEL, "ts": "1.2", "text": "x"}),
        lambda: anonymous.api_call("auth.test"),
    ]
    errors = []
    for call in calls:
        with pytest.raises(SlackApiError) as failed:
            call()
        errors.append(failed.value.response["error"])
    assert errors == ["no_text", "invalid_blocks", "message_not_found", "not_authed"]
    assert slack.messages == []


def _posted(client: WebClient, n: int, **extra: Any) -> list[str]:
    """Post `n` messages carrying metadata {"event_type": "t", "event_payload": {"n": i}}; their ts."""
    return [client.chat_postMessage(channel=CHANNEL, text=f"m{i}", metadata={"event_type": "t",
                                    "event_payload": {"n": i}}, **extra)["ts"] for i in range(n)]


def test_server_reads_history_back_newest_first_between_oldest_and_latest_a_page_at_a_time(
    slack: SlackServer,
) -> None:
    client = WebClient(token=TOKEN, base_url=slack.api_url, retry_handlers=[])
    ts = _posted(client, 5)
    assert ts == sorted(ts, key=float) and abs(float(ts[0]) - time.time()) < 60, "a ts is the time it was posted"
    reply = client.chat_postMessage(channel=CHANNEL, text="in a thread", thread_ts=ts[2])["ts"]
    plain = client.conversations_history(channel=CHANNEL)
    assert [m["ts"] for m in plain["messages"]] == ts[::-1], "newest first; thread replies are not history"
    assert all("metadata" not in m for m in plain["messages"]), "metadata only when asked for"
    pages, cursor = [], None
    while True:
        page = client.conversations_history(channel=CHANNEL, oldest=ts[0], latest=ts[4], inclusive=True, limit=2,
                                            cursor=cursor, include_all_metadata=True)
        pages.append([m["metadata"]["event_payload"]["n"] for m in page["messages"]])
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == [[4, 3], [2, 1], [0]]
    exclusive = client.conversations_history(channel=CHANNEL, oldest=ts[0], latest=ts[4])
    assert [m["ts"] for m in exclusive["messages"]] == ts[3:0:-1]
    thread = client.conversations_replies(channel=CHANNEL, ts=ts[2], include_all_metadata=True)
    assert [m["ts"] for m in thread["messages"]] == [ts[2], reply] and not thread["has_more"]
    assert thread["messages"][0]["metadata"] == {"event_type": "t", "event_payload": {"n": 2}}
    assert slack.messages[0].metadata == {"event_type": "t", "event_payload": {"n": 0}}


def test_server_history_needs_the_history_scope_a_channel_id_and_membership() -> None:
    with SlackServer(token=TOKEN, channels={"C0ALERTS": "regwatch-alerts", "G0SECRET": "secret",
                                            "C0OTHER": "other"}, members=("C0ALERTS", "G0SECRET"),
                     private=("G0SECRET",), scopes=("chat:write", "channels:history")) as slack:
        client = WebClient(token=TOKEN, base_url=slack.api_url, retry_handlers=[])
        assert client.conversations_history(channel=CHANNEL)["ok"]
        errors = []
        for channel in ("G0SECRET", "#regwatch-alerts", "C0OTHER"):
            with pytest.raises(SlackApiError) as failed:
                client.conversations_history(channel=channel)
            errors.append((failed.value.response["error"], failed.value.response.get("needed")))
        with pytest.raises(SlackApiError) as bad:
            client.chat_postMessage(channel=CHANNEL, text="x", metadata={"event_type": "t"})
    assert errors == [("missing_scope", "groups:history"), ("channel_not_found", None), ("not_in_channel", None)]
    assert bad.value.response["error"] == "invalid_metadata_format"


@pytest.mark.usefixtures("prefect_harness")
def test_secret_from_prefect_block() -> None:
    from prefect.blocks.system import Secret

    Secret(value=TOKEN).save("regwatch-test-slack-token", overwrite=True)
    assert secret_from_prefect_block("regwatch-test-slack-token") == TOKEN
    assert secret_from_prefect_block("regwatch-no-such-block") is None
