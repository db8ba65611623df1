"""The latency simulation and the scale row, small: what they count is what they claim."""

from __future__ import annotations

from bench.latency import FeedKind, simulate_latency
from bench.scale import measure_scale
from tasks.fetch.feeds_config import FetchLimits


def test_a_feed_polled_every_cycle_reaches_slack_within_a_period_and_a_cycle() -> None:
    busy = (FeedKind("busy", 3, 30.0),)
    found = simulate_latency(quiet_cycle=1.0, busy_cycle=10.0, hours=2, kinds=busy)
    assert found.stories > 100
    assert found.polls == found.polls_every_cycle  # never quiet for 4 hours: polled every cycle
    assert 10.0 <= found.p50 < found.p95 <= found.worst <= 60.0 + 10.0


def test_quiet_feeds_are_polled_less_and_their_stories_wait_up_to_the_maximum_interval() -> None:
    rare = (FeedKind("regulator", 20, 0.05),)
    limits = FetchLimits(quiet_polls_before_backoff=10)
    found = simulate_latency(quiet_cycle=1.0, busy_cycle=10.0, hours=12, kinds=rare, limits=limits)
    assert found.polls < 0.2 * found.polls_every_cycle
    assert 60.0 + 10.0 < found.worst <= limits.max_poll_interval_seconds + 60.0 + 10.0
    assert not found.ok and "FAIL" in found.lines()[0]


def test_a_quiet_feed_with_a_maximum_of_its_own_is_seen_within_it() -> None:
    """The regulators' feeds of config/feeds*.yaml: as rare as above, but at least every two minutes."""
    rare = (FeedKind("regulator", 20, 0.05, max_interval=120),)
    limits = FetchLimits(quiet_polls_before_backoff=10)
    found = simulate_latency(quiet_cycle=1.0, busy_cycle=10.0, hours=12, kinds=rare, limits=limits)
    assert 60.0 + 10.0 < found.worst <= 120 + 60.0 + 10.0
    assert found.polls < 0.6 * found.polls_every_cycle


def test_the_scale_row_polls_every_feed_and_sees_the_changed_ones() -> None:
    rows, [(name, measured, ok)] = measure_scale(feeds=300, hosts=4)
    assert "(297 answered 304, 3 200)" in rows[0][0]
    assert ok and "300 feeds" in name and "s wall" in measured
