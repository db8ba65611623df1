"""When a sentence tells of the past: what makes a fine in it a recap rather than news."""

from datetime import date

import pytest

from tasks.classify.events.timing import is_recap

MARCH_14 = date(2022, 3, 14)


@pytest.mark.parametrize("sentence", [
    "上述APP应在3月21日前完成整改。",  # the 21st of this month is a deadline, not "21 days ago"
    "The apps must be fixed by March 21.",
    "平台须于3月31日之前提交报告。",
])
def test_a_deadline_later_this_month_is_not_the_past(sentence: str) -> None:
    assert not is_recap(sentence, MARCH_14, exact=True)


@pytest.mark.parametrize("sentence", [
    "三天前，网信办约谈了微博。",
    "两个月前该公司被罚款。",
    "In November the regulator fined the platform.",  # a month after the story's date: last November
    "3月20日，工信部通报了14款APP。",  # no deadline word: the 20th of last March
])
def test_days_ago_and_earlier_months_are_the_past(sentence: str) -> None:
    assert is_recap(sentence, MARCH_14, exact=True)
