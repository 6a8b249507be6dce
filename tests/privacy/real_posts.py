"""Real posts (tests/data/real-experiences) stored the way an import stores them, with their listed fakes.

Until `main.py import` reads posts.jsonl, a post is stored through `ExperienceRepo.store_imported` (the
storage call the importer makes) with text -> preparation, tips -> reflections, the labelled rounds as
rounds, the author name and roll number from the post's `pii` list, and then published the way
`main.py import --approve` publishes (`experience_approved`: analysis, search index).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from core.domain.privacy import COMMON_WORDS

DATA = Path(__file__).resolve().parents[1] / "data" / "real-experiences" / "posts.jsonl"


def load_posts() -> dict[str, dict[str, Any]]:
    """Every labelled post by id."""
    posts = [json.loads(line) for line in DATA.read_text("utf-8").splitlines() if line]
    return {post["id"]: post for post in posts}


def pii_value(post: dict[str, Any], kind: str) -> str | None:
    """The post's first listed fake of a kind, or None."""
    return next((p["value"] for p in post["pii"] if p["kind"] == kind), None)


def fields_of(post: dict[str, Any], *, anonymous: bool, extra: str = "") -> dict[str, Any]:
    """The experience columns an import fills from a post (`extra` is appended to the preparation)."""
    year = int(post["season_year"])
    return dict(
        author_name=pii_value(post, "name") or "",
        linkedin_url=None,
        branch="CSE",
        roll_number=pii_value(post, "roll_number"),
        passout_year=year + (1 if post["kind"] == "internship" else 0),
        interview_year=year,
        role=str(post["role"] or "Intern")[:80],
        role_description="",
        source="on_campus",
        preparation=(post["text"] or "") + extra,
        reflections=post["tips"] or "",
        outcome=post["outcome"] or "pending",
        difficulty=3,
        rating=4,
        anonymous=anonymous,
    )


def rounds_of(post: dict[str, Any], extra_questions: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The labelled rounds as import rounds (`extra_questions` go into the first round)."""
    rounds = [
        {"kind": r["kind"], "difficulty": 3, "duration_minutes": None, "questions": list(r["questions"])}
        for r in post["rounds"]
    ] or [{"kind": "technical", "difficulty": 3, "duration_minutes": None, "questions": []}]
    rounds[0]["questions"] = list(extra_questions) + rounds[0]["questions"]
    return rounds


async def store_post(
    repos: Any,
    post: dict[str, Any],
    *,
    anonymous: bool,
    now: datetime,
    status: str = "approved",
    extra: str = "",
    extra_questions: Sequence[str] = (),
) -> int:
    """Store one post through `ExperienceRepo.store_imported`; returns its experience id."""
    company_id = await repos.companies.get_or_create(post["company"])
    experience_id = await repos.experiences.store_imported(
        company_id,
        fields_of(post, anonymous=anonymous, extra=extra),
        rounds_of(post, extra_questions),
        status,
        now,
    )
    assert experience_id is not None
    return experience_id


@dataclass(frozen=True)
class Fake:
    """One piece of personal data that must not appear: its kind and the strings that would reveal it."""

    kind: str
    value: str

    def needles(self) -> list[str]:
        """Lower-case strings any of which in an output is a leak (a name: also first name and surname)."""
        value = " ".join(self.value.lower().split())
        out = {value}
        if self.kind in ("name", "first_name"):
            parts = value.split()
            out |= {p for p in parts if len(p) >= 3 and p not in COMMON_WORDS}
        if self.kind == "phone":
            out.add(re.sub(r"\D", "", value)[-10:])
        return sorted(out)


def leaks(output: str, fakes: list[Fake]) -> list[str]:
    """The needles of `fakes` found in `output` (case-insensitive, spacing collapsed); [] when none."""
    text = " ".join(output.lower().split())
    digits = re.sub(r"\D", "", text)
    found = []
    for fake in fakes:
        for needle in fake.needles():
            hay = digits if needle.isdigit() and fake.kind == "phone" else text
            if re.search(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", hay) or (
                hay is digits and needle in digits
            ):
                found.append(f"{fake.kind}:{needle}")
    return found
