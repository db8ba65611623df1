"""Train the policy-shift second opinion (`tasks/classify/policy_model.py`) and choose its threshold.

    .venv/bin/python -m evaluation.policy_training [--real DIR]   (or: make train)

It learns from our own labelled texts and the real corpus's `fit` half only: the held-out half stays
unseen, so its scores keep telling how the classifier does on text nobody fitted anything to. The
threshold is the one that, in 5-fold cross-validation over the training stories, gives the best F1 for
"a rules' policy shift stands when the model's probability reaches it" (the way the classifier uses it).

The optimiser is plain numpy (Nesterov's accelerated gradient on the L2-regularised log loss): a few
hundred stories and 65 536 features need nothing more, and no library is added for one dev-time step.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evaluation.labelled import labelled_files, parse_labelled
from evaluation.real_corpus import DEFAULT_CACHE, load_corpus, load_labels
from tasks.classify.classifier import Classifier, document_of
from tasks.classify.policy_model import MODEL_PATH, N_FEATURES, PolicyModel, features
from tasks.common.errors import ConfigError, RegwatchError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
C = 10.0  # inverse regularisation strength, as scikit-learn's LogisticRegression(C=)
THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
FOLDS = 5
# Where the optimiser stops: on the training stories the log loss is then within 1e-5 of its minimum, far
# below what moves a probability at the threshold's second decimal.
TOLERANCE = 0.05


@dataclass
class Story:
    document: str
    policy_shift: bool  # the labels: it reports a new policy shift
    rules_say: bool  # the rules alone find one


@dataclass
class Rows:
    """Stories as a sparse matrix of hashed features (compressed rows)."""

    row_ids: np.ndarray
    indices: np.ndarray
    values: np.ndarray
    count: int

    @classmethod
    def of(cls, documents: Sequence[str]) -> Rows:
        row_ids: list[int] = []
        indices: list[int] = []
        values: list[float] = []
        for row, document in enumerate(documents):
            found = features(document)
            row_ids.extend([row] * len(found))
            indices.extend(found.keys())
            values.extend(found.values())
        return cls(np.array(row_ids, dtype=np.int64), np.array(indices, dtype=np.int64),
                   np.array(values, dtype=np.float64), len(documents))

    def times(self, weights: np.ndarray) -> np.ndarray:
        return np.bincount(self.row_ids, weights=self.values * weights[self.indices], minlength=self.count)

    def transposed_times(self, per_row: np.ndarray) -> np.ndarray:
        return np.bincount(self.indices, weights=self.values * per_row[self.row_ids], minlength=N_FEATURES)


def fit_logistic(rows: Rows, labels: np.ndarray, c: float = C, iterations: int = 3000) -> tuple[np.ndarray, float]:
    """Weights and bias minimising c * sum(log loss) + |weights|^2 / 2 (the bias is not penalised)."""
    signs = np.where(labels, 1.0, -1.0)

    def gradient(w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
        margins = signs * (rows.times(w) + b)
        pull = -c * signs / (1.0 + np.exp(np.clip(margins, -60, 60)))
        return rows.transposed_times(pull) + w, float(pull.sum())

    # Step 1/L, L bounding the Hessian: c/4 * |[X 1]|^2 (rows have unit length, so |[X 1]|^2 <= 2n) + 1.
    step = 1.0 / (c / 4 * 2 * rows.count + 1.0)
    w, b = np.zeros(N_FEATURES), 0.0
    previous_w, previous_b = w, b
    for k in range(1, iterations + 1):
        momentum = (k - 1) / (k + 2)
        look_w, look_b = w + momentum * (w - previous_w), b + momentum * (b - previous_b)
        grad_w, grad_b = gradient(look_w, look_b)
        previous_w, previous_b = w, b
        w, b = look_w - step * grad_w, look_b - step * grad_b
        if k % 50 == 0 and np.sqrt(np.dot(grad_w, grad_w) + grad_b**2) < TOLERANCE:
            break
    return w, b


def probabilities(rows: Rows, weights: np.ndarray, bias: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(rows.times(weights) + bias, -60, 60)))


def f1(predicted: Sequence[bool], expected: Sequence[bool]) -> float:
    tp = sum(p and e for p, e in zip(predicted, expected, strict=True))
    wrong = sum(p != e for p, e in zip(predicted, expected, strict=True))
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


def _fold(document: str) -> int:
    """A story's fold, by a hash of its text: the same stories land in the same folds on every run."""
    return hashlib.sha256(document.encode()).digest()[0] % FOLDS


