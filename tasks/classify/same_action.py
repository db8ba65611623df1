"""When two reports are of one real-world action: the tests shared by folding the sentences of one story
(`tasks.classify.events.merging`) and clustering stories across outlets and days (`tasks.alert.clustering`)."""

from __future__ import annotations

from collections.abc import Collection

AMOUNT_TOLERANCE = 0.12  # headline roundings ("$2.8 billion" for 18.228 billion yuan) stay together


def amounts_agree(usd_a: float | None, usd_b: float | None) -> bool:
    """Two amounts in USD within the tolerance of each other; an unknown amount never disagrees."""
    if not usd_a or not usd_b:
        return True
    return abs(usd_a - usd_b) <= AMOUNT_TOLERANCE * max(usd_a, usd_b)


def companies_overlap(a: Collection[str], b: Collection[str]) -> bool:
    """Two company lists that may be one action's: either is empty, or they share a company."""
    return not a or not b or bool(set(a) & set(b))
