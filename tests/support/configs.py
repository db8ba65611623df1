"""Config directories for tests: the repo's companies and rates, the test's own feeds."""

from __future__ import annotations

import shutil
from pathlib import Path

from tasks.common.settings import DEFAULT_CONFIG_DIR


def write_config(target: Path, feeds_yaml: str) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("companies.yaml", "rates.yaml", "alerts.yaml"):
        if (DEFAULT_CONFIG_DIR / name).exists():
            shutil.copy(DEFAULT_CONFIG_DIR / name, target / name)
    (target / "feeds.yaml").write_text(feeds_yaml, encoding="utf-8")
    return target
