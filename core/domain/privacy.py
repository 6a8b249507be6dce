"""What of an experience's free text may be shown to other students: the masking rule of public text.

`mask_public_text(text, author_name=..., roll_number=..., linkedin=..., anonymous=...)` returns the text
with personal data replaced by neutral placeholders ("[name]", "[roll number]", "[e-mail]", "[phone]",
"[LinkedIn]", the placeholders of `core.analytics.extract.PLACEHOLDERS`) and the kinds it replaced.
Pure: no I/O, no SQL. Storage applies it once, when an experience becomes public (storage/analysis.py),
and again when a public post is made anonymous later or edited by a moderator; the moderator's review
card uses it to say what will be masked.

The rule (DESIGN.md "Data": roll numbers and other personal data never appear in public output;
anonymous posts never leak their author):
- every post: e-mail addresses, phone numbers (Indian mobiles as `find_personal_data` reads them, plus
  international "+CC ..." and "(123) 456-7890"-style numbers) and roll numbers (the stored one, and
  whatever `find_personal_data` reads as a roll number) are masked;
- anonymous posts also: the stored author name (the full name with any spacing, the first name alone,
  and each further part of 3+ letters that is not a common English word; case-insensitive, whole words),
  names the text introduces itself ("Name X", "Myself X", "X here", a name opening the post), LinkedIn
  profile URLs (the stored one and any in the text).
A post under the author's own name keeps that name and LinkedIn (the experience view shows them anyway).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.analytics.extract import (
    PERSONAL_KINDS,
    PLACEHOLDERS,
    PersonalData,
    find_personal_data,
    mask_personal_data,
)
from core.analytics.stopwords import ENGLISH

logger = logging.getLogger(__name__)

ALWAYS_MASKED = ("email", "phone", "roll_number")
ANONYMOUS_MASKED = ("name", "linkedin")
MIN_NAME_PART = 3  # shorter parts ("Md", "P", "R") are masked only inside the full name

# English words that are also surnames or first names: alone they are too likely
# to be the word ("a lone coder", "my pal", "will do"), so they are masked only inside the full name.
_COMMON_NAME_WORDS = """
    lone pal rose king park bell gold stone green young wood will may mark bill grant hunt rich case
    hope joy dean long little hall brown white black gray grey moon sun sunny star ray more ram prince
    major victor ready jolly sharp
"""
COMMON_WORDS = frozenset(_COMMON_NAME_WORDS.split()) | ENGLISH

_PHONE_EXTRA = re.compile(
    r"(?<![\w+])\+\d{1,3}[\s.-]?\(?\d{2,5}\)?(?:[\s.-]?\d{2,5}){1,4}(?!\d)"  # +91 98765 43210, +1 (555) ...
    r"|(?<![\w(])\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\d)"  # (555) 123-4567, 555.123.4567
)
_EMAIL_OBFUSCATED = re.compile(
    r"\b[\w.+-]+\s*(?:\[at\]|\(at\)|\{at\}|\s+at\s+)\s*[\w-]+"
    r"(?:\s*(?:\[dot\]|\(dot\)|\{dot\}|\s+dot\s+|\.)\s*[\w-]+)*"
    r"\s*(?:\[dot\]|\(dot\)|\{dot\}|\s+dot\s+)\s*(?:com|in|org|net|edu|ac|co|io)\b",
    re.I,
)
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in sorted(set(PLACEHOLDERS.values()), key=len)))


@dataclass(frozen=True)
class MaskResult:
    """Masked text and the kinds masked in it (each once, in `PERSONAL_KINDS` order; () if none)."""

    text: str
    masked: tuple[str, ...]


def _digits(s: str) -> int:
    return sum(ch.isdigit() for ch in s)


def _name_patterns(author_name: str) -> list[re.Pattern[str]]:
    """Whole-word, case-insensitive patterns for the author's name: full name first, then its parts."""
    parts = [p for p in re.split(r"[\s.]+", author_name.strip()) if p]
    if not parts:
        return []
    out = [re.compile(r"(?<!\w)" + r"[\s.]*".join(re.escape(p) for p in parts) + r"(?!\w)", re.I)]
    for index, part in enumerate(parts if len(parts) > 1 else ()):
        if len(part) < MIN_NAME_PART or part.isdigit():
            continue
        if index > 0 and part.lower() in COMMON_WORDS:
            continue  # a surname that is also a word: only inside the full name
        if index == 0 and part.lower() in ENGLISH:
            continue
        out.append(re.compile(rf"(?<!\w){re.escape(part)}(?!\w)", re.I))
    return out


