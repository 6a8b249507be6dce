"""Real company-wise LeetCode question titles (vendored CSV, MIT) for the coding rounds of the demo seed."""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from functools import cache
from importlib import resources

logger = logging.getLogger(__name__)

CSV_NAME = "company-wise-questions-2022.csv"
DIFFICULTIES = ("Easy", "Medium", "Hard")


@dataclass(frozen=True)
class CodingQuestion:
    """One row of the CSV: a question title as tagged for one company."""

    company: str
    title: str
    times_asked: int
    difficulty: str  # Easy / Medium / Hard, or "" where the CSV has none (or a topic in that column)
    link: str


@cache
def load_company_questions() -> tuple[CodingQuestion, ...]:
    """Read the vendored CSV once from the installed package, wherever it is installed."""
    text = resources.files("storage.data").joinpath(CSV_NAME).read_text(encoding="utf-8")
    rows: list[CodingQuestion] = []
    for row in csv.DictReader(io.StringIO(text)):
        try:
            times = max(1, int(row["times_asked"]))
        except (KeyError, TypeError, ValueError):
            times = 1
        title = (row.get("question") or "").strip()
        difficulty = (row.get("difficulty") or "").strip()
        if not title:
            continue
        rows.append(
            CodingQuestion(
                company=(row.get("company") or "").strip(),
                title=title,
                times_asked=times,
                difficulty=difficulty if difficulty in DIFFICULTIES else "",
                link=(row.get("link") or "").strip(),
            )
        )
    logger.debug("loaded %d company-wise questions", len(rows))
    return tuple(rows)


def questions_by_company() -> dict[str, list[CodingQuestion]]:
    """Group the CSV rows by their company name exactly as spelt in the CSV."""
    grouped: dict[str, list[CodingQuestion]] = {}
    for question in load_company_questions():
        grouped.setdefault(question.company, []).append(question)
    return grouped
