"""Prefect flows and the `regwatch` CLI.

Prefect's ephemeral server sends usage telemetry by default; on an offline or
locked-down host that only prints a DNS error on every run, so regwatch turns
it off unless the user has decided otherwise.
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
