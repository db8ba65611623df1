"""Adaptive polling's policy: a feed with news every cycle, a long-quiet or failing one less often, within bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from tasks.common.errors import ConfigError
from tasks.fetch.feeds_config import FeedConfig, FetchLimits, load_feeds
from tasks.fetch.poll import FeedPoll, FeedState, rescheduled
from tasks.fetch.schedule import Outcome, failure_streak, is_due, items_digest, next_interval, quiet_streak

LIMITS = FetchLimits(quiet_polls_before_backoff=5)
MIN, MAX = 60, 600
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def intervals(outcomes: list[Outcome], limits: FetchLimits = LIMITS) -> list[int]:
    """The interval after each poll of a feed whose polls find `outcomes` in turn."""
    found, quiet, failures = [], 0, 0
    for outcome in outcomes:
        quiet, failures = quiet_streak(quiet, outcome), failure_streak(failures, outcome)
        found.append(next_interval(quiet, failures, limits))
    return found


def test_a_quiet_feed_is_polled_every_cycle_until_its_quiet_streak_then_backs_off_geometrically_to_the_max() -> None:
    assert intervals([Outcome.UNCHANGED] * 10) == [60, 60, 60, 60, 120, 240, 480, 600, 600, 600]


def test_the_default_streak_is_four_hours_of_the_shipped_schedule() -> None:
    assert intervals([Outcome.UNCHANGED] * 240, FetchLimits())[-2:] == [60, 120]


def test_a_failing_feed_backs_off_after_three_failures_however_long_its_quiet_streak_allows() -> None:
    assert intervals([Outcome.FAILED] * 6, FetchLimits()) == [60, 60, 120, 240, 480, 600]


def test_new_items_bring_the_feed_back_to_every_cycle_at_once() -> None:
    quiet_then_news = [Outcome.UNCHANGED] * 9 + [Outcome.NEW_ITEMS, Outcome.UNCHANGED]
    assert intervals(quiet_then_news)[-3:] == [600, 60, 60]
    assert intervals([Outcome.FAILED] * 4 + [Outcome.UNCHANGED], FetchLimits()) == [60, 60, 120, 240, 60]  # answers


def test_a_feed_quiet_for_years_stays_at_the_maximum() -> None:
    assert next_interval(10**6, 10**6, LIMITS) == MAX
    assert next_interval(0, 0, LIMITS) == MIN


def test_a_feed_is_due_when_never_scheduled_polled_every_cycle_or_within_half_a_minimum_of_its_time() -> None:
    later = NOW + timedelta(minutes=5)
    assert is_due(None, None, NOW, MIN)
    assert is_due(MIN, later, NOW, MIN)  # every cycle: however soon the next cycle comes
    assert is_due(240, NOW - timedelta(minutes=5), NOW, MIN)
    assert is_due(240, NOW + timedelta(seconds=29), NOW, MIN)  # the schedule's jitter: this cycle, not the next
    assert not is_due(240, NOW + timedelta(seconds=31), NOW, MIN)


def test_the_items_digest_ignores_order_and_sees_a_new_item() -> None:
    assert items_digest(["a", "b"]) == items_digest(["b", "a"])
    assert items_digest(["a", "b"]) != items_digest(["a", "b", "c"])


def test_the_bounds_in_feeds_yaml_must_be_in_order() -> None:
    assert (FetchLimits().min_poll_interval_seconds, FetchLimits().max_poll_interval_seconds) == (MIN, MAX)
    with pytest.raises(ValidationError, match=r"max_poll_interval_seconds \(30\) must be at least"):
        FetchLimits(min_poll_interval_seconds=60, max_poll_interval_seconds=30)


def test_a_feed_with_a_maximum_of_its_own_backs_off_no_further_than_it() -> None:
    """A regulator's notices: quiet for days, yet polled at least every two minutes."""
    assert [next_interval(q, 0, LIMITS, feed_maximum=120) for q in (4, 5, 6, 10**6)] == [60, 120, 120, 120]
    assert next_interval(10**6, 0, LIMITS, feed_maximum=6000) == MAX  # the fetch-wide maximum still bounds it


def test_the_cycle_reschedules_a_feed_within_its_own_maximum() -> None:
    regulator = FeedConfig(url="https://example.org/notices.rss", max_poll_interval_seconds=120)
    quiet_for_days = FeedState(quiet_polls=10**5, items_digest="same")
    poll = FeedPoll(regulator, "not_modified", FeedState(items_digest="same"))
    after = rescheduled(poll, quiet_for_days, FetchLimits(), NOW).state
    assert after.interval_seconds == 120 and after.next_poll_at == NOW + timedelta(seconds=120)


def test_a_feeds_maximum_below_the_minimum_is_a_config_mistake_naming_its_line(tmp_path: Path) -> None:
    (tmp_path / "feeds.yaml").write_text("feeds:\n  - url: https://example.org/a.rss\n"
                                         "  - url: https://example.org/b.rss\n    max_poll_interval_seconds: 30\n")
    with pytest.raises(ConfigError, match=r"feeds.yaml:4: feeds\[1\].max_poll_interval_seconds: 30 is below "
                                          r"fetch.min_poll_interval_seconds \(60\)"):
        load_feeds(tmp_path)


def test_bounds_out_of_order_in_feeds_yaml_are_one_plain_line(tmp_path: Path) -> None:
    (tmp_path / "feeds.yaml").write_text("feeds: []\nfetch:\n  max_poll_interval_seconds: 30\n")
    with pytest.raises(ConfigError) as raised:
        load_feeds(tmp_path)
    assert str(raised.value).endswith("feeds.yaml:2: fetch: max_poll_interval_seconds (30) must be at least "
                                      "min_poll_interval_seconds (60)")
