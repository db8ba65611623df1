"""Google News item links of the shape Google has served since mid-2024, made up for tests and the demo.

A real one is `https://news.google.com/rss/articles/CBMi<base64url>?oc=5`: the base64 decodes to a small
protobuf (field 1 = 19, field 4 = an opaque "AU_yqL..." token) that names no publisher URL, so nothing but
a further request to Google can say where the article is. These links have that shape, with tokens from a
seeded generator instead of Google's.
"""

from __future__ import annotations

import base64
import random
import string

_TOKEN_CHARS = string.ascii_letters + string.digits + "-_"


def google_news_link(seed: int, token_length: int = 90) -> str:
    """A Google News article link of the real shape; the same for the same seed."""
    rnd = random.Random(seed)
    token = ("AU_yqL" + "".join(rnd.choice(_TOKEN_CHARS) for _ in range(token_length - 6))).encode()
    message = b"\x08\x13\x22" + bytes([token_length]) + token  # token_length < 128: a one-byte varint
    article_id = base64.urlsafe_b64encode(message).decode().rstrip("=")
    return f"https://news.google.com/rss/articles/{article_id}?oc=5"
