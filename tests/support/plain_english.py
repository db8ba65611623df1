"""What a message a person reads must not contain: internal names and conversions to the cent."""

from __future__ import annotations

import re

# A code with an underscore (STATE_COUNCIL), a code that stands for no one body, a raw direction, a kind's code.
INTERNAL_NAME = re.compile(
    r"\b[A-Z]+_[A-Z_]+\b|\b(?:AUTHORITIES|COURT|FOREIGN|POLITBURO)\b|\(\s*(?:ease|tighten|neutral)\s*\)"
    r"|\b(?:policy_shift|ipo_block|merger_block|app_removal)\b"
)
# "$418,410.04", "USD 2,541,631,799.2": a dated exchange rate does not know the cents.
CENTS = re.compile(r"\$\s?\d[\d,]*\.\d\d(?!\d)(?! ?(?:million|billion|trillion))|USD [\d,]+\.\d")


def not_plain(text: str) -> list[str]:
    """Every internal name or cent-level conversion in `text` (none in a message fit to read)."""
    return [m.group(0) for pattern in (INTERNAL_NAME, CENTS) for m in pattern.finditer(text)]
