"""Exact dedupe keys: canonical URL, feed GUID and normalised-content hash.

Every stored story owns all the keys it was ever seen under (its feed link,
the URL it redirected to, its canonical link, its GUID, its text hash), so any
later sighting under any of them is recognised before the page is fetched.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from tasks.common.urls import canonical_url

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
MIN_HASHED_CHARS = 200  # shorter texts (teasers, "page not found") collide too easily


def url_key(url: str) -> str:
    return "url:" + canonical_url(url)


def guid_key(feed_id: str, guid: str) -> str:
    """GUIDs that are URLs, URNs or tags are global; bare ids are only unique within their feed."""
    if "://" in guid or guid.startswith(("urn:", "tag:")):
        return "guid:" + guid.strip()
    return f"guid:{feed_id}:{guid.strip()}"


def normalise_text(text: str) -> str:
    """Case, width, punctuation and whitespace folded away: what a copy-edit does not change."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def content_key(text: str) -> str | None:
    return _hashed(normalise_text(text))


def content_key_of_tokens(stream: list[str]) -> str | None:
    """`content_key` of the text whose MinHash tokens (`tasks.extract.minhash.tokens`) are `stream`, without
    folding the text again: the tokens are the folded text's word characters but underscores, cut into words
    and CJK characters, plus the few CJK-range characters that are no word characters (・, ゠), each a token
    of its own. Joined, with those dropped, they are `normalise_text`."""
    normal = "".join(stream)
    return _hashed(normal if normal.isalnum() else _NON_WORD.sub("", normal))  # isalnum: \w but "_", in C


def _hashed(normal: str) -> str | None:
    if len(normal) < MIN_HASHED_CHARS:
        return None
    return "hash:" + hashlib.sha256(normal.encode()).hexdigest()[:32]


def article_id_for(url: str) -> str:
    return hashlib.sha256(canonical_url(url).encode()).hexdigest()[:16]
