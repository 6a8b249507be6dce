"""The vendored company-wise question CSV ships inside the package with its licence and source note."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from storage.data.company_questions import load_company_questions, questions_by_company

DATA = Path(__file__).resolve().parents[2] / "storage" / "data"


def test_csv_loads_from_the_package_with_its_licence() -> None:
    files = resources.files("storage.data")
    assert "MIT License" in files.joinpath("company-wise-questions-2022.LICENSE").read_text(encoding="utf-8")
    assert "hxu296/leetcode-company-wise-problems-2022" in (DATA / "README.md").read_text(encoding="utf-8")
    rows = load_company_questions()
    assert len(rows) == 3864
    assert all(row.title and row.company and row.times_asked >= 1 for row in rows)
    assert {row.difficulty for row in rows} == {"Easy", "Medium", "Hard", ""}  # 45 rows have none


def test_questions_grouped_by_company_as_spelt_in_the_csv() -> None:
    grouped = questions_by_company()
    assert len(grouped) == 187
    assert "Two Sum" in {q.title for q in grouped["Amazon"]}
    assert all(q.company == "tcs" for q in grouped["tcs"])
