"""Classify one story: which tracked companies, which regulatory events, relevant or not.

Used identically by the pipeline's worker processes, `regwatch classify` and
`regwatch eval`, so what an analyst checks is what the monitor does.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from tasks.classify.companies import CompanyMatch, CompanyMatcher, load_companies
from tasks.classify.currency import load_rates
from tasks.classify.events.explain import snippet, why_no_event
from tasks.classify.events.extractor import EventExtractor
from tasks.classify.events.model import Event
from tasks.classify.history import known_before, load_history
from tasks.classify.money import exact
from tasks.classify.policy_model import PolicyModel, shipped_model
from tasks.classify.script import as_written, simplified
from tasks.common.language import READ, detect_language, language_name
from tasks.common.text import HAN, HAN_CHARS


@dataclass
class Classification:
    relevant: bool
    matches: list[CompanyMatch]  # positions are in `title + "\n\n" + text`
    events: list[Event]
    language: str = "en"
    why_not: list[str] = field(default_factory=list)  # when not relevant: which cue was missing
    set_aside: list[str] = field(default_factory=list)  # events the rules found and the second opinion did not

    @property
    def companies(self) -> list[str]:
        return list(dict.fromkeys(m.company for m in self.matches))

    def to_json(self) -> dict[str, Any]:
        seen: dict[str, dict[str, Any]] = {}
        for m in self.matches:
            entry = seen.setdefault(m.company_id, {"name": m.company, "id": m.company_id, "matches": []})
            entry["matches"].append({"surface": m.surface, "start": m.start, "end": m.end})
        return {
            "relevant": self.relevant,
            "language": self.language,
            **({"why_not": self.why_not} if not self.relevant else {}),
            **({"set_aside": self.set_aside} if self.set_aside else {}),
            "companies": list(seen.values()),
            "events": [event_json(e) for e in self.events],
        }


def event_json(event: Event) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": event.kind,
        "companies": event.companies,
        "regulator": event.regulator,
        "regulator_text": event.regulator_text,
        "evidence": event.evidence,
        "sector": event.sector,
    }
    if event.kind == "fine":
        data.update(
            amount=exact(event.amount) if event.amount is not None else None,
            currency=event.currency,
            amount_text=event.amount_text,
            amount_cny=round(event.amount_cny, 2) if event.amount_cny is not None else None,
            amount_usd=round(event.amount_usd, 2) if event.amount_usd is not None else None,
            reason=event.reason,
        )
    if event.kind == "policy_shift":
        data["direction"] = event.direction
    return data


# Mirror sites copy Chinese pages with the pinyin of some characters in brackets: 監(jiān)管, 網(wǎng)絡.
_PINYIN_GLOSS = re.compile(f"(?<=[{HAN_CHARS}])\\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüń]{{1,7}}\\)")


# Full-width digits and number punctuation (３４。４２亿元, 1，000): one character each, as ASCII.
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_WIDE_NUMBER_PUNCTUATION = re.compile(r"(?<=\d)[。．](?=\d)|(?<=\d)，(?=\d{3}(?!\d))")
# Whether either step has anything to do: a search for one character is a fraction of the step on a text
# without any (the translation and the look-behind at every position cost a worker 1.6 ms a page).
_ANY_WIDE_DIGIT = re.compile("[０-９]")
_ANY_NUMBER_PUNCTUATION = re.compile("[。．，]")


# A share bar ("Share: Facebook | X | LinkedIn | WeChat | Weibo"): page chrome that names companies.
_SOCIAL = (r"(?:Facebook|Twitter|X|LinkedIn|WeChat|Weibo|WhatsApp|Telegram|Reddit|Email|E-mail|Line|QQ|QZone|Douban"
           r"|微信|微博|QQ空间|豆瓣|朋友圈)")
_SHARE_BAR = re.compile(rf"^[^\n]{{0,30}}?{_SOCIAL}(?:\s*[|·/,、｜]\s*{_SOCIAL}){{2,}}[^\n]{{0,30}}$", re.MULTILINE)


# A site's menu ("新闻 | 推荐 | 政务 | 视频 | 微博"): four or more short items between bars.
_MENU = re.compile(r"^[^\n|｜]{0,12}(?:[|｜][^\n|｜]{1,12}){4,}$", re.MULTILINE)


# A breadcrumb trail ("网易首页 > 网易号 > 正文", "Home » Nation » Tech"): where the page sits on a site that may be a
# tracked company's, not what the story names.
_BREADCRUMB = re.compile(r"^[^\n>»›]{0,20}(?:[ \t　]*(?:>>?|»|›)[ \t　]*[^\n>»›]{1,14}){2,}$", re.MULTILINE)
_ANY_BREADCRUMB_MARK = re.compile("[>»›]")


# Text hard-wrapped at a fixed width (wire copy, some mirrors, at times with blank lines between the pieces):
# a break after a long Chinese line that ends without a stop is not a paragraph's end; joined, the sentence
# is whole again.
_HARD_WRAP = re.compile(f"(?<=[^\\n]{{29}}[^\\n。！？；：!?」』”）)])\\n\\n?(?=[{HAN_CHARS}（「『“0-9；，、])")


def readable(text: str) -> str:
    """The text with glosses that split words removed, share bars, menus and breadcrumbs blanked and numbers in
    ASCII, so names, cues and amounts match as written. Each replacement keeps the length, except removed glosses."""
    text = _SHARE_BAR.sub(lambda m: " " * len(m.group(0)), text)
    if "|" in text or "｜" in text:  # a menu has four bars at least
        text = _MENU.sub(lambda m: " " * len(m.group(0)), text)
    if _ANY_BREADCRUMB_MARK.search(text):
        text = _BREADCRUMB.sub(lambda m: " " * len(m.group(0)), text)
    if _ANY_WIDE_DIGIT.search(text):
        text = text.translate(_WIDE_DIGITS)
    if _ANY_NUMBER_PUNCTUATION.search(text):
        text = _WIDE_NUMBER_PUNCTUATION.sub(lambda m: "." if m.group(0) in "。．" else ",", text)
    if not HAN.search(text):  # hard wraps and glosses follow Chinese characters
        return text
    text = _HARD_WRAP.sub("", text)
    return _PINYIN_GLOSS.sub("", text) if "(" in text else text


def document_of(title: str, text: str) -> str:
    """The story as the classifier reads it: headline and text made readable, in simplified characters."""
    title, text = simplified(readable(title)), simplified(readable(text))
    return f"{title}\n\n{text}" if title else text


class Classifier:
    """Companies and rates loaded once; `classify` is then cheap and pure.

    `policy_model` is the second opinion a rules' policy shift must pass (`tasks/classify/policy_model.py`);
    `rules_only` leaves it out, keeping every policy shift the rules find: how the model's training and its
    measurement see the rules."""

    def __init__(self, config_dir: Path, rules_only: bool = False) -> None:
        self.matcher = CompanyMatcher(load_companies(config_dir))
        self.extractor = EventExtractor(load_rates(config_dir))
        self.history = load_history(config_dir)
        self.policy_model: PolicyModel | None = None if rules_only else shipped_model()

    def classify(self, title: str, text: str, published: date | None, language: str | None = None) -> Classification:
        """Companies and events in a story; positions refer to the title and text after `readable`.

        `language`: the story's, where the caller has detected it already (a worker has, from the page's title
        and text), sparing a second detection on every page; else detected here."""
        title, text = readable(title), readable(text)
        as_shown = f"{title}\n\n{text}" if title else text
        title, text = simplified(title), simplified(text)
        document = f"{title}\n\n{text}" if title else text
        matches = self.matcher.find(document)
        language = language or detect_language(document)
        if language not in READ:
            why = f"written in {language_name(language)}: regwatch's rules read English and Chinese"
            return Classification(False, matches, [], language, [why])
        events = self.extractor.extract(title, text, matches, published)
        if published is not None:  # a known action a week older than the story is being recalled
            events = [e for e in events if known_before(e, self.history, self.extractor.rates, published) is None]
        for event in events:  # the evidence as the outlet wrote it, in its own script
            event.evidence = as_written(event.evidence, document, as_shown)
        events, set_aside = self._second_opinion(events, document)
        return Classification(bool(events or set_aside), matches, events, language, set_aside=set_aside)

    def _second_opinion(self, events: list[Event], document: str) -> tuple[list[Event], list[str]]:
        """The events without the rules' policy shifts that the story as a whole does not read as, and why
        each was set aside. The story stays relevant: the rules found a regulator's action in it, and the
        model judges only whether that action is a new policy (the one kind of it that alerts)."""
        if self.policy_model is None or not any(e.kind == "policy_shift" for e in events):
            return events, []
        probability = self.policy_model.probability(document)
        if probability >= self.policy_model.threshold:
            return events, []
        shown = math.floor(probability * 100) / 100  # never rounded up to the threshold it fell short of
        why = [f"a policy shift (\"{snippet(e.evidence, 80)}\"): the story as a whole does not read as news of a new "
               f"policy (the policy model gives it {shown:.2f}, {self.policy_model.threshold:.2f} is needed)"
               for e in events if e.kind == "policy_shift"]
        return [e for e in events if e.kind != "policy_shift"], why

    def why_not(self, title: str, text: str, published: date | None) -> list[str]:
        """For a story that yields no event: the cue that was missing (slower; the CLI asks for it)."""
        title, text = simplified(readable(title)), simplified(readable(text))
        matches = self.matcher.find(f"{title}\n\n{text}" if title else text)
        return why_no_event(self.extractor.regulators, title, text, matches, published)


@lru_cache(maxsize=4)
def classifier_for(config_dir: str) -> Classifier:
    """One classifier per config dir per process (worker processes build theirs once)."""
    return Classifier(Path(config_dir))
