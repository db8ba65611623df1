"""What the benchmark (`bench.run`) and the soak test (`bench.soak`) share to run regwatch as a deployment does:
a child environment free of the developer's settings, a config directory of their own feeds, the Prefect API."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from tasks.common.settings import DEFAULT_CONFIG_DIR, REPO_ROOT


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment without REGWATCH_* and PREFECT_* (a developer's own settings must not leak into
    what is measured), with the repo importable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("REGWATCH_", "PREFECT_"))}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return {**env, **extra}


def write_config(target: Path, feeds: list[dict[str, Any]], fetch: dict[str, Any] | None = None) -> Path:
    """A config directory listing `feeds` (with `fetch` limits, if given); every other file is the repo's."""
    target.mkdir(parents=True, exist_ok=True)
    document: dict[str, Any] = {"feeds": feeds, **({"fetch": fetch} if fetch else {})}
    (target / "feeds.yaml").write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True),
                                       encoding="utf-8")
    for other in DEFAULT_CONFIG_DIR.glob("*.yaml"):
        if other.name != "feeds.yaml":
            (target / other.name).write_bytes(other.read_bytes())
    return target


API_RETRIES = 5  # as Prefect's own client (PREFECT_CLIENT_MAX_RETRIES), on the statuses it retries
RETRIED_STATUSES = (429, 502, 503)


def prefect_api(api_url: str, path: str, body: dict[str, Any], backoff: float = 2.0) -> Any:
    """POST `body` to the Prefect server's API at `path`; the decoded answer.

    A busy server (on a loaded machine its database is locked now and then) answers 503: wait and ask again,
    `backoff` seconds, then twice that..., as Prefect's client does for the flow runs themselves."""
    request = urllib.request.Request(f"{api_url}/{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    attempt = 0
    while True:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            if exc.code not in RETRIED_STATUSES or attempt == API_RETRIES:
                raise
        time.sleep(backoff * 2**attempt)
        attempt += 1


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, the first column left-aligned and the others right-aligned."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
            + " |" for r in rows]
    return "\n".join([line, rule, *body])
