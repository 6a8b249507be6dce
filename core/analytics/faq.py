"""The FAQ archive: questions from many experiences grouped when they ask the same thing in other words.

Each question is reduced to a signature: the set of its content stems after canonical folding
("normal forms" -> normalization, "introduce yourself" -> selfintro), with wording noise ("explain",
"write a program", "singly") and context words ("in DBMS", "in Java") dropped. Questions with equal
signatures, or signatures that differ by one typo (rapidfuzz ratio on the differing stems), form a
group. Groups are built leader-first (most common wording first) through hash look-ups, so there is no
pairwise comparison and no chaining of "reverse a linked list" into "detect a cycle in a linked list".
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import Indel

from core.analytics.stopwords import FAQ_NOISE, STOPWORDS
from core.analytics.text import canonical, clean, primary_topic, stem, tokens, words

logger = logging.getLogger(__name__)

_STOP = STOPWORDS | FAQ_NOISE
# Words that only say where a question belongs ("normalization in DBMS"); dropped unless nothing else is left.
_CONTEXT_WORDS = """
    dbms os oop oops java python c++ c sql cs computer science networks networking network data structure
    structures dsa programming language languages
"""
_CONTEXT = frozenset(stem(w) for w in _CONTEXT_WORDS.split())
# Narrative words of real write-ups ("the interviewer mainly discussed the projects mentioned in my CV"):
# they say how a question came up, not what it asked.
_NARRATIVE_WORDS = """
    mention mentioned mentions mainly mostly specific specifically general chat talk talking based related
    frequently frequent provided provide easy level few majority carried part previous experience snippet
    snippets tested test share screen plus type kind involved done mtech btech phd masters bachelors degree
