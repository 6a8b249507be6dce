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
