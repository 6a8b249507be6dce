"""Pure aggregates and wording for insight cards: selection rates, typical round sequence, top-N + other."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence

logger = logging.getLogger(__name__)

ROUND_SHORT = {
    "online_assessment": "OA",
    "coding": "Coding",
    "technical": "Technical",
    "managerial": "Managerial",
    "hr": "HR",
    "group_discussion": "GD",
    "other": "Other",
}
SOURCE_LABELS = {
    "on_campus": "on-campus",
    "off_campus": "off-campus",
    "referral": "referral",
    "internship_conversion": "internship conversion",
    "other": "other",
}
OUTCOME_LABELS = {
    "selected": "Selected",
    "rejected": "Rejected",
    "pending": "Result pending",
    "withdrew": "Withdrew",
}
DIFFICULTY_LABELS = {1: "very easy", 2: "easy", 3: "medium", 4: "hard", 5: "very hard"}


def selection_rate(selected: int, decided: int) -> float | None:
    """Selected share of experiences with a known result (selected or rejected); None when there are none."""
    if decided <= 0:
        return None
    return selected / decided


def percent(value: float | None) -> str:
    """ "42%" or "n/a"."""
    return "n/a" if value is None else f"{round(value * 100)}%"


def round_label(kind: str) -> str:
    """Short display name of a round kind ("online_assessment" -> "OA")."""
    return ROUND_SHORT.get(kind, kind.replace("_", " ").strip().title() or "Other")


def compress_sequence(kinds: Sequence[str]) -> str:
    """["online_assessment", "technical", "technical", "hr"] -> "OA → Technical ×2 → HR"."""
    parts: list[tuple[str, int]] = []
    for kind in kinds:
        label = round_label(kind)
        if parts and parts[-1][0] == label:
            parts[-1] = (label, parts[-1][1] + 1)
        else:
            parts.append((label, 1))
    return " → ".join(label if n == 1 else f"{label} ×{n}" for label, n in parts)


def typical_sequence(
    round_counts: Mapping[int, int], positions: Mapping[int, Mapping[str, int]]
) -> list[str]:
    """The typical rounds: the most common number of rounds, then the most common kind at each position.

    Ties go to more rounds (count), and alphabetically for kinds, so the answer is deterministic.
    """
    if not round_counts:
        return []
    length = max(round_counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
    kinds = []
    for position in range(1, length + 1):
        counts = positions.get(position) or {}
        if not counts:
            break
        kinds.append(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0])
    return kinds


def top_with_other(
    pairs: Iterable[tuple[str, int]], limit: int = 12, other: str = "other"
) -> list[tuple[str, int]]:
    """The `limit` - 1 biggest (key, count) pairs plus one "other" bucket, or all when they fit."""
    ranked = sorted(((k, n) for k, n in pairs if n > 0), key=lambda kv: (-kv[1], str(kv[0])))
    if len(ranked) <= limit:
        return ranked
    head, tail = ranked[: limit - 1], ranked[limit - 1 :]
    return [*head, (other, sum(n for _, n in tail))]


def distribution_line(counts: Mapping[int, int], scale: range = range(1, 6)) -> str:
    """ "1: 2 · 2: 5 · 3: 9 · 4: 3 · 5: 1" over the whole scale (zeros included)."""
    return " · ".join(f"{value}★ {counts.get(value, 0)}" for value in scale)


def mean_of(counts: Mapping[int, int]) -> float | None:
    """Mean of a {value: count} distribution."""
    total = sum(counts.values())
    if not total:
        return None
    return sum(v * n for v, n in counts.items()) / total


def share_line(counts: Mapping[str, int], labels: Mapping[str, str]) -> str:
    """ "on-campus 62% · referral 20% · off-campus 18%" (largest first)."""
    total = sum(counts.values())
    if not total:
        return "n/a"
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return " · ".join(f"{labels.get(k, k)} {round(100 * n / total)}%" for k, n in ranked)
