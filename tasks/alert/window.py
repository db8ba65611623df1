"""The alert window: only stories published within `REGWATCH_ALERT_MAX_AGE_HOURS` alert.

An alert about an older story is stored as `suppressed` (a first run must not
flood the channel with history), with a reason a person reads at a glance in
`regwatch alerts`: "published 4 days ago; the alert window is 72 h".
"""

from __future__ import annotations

from datetime import datetime, timedelta

# An age is told in the largest unit it holds at least twice ("36 hours ago", not "1 day ago"), else in minutes.
_UNITS = (("days", timedelta(days=1)), ("hours", timedelta(hours=1)))


def within_window(published: datetime, now: datetime, max_age: timedelta) -> bool:
    """Whether a story published at `published` may still alert at `now`."""
    return published >= now - max_age


def too_old(published: datetime, now: datetime, max_age: timedelta) -> str:
    """Why an alert about a story published at `published` is suppressed at `now`."""
    return f"published {_ago(now - published)}; the alert window is {max_age.total_seconds() / 3600:g} h"


def _ago(age: timedelta) -> str:
    for unit, length in _UNITS:
        if age >= 2 * length:
            return f"{age // length} {unit} ago"
    minutes = age // timedelta(minutes=1)
    return f"{minutes} minute{'' if minutes == 1 else 's'} ago"
