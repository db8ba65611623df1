"""Adaptive polling: how often each feed is polled, from what its recent polls found.

As Media Cloud's fetcher does, a feed that brings new items is polled every cycle, and one that has brought
nothing new for long, or keeps failing, less and less often, geometrically, up to a bound. Ten thousand feeds
then fit a one-minute schedule without hammering anyone: most of them are quiet at any moment, and a quiet
feed's host is asked every ten minutes instead of every minute.

- The minimum, `fetch.min_poll_interval_seconds` (60 s), is the shipped schedule's period (deploy/prefect.yaml
  runs a cycle every minute): a feed with news is polled every cycle.
- A feed backs off once `fetch.quiet_polls_before_backoff` polls in a row (240: four hours at the shipped
  schedule) found nothing new, or 3 in a row failed (the runs that report a failing feed, alerts.yaml's
  `failing_feed_runs`, still poll it). Each further such poll doubles its interval, up to
  `fetch.max_poll_interval_seconds` (600 s), or the feed's own `max_poll_interval_seconds` where it sets a
  lower one (config/feeds.yaml gives the regulators' feeds 120 s). The first new item brings it back to every
  cycle.

Why four hours: stories come at random, so an hour's silence says little about the next minute; what tells a
quiet feed from a busy one is a long silence. `bench/latency.py` simulates a day of feeds busy and quiet with
this policy: backing off after 3 quiet polls caught even outlets publishing every few minutes backed off, and
p95 was over 8 minutes; after four hours, p95 is under 2 minutes and half the polls are still saved, most of
them on feeds that publish a story a day or less.

Why ten minutes at most: it is how late the first story after a lull may be seen in the quietest feed (a
regulator's notices, a few a week): no later than every feed was seen when the schedule was every ten
minutes. Longer would save a request every few minutes per quiet feed and cost minutes on that first story,
the one an analyst waits for.

A feed at the minimum interval is due every cycle, whatever the clock says (a cycle run by hand, or cycles
compressed in a test, poll it as the schedule would); a backed-off feed when its time has come. Intervals,
due times and the quiet streak are stored per feed and shown by `regwatch feeds`; a feed never polled is due
at once, and `regwatch run --all-feeds` makes every feed due.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from tasks.fetch.feeds_config import FetchLimits

FAILURES_BEFORE_BACKOFF = 3  # alerts.yaml's default failing_feed_runs: the runs that report a feed still poll it
BACKOFF_FACTOR = 2  # each quiet or failed poll past the threshold doubles the interval, up to the maximum
MAX_DOUBLINGS = 30  # past this the maximum has long been reached: keeps the arithmetic small


class Outcome(StrEnum):
    """What a poll found, as far as the feed's schedule is concerned."""

    NEW_ITEMS = "new_items"  # the feed lists an item it did not list last time
    UNCHANGED = "unchanged"  # 304, or the same items as last time
    FAILED = "failed"


def quiet_streak(previous: int, outcome: Outcome) -> int:
    """Polls in a row, this one included, that found nothing new (failures included)."""
    return 0 if outcome is Outcome.NEW_ITEMS else previous + 1


def failure_streak(previous: int, outcome: Outcome) -> int:
    """Polls in a row, this one included, that failed."""
    return previous + 1 if outcome is Outcome.FAILED else 0


def next_interval(quiet_polls: int, failures: int, limits: FetchLimits, feed_maximum: int | None = None) -> int:
    """Seconds until the feed's next poll, after `quiet_polls` polls in a row found nothing new and the last
    `failures` failed: the minimum (every cycle) until either streak reaches its threshold, then doubling with
    each further poll, within `limits`' bounds and the feed's own maximum, if it has one."""
    past = max(quiet_polls - limits.quiet_polls_before_backoff, failures - FAILURES_BEFORE_BACKOFF) + 1
    if past <= 0:
        return limits.min_poll_interval_seconds
    interval = limits.min_poll_interval_seconds * BACKOFF_FACTOR ** min(MAX_DOUBLINGS, past)
    highest = min(limits.max_poll_interval_seconds, feed_maximum or limits.max_poll_interval_seconds)
    return max(limits.min_poll_interval_seconds, min(highest, interval))


def is_due(interval: int | None, next_poll_at: datetime | None, now: datetime, minimum: int) -> bool:
    """Whether a cycle starting at `now` polls the feed: never scheduled, polled every cycle, or due within
    half a minimum interval. The slack is for the schedule's own jitter: a cycle that starts a second before a
    feed's due time must poll it, or a feed due every other minute would be polled every third."""
    if interval is None or next_poll_at is None or interval <= minimum:
        return True
    return next_poll_at <= now + timedelta(seconds=minimum / 2)


def items_digest(keys: Iterable[str]) -> str:
    """A fingerprint of the items a feed lists, in any order: a 200 with the same items as last time is quiet
    (many servers never answer 304, and some re-date their feed on every request)."""
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:16]