"""
_NARRATIVE = frozenset(stem(w) for w in _NARRATIVE_WORDS.split())
# "internal" is noise, "internship" is not, and both stem to "intern".
_NOISE_STEMS = (frozenset(stem(w) for w in FAQ_NOISE) | _NARRATIVE) - {"intern"}
_LANGUAGES = frozenset({"c", "c++", "java", "python"})
# Wordings folded to one before the signature is taken (on canonical text, in order).
_FAQ_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"\blist (?:down|out)\b", " "),
        (r"\bpre[ -]process", "preprocess"),
        (r"\bprobs?\b", "probability"),
        (r"\binternships?\b", "intern"),
        (r"\bcvs?\b", "resume"),
        (r"\blru\b(?:\s*\(?least recently used\)?)?", " lrucache "),
        (r"\boopconcept\b", " oop "),
        (
            r"\b(?:your |my |the )?reasons? (?:for|to|of|behind) (?:joining|join)"
            r"(?: (?:the|this|our))? [\w.&]+",
            " whyjoin ",
        ),
        (r"\bhobb(?:y|ies)(?:\s*(?:,|and|&|or)\s*)+(?:passions?|interests?)\b", " hobbies "),
        (r"\b(?:coding|dsa(?:[- ]based)?) (?:questions?|problems?)\b", " dsaquestion "),
        # Order matters: "stack using queues" is not "queue using stacks".
        (r"\busing (?:a |an |the |two |2 |only )?(?!c\b|c\+\+|java\b|python\b)([a-z]+)", r" by\1 "),
    )
)
_ROMAN = frozenset({"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"})
TYPO_RATIO = 88.0  # two differing stems this similar (0-100) are taken for a typo of each other
_TRAILING = re.compile(r"[\s?.!:;,]+$")


@dataclass(frozen=True)
class FaqItem:
    """One asked question: its id, text, the kind of round it came up in and its experience."""

    question_id: int
    text: str
    round_kind: str = ""
    experience_id: int | None = None


@dataclass(frozen=True)
class FaqGroup:
    """Questions that ask the same thing, with the clearest common wording and where they came up."""

    representative: str
    count: int  # distinct experiences that asked it
    round_kinds: list[tuple[str, int]] = field(default_factory=list)  # (round kind, questions), most first
    question_ids: list[int] = field(default_factory=list)
    experience_ids: list[int] = field(default_factory=list)
    key: str = ""  # the group's signature (space-separated stems): stable id for pinning and caching
    topic: str | None = None


def _folded(text: str) -> str:
    t = canonical(text)
    for pattern, out in _FAQ_FOLDS:
        t = pattern.sub(out, t)
    return t


@lru_cache(maxsize=32768)
def signature(text: str) -> frozenset[str]:
    """The stems that decide what `text` asks: noise and context words removed, order mostly ignored.

    Three rules beyond plain stems: a question opening with "why" keeps a "why" mark ("Why this
    project?" is not "Describe your project"); the word after "using" is marked ("stack using queues"
    is not "queue using stacks"); and a question about the student's own internship or project
    (without "why" or "course") reduces to that one subject, however it is narrated ("the interviewer
    discussed the projects mentioned in my CV" = "Describe your project").
    """
    folded = _folded(text)
    stems = {stem(w) for w in tokens(folded, stop=_STOP, keep_numbers=True)} - _NOISE_STEMS
    why = {"why"} if folded.lstrip(" \"'(-").startswith("why ") or folded.strip() == "why" else set()
    core = stems - _CONTEXT
    if core and not why and "cours" not in core:
        for subject in ("intern", "project"):
            if subject in core:
                return frozenset({subject})
    if core:
        return frozenset(core | why)
    if stems - _LANGUAGES:  # "OOPS concepts using C/C++" asks about OOP, not about C
        return frozenset((stems - _LANGUAGES) | why)
    if stems:
        return frozenset(stems)
    whole = " ".join(words(text))  # only stopwords ("What is it?"): group identical wordings only
    return frozenset({f"={whole}"}) if whole else frozenset()


def _typo_pair(a: str, b: str) -> bool:
    """True when stems `a` and `b` look like one word with a typo (never numbers or numerals)."""
    if a == b or len(a) < 5 or len(b) < 5 or not a.isalpha() or not b.isalpha():
        return False
    if a in _ROMAN or b in _ROMAN:
        return False
    return Indel.normalized_similarity(a, b) * 100 >= TYPO_RATIO


def _neighbour_keys(sig: frozenset[str]) -> Iterable[tuple[frozenset[str], str, str]]:
    """For each stem: (signature without it, its first two letters, the stem): typo look-up keys."""
    for t in sig:
        if len(t) >= 5 and t.isalpha():
            yield sig - {t}, t[:2], t


def _display(text: str) -> str:
    """A question as shown: whitespace collapsed, first letter capitalised, no trailing blanks."""
    t = " ".join(str(text).split()).rstrip(" .,;:")
    return t[:1].upper() + t[1:] if t else t


def _representative(members: Sequence[FaqItem], leader: frozenset[str] | None = None) -> str:
    """The wording most experiences used; ties go to the leader's wording (not a typo), then to a clear
    length (12-90 characters), then to the shorter."""
    by_form: dict[str, list[FaqItem]] = defaultdict(list)
    for it in members:
        by_form[_TRAILING.sub("", clean(it.text))].append(it)

    def rank(form: str) -> tuple[int, int, int, int, str]:
        its = by_form[form]
        experiences = len(
            {it.experience_id if it.experience_id is not None else -it.question_id for it in its}
        )
        typo = 0 if leader is None or signature(str(its[0].text)) == leader else 1
        clear = 0 if 12 <= len(form) <= 90 else 1
        return (-experiences, typo, clear, len(form), form)

    best = min(by_form, key=rank)
    return _display(by_form[best][0].text)


def group_questions(items: Iterable[FaqItem]) -> list[FaqGroup]:
    """Group paraphrased questions; groups sorted by distinct experiences, then questions, most first."""
    by_sig: dict[frozenset[str], list[FaqItem]] = defaultdict(list)
    for it in items:
        if not it.text or not str(it.text).strip():
            continue
        sig = signature(str(it.text))
        if sig:
            by_sig[sig].append(it)

    def weight(sig: frozenset[str]) -> tuple[int, int, str]:
        its = by_sig[sig]
        return (-len({it.experience_id for it in its}), -len(its), " ".join(sorted(sig)))

    leaders: list[frozenset[str]] = []
    members: dict[frozenset[str], list[FaqItem]] = {}
    typo_index: dict[tuple[frozenset[str], str], list[tuple[str, frozenset[str]]]] = defaultdict(list)
    for sig in sorted(by_sig, key=weight):
        leader = None
        for rest, prefix, t in _neighbour_keys(sig):
            for other_t, other in typo_index.get((rest, prefix), ()):
                if _typo_pair(t, other_t):
                    leader = other
                    break
            if leader is not None:
                break
        if leader is None:
            leaders.append(sig)
            members[sig] = list(by_sig[sig])
            for rest, prefix, t in _neighbour_keys(sig):
                typo_index[(rest, prefix)].append((t, sig))
        else:
            members[leader].extend(by_sig[sig])

    groups = [_make_group(sig, members[sig]) for sig in leaders]
    groups.sort(key=lambda g: (-g.count, -len(g.question_ids), g.representative.lower()))
    return groups


def _make_group(sig: frozenset[str], its: list[FaqItem]) -> FaqGroup:
    """One FaqGroup from its leader signature and member questions."""
    kinds: Counter[str] = Counter()
    kind_names: dict[str, Counter[str]] = defaultdict(Counter)
    for it in its:
        kind = " ".join(str(it.round_kind or "").split())
        if kind:
            kinds[kind.lower()] += 1
            kind_names[kind.lower()][kind] += 1
    round_kinds = [
        (kind_names[k].most_common(1)[0][0], n) for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])
    ]
    experience_ids = sorted({it.experience_id for it in its if it.experience_id is not None})
    loose = {it.question_id for it in its if it.experience_id is None}
    representative = _representative(its, sig)
    return FaqGroup(
        representative=representative,
        count=len(experience_ids) + len(loose),
        round_kinds=round_kinds,
        question_ids=[it.question_id for it in its],
        experience_ids=experience_ids,
        key=" ".join(sorted(sig)),
        topic=primary_topic(representative),
    )


__all__ = ["FaqGroup", "FaqItem", "group_questions", "signature"]
