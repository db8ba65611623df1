"""Article text that tries to abuse the alert, through the whole flow to a Slack-shaped server.

Three real fines, reported by pages whose titles, evidence sentences and
URLs carry `<!channel>`, `<!here>`, `<@U…>` mentions, `<https://evil|Alibaba>`
link spoofing, right-to-left overrides, mrkdwn formatting and a 10 000
character title. Slack must receive each alert once, within its limits, with
every mention and foreign link inert and every bidi control gone. (mrkdwn
emphasis characters pass through: they can change emphasis inside one
block, never make a link, a mention or a message of their own.)
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest

from fakes.slack_server import SlackServer
from flows.demo.corpus_server import CorpusServer
from tests.support import faultkit as fk
from tests.support.configs import write_config
from tests.support.httpkit import static

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("prefect_harness")]

RLO, PDF = "\u202e", "\u202c"
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PAGES = {  # path -> (title, article text): each reports one real fine
    "/pages/alibaba.html": (
        f"<!channel> SAMR fines <https://evil.example|Alibaba> *record* ~penalty~ {RLO}live.example{PDF}",
        "China's State Administration for Market Regulation on Saturday fined Alibaba Group 18.228 billion "
        "yuan <!here> for abusing its dominant position <https://evil.example/phish|read the decision> in "
        "online retail. The regulator said Alibaba forced merchants to choose one platform. ",
    ),
    "/pages/didi.html": (
        "Didi fined " + RLO + "X" * 10_000,
        f"The Cyberspace Administration of China on Thursday fined Didi Global 8.026 billion yuan {RLO}for "
        f"violating{PDF} cybersecurity laws <@U0ADMIN> `rm -rf` ```code``` *urgent* _now_. The company said it "
        "accepted the decision and would rectify its data handling. ",
    ),
    "/pages/meituan.html?id=|<!channel>": (
        "Meituan fined <!everyone>",
        "China's State Administration for Market Regulation fined Meituan 3.442 billion yuan on Friday for "
        "forcing merchants on its food delivery platform into exclusive deals <#C0GENERAL>. Meituan said it "
        "would comply with the decision. ",
    ),
}


def texts(value: Any) -> Iterator[str]:
    """Every string in a message's text and blocks."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)


@pytest.fixture(scope="module")
def received(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[Any], str]]:
    """Two runs (the second must send nothing) against one Slack look-alike; what it accepted."""
    tmp = tmp_path_factory.mktemp("abusive-alerts")
    with pytest.MonkeyPatch.context() as env, SlackServer() as slack, CorpusServer() as server:
        env.chdir(tmp)
        env.setenv("REGWATCH_SLACK_BOT_TOKEN", slack.token)
        env.setenv("REGWATCH_SLACK_CHANNEL", "C0ALERTS")
        env.setenv("REGWATCH_SLACK_API_URL", slack.api_url)
        items = [(html.escape(title[:200]), html.escape(server.url(path))) for path, (title, _) in PAGES.items()]
        server.routes["/feed"] = static(fk.rss(items))
        for path, (title, text) in PAGES.items():
            page = fk.article(html.escape(title), html.escape(text) * 3)
            server.routes[path.split("?")[0]] = static(page, "text/html")
        config = write_config(tmp / "config", f"feeds:\n  - url: {server.url('/feed')}\n")
        result = fk.run_flow(config, tmp / "rw.duckdb")
        again = fk.run_flow(config, tmp / "rw.duckdb")
        assert result["alerts_sent"] == len(PAGES) and again["alerts_sent"] == 0, (result, again)
        yield slack.messages, server.base


def test_each_abusive_alert_is_sent_once_within_slack_limits(received: tuple[list[Any], str]) -> None:
    messages, _ = received
    assert sorted(m.text.split(":")[0] for m in messages) == ["Fine"] * len(PAGES)
    assert sorted(m.text.split(" fined")[0] for m in messages) == [
        "Fine: Alibaba Group", "Fine: Didi Global", "Fine: Meituan"]
    for message in messages:  # accepted by the server, which answers msg_too_long / invalid_blocks as Slack does
        assert len(message.text) <= 3000
        header = message.blocks[0]["text"]["text"]
        assert len(header) <= 150


def test_no_mention_foreign_link_or_bidi_control_reaches_slack(received: tuple[list[Any], str]) -> None:
    messages, base = received
    everything = [t for m in messages for t in texts([m.text, m.blocks])]
    for text in everything:
        assert not re.search(r"<[!@#]", text), text
        assert not BIDI.search(text), ascii(text[:200])
        for target in re.findall(r"<([^>|]*)", text):
            assert target.startswith(base), f"a link to {target!r} reached Slack"
    joined = "\n".join(everything)
    assert "&lt;!channel&gt;" in joined and "&lt;@U0ADMIN&gt;" in joined  # shown as text, not dropped
    assert "&lt;https://evil.example|Alibaba&gt;" in joined
    # the hostile URL is linked percent-encoded (its canonical form encodes the ! too), not broken out of
    assert "%7C%3C!channel%3E" in joined or "%7C%3C%21channel%3E" in joined


def test_a_10_000_character_title_is_cut(received: tuple[list[Any], str]) -> None:
    messages, _ = received
    didi = next(m for m in messages if "Didi" in m.text)
    labels = re.findall(r"\|([^>]*)>", "\n".join(texts(didi.blocks)))
    assert labels and all(len(label) <= 150 for label in labels)
    assert any(label.endswith("…") for label in labels)
