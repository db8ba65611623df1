"""`readable`'s clean-up, and the shortcuts that skip each step on a text it cannot change."""

from __future__ import annotations

import pytest

from tasks.classify.classifier import readable


@pytest.mark.parametrize(("text", "expected"), [
    # A menu (four bars at least) is blanked, in either bar; three bars are a sentence's business.
    ("首页 | 新闻 | 财经 | 科技 | 视频\n监管部门发布通知。", " " * 22 + "\n监管部门发布通知。"),
    ("首页｜新闻｜财经｜科技｜视频", " " * 14),
    ("Rates | Bonds | Stocks", "Rates | Bonds | Stocks"),
    # A breadcrumb trail is blanked, on its own line only; one ">" is a sentence's business.
    ("腾讯首页 > 科技 > 正文\n监管部门发布通知。", " " * 14 + "\n监管部门发布通知。"),
    ("Home » Business » Tech", " " * 22),
    ("Growth > 5% in Q1", "Growth > 5% in Q1"),
    ("首页\n> 科技 > 正文", "首页\n" + " " * 9),
    # A pinyin gloss goes after a Chinese character only; a Latin word's brackets stay.
    ("監(jiān)管部门", "監管部门"),
    ("The fund (abc) fell", "The fund (abc) fell"),
    # A line hard-wrapped inside a Chinese sentence is joined; an English line break is kept.
    ("监管部门周二表示将对平台企业的定价行为开展专项检查并要求各企业\n\n在三十日内提交整改报告。",
     "监管部门周二表示将对平台企业的定价行为开展专项检查并要求各企业在三十日内提交整改报告。"),
    ("The regulator said on Tuesday that it would look at prices charged\nby the platforms.",
     "The regulator said on Tuesday that it would look at prices charged\nby the platforms."),
    # Full-width digits become ASCII, with their number punctuation.
    ("罚款３４。４２亿元", "罚款34.42亿元"),
])
def test_readable_cleans_what_needs_it_and_leaves_the_rest(text: str, expected: str) -> None:
    assert readable(text) == expected
