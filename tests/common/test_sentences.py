"""Sentence splitting: where a sentence ends decides which company an action in it falls on."""

from tasks.common.text import split_sentences


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_chinese_with_half_width_punctuation_splits_at_its_semicolons_and_stops() -> None:
    # Some sites turn Chinese punctuation into ASCII; the clauses must still come apart.
    assert texts("约谈百度负责人,责令整改;对腾讯开展专项检查.网信办表示将加强监管.") == [
        "约谈百度负责人,责令整改;", "对腾讯开展专项检查.", "网信办表示将加强监管."]


def test_decimal_points_and_latin_semicolons_do_not_split() -> None:
    assert texts("罚款3.5亿元;A股收跌") == ["罚款3.5亿元;A股收跌"]
    assert texts("The fine was 3.5 billion yuan; shares fell.") == ["The fine was 3.5 billion yuan; shares fell."]


def test_offsets_point_back_into_the_text() -> None:
    text = "约谈百度,责令整改;对腾讯开展检查."
    assert [text[s.start:s.end] for s in split_sentences(text)] == texts(text)
