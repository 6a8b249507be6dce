"""Split a written-up experience into the part that describes the process and the parts that do not.

Real write-ups (e.g. the IIT Kanpur placement-office posts in tests/data/real-experiences) carry markdown
headings: "## Insights on the Selection Process" describes what was asked, while "## Preparation
Resources" and "## Advice for students" name topics the student only studied or recommends, and
"## Shortlisted Profiles & Companies" lists other companies. Topic tags must come from the process only,
so `process_text` keeps the process sections and, inside them, drops sentences that only speak of
preparation ("I practised from InterviewBit") or of another company's process ("GS: Trees, stacks").

Text without headings is returned whole (a dialog answer is one section of its own).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

logger = logging.getLogger(__name__)

PROCESS = "process"
PREPARATION = "preparation"
ADVICE = "advice"
OTHER = "other"  # the introduction and the list of shortlisted companies: no topic is asked there

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.*?)\s*#*\s*$", re.MULTILINE)
# Heading words -> kind, tried in order (the first match wins).
_HEADING_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:advi[cs]e|adivce|dos? and don|tips|suggestions?)\b", re.I), ADVICE),
    (re.compile(r"\b(?:prepar\w*|resources?|how (?:i|to) prepare)\b", re.I), PREPARATION),
    (
        re.compile(r"\bshortlist(?:ed)?\b.*\bcompan|\bprofiles? (?:&|and) compan|^specific profiles", re.I),
        OTHER,
    ),
)

# A sentence about studying, not about being asked ("I prepared from GFG", "practise DP on LeetCode").
_PREP_SENTENCE = re.compile(
    r"\b(?:prepar(?:e|ed|ing|ation)|practi[cs](?:e|ed|ing)|revis(?:e|ed|ing)|resources?|refer(?:red)?"
    r"|studied|learn(?:t|ed)|brush(?:ed)? up|courses? on)\b",
    re.I,
)
# ... unless it says something was asked in the same sentence.
_ASKED = re.compile(
    r"\b(?:ask(?:ed|s)?|question(?:s|ed)?|rounds?|test(?:ed)?|interview(?:er)?s?|discuss(?:ed|ion)?|quizz?ed"
    r"|based on|focus(?:ed)? on|explain|describe)\b",
    re.I,
)
# A sentence that says something was NOT asked, or only might be ("They don't ask anything from the
# resume", "not necessary to know ML", "projects may be asked", "not in my case").
_NOT_ASKED = re.compile(
    r"\b(?:not|never|no|don'?t|didn'?t|doesn'?t|won'?t|without)\b(?:\W+\w+){0,3}?\W+"
    r"(?:ask\w*|discuss\w*|allow\w*|necessary|need\w*|required|expert|focus\w*)\b"
    r"|\b(?:may|might|can|could) be (?:asked|discussed|tested)\b|\bif (?:it is|you have|you) mention"
    r"|\bnot in my case\b|\b(?:little|no) role\b",
    re.I,
)
# "... were asked in the quant interviews", "for the software GD": a process of another profile; it is
# the student's own only when the introduction names that profile.
_PROFILE_PROCESS = re.compile(
    r"\b(quant|software|sde|swe|product|consulting|core|hardware|analyst|finance|data science|ml)\s+"
    r"(?:interviews?|roles?|profiles?|rounds?|companies|firms?|gds?)\b",
    re.I,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])|\n+")


@dataclass(frozen=True)
class Section:
    """One part of a write-up: its heading (may be empty), kind (PROCESS, PREPARATION, ...) and body."""

    heading: str
    kind: str
    body: str


def heading_kind(heading: str) -> str:
    """The kind of section a heading introduces; headings we do not recognise describe the process."""
    for pattern, kind in _HEADING_KINDS:
        if pattern.search(heading):
            return kind
    return PROCESS


def split_sections(text: str | None) -> list[Section]:
    """Sections of a markdown write-up in order; text before the first heading is OTHER (the
    introduction names the author, role and company). Text with no heading is one PROCESS section.

    A "Shortlisted companies" section is OTHER while it is a list of names; students often describe
    the process there instead ("1. Aptitude test 2. Technical interview"), and then it is PROCESS."""
    t = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    heads = list(_HEADING.finditer(t))
    if not heads:
        return [Section("", PROCESS, t)] if t.strip() else []
    out: list[Section] = []
    if t[: heads[0].start()].strip():
        out.append(Section("", OTHER, t[: heads[0].start()]))
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(t)
        kind, body = heading_kind(m.group(1)), t[m.end() : end]
        if kind == OTHER and _ASKED.search(body):
            kind = PROCESS
        out.append(Section(m.group(1), kind, body))
    return out


# Where a name list is cut into names: commas, bullets, numbering, dashes, brackets, "and".
_NAME_SPLIT = re.compile(r"[,;/\n•()\[\]:]|\s[-–—]\s|\s-(?=\S)|^\s*-|\b\d+[.)]|\band\b|&", re.M)
_OWN = re.compile(r"\b(?:at|joining|join|with)\s+(?:company name\s+)?([A-Za-z][\w&.]*)", re.I)
# Words of a shortlist that name a role or a heading, not a company.
_NOT_NAMES_WORDS = """
    software engineer engineering intern internship analyst quant quantitative research researcher systems
    system infra product products data scientist science developer development electronics electrical
    others other mechanical chemical core profile profiles role roles hardware digital analog technologies
    technology services financial consultant consulting associate summer n/a na none manager management
    nan n.a. nil full-time graduate trainee member specialist design analytics offer day process company
    technical one for as os ml ai sde se qr pm tpm apm hr
