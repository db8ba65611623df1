"""Find tracked companies in text: every alias, Chinese name, ticker and brand.

Precision comes first, because a wrong company is a wrong alert:
- English names match case-sensitively as whole words ("Ant Group" is not
  "ant groups", "Alibaba Cloud" is not "Alibaba" plus noise);
- the longest name wins where names overlap ("Tencent Music" is not "Tencent");
- Chinese names match without word boundaries, but not inside a longer word:
  when jieba's segmentation puts the match inside a longer token (京东方,
  阿里山, 点点滴滴, 小米粥) it is discarded, and so is a match inside a
  phrase listed under the company's `not`;
- weak aliases (names that are also ordinary words, such as "Didi" or 蚂蚁)
  count only when the same text also has a strong name of the company or one
  of its context words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import ahocorasick
from pydantic import BaseModel, ConfigDict, Field, field_validator

from tasks.common.text import HAN
from tasks.common.yamlconf import error_at, load_model

EXCHANGES = ("NYSE", "NASDAQ", "OTC", "HKEX", "SSE", "SZSE", "STAR")
_WORD_CHAR = re.compile(r"[A-Za-z0-9]")
# Words that show a weak name means a company, whichever company: a recipe about
# 小米粥 or a biology story about ant colonies has none of them.
GENERIC_CONTEXT = (
    "company", "companies", "shares", "stock", "Nasdaq", "NYSE", "Hong Kong-listed", "listed", "platform", "app",
    "users", "regulator", "regulators", "firm", "tech giant", "internet giant", "billion", "revenue", "investors",
    "公司", "平台", "股价", "股價", "港股", "美股", "上市", "用户", "用戶", "旗下", "集团", "集團", "市值",
    "财报", "財報",
    "监管", "監管", "企业", "企業", "营收", "營收", "亿元", "億元", "互联网", "互聯網", "科技",
)
_CLAUSE_END = re.compile(r"[，。！？；：、\s,.!?;:()（）《》“”\"'「」]")


class Company(BaseModel):
    """One tracked company as written in companies.yaml."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1)
    aliases: list[str] = []
    weak_aliases: list[str] = []
    zh: list[str] = []
    weak_zh: list[str] = []
    tickers: list[str] = []
    subsidiaries: list[str] = []
    not_: list[str] = Field([], alias="not")
    context: list[str] = []

    @field_validator("tickers")
    @classmethod
    def _tickers(cls, values: list[str]) -> list[str]:
        for value in values:
            exchange, _, symbol = value.partition(":")
            if exchange not in EXCHANGES or not symbol.strip():
                raise ValueError(f"ticker {value!r}: expected EXCHANGE:SYMBOL with EXCHANGE one of {EXCHANGES}")
        return values

    @field_validator("aliases", "weak_aliases", "zh", "weak_zh", "subsidiaries", "not_", "context")
    @classmethod
    def _no_blank(cls, values: list[str]) -> list[str]:
        if any(not v.strip() for v in values):
            raise ValueError("names must not be empty")
        return [v.strip() for v in values]


class CompaniesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    companies: list[Company]


def load_companies(config_dir: Path) -> list[Company]:
    """Load and check companies.yaml; duplicate ids or names fail naming the line."""
    path = config_dir / "companies.yaml"
    companies = load_model(path, CompaniesFile).companies
    seen: dict[str, int] = {}
    for index, company in enumerate(companies):
        for key in (company.id, company.name):
            if key in seen:
                message = f"duplicate company {key!r} (see companies[{seen[key]}])"
                raise error_at(path, ("companies", index, "id"), message)
            seen[key] = index
    return companies


def ticker_surfaces(ticker: str) -> list[str]:
    """How a listing is written in news text: 'NYSE: BABA', '9988.HK', '00700.HK', '(09988)'..."""
    exchange, _, symbol = ticker.partition(":")
    symbol = symbol.strip()
    if exchange == "HKEX":
        digits = symbol.lstrip("0") or "0"
        four, five = digits.zfill(4), digits.zfill(5)
        forms = {f"{four}.HK", f"{five}.HK", f"{digits}.HK", f"HK:{four}", f"HKEX:{four}", f"HKEX: {four}",
                 f"HKG:{four}", f"HKG: {four}", f"({five})", f"（{five}）", f"{five}.HK"}
        return sorted(forms)
    if exchange in ("SSE", "STAR"):
        return [f"{symbol}.SH", f"{symbol}.SS", f"SH{symbol}", f"SSE: {symbol}"]
    if exchange == "SZSE":
        return [f"{symbol}.SZ", f"SZ{symbol}", f"SZSE: {symbol}"]
    names = {"NYSE": ["NYSE"], "NASDAQ": ["NASDAQ", "Nasdaq"], "OTC": ["OTC", "OTCMKTS"]}[exchange]
    forms = {f"{n}{sep}{symbol}" for n in names for sep in (":", ": ", " ")}
    forms |= {f"{symbol}.N", f"{symbol}.O", f"{symbol}.US", f"${symbol}", f"{symbol} US"}
    return sorted(forms)


def bare_ticker(ticker: str) -> str | None:
    """BABA, BIDU, NTES on their own: a weak name (a rum baba is not Alibaba)."""
    exchange, _, symbol = ticker.partition(":")
    return symbol.strip() if exchange in ("NYSE", "NASDAQ", "OTC") and len(symbol.strip()) >= 4 else None


