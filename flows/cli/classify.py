"""`regwatch classify` and `regwatch eval`: the analyst's "why did this alert?" and the accuracy table."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from rich.console import Console

from evaluation.labelled import (
    LABELLED_DIR,
    Labelled,
    Score,
    evaluate,
    labelled_files,
    parse_labelled,
    parse_labelled_text,
)
from evaluation.real_corpus import SPLITS, load_corpus, load_second_labels
from tasks.classify.classifier import Classification, Classifier
from tasks.classify.companies import CompanyMatch
from tasks.classify.kinds import direction_label, kind_label
from tasks.classify.regulators import display_regulator
from tasks.common.errors import ConfigError
from tasks.common.settings import load_settings
from tasks.extract.pages import decode_html, extract_article


def _parse_date(value: str | None, source: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ConfigError(f"{source}: expected a date YYYY-MM-DD, got {value!r}") from None


def read_document(name: str) -> tuple[str, str, date | None]:
    """Title, text and (if the file says) publication date of an HTML or text file, or stdin."""
    raw = sys.stdin.buffer.read() if name == "-" else _read(name)
    head = raw[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in raw[:20000].lower():
        html = decode_html(raw)
        extracted = extract_article(html, "https://classify.invalid/")
        if extracted is None:
            return "", "", None
        return extracted.title, extracted.text, _parse_date(extracted.date, name)
    text = raw.decode("utf-8", errors="replace")
    published = None
    if text.startswith("---\n"):
        labelled = _labelled_header(text, name)
        return labelled.title, labelled.text, labelled.published
    title, _, body = text.strip().partition("\n")
    return title.strip(), body.strip(), published


def _labelled_header(text: str, name: str) -> Labelled:
    try:
        return parse_labelled_text(text, Path(name))
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{name}: bad labelled header: {exc}") from None


def _read(name: str) -> bytes:
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read: {exc.strerror}") from None


def classify_files(files: list[str], config_dir: Path | None, published: str | None, as_json: bool,
                   console: Console) -> None:
    settings = load_settings(config_dir=config_dir)
    classifier = Classifier(settings.config_dir)
    given = _parse_date(published, "--published")
    for name in files:
        title, text, page_date = read_document(name)
        result = classifier.classify(title, text, given or page_date)
        if not result.relevant and not result.why_not:
            result.why_not = classifier.why_not(title, text, given or page_date)
        if as_json:
            sys.stdout.write(json.dumps({"file": name, **result.to_json()}, ensure_ascii=False) + "\n")
        else:
            _print_result(name, title, result, console)


def _print_result(name: str, title: str, result: Classification, console: Console) -> None:
    verdict = "[green]relevant[/]" if result.relevant else "[dim]not relevant[/]"
    console.print(f"[bold]{name}[/]: {verdict} - {title[:100]}", highlight=False)
    for company, matches in _group(result).items():
        shown = ", ".join(f"{m.surface!r}@{m.start}" for m in matches[:5])
        console.print(f"  company  {company}  ({shown})", highlight=False, markup=False)
    for event in result.events:
        regulator = display_regulator(event.regulator, event.regulator_text)
        facts = [kind_label(event.kind), ", ".join(event.companies) or "-", regulator.short if regulator else "-"]
        if event.amount is not None:
            facts.append(f"{event.amount_text} = {event.amount:,.0f} {event.currency} (~${event.amount_usd or 0:,.0f})")
        if direction := direction_label(event.direction):
            facts.append(direction)
        console.print("  event    " + " | ".join(facts), highlight=False, markup=False)
        console.print(f"           evidence: {event.evidence[:300]}", highlight=False, markup=False)
    for reason in result.why_not:
        console.print(f"  why not  {reason}", highlight=False, markup=False)
    for reason in result.set_aside:
        console.print(f"  set aside  {reason}", highlight=False, markup=False)


def _group(result: Classification) -> dict[str, list[CompanyMatch]]:
    grouped: dict[str, list[CompanyMatch]] = {}
    for match in result.matches:
        grouped.setdefault(match.company, []).append(match)
    return grouped


def run_eval(data: Path | None, config_dir: Path | None, failures: bool, console: Console) -> dict[str, Score]:
    settings = load_settings(config_dir=config_dir)
    classifier = Classifier(settings.config_dir)
    files = labelled_files(data or LABELLED_DIR)
    if not files:
        raise ConfigError(f"{data or LABELLED_DIR}: no labelled files")
    items = [parse_labelled(f) for f in files]
    scores = evaluate(items, lambda item: classifier.classify(item.title, item.text, item.published))
    heading = f"Classification on {len(items)} labelled articles"
    console.print(format_scores(scores, heading), markup=False, highlight=False, soft_wrap=True)
    if failures:
        for line in scores["all"].failures:
            console.print(line, markup=False, highlight=False)
    return scores


def run_real_eval(
    texts: Path, config_dir: Path | None, failures: bool, console: Console, headline_only: bool = False
) -> dict[str, dict[str, Score]]:
    """Score the real-text corpus's cached texts, per half and in all, with the same table as the labelled set.

    `headline_only` classifies each title with an empty body: what regwatch can say of a feed item whose
    page it could not read, the case where an alert rests on the headline alone.
    """
    settings = load_settings(config_dir=config_dir)
    classifier = Classifier(settings.config_dir)
    articles, missing = load_corpus(texts)
    if not articles:
        raise ConfigError(f"{texts}: none of the {len(missing)} labelled articles has its text here")
    results = {a.labelled.path: classifier.classify(a.labelled.title, "" if headline_only else a.labelled.text,
                                                    a.labelled.published)
               for a in articles}
    scope = "Real published headlines only (no body)" if headline_only else "Real published text"
    tables: dict[str, dict[str, Score]] = {}
    for split, title in (("fit", "the half the rules may be fitted on"), ("heldout", "the held-out half"),
                         ("all", "both halves")):
        chosen = [a.labelled for a in articles if split in (a.split, "all")]
        tables[split] = evaluate(chosen, lambda item: results[item.path])
        heading = f"{scope}, {title} ({split}): {len(chosen)} articles"
        console.print(format_scores(tables[split], heading) + "\n", markup=False, highlight=False, soft_wrap=True)
    second = {} if headline_only else load_second_labels()
    both = [a.labelled for a in articles if str(a.labelled.path) in second]
    if both:  # how far two people agree, and regwatch on the same articles
        tables["second_labeller"] = evaluate(both, lambda item: second[str(item.path)])
        tables["same_articles"] = evaluate(both, lambda item: results[item.path])
        for key, heading in (("second_labeller", f"A second labeller, blind to the labels, on {len(both)} of these "
                              "articles (how far two people agree)"),
                             ("same_articles", f"regwatch on the same {len(both)} articles")):
            console.print(format_scores(tables[key], heading) + "\n", markup=False, highlight=False, soft_wrap=True)
    if missing:
        console.print(f"{len(missing)} labelled articles have no text in {texts} and were not scored",
                      markup=False, highlight=False)
    if failures:
        for split in SPLITS:
            for line in tables[split].get("all", Score()).failures:
                console.print(f"[{split}] {line}", markup=False, highlight=False)
    return tables


def format_scores(scores: dict[str, Score], heading: str) -> str:
    """A plain-text table (it goes into logs and closing notes as it is)."""
    header = (f"{'lang':<5}{'items':>6} | {'relevance P':>11}{'R':>7}{'F1':>7} | {'companies P':>11}{'R':>7}{'F1':>7}"
              f" | {'kind acc':>8}{'kind F1':>8} | {'fines':>5}{'amount exact':>13}{'false fines':>12}")
    lines = [heading, header, "-" * len(header)]
    for language, s in sorted(scores.items(), key=lambda kv: (kv[0] == "all", kv[0])):
        lines.append(
            f"{language:<5}{s.items:>6} | {s.relevance.precision:>11.3f}{s.relevance.recall:>7.3f}"
            f"{s.relevance.f1:>7.3f}"
            f" | {s.companies.precision:>11.3f}{s.companies.recall:>7.3f}{s.companies.f1:>7.3f}"
            f" | {s.kind_accuracy:>8.3f}{s.kinds.f1:>8.3f} | {s.fines:>5}{s.amount_accuracy:>13.3f}{s.false_fines:>12}"
        )
    return "\n".join(lines)
