"""Company matching, money parsing and regulator lookup on their own."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from tasks.classify.companies import CompanyMatcher, load_companies, ticker_surfaces
from tasks.classify.money import exact, find_money
from tasks.classify.regulators import FOREIGN, RegulatorFinder
from tasks.common.errors import ConfigError
from tasks.common.settings import DEFAULT_CONFIG_DIR


@cache
def matcher() -> CompanyMatcher:
    return CompanyMatcher(load_companies(DEFAULT_CONFIG_DIR))


def names(text: str) -> list[str]:
    return sorted({m.company for m in matcher().find(text)})


def test_shipped_list_covers_the_crackdown() -> None:
    shipped = {c.name for c in load_companies(DEFAULT_CONFIG_DIR)}
    required = {"Alibaba Group", "Ant Group", "Tencent", "Meituan", "Didi Global", "ByteDance", "JD.com",
                "PDD Holdings", "Baidu", "NetEase", "Kuaishou", "Weibo", "Douban", "Bilibili", "Xiaomi",
                "Trip.com Group", "New Oriental", "TAL Education", "Full Truck Alliance", "Kanzhun"}
    assert required <= shipped
    assert len(shipped) >= 30


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Alipay and Taobao are cornerstones of Jack Ma's empire.", ["Alibaba Group", "Ant Group"]),
        ("WeChat Pay and Tenpay were fined.", ["Tencent"]),
        ("Douyin, known abroad as TikTok, grew fast.", ["ByteDance"]),
        ("Tencent Music Entertainment (NYSE: TME) said", ["Tencent Music Entertainment"]),
        ("Shares of 9988.HK fell while NYSE: BABA was flat.", ["Alibaba Group"]),
        ("腾讯控股(00700.HK)股价上涨", ["Tencent"]),
        ("市场监管总局对阿里巴巴集团控股有限公司作出处罚", ["Alibaba Group"]),
        ("國家網信辦對滴滴全球股份有限公司罰款", ["Didi Global"]),
        ("Didi Chuxing riders and Didi drivers", ["Didi Global"]),
        ("美团外卖和饿了么展开补贴大战", ["Alibaba Group", "Meituan"]),
    ],
)
def test_aliases_subsidiaries_tickers_roll_up(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Ant groups of up to 500 workers forage together, biologists found.",
        "Please send a JD and salary range for the analyst role.",
        "My friend Didi moved to Lisbon last spring.",
        "京东方今年的面板出货量创下新高。",
        "阿里山的日出吸引了很多游客。",
        "生活中的点点滴滴都值得珍惜。",
        "早餐喝一碗小米粥，再配一碟小菜。",
        "众里寻他千百度，蓦然回首。",
        "他快手快脚地收拾好行李。",
        "A rum BABA soaked in syrup.",
        "对此，该电商平台发布微博称将全面整改。",  # a post on Weibo, not news about Weibo
    ],
)
def test_false_friends_are_not_companies(text: str) -> None:
    assert names(text) == []


def test_matches_record_surface_and_position() -> None:
    text = "Regulators fined Alibaba; 阿里巴巴 accepted."
    found = matcher().find(text)
    assert [(m.surface, text[m.start:m.end]) for m in found] == [("Alibaba", "Alibaba"), ("阿里巴巴", "阿里巴巴")]


def test_longest_name_wins() -> None:
    found = matcher().find("Tencent Music said")
    assert [m.company for m in found] == ["Tencent Music Entertainment"]


def test_hong_kong_ticker_forms() -> None:
    assert {"0700.HK", "00700.HK", "700.HK", "HKEX:0700", "(00700)"} <= set(ticker_surfaces("HKEX:0700"))


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("companies:\n  - id: a\n    name: A\n  - id: a\n    name: B\n",
         "companies.yaml:4: companies[1].id: duplicate"),
        ("companies:\n  - id: A B\n    name: A\n", "companies.yaml:2: companies[0].id: String should match"),
        ("companies:\n  - id: a\n    name: A\n    tickers: [BABA]\n", "companies.yaml:4: companies[0].tickers"),
        ("companies:\n  - id: a\n    name: A\n    nickname: x\n", "companies.yaml:4: companies[0].nickname: Extra"),
        ("- a\n", "companies.yaml:1: expected a mapping"),
    ],
)
def test_bad_companies_file_names_the_line(tmp_path: Path, yaml_text: str, message: str) -> None:
    (tmp_path / "companies.yaml").write_text(yaml_text)
    with pytest.raises(ConfigError, match=None) as info:
        load_companies(tmp_path)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("fined 18.228 billion yuan", 18_228_000_000, "CNY"),
        ("a $2.8 billion penalty", 2_800_000_000, "USD"),
        ("RMB18.228bn", 18_228_000_000, "CNY"),
        ("CNY 8.026 billion", 8_026_000_000, "CNY"),
        ("HK$1.2 billion", 1_200_000_000, "HKD"),
        ("500,000 yuan", 500_000, "CNY"),
        ("182.28亿元", 18_228_000_000, "CNY"),
        ("人民币71.23亿元", 7_123_000_000, "CNY"),
        ("五十万元", 500_000, "CNY"),
        ("罚款8760万元", 87_600_000, "CNY"),
        ("约合28亿美元", 2_800_000_000, "USD"),
        ("1.2 billion euros", 1_200_000_000, "EUR"),
        ("約新台幣655萬元", 6_550_000, "TWD"),  # a Taiwanese outlet's conversion: its 元 is no yuan
        ("NT$2 million", 2_000_000, "TWD"),
    ],
)
def test_money_as_reported(text: str, amount: int, currency: str) -> None:
    found = find_money(text)
    assert [(exact(m.amount), m.currency) for m in found] == [(amount, currency)]
    assert isinstance(found[0].amount, Decimal)


def test_a_name_in_any_case_is_found_where_it_is_among_other_scripts() -> None:
    """Names of several words match in any case, on a copy of the text with only A-Z lowered: characters that
    lowering would lengthen (İ) or change (Ω, Ｆ) must stay as they are, or every position after them shifts."""
    text = "İstanbul Ω Ｆ 监管: THE SHANGHAI STOCK EXCHANGE fined it"
    (mention,) = RegulatorFinder().find(text)
    assert (mention.code, mention.surface) == ("SSE", "SHANGHAI STOCK EXCHANGE")
    assert text[mention.start:mention.end] == mention.surface


def test_regulators_prefer_the_longest_name_and_know_foreign_ones() -> None:
    finder = RegulatorFinder()
    assert [m.code for m in finder.find("美国证监会对该公司罚款")] == [FOREIGN]
    assert [m.code for m in finder.find("中国证监会发布新规")] == ["CSRC"]
    assert [m.code for m in finder.find("China's market regulator fined the firm")] == ["SAMR"]
    assert [m.code for m in finder.find("South Korea's antitrust watchdog fined Google")] == [FOREIGN]
    assert [m.code for m in finder.find("上海市市场监管局对拼多多罚款")] == ["SAMR"]
    assert [(m.code, m.local) for m in finder.find("The Hangzhou Administration for Market Regulation fined it")] == [
        ("SAMR", True)]


def test_a_language_menu_names_no_country() -> None:
    """Translated news sites list their languages (中文 English 日本語) above every article: 日本語 is the Japanese
    language, and reading it as Japan would make every story on the site a foreign authority's."""
    finder = RegulatorFinder()
    assert finder.find("中文English日本語Español") == []
    assert [m.code for m in finder.find("日本公平交易委员会对该公司罚款")] == [FOREIGN]


