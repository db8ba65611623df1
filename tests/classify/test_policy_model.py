"""The policy-shift second opinion: its features, its training, its file, and how the classifier uses it.

Stories here are our own words. The shipped model's effect on real text is measured by `make eval`
(tests/data/real/README.md), not asserted here: a retrained model may move single probabilities.
"""

from __future__ import annotations

import zlib
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from evaluation.policy_training import (
    THRESHOLDS,
    Rows,
    Story,
    choose_threshold,
    fit_logistic,
    main,
    probabilities,
    train,
)
from evaluation.real_corpus import load_labels
from tasks.classify.classifier import Classifier
from tasks.classify.policy_model import (
    FEATURES_VERSION,
    MODEL_PATH,
    N_FEATURES,
    ModelFileError,
    PolicyModel,
    features,
    load_model,
    shipped_model,
    tokens,
)
from tasks.common.errors import RegwatchError

CONFIG = Path(__file__).resolve().parents[2] / "config"

POLICY = [
    "The State Council issued new guidelines to support platform companies and ease rules on listings.",
    "Regulators unveiled draft rules capping the time minors may spend on online games each week.",
    "A top-level meeting pledged to normalise supervision of the platform economy and back its growth.",
    "The cyberspace regulator published interim measures governing generative AI services.",
    "国务院发布指导意见，支持平台企业健康发展，放宽上市限制。",
    "监管部门公布新规草案，限制未成年人每周网络游戏时间。",
]
OTHER = [
    "The market regulator held its routine monthly meeting and reviewed last year's enforcement statistics.",
    "The company reported quarterly revenue growth and launched a new phone at its annual event.",
    "An explainer looks back at rules issued three years ago and how firms adapted to them since.",
    "The regulator's annual report tallied cases handled and fines collected over the whole year.",
    "市场监管总局召开例行会议，回顾去年执法统计数据。",
    "公司发布季度财报，营收增长，并在年度活动上推出新手机。",
]


def test_tokens_are_words_word_pairs_and_chinese_character_pairs() -> None:
    assert tokens("New Rules for games") == ["new", "rules", "for", "games", "new rules", "rules for", "for games"]
    assert tokens("新规出台") == ["新规", "规出", "出台"]
    assert tokens("2021: 50") == []  # numbers say nothing about the kind of story


def test_features_are_hashed_counts_of_unit_length() -> None:
    found = features("fine fine rules")
    index = {token: zlib.crc32(token.encode()) % N_FEATURES for token in ("fine", "rules", "fine fine", "fine rules")}
    assert found[index["fine"]] == pytest.approx(2 / np.sqrt(7))
    assert sum(v * v for v in found.values()) == pytest.approx(1.0)
    assert features("") == {}


def _toy_rows() -> tuple[Rows, np.ndarray]:
    return Rows.of(POLICY + OTHER), np.array([True] * len(POLICY) + [False] * len(OTHER))


def test_the_optimiser_reaches_the_minimum_of_the_regularised_log_loss() -> None:
    rows, labels = _toy_rows()
    weights, bias = fit_logistic(rows, labels, c=10.0)
    signs = np.where(labels, 1.0, -1.0)
    pull = -10.0 * signs / (1.0 + np.exp(signs * (rows.times(weights) + bias)))
    gradient = rows.transposed_times(pull) + weights
    assert np.sqrt(gradient @ gradient + pull.sum() ** 2) < 0.05
    assert (probabilities(rows, weights, bias) > 0.5).tolist() == labels.tolist()


def test_a_trained_model_tells_an_unseen_policy_story_from_a_routine_one() -> None:
    rows, labels = _toy_rows()
    weights, bias = fit_logistic(rows, labels)
    model = PolicyModel(weights.astype(np.float32), bias, 0.1)
    policy = model.probability("New draft rules will ease listings for platform companies, the State Council said.")
    routine = model.probability("The regulator's routine meeting reviewed last year's statistics.")
    assert policy > 0.5 > routine


def test_the_threshold_is_the_lowest_of_the_best_cross_validated_vetoes() -> None:
    stories = [Story("a", True, True), Story("b", False, True), Story("c", True, True), Story("d", False, False)]
    # "b" is the rules' false policy shift: any threshold above its 0.12 vetoes it, the lowest such is 0.15.
    threshold, scores = choose_threshold(stories, np.array([0.9, 0.12, 0.35, 0.01]))
    assert threshold == 0.15
    assert scores[0.05] < scores[0.15] == 1.0 > scores[0.4]
    model, _ = train([Story(text, True, True) for text in POLICY] + [Story(text, False, True) for text in OTHER])
    assert model.threshold in THRESHOLDS


def test_a_saved_model_loads_as_it_was(tmp_path: Path) -> None:
    rows, labels = _toy_rows()
    weights, bias = fit_logistic(rows, labels)
    model = PolicyModel(weights.astype(np.float32), bias, 0.15)
    model.save(tmp_path / "m.npz")
    again = load_model(tmp_path / "m.npz")
    assert again.threshold == 0.15 and again.bias == pytest.approx(bias)
    assert again.probability(POLICY[0]) == pytest.approx(model.probability(POLICY[0]))


