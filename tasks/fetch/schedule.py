"""Adaptive polling: how often each feed is polled, from what its recent polls found.

As Media Cloud's fetcher does, a feed that keeps bringing new items is polled every cycle, and one that
brings nothing new, or keeps failing, less and less often, geometrically, up to a bound. Ten thousand
feeds then fit a one-minute schedule: most of them are quiet at any moment, and a quiet feed's host is
asked every few minutes instead of every minute.

- A feed is polled every cycle until QUIET_POLLS_BEFORE_BACKOFF polls in a row found nothing new: one
  quiet minute says little about a news feed, and a feed that fails is still polled the cycles that
  report it failing (alerts.yaml's `failing_feed_runs`, 3) before it is asked less often.
- Then each further quiet poll doubles its interval, from feeds.yaml's `fetch.min_poll_interval_seconds`
  (60 s: the shipped schedule, deploy/prefect.yaml, runs a cycle every minute) up to
  `fetch.max_poll_interval_seconds` (600 s).
- The first new item brings it back to every cycle.

Why 600 s: it is how late the first story after a lull may be seen in the quietest feed (a regulator's
notices, a few a month): ten minutes, no later than every feed was seen when the schedule was every ten
minutes. Longer would save a request every few minutes per quiet feed and cost minutes on that first story,
the one an analyst waits for. `bench/latency.py` measures what the bounds give, story to Slack, over a
simulated day of feeds busy and quiet.

A feed at the minimum interval is due every cycle, whatever the clock says (a cycle run by hand, or
cycles compressed in a test, poll it as the schedule would); a backed-off feed when its time has come.
Intervals, due times and the quiet streak are stored per feed and shown by `regwatch feeds`; a feed never
polled is due at once, and `regwatch run --all-feeds` makes every feed due.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

QUIET_POLLS_BEFORE_BACKOFF = 3  # polls in a row without new items before a feed is polled less than every cycle
BACKOFF_FACTOR = 2  # each quiet or failed poll after those doubles the interval, up to the maximum
MAX_DOUBLINGS = 30  # past this the maximum has long been reached: keeps the arithmetic small


class Outcome(StrEnum):
    """What a poll found, as far as the feed's schedule is concerned."""

    NEW_ITEMS = "new_items"  # the feed lists an item it did not list last time
    UNCHANGED = "unchanged"  # 304, or the same items as last time
    FAILED = "failed"


def quiet_streak(previous: int, outcome: Outcome) -> int:
    """Polls in a row, this one included, that found nothing new: failures count as quiet."""
    return 0 if outcome is Outcome.NEW_ITEMS else previous + 1


def next_interval(quiet_polls: int, minimum: int, maximum: int) -> int:
    """Seconds until the feed's next poll after `quiet_polls` polls in a row found nothing new: the minimum
    (every cycle) until QUIET_POLLS_BEFORE_BACKOFF of them, then doubling with each, within [minimum, maximum]."""
    doublings = min(MAX_DOUBLINGS, quiet_polls - QUIET_POLLS_BEFORE_BACKOFF + 1)
    if doublings <= 0:
        return minimum
    return max(minimum, min(maximum, minimum * BACKOFF_FACTOR ** doublings))


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
