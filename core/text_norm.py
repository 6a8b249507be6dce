"""Normalise names students type so "Tata Consultancy Services Ltd." and "tata consultancy" compare."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9&+#]+")
_SPACES = re.compile(r"\s+")


def normalise_name(text: str) -> str:
    """Lowercase, strip accents and punctuation, collapse spaces: the key for company names and aliases."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _SPACES.sub(" ", _NON_WORD.sub(" ", folded)).strip()


def collapse_spaces(text: str) -> str:
    """Trim and collapse runs of whitespace inside one-line answers."""
    return _SPACES.sub(" ", text).strip()


MAX_ID = 2**31 - 1  # the largest id every store can hold (PostgreSQL INTEGER, SQLite's fast path)


def parse_id(text: str) -> int | None:
    """The id a user typed ("12" or "#12"): ASCII digits only, 1..2**31-1; None for anything else.

    Every feature that takes an id (an experience, a discussion, a reply, a page) parses it here, so an
    id that cannot exist (a 20-digit number, "²", "٣") never reaches int() or the database: `str.isdigit`
    is true for superscripts that int() refuses, and int() accepts other scripts' digits and any length.
    """
    text = text.strip().lstrip("#")
    if not text or len(text) > 10 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def looks_like_id(text: str) -> bool:
    """Whether `text` is a number the user meant as an id even if `parse_id` refuses it ("99999999999"
    or "²", at most 32 characters so it can be echoed): such input gets the feature's "There is no ...
    #id" answer, not its usage hint."""
    text = text.strip().lstrip("#")
    return 0 < len(text) <= 32 and text.isdigit()