def test_a_missing_or_outdated_model_file_says_how_to_remake_it(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="make train"):
        load_model(tmp_path / "absent.npz")
    np.savez(tmp_path / "old.npz", weights=np.zeros(N_FEATURES, np.float32), bias=0.0, threshold=0.1,
             version=FEATURES_VERSION + 1)
    with pytest.raises(ModelFileError, match="trained for other features; run `make train`"):
        load_model(tmp_path / "old.npz")


@pytest.mark.parametrize("damage", ["truncated", "empty"])
def test_a_damaged_model_file_is_a_one_line_regwatch_error(tmp_path: Path, damage: str) -> None:
    """A half-copied install must end `regwatch` with its one-line message, not a zipfile traceback."""
    whole = MODEL_PATH.read_bytes()
    damaged = tmp_path / "m.npz"
    damaged.write_bytes(whole[: len(whole) // 2] if damage == "truncated" else b"")
    with pytest.raises(RegwatchError, match=r"cannot read the policy-shift model .*make train"):
        load_model(damaged)


def test_the_shipped_model_loads_with_a_threshold_it_was_chosen_from() -> None:
    model = shipped_model()
    assert model.threshold in THRESHOLDS
    assert np.isfinite(model.weights).all() and model.weights.any()


STORY = ("Regulators tighten rules on platforms\n\n"
         "The State Administration for Market Regulation issued new rules on Monday tightening oversight of "
         "internet platforms, the regulator said.")


def _classifier(bias: float, threshold: float = 0.1) -> Classifier:
    classifier = Classifier(CONFIG)
    classifier.policy_model = PolicyModel(np.zeros(N_FEATURES, np.float32), bias, threshold)
    return classifier


def test_the_rules_policy_shift_stands_when_the_model_agrees() -> None:
    title, text = STORY.split("\n\n", 1)
    rules = Classifier(CONFIG, rules_only=True).classify(title, text, date(2024, 3, 4))
    assert [e.kind for e in rules.events] == ["policy_shift"]
    result = _classifier(bias=3.0).classify(title, text, date(2024, 3, 4))
    assert [e.kind for e in result.events] == ["policy_shift"] and result.set_aside == []


def test_a_policy_shift_the_model_doubts_is_set_aside_and_said_so() -> None:
    title, text = STORY.split("\n\n", 1)
    result = _classifier(bias=-3.0).classify(title, text, date(2024, 3, 4))
    assert result.events == [] and result.relevant  # still a regulator's action: kept, without an alert
    (reason,) = result.set_aside
    assert "does not read as news of a new policy" in reason
    assert "gives it 0.04" in reason and "0.10 is needed" in reason
    assert "policy_shift" not in reason  # what a user reads names no internal kind
    assert result.to_json()["set_aside"] == [reason]


def test_training_without_the_real_texts_says_where_they_should_be(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--real", str(tmp_path / "absent"), "--out", str(tmp_path / "m.npz")])
    assert str(stopped.value).startswith("regwatch: ") and "tests/data/real/README.md" in str(stopped.value)
    assert not (tmp_path / "m.npz").exists()


def test_training_with_part_of_the_fit_half_refuses_rather_than_ship_a_weaker_model(tmp_path: Path) -> None:
    """A new machine's half-filled cache (a fetch that could not reach every page) must not quietly retrain."""
    fit = [row for row in load_labels() if row["split"] == "fit"]
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / f"{fit[0]['id']}.txt").write_text("A headline\n\nA stand-in text in our own words.\n")
    with pytest.raises(SystemExit) as stopped:
        main(["--real", str(texts), "--out", str(tmp_path / "m.npz")])
    assert f"{len(fit) - 1} of the fit half's {len(fit)} texts are missing" in str(stopped.value)
    assert "make corpus" in str(stopped.value) and "--allow-missing" in str(stopped.value)
    assert not (tmp_path / "m.npz").exists()


def test_training_on_part_of_the_fit_half_when_asked_says_how_much_was_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fit = [row for row in load_labels() if row["split"] == "fit"]
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / f"{fit[0]['id']}.txt").write_text("A headline\n\nA stand-in text in our own words.\n")
    main(["--real", str(texts), "--out", str(tmp_path / "m.npz"), "--allow-missing"])
    assert load_model(tmp_path / "m.npz").threshold > 0
    assert f"{len(fit) - 1} of the fit half's texts missing" in capsys.readouterr().out


def test_a_score_just_short_of_the_threshold_is_not_shown_as_reaching_it() -> None:
    title, text = STORY.split("\n\n", 1)
    result = _classifier(bias=float(np.log(0.0996 / 0.9004))).classify(title, text, date(2024, 3, 4))
    assert "gives it 0.09, 0.10 is needed" in result.set_aside[0]
