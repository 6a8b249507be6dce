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


# Words that say what kind of legal entity or which country's arm a company is, not which company:
# "Acme Motors India Pvt Ltd", "Acme Motors Private Limited" and "Acme Motors" are one employer to a
# student. Dropped from the end of a normalised name only (never the first word, never after a
# connector: "Bank of India" and "Bain & Company" keep theirs).
FOLD_WORDS = frozenset(
    {
        "ltd",
        "limited",
        "pvt",
        "private",
        "pte",
        "inc",
        "incorporated",
        "llp",
        "llc",
        "plc",
        "gmbh",
        "corp",
        "corporation",
        "co",
        "company",
        "technologies",
        "technology",
        "india",
        "usa",
    }
)
_CONNECTORS = frozenset({"of", "and", "&", "for", "the", "de"})


def fold_words(key: str) -> str:
    """Drop trailing FOLD_WORDS from an already normalised name ("infosys ltd" -> "infosys")."""
    words = key.split()
    while len(words) > 1 and words[-1] in FOLD_WORDS and words[-2] not in _CONNECTORS:
        words.pop()
    return " ".join(words)


def fold_name(text: str) -> str:
    """The key that folds a company's variants together: normalise_name without legal/country suffixes.

    "Acme Motors India Private Limited" -> "acme motors"; "Microsoft India" -> "microsoft";
    "Bank of India" -> "bank of india" (a suffix after a connector is part of the name).
    """
    return fold_words(normalise_name(text))
