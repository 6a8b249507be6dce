"""Pure aggregates and wording for insight cards: selection rates, typical round sequence, top-N + other.

The one definition of the numbers every card, chart, caption and digest shows:

- selection rate = selected / decided, where decided = selected + rejected. "pending" and "withdrew"
  never count as rejected (nor as decided): a pending result is not yet a result.
- MIN_GROUP = 3: a figure drawn from fewer than 3 people is not shown as a number (the rate is
  replaced by "too few results"), and a drill-down cell (branch x year, role, round, ...) of fewer
  than 3 experiences is never shown on its own: small cells are merged into one "other (fewer than
  3 each)" line, itself hidden when it is still smaller than 3 (it would single out an anonymous
  author). `k_anonymous` does that for any (key, total, ...) groups.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

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


SELECTED = "selected"
DECIDED = ("selected", "rejected")  # outcomes that are a known result; pending and withdrew are not
MIN_GROUP = 3  # fewest people behind any figure or drill-down cell that is shown
OTHER_SMALL = f"other (fewer than {MIN_GROUP} each)"
T = TypeVar("T")


def is_decided(outcome: str) -> bool:
    """True for a known result (selected or rejected); pending and withdrew are not results yet."""
    return outcome in DECIDED


def selection_rate(selected: int, decided: int) -> float | None:
    """Selected share of experiences with a known result (selected or rejected); None when there are none.

    `decided` = selected + rejected (never pending or withdrew). This is the raw rate; what is shown
    goes through `shown_rate`, which also hides rates drawn from fewer than MIN_GROUP people.
    """
    if decided <= 0:
        return None
    return selected / decided


def enough(people: int) -> bool:
    """True when a figure drawn from `people` people may be shown (at least MIN_GROUP)."""
    return people >= MIN_GROUP


def shown_rate(selected: int, decided: int) -> float | None:
    """The selection rate to show or plot: None when fewer than MIN_GROUP results are known."""
    return selection_rate(selected, decided) if enough(decided) else None


def rate_phrase(selected: int, decided: int) -> str:
    """The selection rate in words, the same on the card, drill-downs, /insights and the digest.

    "67% (2 of 3 with a known result)"; "too few known results to show a rate (1 so far, 3 needed)";
    "n/a (no results reported yet)". Pending and withdrew are never in `decided`.
    """
    if decided <= 0:
        return "n/a (no results reported yet)"
    if not enough(decided):
        return f"too few known results to show a rate ({decided} so far, {MIN_GROUP} needed)"
    return f"{percent(selection_rate(selected, decided))} ({selected} of {decided} with a known result)"


def k_anonymous(
    groups: Sequence[T],
    size: Callable[[T], int],
    merge: Callable[[Sequence[T]], T],
    k: int = MIN_GROUP,
) -> tuple[list[T], int]:
    """Groups of at least `k` people kept in order; smaller ones merged into one group appended last.

    Returns (groups to show, people left out). The merged group (built by `merge` from the small
    ones) is appended only when it reaches `k` itself; otherwise those people are left out and
    counted, so no shown cell ever describes fewer than `k` people.
    """
    big = [g for g in groups if size(g) >= k]
    small = [g for g in groups if size(g) < k]
    if not small:
        return big, 0
    merged = merge(small)
    if size(merged) >= k:
        return [*big, merged], 0
    return big, size(merged)


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
