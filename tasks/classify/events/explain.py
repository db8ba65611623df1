"""Why a story yields no event: the cue that was missing, for `regwatch classify` to show.

Read-only: it looks at the same cues the extractor uses and names, for the first sentences that
carry an action word, the first condition that failed, so "why did this not alert?" has an answer.
"""

from __future__ import annotations

from datetime import date

from tasks.classify.companies import CompanyMatch
from tasks.classify.events.cues import (
    BACKGROUND,
    CAMPAIGN_END,
    CUMULATIVE,
    HYPOTHETICAL,
    PERSON_ROLE,
    SECTOR,
    TRIGGERS,
    UNCONFIRMED,
)
from tasks.classify.events.timing import is_recap_at, reference_date
from tasks.classify.regulators import FOREIGN, RegulatorFinder
from tasks.common.text import split_sentences

MAX_REASONS = 3


def snippet(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def why_no_event(
    finder: RegulatorFinder, title: str, text: str, companies: list[CompanyMatch], published: date | None
) -> list[str]:
    """One line per reason, most telling first."""
    document = f"{title}\n\n{text}" if title else text
    mentions = finder.find(document)
    if not mentions:
        return ["no Chinese regulator, authority or policy body is named"]
    if all(m.code == FOREIGN for m in mentions):
        shown = ", ".join(dict.fromkeys(m.surface for m in mentions))
        return [f"only foreign authorities are named ({snippet(shown, 60)}): not a Chinese action"]
    reference = reference_date(document, published)
    exact = published is not None
    tech_story = bool(companies) or len({m.group(0).lower() for m in SECTOR.finditer(document)}) >= 2
    reasons: list[str] = []
    for sentence in split_sentences(document):
        cue = next((m for pattern in (*TRIGGERS.values(), CAMPAIGN_END) if (m := pattern.search(sentence.text))), None)
        if cue is None:
            continue
        here = [m for m in mentions if sentence.start <= m.start < sentence.end]
        quote = f'"{snippet(sentence.text)}"'
        if any(m.code == FOREIGN for m in here):
            reasons.append(f"{quote}: a foreign authority acts")
        elif is_recap_at(sentence.text, cue.start(), reference, exact):
            reasons.append(f"{quote}: told as the past (an older date, 'last year', 'had', 此前), a recap")
        elif HYPOTHETICAL.search(sentence.text) or UNCONFIRMED.search(sentence.text):
            reasons.append(f"{quote}: expected, possible or reported by anonymous sources, not decided")
        elif CUMULATIVE.search(sentence.text):
            reasons.append(f"{quote}: a running total of past penalties")
        elif BACKGROUND.search(sentence.text):
            reasons.append(f"{quote}: the action is the background of something else")
        elif PERSON_ROLE.search(sentence.text[max(0, cue.start() - 80):cue.start()]):
            reasons.append(f"{quote}: on a person, not a company")
        elif not (tech_story or SECTOR.search(sentence.text)):
            reasons.append(f"{quote}: not about a tech company or the tech sector")
        else:
            reasons.append(f"{quote}: no Chinese authority acts in it, or nobody it acts on")
        if len(reasons) == MAX_REASONS:
            break
    return reasons or ["no action word (fined, probe, ban, rules, 罚款, 立案调查...) near a regulator"]