@dataclass(frozen=True)
class CompanyMatch:
    """Where a company was found and by which text: the analyst's 'why'."""

    company_id: str
    company: str
    surface: str
    start: int
    end: int
    weak: bool = False


@dataclass(frozen=True)
class _Entry:
    company_id: str
    surface: str
    weak: bool


class CompanyMatcher:
    """All companies' surfaces in two Aho-Corasick automata: one pass per text over the names in Latin script
    (and digits), and one over the Chinese names for a text that has a Chinese character.

    Two, because a pass costs per character and per name starting letters: with the Chinese names' 140 first
    characters beside the Latin ones' 40, a pass over an English page cost a worker 0.34 ms; 0.07 without."""

    def __init__(self, companies: Iterable[Company]) -> None:
        self.companies = {c.id: c for c in companies}
        self._latin, self._chinese = ahocorasick.Automaton(), ahocorasick.Automaton()
        entries: dict[str, list[_Entry]] = {}
        for company in self.companies.values():
            strong = company.aliases + company.zh + company.subsidiaries
            strong += [s for t in company.tickers for s in ticker_surfaces(t)]
            weak = company.weak_aliases + company.weak_zh
            weak += [b for t in company.tickers if (b := bare_ticker(t))]
            for surface, is_weak in [(s, False) for s in strong] + [(s, True) for s in weak]:
                entries.setdefault(surface, []).append(_Entry(company.id, surface, is_weak))
        for surface, items in entries.items():
            (self._chinese if HAN.search(surface) else self._latin).add_word(surface, items)
        for automaton in (self._latin, self._chinese):
            if len(automaton):
                automaton.make_automaton()

    @cached_property
    def _segmenter(self) -> Any:
        """jieba, loaded on first use: its dictionary costs half a second to build."""
        import jieba

        jieba.setLogLevel(logging.WARNING)
        return jieba

    def _inside_longer_word(self, text: str, start: int, end: int) -> bool:
        """True when jieba puts text[start:end] inside a longer token of its clause."""
        left = start
        while left > 0 and start - left < 12 and not _CLAUSE_END.match(text[left - 1]):
            left -= 1
        right = end
        while right < len(text) and right - end < 12 and not _CLAUSE_END.match(text[right]):
            right += 1
        offset = left
        for token in self._segmenter.cut(text[left:right], HMM=False):
            token_end = offset + len(token)
            if offset <= start and end <= token_end:
                return len(token) > end - start
            if offset >= end:
                break
            offset = token_end
        return False

    def _excluded(self, text: str, match: CompanyMatch) -> bool:
        company = self.companies[match.company_id]
        lowered = text.lower()
        for phrase in company.not_:
            needle = phrase.lower()
            pos = lowered.find(needle, max(0, match.start - len(needle)))
            while pos != -1 and pos <= match.start:
                if pos + len(needle) >= match.end:
                    return True
                pos = lowered.find(needle, pos + 1)
        return False

    def find(self, text: str) -> list[CompanyMatch]:
        """Every company mention in `text`, in order, after the precision rules above."""
        if not text:
            return []
        candidates: list[CompanyMatch] = []
        for end, entry in self._found(self._latin, text):
            start = end - len(entry.surface)
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if _WORD_CHAR.match(before) or _WORD_CHAR.match(after):
                continue
            if entry.surface[0] in "$(" and before.isalnum():
                continue
            candidates.append(self._match(entry, start, end))
        if HAN.search(text):
            candidates += [self._match(entry, end - len(entry.surface), end)
                           for end, entry in self._found(self._chinese, text)]
        kept = self._longest(candidates)  # in the order of the text, whichever automaton found them
        kept = [
            m for m in kept
            if not self._excluded(text, m)
            and not (HAN.search(m.surface) and self._inside_longer_word(text, m.start, m.end))
        ]
        return self._corroborated(text, kept)

    @staticmethod
    def _found(automaton: ahocorasick.Automaton, text: str) -> Iterator[tuple[int, _Entry]]:
        """(end, entry) of every surface of `automaton` in `text`."""
        if len(automaton):
            for end_index, items in automaton.iter(text):
                for entry in items:
                    yield end_index + 1, entry

    def _match(self, entry: _Entry, start: int, end: int) -> CompanyMatch:
        return CompanyMatch(entry.company_id, self.companies[entry.company_id].name, entry.surface, start, end,
                            entry.weak)

    @staticmethod
    def _longest(candidates: list[CompanyMatch]) -> list[CompanyMatch]:
        kept: list[CompanyMatch] = []
        for match in sorted(candidates, key=lambda m: (m.start, -(m.end - m.start), m.weak)):
            if kept and match.start < kept[-1].end:
                continue
            kept.append(match)
        return kept

    def _corroborated(self, text: str, matches: list[CompanyMatch]) -> list[CompanyMatch]:
        strong = {m.company_id for m in matches if not m.weak}
        lowered = text.lower()
        result = []
        for match in matches:
            if match.weak and match.company_id not in strong:
                # Latin-script weak names (JD, BABA, Sina, Didi) are ordinary words or names in
                # English text, so only the company's own context words vouch for them.
                context = self.companies[match.company_id].context
                if HAN.search(match.surface):
                    context = [*context, *GENERIC_CONTEXT]
                # ... or a strong mention of another tracked company: "Alibaba, JD and PDD fell".
                peers = bool(strong - {match.company_id})
                if not peers and not any(word.lower() in lowered for word in context):
                    continue
            result.append(match)
        return result
