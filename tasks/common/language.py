"""Which language a text is in: English and Chinese are what regwatch's rules read; any other is named
so that a story in it is stored, never alerts, and `regwatch classify` can say why.

Scripts decide most cases (Han, kana, Hangul, Cyrillic, Arabic, Thai); Latin-script text is told apart by
its commonest short words, which every language has and which topic words never outnumber.
"""

from __future__ import annotations

import re
from collections import Counter

from tasks.common.text import HAN

READ = ("en", "zh")
NAMES = {
    "en": "English", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ru": "Russian", "ar": "Arabic",
    "th": "Thai", "de": "German", "fr": "French", "es": "Spanish", "pt": "Portuguese", "it": "Italian",
    "nl": "Dutch", "id": "Indonesian", "vi": "Vietnamese", "tr": "Turkish", "other": "an unknown language",
}
_SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
)
_ANY_SCRIPT = re.compile("[" + "".join(pattern.pattern[1:-1] for _, pattern in _SCRIPTS) + "]")  # any of them
_WORD = re.compile(r"[A-Za-zÀ-ɏ]+")  # a run of Latin letters
_FUNCTION_WORDS = {
    "en": {"the", "of", "and", "to", "in", "is", "that", "for", "on", "with", "was", "by", "it", "its", "as", "has"},
    "de": {"der", "die", "und", "das", "ist", "nicht", "mit", "von", "den", "des", "ein", "eine", "auf", "wurde"},
    "fr": {"le", "la", "les", "et", "des", "est", "une", "pour", "dans", "du", "que", "qui", "sur", "au", "pas"},
    "es": {"el", "la", "los", "las", "y", "que", "en", "para", "por", "una", "del", "con", "se", "es", "como"},
    "pt": {"o", "os", "e", "que", "não", "para", "uma", "do", "da", "em", "com", "por", "foi", "ao", "das"},
    "it": {"il", "di", "che", "e", "la", "per", "non", "una", "del", "della", "sono", "con", "gli", "nel", "è"},
    "nl": {"de", "het", "een", "en", "van", "niet", "op", "voor", "met", "zijn", "dat", "wordt", "ook", "bij"},
    "id": {"yang", "dan", "di", "ini", "itu", "dengan", "untuk", "dari", "tidak", "pada", "akan", "oleh", "ke"},
    "vi": {"và", "của", "là", "có", "được", "cho", "không", "với", "các", "này", "người", "trong", "đã"},
    "tr": {"ve", "bir", "bu", "için", "ile", "da", "de", "olarak", "daha", "çok", "olan", "gibi"},
}


def detect_language(text: str) -> str:
    """An ISO 639-1 code (en, zh, ja, de, ...), or "other" when there is too little text to tell."""
    sample = text[:5000]
    han = len(HAN.findall(sample))
    # Most texts have none of those scripts: one search tells, instead of counting each script's letters.
    found = _ANY_SCRIPT.search(sample) is not None
    scripts = {code: len(pattern.findall(sample)) if found else 0 for code, pattern in _SCRIPTS}
    words = _WORD.findall(sample)
    latin = sum(map(len, words))  # every Latin letter is in exactly one word: no second pass over the text
    script, count = max(scripts.items(), key=lambda kv: kv[1])
    if scripts["ja"] * 10 >= han > 0 or (scripts["ja"] and scripts["ja"] >= han):
        return "ja"  # Japanese mixes kana into its kanji; Chinese text has none
    if count and count * 3 >= max(han, latin):
        return script
    if han and han * 3 >= latin:
        return "zh"
    if not latin:
        return "other"
    # Each word counted once, then each language's short list looked up in the counts: a pass over the words per
    # language cost a worker 1.5 ms a page, as much as classifying it.
    counts = Counter(map(str.lower, words))
    hits = {code: sum(counts[w] for w in vocabulary & counts.keys()) for code, vocabulary in _FUNCTION_WORDS.items()}
    best = max(hits, key=lambda code: (hits[code], code == "en"))
    return best if hits[best] else "en"  # a headline of names and numbers reads as English


def language_name(code: str) -> str:
    return NAMES.get(code, code)
