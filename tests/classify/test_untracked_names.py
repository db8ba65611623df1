"""Who an action falls on when no tracked company is named: the untracked name the fine is attached to."""

from __future__ import annotations

from tasks.classify.events.attach import untracked_name
from tasks.classify.events.cues import TRIGGERS


def fined(sentence: str) -> str | None:
    trigger = TRIGGERS["fine"].search(sentence)
    assert trigger is not None
    return untracked_name(sentence, trigger)


def test_a_passive_trigger_falls_on_the_firm_named_before_it_not_the_body_after_it() -> None:
    sentence = ("Among the cases, Shanghai Lvye Agriculture Co was fined 350,000 yuan (US$48,300) for cheating buyers, "
                "the Shanghai Administration for Market Regulation said.")
    assert fined(sentence) == "Lvye Agriculture Co"


def test_a_place_before_was_fined_is_not_the_firm() -> None:
    assert "Province" not in (fined("A shop in Jiangsu Province was fined 20,000 yuan by Acme Trading.") or "")


def test_a_name_cut_by_the_reading_window_is_not_taken_as_a_firm() -> None:
    # The regulator's name straddles the 90 characters read after the trigger: no "Regulati" firm.
    sentence = ("The regulator fined 350,000 yuan (US$48,300) for price fraud on onions at a market in town, "
                "the Qingdao Regulation said.")
    trigger = TRIGGERS["fine"].search(sentence)
    assert trigger is not None
    start = sentence.index("Qingdao")
    assert start - trigger.end() < 90 < sentence.index(" said") - trigger.end()
    assert fined(sentence) is None


def test_the_outlet_a_story_is_credited_to_is_not_the_firm() -> None:
    assert fined("The regulator fined a lending app 300,000 yuan on Monday, Shanghai Evening Post reported.") is None
    assert fined("The regulator fined Acme Lending 300,000 yuan, Shanghai Evening Post reported.") == "Acme Lending"


def test_a_listing_is_not_a_firm() -> None:
    assert fined("The securities regulator fined 2.4 million yuan over IPO fraud at the video site.") is None


def test_parties_only_described_are_no_name_wherever_the_description_starts() -> None:
    """对北京相关涉事企业罚款 describes those fined (a place, then 相关涉事): no firm is called that."""
    assert fined("北京市通信管理局依法对北京相关涉事企业罚款3万元。") is None
    assert fined("上海市市场监管局依法对上海云讯科技有限公司罚款3万元。") == "上海云讯科技有限公司"


def test_a_registered_name_with_co_comma_ltd_is_whole() -> None:
    assert fined("Records show Hangzhou Lianxin Payment Technology Co., Ltd was fined 1.2 million yuan.") == (
        "Hangzhou Lianxin Payment Technology Co., Ltd")


def test_a_registered_name_starts_after_the_words_that_open_the_sentence() -> None:
    assert fined("On Tuesday Hangzhou Lianxin Science and Technology Co Ltd was fined 1.2 million yuan.") == (
        "Hangzhou Lianxin Science and Technology Co Ltd")