def test_names_in_both_scripts_come_in_the_order_of_the_text() -> None:
    """Latin and Chinese names are looked for in two passes (the second only when the text has a Chinese
    character); what is found comes in the text's order, with the longest name winning, as from one pass."""
    found = matcher().find("Alibaba与腾讯控股(00700.HK)周二表示，阿里巴巴和Tencent Music都会配合检查。")
    assert [(m.company_id, m.surface, m.start) for m in found] == [
        ("alibaba", "Alibaba", 0), ("tencent", "腾讯控股", 8), ("tencent", "00700.HK", 13),
        ("alibaba", "阿里巴巴", 27), ("tme", "Tencent Music", 32)]
    assert [m.surface for m in matcher().find("Shares of Tencent Music and Tencent (0700.HK) fell.")] == [
        "Tencent Music", "Tencent", "0700.HK"]


@pytest.mark.parametrize(("text", "acting"), [
    ("China fines a ride-hailing platform over data rules", "China"),
    ("Beijing's sudden, last-minute decision to halt the listing", "Beijing's sudden, last-minute decision to"),
    ("内地向一家外卖平台开出罚单", "内地"),
    ("中國政府對該平台展開調查", "中國政府"),
    ("The regulator fined a ride-hailing platform over data rules", None),
])
def test_a_country_acting_is_found_in_either_language(text: str, acting: str | None) -> None:
    """Looked for only in a text that names China (the search is costly): each form still found."""
    found = [m.surface for m in RegulatorFinder().find(text) if m.code == "AUTHORITIES"]
    assert found == ([acting] if acting else [])


def test_a_penalty_notice_addressed_to_the_company_has_an_author_and_a_pavement_is_no_bank() -> None:
    found = RegulatorFinder().find("你（单位）的上述行为违反了规定：车辆在人行道逆行。现对你公司作出如下处罚。")
    assert [(m.code, m.surface) for m in found] == [("AUTHORITIES", "你（单位）的上述行为"),
                                                    ("AUTHORITIES", "现对你公司作出")]
    assert [m.code for m in RegulatorFinder().find("人行发布通知，支付机构须整改。")] == ["PBOC"]


def test_a_city_or_the_country_acts_only_as_a_whole_word() -> None:
    assert [m.code for m in RegulatorFinder().find("Shanghai fines Meituan.")] == ["LOCAL"]
    assert [m.code for m in RegulatorFinder().find("China fines Meituan.")] == ["AUTHORITIES"]
    assert RegulatorFinder().find("Xinshanghai fines its staff. Indochina bans them.") == []


def test_a_notice_in_its_authors_voice_has_an_author() -> None:
    assert [m.surface for m in RegulatorFinder().find("本局决定对该公司处以罚款。我部将依法处置。")] == ["本局", "我部"]
    assert RegulatorFinder().find("我部分同事认为本局面有利。") == []  # 我部分 (some of us), 本局面: no author
