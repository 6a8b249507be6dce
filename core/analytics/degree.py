"""Degree words: what a student says a round was MAINLY about, and what it touched only A LITTLE.

"The interview was mainly on DP" and "a little bit of DP" both name DP, but a student preparing for the
company wants the first post far above the second. English marks this with degree adverbs and a few
phrasal verbs: amplifiers ("mainly", "mostly", "primarily", "focused on", "based on") and downtoners ("a
little", "a bit of", "slightly", "partly"), the classes of Quirk et al., *A Comprehensive Grammar of the
English Language* (1985), §8.104-8.114. Their lists below are from that grammar plus what students write
on placement-office blogs ("majorly", "revolved around"); the effect was measured on the real posts of
tests/data/real-experiences (bench/quality.py `degree.*`, docs/QUALITY.md).

A cue's scope is the words after it up to the end of its clause (`, ; : . ( ) ! ?`, a newline or " - ")
and at most SCOPE_WORDS words: "mainly DSA and OOPs, then HR" amplifies "DSA and OOPs". `degrees(text)`
gives the spans; `split(text)` gives the text without downtoned spans plus each kind's phrases, which is
what the search index weighs (`storage.search.build_doc`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

logger = logging.getLogger(__name__)

SCOPE_WORDS = 6  # longest scope of one cue, in words (a clause usually ends sooner)

AMPLIFIERS: tuple[str, ...] = (
    "mainly",
    "mostly",
    "majorly",
    "primarily",
    "largely",
    "chiefly",
    "predominantly",
    "heavily",
    "especially",
    "particularly",
    "specifically",
    "mainly based on",
    "mostly based on",
    "based on",
    "focused on",
    "focussed on",
    "focused mainly on",
    "focused mostly on",
    "revolved around",
    "revolving around",
    "centred around",
    "centered around",
    "centred on",
    "centered on",
    "concentrated on",
    "emphasis on",
    "stress on",
)
DOWNTONERS: tuple[str, ...] = (
    "a little bit of",
    "a little bit",
    "a little",
    "some little",
    "a bit of",
    "a bit",
    "slightly",
    "somewhat",
    "partly",
    "partially",
    "barely",
    "hardly",
)


def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(cues, key=len, reverse=True)  # "a little bit of" before "a little"
    alternatives = "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in ordered)
    return re.compile(rf"\b(?:{alternatives})\b", re.I)


_AMPLIFIER = _cue_pattern(AMPLIFIERS)
_DOWNTONER = _cue_pattern(DOWNTONERS)
_CLAUSE_END = re.compile(r"[,;:.()!?\n]|\s-\s")
_WORD = re.compile(r"[\w+#]+")

Span = tuple[int, int]  # character offsets [start, end) into the text


@dataclass(frozen=True)
class Degrees:
    """The amplified and downtoned spans of one text, each sorted and without overlaps; `cut` is the
    downtoned spans with their cues ("a little bit of SQL"), what `split` removes."""

    amplified: tuple[Span, ...]
    downtoned: tuple[Span, ...]
    cut: tuple[Span, ...] = ()

    def split(self, text: str) -> tuple[str, list[str], list[str]]:
        """(text with the downtoned spans cut out, amplified phrases, downtoned phrases).

        Cut spans become a comma, so the words either side never join into one phrase.
        """
        kept, last = [], 0
        for start, end in self.cut:
            kept.append(text[last:start])
            kept.append(",")
            last = end
        kept.append(text[last:])
        return (
            "".join(kept),
            [text[s:e] for s, e in self.amplified],
            [text[s:e] for s, e in self.downtoned],
        )


def _scopes(text: str, cue: re.Pattern[str]) -> list[tuple[int, int, int]]:
    """(cue start, scope start, scope end) of every cue in `text`: its scope runs from after the cue to its
    clause end, at most SCOPE_WORDS words; a cue with no word after it has none."""
    found = []
    for match in cue.finditer(text):
        stop = _CLAUSE_END.search(text, match.end())
        end = stop.start() if stop else len(text)
        words = list(_WORD.finditer(text, match.end(), end))[:SCOPE_WORDS]
        if words:
            found.append((match.start(), words[0].start(), words[-1].end()))
    return found


def _merged(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _minus(text: str, spans: list[Span], cut: list[Span]) -> list[Span]:
    """`spans` with the parts inside `cut` removed (a downtoner inside an amplified scope wins)."""
    out: list[Span] = []
    for start, end in spans:
        pieces = [(start, end)]
        for c_start, c_end in cut:
            pieces = [
                piece
                for s, e in pieces
                for piece in ((s, min(e, c_start)), (max(s, c_end), e))
                if piece[0] < piece[1]
            ]
        for s, e in pieces:  # trimmed to whole words: a cut can leave spaces, or nothing but spaces
            words = list(_WORD.finditer(text, s, e))
            if words:
                out.append((words[0].start(), words[-1].end()))
    return out


def degrees(text: str | None) -> Degrees:
    """Amplified and downtoned spans of `text` ("mainly DP, a little SQL": DP amplified, SQL downtoned)."""
    if not text:
        return Degrees((), ())
    down = _scopes(text, _DOWNTONER)
    cut = _merged([(cue, end) for cue, _, end in down])
    amplified = _minus(text, _merged([(start, end) for _, start, end in _scopes(text, _AMPLIFIER)]), cut)
    return Degrees(tuple(amplified), tuple(_merged([(start, end) for _, start, end in down])), tuple(cut))
