"""Prefect flows and the `regwatch` CLI.

Prefect's ephemeral server sends usage telemetry by default; on an offline or
locked-down host that only prints a DNS error on every run, so regwatch turns
it off unless the user has decided otherwise. The same server gets 90 seconds
to start instead of Prefect's 20: on a busy 2-core machine (a test suite or a
backfill beside it) 20 are missed now and then, and the run would fail.
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
