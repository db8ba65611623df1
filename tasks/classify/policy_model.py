"""A second opinion on policy shifts: does the story as a whole read as news of a new policy?

The policy-shift rules fire on a policy cue (new rules, a draft, a meeting's stance) near the sector's words.
On real published text that is not enough: a regulator's routine meeting, a yearly enforcement tally or an
explainer of older rules carry the same cues. On the real corpus's held-out half a third of the rules'
policy shifts were such stories, while a reading of the whole story's words tells most of them apart.

The reading is a logistic regression over hashed words and word pairs (English) and character pairs
(Chinese), trained on labelled articles by `evaluation/policy_training.py` (`make train`); its weights are
numbers over hashed features, so no article's text is stored with them. It only ever removes a policy shift
the rules found, never adds one: the event's facts (who acted, which direction) still come from the rules.
"""

from __future__ import annotations

import math
import re
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np

from tasks.common.errors import RegwatchError
from tasks.common.text import HAN_CHARS

# Weights a feature can have: 2**16 keeps collisions rare for a corpus of a few thousand stories' words
# and the weights file small enough to ship with the package.
N_FEATURES = 2**16
# Changing how a story becomes features makes the shipped weights meaningless: the weights file records
# this version and `load` refuses a mismatch.
FEATURES_VERSION = 1
MODEL_PATH = Path(__file__).parent / "models" / "policy_shift.npz"

_WORD = re.compile(r"[a-z]+")
_HAN_RUN = re.compile(f"[{HAN_CHARS}]+")


def tokens(document: str) -> list[str]:
    """Words and word pairs of the Latin text, character pairs of the Chinese (which has no spaces to split
    on; pairs carry most of what words would, without a segmenter's dictionary)."""
    lowered = document.lower()
    words = _WORD.findall(lowered)
    found = words + [f"{a} {b}" for a, b in pairwise(words)]
    for run in _HAN_RUN.findall(lowered):
        found.extend(run[i:i + 2] for i in range(len(run) - 1))
    return found


def features(document: str) -> dict[int, float]:
    """Hashed token counts, scaled to unit length so a long story does not outweigh a short one."""
    counts: dict[int, float] = {}
    for token in tokens(document):
        index = zlib.crc32(token.encode()) % N_FEATURES
        counts[index] = counts.get(index, 0.0) + 1.0
    norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    return {index: value / norm for index, value in counts.items()}


@dataclass(frozen=True)
class PolicyModel:
    weights: np.ndarray  # float32, N_FEATURES
    bias: float
    threshold: float  # a rules' policy shift stands when the probability reaches this

    def probability(self, document: str) -> float:
        """How likely the story reports a new policy shift, by its words alone."""
        found = features(document)
        indices = np.fromiter(found.keys(), dtype=np.int64, count=len(found))
        values = np.fromiter(found.values(), dtype=np.float64, count=len(found))
        score = float(values @ self.weights[indices]) + self.bias
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, score))))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            weights=self.weights.astype(np.float32),
            bias=np.float64(self.bias),
            threshold=np.float64(self.threshold),
            version=np.int64(FEATURES_VERSION),
        )


class ModelFileError(RegwatchError):
    """The weights file is missing, damaged or was trained for other features: the CLI says so in one line."""


def load_model(path: Path = MODEL_PATH) -> PolicyModel:
    try:
        with np.load(path) as data:
            version = int(data["version"])
            weights = data["weights"].astype(np.float32)
            bias, threshold = float(data["bias"]), float(data["threshold"])
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise ModelFileError(f"cannot read the policy-shift model {path}: {error}; run `make train`") from error
    if version != FEATURES_VERSION or weights.shape != (N_FEATURES,):
        raise ModelFileError(f"the policy-shift model {path} was trained for other features; run `make train`")
    return PolicyModel(weights, bias, threshold)


@lru_cache(maxsize=1)
def shipped_model() -> PolicyModel:
    """The model that ships with regwatch, loaded once per process."""
    return load_model()
