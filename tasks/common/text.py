"""Text helpers every stage shares: the one definition of CJK characters, and sentence splitting with offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Chinese characters: unified ideographs, extension A, compatibility forms and the supplementary planes.
HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
# Scripts written without spaces between words (Han and Japanese kana): each character is a token.
CJK_CHARS = "\u3040-\u30ff" + HAN_CHARS
HAN = re.compile(f"[{HAN_CHARS}]")
CJK = re.compile(f"[{CJK_CHARS}]")

# A sentence ends at 。！？； (or their half-width forms between Chinese characters), at .!? followed by space and a
# capital/quote/CJK, or at a line break.
_END = re.compile(
    r"(?<=[。！？；!?])[”’」』\"']?"
    r"|(?<=[a-z0-9)\]”\"'%])[.!?][”\"']?(?=\s+[A-Z\"“‘(" + HAN_CHARS + "])"
    r"|(?<=[a-z])\s[.!?](?=\s+[A-Z])"  # "... as the report said . The regulator added": a scraped stop
    # Chinese set with half-width punctuation (some sites normalise it): "整改;对新浪微博…" ends a clause too
    f"|(?<=[{HAN_CHARS}”\")）])[;.](?=\\s*[{HAN_CHARS}“\"])"
    r"|\n+"
)
_ABBREVIATIONS = ("Mr", "Ms", "Mrs", "Dr", "Co", "Inc", "Ltd", "Corp", "St", "No", "U.S", "U.K", "Jan", "Feb",
                  "Aug", "Sept", "Sep", "Oct", "Nov", "Dec", "vs", "e.g", "i.e", "approx")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of `text` with their [start, end) offsets; abbreviations do not end one."""
    sentences: list[Sentence] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        piece = text[start:end]
        word = re.search(r"([A-Za-z.]+)\.$", piece.rstrip())
        if word and word.group(1) in _ABBREVIATIONS and not match.group(0).startswith("\n"):
            continue
        _add(sentences, text, start, end)
        start = end
    _add(sentences, text, start, len(text))
    return sentences


def _add(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        offset = start + piece.index(stripped)
        sentences.append(Sentence(stripped, offset, offset + len(stripped)))