def _spans(rx: re.Pattern[str], kind: str, text: str) -> Iterable[PersonalData]:
    return (PersonalData(kind, m.group(0), m.start(), m.end()) for m in rx.finditer(text))


def _literal(value: str | None, kind: str, text: str) -> Iterable[PersonalData]:
    value = (value or "").strip().rstrip("/")
    if len(value) < 4:
        return ()
    return _spans(re.compile(rf"(?<![\w/]){re.escape(value)}/?(?![\w/])", re.I), kind, text)


def _merged(found: list[PersonalData]) -> list[PersonalData]:
    """Overlapping spans joined into one (the kind of the earliest, longest one), sorted by start."""
    out: list[PersonalData] = []
    for pd in sorted(found, key=lambda p: (p.start, -p.end)):
        if out and pd.start < out[-1].end:
            last = out[-1]
            if pd.end > last.end:
                out[-1] = PersonalData(last.kind, last.value, last.start, pd.end)
            continue
        out.append(pd)
    return out


def find_public_personal_data(
    text: str,
    *,
    author_name: str = "",
    roll_number: str | None = None,
    linkedin: str | None = None,
    anonymous: bool,
) -> list[PersonalData]:
    """The spans `mask_public_text` masks (see the module docstring for the rule), merged and sorted."""
    if not text:
        return []
    wanted = ALWAYS_MASKED + (ANONYMOUS_MASKED if anonymous else ())
    found = [pd for pd in find_personal_data(text) if pd.kind in wanted]
    found += [pd for pd in _spans(_PHONE_EXTRA, "phone", text) if 10 <= _digits(pd.value) <= 15]
    found += _spans(_EMAIL_OBFUSCATED, "email", text)
    found += _literal(roll_number, "roll_number", text)
    if anonymous:
        found += _literal(linkedin, "linkedin", text)
        for rx in _name_patterns(author_name):
            found += _spans(rx, "name", text)
    # A placeholder left by an earlier masking is never masked again ("[name]" stays "[name]").
    kept = [pd for pd in found if not _PLACEHOLDER_RE.fullmatch(pd.value)]
    return _merged(kept)


def mask_public_text(
    text: str,
    *,
    author_name: str = "",
    roll_number: str | None = None,
    linkedin: str | None = None,
    anonymous: bool,
) -> MaskResult:
    """`text` as other students may see it, and the kinds of personal data masked in it.

    Idempotent: masking masked text changes nothing. An empty text gives MaskResult("", ()).
    """
    spans = find_public_personal_data(
        text, author_name=author_name, roll_number=roll_number, linkedin=linkedin, anonymous=anonymous
    )
    if not spans:
        return MaskResult(text, ())
    kinds = {pd.kind for pd in spans}
    return MaskResult(mask_personal_data(text, spans), tuple(k for k in PERSONAL_KINDS if k in kinds))


def merge_kinds(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """The kinds of several MaskResults as one tuple in `PERSONAL_KINDS` order."""
    kinds = {k for group in groups for k in group}
    return tuple(k for k in PERSONAL_KINDS if k in kinds)


def without_placeholders(text: str) -> str:
    """`text` with the masking placeholders removed, for analysis and search (so "[name]" is no keyword)."""
    return _PLACEHOLDER_RE.sub(" ", text) if text else text
