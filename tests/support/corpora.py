"""The ../shared corpora beside the repo, or a skip that says what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"


def shared_corpus(name: str) -> Path:
    """Path to a corpus in ../shared, or skip the test saying what is missing."""
    path = SHARED / "corpora" / name
    if not path.is_dir():
        pytest.skip(f"{path} is absent: the shared test corpora live in ../shared beside the repo")
    return path