"""
_NOT_NAMES = frozenset(_NOT_NAMES_WORDS.split())


def other_company_names(text: str | None) -> frozenset[str]:
    """Names of the OTHER companies a write-up lists as shortlists (lower case), with the initials of
    multi-word names ("Goldman Sachs" -> "gs"); the company the intro says the student joins is left out.
    Used to drop sentences that describe another company's process."""
    sections = split_sections(text)
    intro = " ".join(s.body for s in sections if s.kind == OTHER and not s.heading)
    own = {m.group(1).lower() for m in _OWN.finditer(intro)}
    names: set[str] = set()
    for section in sections:
        if section.kind != OTHER or not section.heading:
            continue
        for chunk in _NAME_SPLIT.split(section.body):
            found = re.findall(r"[A-Za-z][\w&'-]*", chunk)
            if not found or len(found) > 4:  # a sentence, not a name
                continue
            parts = [w for w in found if w.lower() not in _NOT_NAMES]
            if not parts:
                continue
            if len(parts[0]) >= 4 or (parts[0].isupper() and len(parts[0]) >= 2):
                names.add(parts[0] if parts[0].isupper() else parts[0].lower())
            if 2 <= len(found) <= 3 and all(w[:1].isupper() for w in found):
                names.add("".join(w[0] for w in found).upper())
    own_low = {o.lower() for o in own}
    return frozenset(
        n
        for n in names
        if n.lower() not in own_low and n.lower() not in _NOT_NAMES and not _mentions(intro, frozenset({n}))
    )


def _mentions(sentence: str, names: frozenset[str]) -> bool:
    """True when `sentence` names one of `names` (acronyms in capitals, other names in any case)."""
    low = sentence.lower()
    for n in names:
        hay, needle = (sentence, n) if n.isupper() else (low, n)
        if re.search(rf"(?<![\w]){re.escape(needle)}(?![\w])", hay):
            return True
    return False


def is_not_asked(sentence: str) -> bool:
    """True for a sentence that denies or only supposes that something was asked."""
    return bool(_NOT_ASKED.search(sentence))


def says_asked(sentence: str) -> bool:
    """True when a sentence says something was asked, discussed or tested (weak keywords need this)."""
    return bool(_ASKED.search(sentence))


def is_prep_sentence(sentence: str) -> bool:
    """True for a sentence about studying ("I practised trees on LeetCode") that says nothing was asked."""
    return bool(_PREP_SENTENCE.search(sentence)) and not _ASKED.search(sentence)


def process_text(text: str | None) -> str:
    """The sentences of `text` that describe the interview process (see the module docstring)."""
    kept: list[str] = []
    others = other_company_names(text)
    sections = split_sections(text)
    intro = " ".join(s.body for s in sections if s.kind == OTHER and not s.heading).lower()
    for section in sections:
        if section.kind != PROCESS:
            continue
        for sentence in _SENTENCE.split(section.body):
            if not sentence.strip() or is_prep_sentence(sentence) or is_not_asked(sentence):
                continue
            if others and _mentions(sentence, others):
                continue
            profile = _PROFILE_PROCESS.search(sentence)
            if profile and intro and profile.group(1).lower() not in intro:
                continue
            kept.append(sentence.strip())
    return "\n".join(kept)


def without_intro(text: str | None) -> str:
    """A headed write-up without its introduction (the text before the first heading names the author,
    which must never reach keywords or word clouds); other text unchanged."""
    t = text or ""
    first = _HEADING.search(t)
    return t[first.start() :] if first else t


def has_sections(text: str | None) -> bool:
    """True when `text` is a headed write-up (at least one markdown heading)."""
    return bool(_HEADING.search(text or ""))


__all__ = [
    "ADVICE",
    "OTHER",
    "PREPARATION",
    "PROCESS",
    "Section",
    "has_sections",
    "heading_kind",
    "is_not_asked",
    "is_prep_sentence",
    "says_asked",
    "other_company_names",
    "process_text",
    "split_sections",
    "without_intro",
]
