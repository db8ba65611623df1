"""Precision and recall of near-duplicate detection (`tasks.store.near_dupes`) on a generated pair set.

Sources are the labelled news texts (`tests/data/labelled/`, English and
Chinese) and, when ../shared is present, the 181 real article texts of the
article-extraction benchmark. From each source a seeded RNG makes three copies
that must be found:
- syndicated: the same text between an aggregator's navigation lines and its
  "Related stories" / copyright footer;
- rewrite: a light copy-edit: a changed headline (first line), 5-10% of words
  (Chinese: characters) replaced by near-synonyms or dropped, one sentence
  dropped, the last two paragraphs swapped;
- truncated: the first 80% of the text.

All sources go into one DuckDB index; every copy and every source is then
looked up in one batch. A copy matching its own source is a true positive, a
copy missing it a false negative, and any other match (a copy or source
matching a different source) a false positive. Two groups of negatives are
also reported on their own because they are the ones a weaker method gets
wrong: labelled texts in the same language about the same companies (the same
event written up by different outlets) and the benchmark's most similar pairs
by vocabulary (two articles on the same topic).

Run `python -m evaluation.near_dupes`; the result depends only on the seed and
the files.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from evaluation.labelled import labelled_files, parse_labelled
from tasks.common.text import CJK
from tasks.extract import minhash
from tasks.store import near_dupes

REPO = Path(__file__).resolve().parent.parent
LABELLED_DIR = REPO / "tests" / "data" / "labelled"
BENCHMARK_DIR = REPO.parent / "shared" / "corpora" / "article-extraction-benchmark"
SAME_TOPIC_PAIRS = 25  # benchmark pairs with the most shared vocabulary, used as hard negatives
KINDS = ("syndicated", "rewrite", "truncated")


@dataclass(frozen=True)
class Source:
    key: str
    language: str  # "en" or "zh": which boilerplate and which kind of edits its copies get
    text: str
    companies: frozenset[str]


def _language(text: str) -> str:
    """Chinese ("zh") when most tokens are CJK characters: the benchmark has no language field."""
    stream = minhash.tokens(text)
    return "zh" if 2 * sum(1 for t in stream if CJK.fullmatch(t)) > len(stream) else "en"


def load_sources(labelled_dir: Path = LABELLED_DIR, benchmark_dir: Path = BENCHMARK_DIR) -> tuple[list[Source], str]:
    """All source texts, plus a note saying what was missing (empty if nothing was)."""
    sources = []
    for path in labelled_files(labelled_dir):
        item = parse_labelled(path)
        sources.append(
            Source(f"labelled/{path.name}", item.language, f"{item.title}\n\n{item.text}", frozenset(item.companies))
        )
    truth = benchmark_dir / "ground-truth.json"
    if not truth.is_file():
        return sources, f"{truth} is absent: benchmark articles skipped"
    for key, entry in sorted(json.loads(truth.read_text(encoding="utf-8")).items()):
        body = entry["articleBody"]
        sources.append(Source(f"benchmark/{key[:16]}", _language(body), body, frozenset()))
    return sources, ""


# --- the copies -------------------------------------------------------------------------------------------------

_HEADERS = {
    "en": [
        "Home | World | Business | Markets | Tech | Opinion",
        "Skip to main content",
        "Advertisement",
        "Share this article: Facebook Twitter LinkedIn Email",
        "Sign in | Subscribe | Newsletters",
        "Breaking News Alerts",
    ],
    "zh": [
        "首页 | 新闻 | 财经 | 科技 | 评论",
        "当前位置：首页 > 财经频道 > 正文",
        "分享到：微信 微博 QQ空间",
        "广告",
        "登录 | 注册 | 订阅",
        "扫码下载客户端",
    ],
}
_FOOTERS = {
    "en": [
        "Related stories",
        "Markets wrap: stocks edge higher as investors weigh rate outlook",
        "Five things to watch in the week ahead",
        "Copyright © 2024 Example Media Group. All rights reserved.",
        "Sign up for our daily newsletter to get the latest headlines.",
        "Reporting by staff writers; editing by the desk.",
        "This article was automatically generated from a wire feed.",
    ],
    "zh": [
        "相关阅读",
        "沪指低开高走 科技板块午后走强",
        "一周前瞻：这些数据值得关注",
        "版权所有 © 2024 示例传媒 未经授权禁止转载",
        "责任编辑：王晓明",
        "本文来源于合作媒体，不代表本站观点。",
        "更多精彩内容请关注官方微信公众号",
    ],
}
_EN_SYNONYMS = {
    "said": "stated",
    "says": "states",
    "company": "firm",
    "companies": "firms",
    "government": "authorities",
    "regulator": "watchdog",
    "regulators": "watchdogs",
    "announced": "unveiled",
    "also": "additionally",
    "about": "around",
    "big": "large",
    "large": "big",
    "new": "fresh",
    "however": "but",
    "but": "however",
    "because": "since",
    "percent": "per cent",
    "billion": "bn",
    "million": "mn",
    "people": "persons",
    "help": "assist",
    "show": "indicate",
    "shows": "indicates",
    "begin": "start",
    "began": "started",
    "buy": "purchase",
    "use": "utilise",
    "used": "utilised",
    "many": "numerous",
    "before": "prior to",
    "after": "following",
    "while": "whereas",
    "may": "might",
    "will": "would",
    "can": "could",
    "told": "informed",
    "asked": "requested",
    "rules": "regulations",
    "fine": "penalty",
    "market": "sector",
    "major": "leading",
    "largest": "biggest",
    "recent": "latest",
    "statement": "release",
}
_ZH_SYNONYMS = {
    "表示": "称",
    "公司": "企业",
    "企业": "公司",
    "进行": "开展",
    "相关": "有关",
    "要求": "责令",
    "近日": "日前",
    "日前": "近日",
    "根据": "依据",
    "已经": "已",
    "目前": "当前",
    "发布": "公布",
    "宣布": "公布",
    "加强": "强化",
    "以及": "及",
    "此外": "另外",
    "因此": "所以",
    "问题": "情况",
    "平台": "平台方",
    "监管": "监督管理",
    "部门": "机关",
    "调查": "调查了解",
    "处罚": "处分",
    "罚款": "罚金",
    "认为": "指出",
    "市场": "行业",
    "同时": "与此同时",
    "其中": "当中",
    "并且": "并",
    "通过": "经由",
    "主要": "重要",
}
_ZH_LIGHT = "的了在和是也将对与并"  # characters a copy-editor drops without changing the meaning
_EN_WORD = re.compile(r"[A-Za-z]+")
_SENTENCE_END = {"en": re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])"), "zh": re.compile(r"(?<=[。！？])")}


def syndicated(source: Source, rng: random.Random) -> str:
    """The text between two navigation lines and a three-line "related stories" / copyright footer."""
    header = rng.sample(_HEADERS[source.language], 2)
    footer = rng.sample(_FOOTERS[source.language], 3)
    return "\n".join([*header, "", source.text, "", *footer])


def truncated(source: Source, rng: random.Random) -> str:
    """The first 80% of the text, cut at a space in English (`rng` unused: all copies share one signature)."""
    cut = int(len(source.text) * 0.8)
    space = source.text.rfind(" ", 0, cut) if source.language == "en" else -1
    return source.text[: space if space > 0 else cut]


def _edit_words_en(text: str, share: float, rng: random.Random) -> str:
    """Replace `share` of the words: near-synonyms where there is one, otherwise drop the word."""
    words = list(_EN_WORD.finditer(text))
    budget = max(1, round(share * len(words)))
    synonyms = [m for m in words if m.group().lower() in _EN_SYNONYMS]
    rng.shuffle(synonyms)
    chosen = synonyms[:budget]
    taken = {m.start() for m in chosen}
    rest = [m for m in words if m.start() not in taken]
    chosen += rng.sample(rest, min(len(rest), budget - len(chosen)))
    out, pos = [], 0
    for m in sorted(chosen, key=lambda m: m.start()):
        word = m.group()
        replacement = _EN_SYNONYMS.get(word.lower(), "")
        if replacement and word[0].isupper():
            replacement = replacement[0].upper() + replacement[1:]
        out += [text[pos : m.start()], replacement]
        pos = m.end()
    out.append(text[pos:])
    return re.sub(r" {2,}", " ", "".join(out))


def _edit_chars_zh(text: str, share: float, rng: random.Random) -> str:
    """Change `share` of the CJK characters: near-synonym words first, then drop light function characters."""
    cjk = [i for i, c in enumerate(text) if CJK.fullmatch(c)]
    budget = max(1, round(share * len(cjk)))
    pattern = re.compile("|".join(sorted(_ZH_SYNONYMS, key=len, reverse=True)))
    spans = list(pattern.finditer(text))
    rng.shuffle(spans)
    edits: dict[int, tuple[int, str]] = {}  # start -> (end, replacement)
    for m in spans:
        if budget <= 0:
            break
        edits[m.start()] = (m.end(), _ZH_SYNONYMS[m.group()])
        budget -= len(m.group())
    covered = {i for start, (end, _) in edits.items() for i in range(start, end)}
    light = [i for i in cjk if text[i] in _ZH_LIGHT and i not in covered]
    others = [i for i in cjk if text[i] not in _ZH_LIGHT and i not in covered]
    budget = max(0, budget)
    dropped = rng.sample(light, min(budget, len(light)))
    dropped += rng.sample(others, min(budget - len(dropped), len(others)))
    for i in dropped:
        edits[i] = (i + 1, "")
    out, pos = [], 0
    for start in sorted(edits):
        end, replacement = edits[start]
        out += [text[pos:start], replacement]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def rewrite(source: Source, rng: random.Random) -> str:
    """A light copy-edit: new headline, 5-10% of words changed, one sentence dropped, last paragraphs swapped."""
    paragraphs = [p for p in re.split(r"\n\s*\n|\n", source.text) if p.strip()]
    tags = ["UPDATE 1-", "EXCLUSIVE: ", "Analysis: "] if source.language == "en" else ["快讯：", "（更新）", "独家｜"]
    paragraphs[0] = rng.choice(tags) + paragraphs[0]
    if len(paragraphs) >= 4:
        paragraphs[-1], paragraphs[-2] = paragraphs[-2], paragraphs[-1]
    split = _SENTENCE_END[source.language].split
    middle = [i for i in range(1, len(paragraphs)) if len([s for s in split(paragraphs[i]) if s]) > 1]
    if middle:
        i = rng.choice(middle)
        sentences = [s for s in split(paragraphs[i]) if s]
        del sentences[rng.randrange(len(sentences))]
        paragraphs[i] = ("" if source.language == "zh" else " ").join(sentences)
    text = "\n\n".join(paragraphs)
    share = rng.uniform(0.05, 0.10)
    return _edit_words_en(text, share, rng) if source.language == "en" else _edit_chars_zh(text, share, rng)


VARIANTS: dict[str, Callable[[Source, random.Random], str]] = {
    "syndicated": syndicated,
    "rewrite": rewrite,
    "truncated": truncated,
}


# --- hard negatives ---------------------------------------------------------------------------------------------


def _vocabulary(text: str) -> set[str]:
    return {t for t in minhash.tokens(text) if len(t) >= 4 and t.isalpha()}


def hard_negatives(sources: list[Source]) -> dict[str, list[tuple[str, str]]]:
    """Pairs that must not match: same-language labelled texts sharing a company; same-topic benchmark articles."""
    labelled = [s for s in sources if s.key.startswith("labelled/")]
    same_event = [
        (a.key, b.key)
        for a, b in itertools.combinations(labelled, 2)
        if a.language == b.language and a.companies & b.companies
    ]
    bench = [(s.key, _vocabulary(s.text)) for s in sources if s.key.startswith("benchmark/")]
    scored = sorted(
        ((len(va & vb) / len(va | vb), a, b) for (a, va), (b, vb) in itertools.combinations(bench, 2) if va and vb),
        reverse=True,
    )
    return {"same event, other outlet": same_event, "same topic": [(a, b) for _, a, b in scored[:SAME_TOPIC_PAIRS]]}


# --- the measurement --------------------------------------------------------------------------------------------


@dataclass
class PairSet:
    """What is stored, what is looked up, and which lookups must find which source."""

    note: str
    sources: int
    stored: dict[str, list[int]]  # source key -> signature (sources too short to judge are left out)
    queries: dict[str, list[int]]  # every stored source and every copy long enough to judge
    expected: dict[str, str]  # copy name -> its source key, for every copy of a stored source
    too_short: dict[str, int]  # copies per kind whose signature is None (counted as missed)
    hard: dict[str, list[tuple[str, str]]]


def build_pair_set(seed: int = 0) -> PairSet:
    sources, note = load_sources()
    stored = {s.key: sig for s in sources if (sig := minhash.signature(s.text)) is not None}
    pairs = PairSet(note, len(sources), stored, dict(stored), {}, dict.fromkeys(KINDS, 0), {})
    for source in sources:
        if source.key not in stored:
            continue  # a source too short to judge has nothing to be found against
        for kind, make in VARIANTS.items():
            name = f"{source.key}#{kind}"
            # One RNG per copy: adding a labelled file leaves every other copy as it was.
            sig = minhash.signature(make(source, random.Random(f"{seed}:{name}")))
            pairs.expected[name] = source.key
            if sig is None:
                pairs.too_short[kind] += 1
            else:
                pairs.queries[name] = sig
    pairs.hard = hard_negatives([s for s in sources if s.key in stored])
    return pairs


def look_up(pairs: PairSet, threshold: float) -> dict[str, dict[str, float]]:
    """Every query against an index of all stored sources, in one batch: query -> {article_id: similarity}."""
    con = duckdb.connect()
    try:
        con.execute(near_dupes.SCHEMA)
        near_dupes.add_signatures(con, list(pairs.stored.items()))
        found = near_dupes.find_many(con, pairs.queries, threshold)
    finally:
        con.close()
    return {name: dict(matches) for name, matches in found.items()}


def score(pairs: PairSet, found: dict[str, dict[str, float]], threshold: float) -> dict[str, Any]:
    """Counts and rates at `threshold`; `found` may come from a lookup at any lower threshold."""
    matched = {name: {a for a, sim in matches.items() if sim >= threshold} for name, matches in found.items()}
    hits = dict.fromkeys(KINDS, 0)
    misses = dict.fromkeys(KINDS, 0)
    for name, source_key in pairs.expected.items():
        kind = name.rsplit("#", 1)[1]
        if source_key in matched.get(name, set()):
            hits[kind] += 1
        else:
            misses[kind] += 1
    false_matches = sorted(
        (name, other) for name, others in matched.items() for other in others if other != pairs.expected.get(name)
    )
    tp, fn, fp = sum(hits.values()), sum(misses.values()), len(false_matches)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {
        "threshold": threshold,
        "note": pairs.note,
        "sources": pairs.sources,
        "sources_too_short": pairs.sources - len(pairs.stored),
        "positives": tp + fn,
        "negatives": len(pairs.queries) * (len(pairs.stored) - 1),  # each lookup against all other sources
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "recall_by_kind": {k: hits[k] / (hits[k] + misses[k]) for k in KINDS if hits[k] + misses[k]},
        "copies_too_short": pairs.too_short,
        "false_matches": false_matches,
        "missed": sorted(name for name, key in pairs.expected.items() if key not in matched.get(name, set())),
        "hard_negatives": {group: len(hard) for group, hard in pairs.hard.items()},
        "hard_negative_matches": {
            group: [(a, b) for a, b in hard if b in matched.get(a, set()) or a in matched.get(b, set())]
            for group, hard in pairs.hard.items()
        },
        "hard_negative_max_similarity": {
            group: max(
                (minhash.estimated_similarity(pairs.stored[a], pairs.stored[b]) for a, b in hard), default=0.0
            )
            for group, hard in pairs.hard.items()
        },
    }


def evaluate(seed: int = 0, threshold: float = minhash.DEFAULT_THRESHOLD) -> dict[str, Any]:
    """Counts, precision, recall and F1 of signature + find_many at `threshold`, recall per copy kind too."""
    pairs = build_pair_set(seed)
    return score(pairs, look_up(pairs, threshold), threshold)


SWEEP = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)


def main() -> None:
    pairs = build_pair_set()
    found = look_up(pairs, min(SWEEP))
    result = score(pairs, found, minhash.DEFAULT_THRESHOLD)
    if result["note"]:
        print(f"note: {result['note']}")
    print(
        f"{result['sources']} sources ({result['sources_too_short']} too short to judge), "
        f"{minhash.NGRAM}-token shingles, {minhash.NUM_PERM} permutations = "
        f"{minhash.BANDS} bands x {minhash.ROWS} rows, threshold {result['threshold']}\n"
    )
    for key in ("positives", "negatives", "tp", "fp", "fn"):
        print(f"{key:20}{result[key]:>9}")
    for key in ("precision", "recall", "f1"):
        print(f"{key:20}{result[key]:>9.3f}")
    for kind, recall in result["recall_by_kind"].items():
        print(f"{'recall ' + kind:20}{recall:>9.3f}")
    print()
    for group, count in result["hard_negatives"].items():
        matches = len(result["hard_negative_matches"][group])
        top = result["hard_negative_max_similarity"][group]
        print(f"hard negatives, {group}: {count} pairs, {matches} matched, highest estimated similarity {top:.2f}")
    for name, other in result["false_matches"]:
        print(f"false match: {name} ~ {other}")
    for name in result["missed"]:
        print(f"missed: {name}")
    print(f"\n{'threshold':>9} {'precision':>9} {'recall':>7} {'rewrite':>7} {'f1':>6}")
    for threshold in SWEEP:
        r = score(pairs, found, threshold)
        print(
            f"{threshold:>9.2f} {r['precision']:>9.3f} {r['recall']:>7.3f} "
            f"{r['recall_by_kind'].get('rewrite', 0.0):>7.3f} {r['f1']:>6.3f}"
        )


if __name__ == "__main__":
    main()