def cross_validated(stories: Sequence[Story]) -> np.ndarray:
    """Each story's probability from a model trained on the other folds."""
    folds = np.array([_fold(s.document) for s in stories])
    rows = Rows.of([s.document for s in stories])
    labels = np.array([s.policy_shift for s in stories])
    out = np.zeros(len(stories))
    for fold in range(FOLDS):
        train, test = np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)
        weights, bias = fit_logistic(Rows.of([stories[int(i)].document for i in train]), labels[train])
        out[test] = probabilities(rows, weights, bias)[test]
    return out


def choose_threshold(stories: Sequence[Story], held_out_probabilities: np.ndarray) -> tuple[float, dict[float, float]]:
    """The threshold whose veto gives the best cross-validated F1 (the lowest, of equals: fewer vetoes)."""
    expected = [s.policy_shift for s in stories]
    scores = {t: f1([s.rules_say and p >= t for s, p in zip(stories, held_out_probabilities, strict=True)], expected)
              for t in THRESHOLDS}
    best = max(scores.values())
    return min(t for t, score in scores.items() if score == best), scores


def training_stories(real_texts: Path, allow_missing: bool = False) -> tuple[list[Story], list[str]]:
    """Our own labelled texts and the real corpus's fit half, each with the rules' verdict alone; and the ids
    of the fit half whose text is missing, which stop the training unless `allow_missing`."""
    rules = Classifier(CONFIG_DIR, rules_only=True)
    items = [parse_labelled(path) for path in labelled_files()]
    articles, missing = load_corpus(real_texts)
    fit = [a.labelled for a in articles if a.split == "fit"]
    absent = sorted({row["id"] for row in load_labels() if row["split"] == "fit"} & set(missing))
    if absent and not allow_missing:  # a model learned from part of the fit half is weaker, and would say nothing
        raise ConfigError(
            f"{real_texts}: {len(absent)} of the fit half's {len(absent) + len(fit)} texts are missing "
            f"({', '.join(absent[:3])}{', ...' if len(absent) > 3 else ''}); `make corpus` fetches them "
            "(tests/data/real/README.md); to train on the rest, give --allow-missing")
    items += fit
    stories = []
    for item in items:
        result = rules.classify(item.title, item.text, item.published)
        stories.append(Story(
            document_of(item.title, item.text),
            any(e["kind"] == "policy_shift" for e in item.events),
            any(e.kind == "policy_shift" for e in result.events),
        ))
    return stories, absent


def train(stories: Sequence[Story]) -> tuple[PolicyModel, dict[float, float]]:
    threshold, scores = choose_threshold(stories, cross_validated(stories))
    weights, bias = fit_logistic(Rows.of([s.document for s in stories]), np.array([s.policy_shift for s in stories]))
    return PolicyModel(weights.astype(np.float32), bias, threshold), scores


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", type=Path, default=DEFAULT_CACHE, help="the real corpus's texts")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="where to write the weights")
    parser.add_argument("--allow-missing", action="store_true",
                        help="train although some of the fit half's texts are missing (pages gone for good)")
    args = parser.parse_args(argv)
    try:
        stories, absent = training_stories(args.real, args.allow_missing)
    except RegwatchError as error:  # no cache of real texts: say where it should be, no traceback
        sys.exit(f"regwatch: {error}")
    model, scores = train(stories)
    model.save(args.out)
    rules = f1([s.rules_say for s in stories], [s.policy_shift for s in stories])
    print(f"{len(stories)} stories, {sum(s.policy_shift for s in stories)} report a policy shift; "
          f"rules alone F1 {rules:.3f}" + (f"; {len(absent)} of the fit half's texts missing" if absent else ""))
    for threshold, score in scores.items():
        mark = "  <- chosen" if threshold == model.threshold else ""
        print(f"  veto below {threshold:.2f}: cross-validated F1 {score:.3f}{mark}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
