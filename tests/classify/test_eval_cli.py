"""`regwatch eval`: the labelled set, the real-text corpus from a directory of cached texts, and clear
one-line errors for a broken labelled file or a missing cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evaluation.real_corpus import REAL_LABELS, SECOND_LABELS, load_labels
from tasks.classify.kinds import KINDS
from tests.support.cli import regwatch


def test_the_real_corpus_labels_are_complete_and_balanced() -> None:
    rows = load_labels()
    assert len(rows) >= 150
    assert sum(not r["relevant"] for r in rows) >= 40
    assert {r["script"] for r in rows} == {"latin", "hans", "hant"}
    assert len({r["url"] for r in rows}) == len(rows) == len({r["id"] for r in rows})
    splits = [r["split"] for r in rows]
    assert splits.count("heldout") >= 90 and splits.count("heldout") >= len(rows) // 3  # a held-out half worth its name
    for row in rows:
        assert row["query"] and row["outlet"] and row["published"]
        assert row["relevant"] == bool(row["events"]), row["id"]  # relevance is "a new action is reported"
        assert all(e["kind"] in KINDS for e in row["events"]), row["id"]


def test_eval_real_scores_the_texts_it_finds(tmp_path: Path) -> None:
    rows = {r["id"]: r for r in load_labels()}
    fine = next(i for i, r in rows.items() if r["relevant"] and r["language"] == "en"
                and any(e["kind"] == "fine" and e.get("amount") for e in r["events"]))
    quiet = next(i for i, r in rows.items() if not r["relevant"] and r["language"] == "en")
    event = next(e for e in rows[fine]["events"] if e["kind"] == "fine")
    company = event["companies"][0]
    # Stand-in texts in our own words (the real ones never enter the repository).
    (tmp_path / f"{fine}.txt").write_text(
        f"{company} fined\n\nChina's market regulator fined {company} {event['amount']:,} yuan on Friday.\n")
    (tmp_path / f"{quiet}.txt").write_text("Quarterly results\n\nThe company reported higher revenue.\n")
    code, out = regwatch("eval", "--real", str(tmp_path), "--failures")
    assert code == 0, out
    assert "both halves (all): 2 articles" in out
    assert f"{len(rows) - 2} labelled articles have no text in" in out


def test_eval_real_headline_only_scores_the_titles_alone(tmp_path: Path) -> None:
    """A fine told only in the body is found from the text and missed from the headline: the option reads no body."""
    rows = {r["id"]: r for r in load_labels()}
    fine = next(i for i, r in rows.items() if r["relevant"] and r["language"] == "en"
                and any(e["kind"] == "fine" and e.get("amount") for e in r["events"]))
    event = next(e for e in rows[fine]["events"] if e["kind"] == "fine")
    company = event["companies"][0]
    (tmp_path / f"{fine}.txt").write_text(
        f"Weekly roundup\n\nChina's market regulator fined {company} {event['amount']:,} yuan on Friday.\n")
    code, full = regwatch("eval", "--real", str(tmp_path))
    assert code == 0, full
    code, headline = regwatch("eval", "--real", str(tmp_path), "--headline-only", "--failures")
    assert code == 0, headline
    assert "headlines only (no body), both halves (all): 1 articles" in headline
    assert _relevance_recall(full) == 1.0 and _relevance_recall(headline) == 0.0
    assert fine in headline  # the miss is listed


def _relevance_recall(table: str) -> float:
    """The relevance R column of the last 'all' row of an eval table."""
    row = [line for line in table.splitlines() if line.startswith("all ")][-1]
    return float(row.split("|")[1].split()[1])


def test_eval_real_without_the_cache_says_where_it_looked(tmp_path: Path) -> None:
    code, out = regwatch("eval", "--real", str(tmp_path / "nowhere"))
    assert code != 0
    assert "no such directory" in out and "Traceback" not in out


def test_headline_only_without_real_says_it_needs_the_corpus() -> None:
    code, out = regwatch("eval", "--headline-only")
    assert code != 0
    assert "--real DIR" in out and "Traceback" not in out


def test_a_broken_labelled_file_is_one_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "bad.txt").write_text("---\nlanguage: en\nnote: a colon: here: breaks\nrelevant: [\n---\nT\n")
    code, out = regwatch("eval", "--data", str(tmp_path))
    assert code != 0
    assert "bad.txt" in out and "bad YAML header" in out and "Traceback" not in out


def test_the_labels_file_is_one_json_object_a_line() -> None:
    for line in REAL_LABELS.read_text(encoding="utf-8").splitlines():
        assert isinstance(json.loads(line), dict)


@pytest.mark.parametrize("split", ["fit", "heldout"])
def test_each_half_has_both_languages_and_negatives(split: str) -> None:
    rows = [r for r in load_labels() if r["split"] == split]
    assert {r["language"] for r in rows} == {"en", "zh"}
    assert sum(not r["relevant"] for r in rows) >= 20


def _second_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SECOND_LABELS.read_text(encoding="utf-8").splitlines()]


def test_the_second_labels_are_for_corpus_articles_and_follow_its_conventions() -> None:
    corpus = {r["id"]: r for r in load_labels()}
    rows = _second_rows()
    assert len(rows) >= 100 and len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["id"] in corpus, row["id"]
        assert row["relevant"] == bool(row["events"]), row["id"]
        assert all(e["kind"] in KINDS for e in row["events"]), row["id"]


def test_eval_real_sets_the_second_labeller_beside_regwatch_on_the_same_articles(tmp_path: Path) -> None:
    """Where a second labeller labelled an article whose text is here, eval scores both on those articles: the
    second labeller against the corpus labels is how far two people agree."""
    second = {r["id"]: r for r in _second_rows()}
    corpus = {r["id"]: r for r in load_labels()}
    agreed = next(i for i, r in second.items() if r == {k: corpus[i][k] for k in r})  # the two labels match
    (tmp_path / f"{agreed}.txt").write_text("Quarterly results\n\nThe company reported higher revenue.\n")
    code, out = regwatch("eval", "--real", str(tmp_path))
    assert code == 0, out
    assert "A second labeller, blind to the labels, on 1 of these articles" in out
    assert "regwatch on the same 1 articles" in out
    people = out.split("A second labeller")[1].split("regwatch on the same")[0]
    assert next(line for line in people.splitlines() if line.startswith("all ")).split("|")[3].split()[0] == "1.000"
