"""Traditional Chinese read as simplified, so one cue, name or regulator pattern serves both scripts.

Hong Kong and Taiwan outlets write 平臺, 監管總局, 罰款; mainland ones 平台, 监管总局, 罚款. Listing every
variant in every cue table missed some (平臺, 上門調查) and doubled the tables; OpenCC's t2s conversion is
maintained against real usage and costs about 0.1 ms per 1 000 characters.
"""

from __future__ import annotations

from functools import lru_cache

import opencc

from tasks.common.text import HAN


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """`text` in simplified characters, character for character, so positions stay valid.

    A conversion that would change the length (a phrase rewritten as a longer or shorter one) is not
    taken: every offset the classifier reports must point into the text as written."""
    if not HAN.search(text):
        return text
    converted = _converter().convert(text)
    return converted if len(converted) == len(text) else text


def as_written(quote: str, converted: str, original: str) -> str:
    """The part of `original` that `quote` (a substring of `converted`) was converted from."""
    start = converted.find(quote)
    return original[start:start + len(quote)] if start >= 0 else quote
