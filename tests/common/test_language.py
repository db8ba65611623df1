"""Language detection: English and Chinese are read; every other language is named, not guessed as English."""

from __future__ import annotations

import pytest

from tasks.common.language import detect_language, language_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The market regulator fined the platform 500,000 yuan for an unreported deal.", "en"),
        ("市场监管总局对该平台处以50万元罚款。", "zh"),
        ("市場監管總局對該平台處以50萬元罰款。", "zh"),
        ("中国の規制当局はアリババに罰金を科したと発表した。", "ja"),
        ("중국 규제 당국이 플랫폼 기업에 과징금을 부과했다.", "ko"),
        ("Китайский регулятор оштрафовал платформу.", "ru"),
        ("فرضت الجهة التنظيمية الصينية غرامة على المنصة.", "ar"),
        ("หน่วยงานกำกับดูแลของจีนสั่งปรับแพลตฟอร์ม", "th"),
        ("The regulator said 규제 당국이 과징금을 부과했다 in a statement.", "ko"),  # a script among Latin words
        ("Die chinesische Marktaufsicht hat die Plattform mit einer Geldstrafe belegt, die nicht gering ist.", "de"),
        ("Le régulateur chinois a infligé une amende à la plateforme pour un rachat non déclaré.", "fr"),
        ("El regulador chino impuso una multa a la plataforma por una adquisición que no fue notificada.", "es"),
        ("Regulator China menjatuhkan denda kepada platform yang tidak melaporkan akuisisi itu.", "id"),
        ("Alibaba Group Holding 9988.HK", "en"),  # names and numbers only: read as English
        ("12345 67", "other"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_a_chinese_story_quoting_english_names_is_chinese() -> None:
    text = "国家市场监督管理总局(SAMR)依法对Alibaba Group Holding Limited作出行政处罚,罚款182.28亿元。" * 3
    assert detect_language(text) == "zh"


def test_language_names_for_messages() -> None:
    assert language_name("de") == "German"
    assert language_name("other") == "an unknown language"


def test_function_words_count_each_time_they_occur() -> None:
    """Occurrences, not distinct words, decide between Latin-script languages (the counting was rewritten for
    speed: a set of the words would call this English, two distinct English words against one German)."""
    assert detect_language("der Markt der Plattform der Fall der Preis the of") == "de"
    assert detect_language("The THE the Die") == "en"  # case folded before counting
