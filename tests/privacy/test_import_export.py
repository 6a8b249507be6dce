"""`main.py import` and `main.py export`: validation with line numbers, idempotence, anonymity, round trip."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import select

import main
from storage.db import open_database
from storage.models import Company, Experience, Question, Round
from tests.console.driver import make_app
from tests.privacy.helpers import LINKEDIN, NAME, ROLL, add_experience

COLUMNS = [
    "name", "linkedin", "branch", "roll_number", "passout_year", "company", "interview_year", "role",
    "role_description", "source", "rounds", "preparation", "reflections", "outcome", "difficulty", "rating",
    "anonymous", "status",
]  # fmt: skip
GOOD = {
    "name": "Meera Iyer",
    "linkedin": "linkedin.com/in/meera-iyer",
    "branch": "cse",
    "roll_number": "20cse0101",
    "passout_year": "2023",
    "company": "Zoho",
    "interview_year": "2022",
    "role": "Member Technical Staff",
    "role_description": "Product engineering",
    "source": "On-campus",
    "rounds": "online_assessment:3:Two Sum|Longest palindrome;technical:4:Explain virtual memory",
    "preparation": "Solved 150 problems on arrays and strings over two months.",
    "reflections": "Think aloud and write clean code; they value clarity.",
    "outcome": "selected",
    "difficulty": "4",
    "rating": "5",
    "anonymous": "no",
    "status": "",
}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def cli(*args: str, db: str) -> int:
    return main.main(["--config", str(Path(main.__file__).parent / "config.yaml"), "--db", db, *args])


async def experiences(db_url: str) -> list[Experience]:
    database = await open_database(db_url)
    try:
        async with database.sessions() as session:
            rows = (await session.scalars(select(Experience).order_by(Experience.id))).all()
            return list(rows)
    finally:
        await database.dispose()


def test_csv_import_validates_every_row_and_reports_line_numbers(tmp_path, capsys, database_url):
    multiline = dict(GOOD, company="Amazon", preparation="Line one of my preparation notes,\nand line two.")
    rows = [
        GOOD,
        dict(GOOD, roll_number="ABC", company="TCS"),
        multiline,
        dict(GOOD, interview_year="2031", company="Infosys"),
        dict(GOOD, rounds="dance:3:Why?", company="Wipro"),
        dict(GOOD, preparation="short", company="HCL"),
        dict(GOOD, branch="Astrology", company="Accenture"),
        dict(GOOD, name="", roll_number="", linkedin="", company="Cognizant", status="approved"),
        dict(GOOD, difficulty="seven", company="Capgemini"),
        dict(GOOD, linkedin="twitter.com/meera", company="Deloitte"),
    ]
    path = write_csv(tmp_path / "old-platform.csv", rows)
    assert cli("import", str(path), db=database_url) == 1
    out, err = capsys.readouterr()
    assert "3 new (1 published), 0 already imported, 7 rejected" in out
    problems = err.splitlines()
    assert problems[0].startswith("line 3: rejected: roll_number: Roll numbers look like 21CSE1234")
    # The multi-line row (lines 4-5) is accepted, so the next row starts on line 6.
    assert problems[1] == "line 6: rejected: The interview year 2031 is in the future"
    assert problems[2].startswith("line 7: rejected: round 1: kind must be one of online_assessment")
    assert problems[3].startswith("line 8: rejected: preparation: Please write at least a sentence")
    assert problems[4].startswith("line 9: rejected: branch must be one of CSE, IT")
    assert problems[5] == "line 11: rejected: difficulty must be a whole number from 1 to 5, not 'seven'"
    assert problems[6].startswith("line 12: rejected: linkedin: That doesn't look like a LinkedIn profile")
    stored = asyncio.run(experiences(database_url))
    by_company = {e.company_id: e for e in stored}
    assert len(by_company) == 3
    zoho = stored[0]
    assert (zoho.author_name, zoho.roll_number, zoho.branch, zoho.source) == (
        "Meera Iyer",
        "20CSE0101",
        "CSE",
        "on_campus",
    )
    assert zoho.linkedin_url == "https://www.linkedin.com/in/meera-iyer" and zoho.status == "pending"
    assert zoho.user_id is None and zoho.platform == "import"
    nameless = stored[2]
    assert nameless.anonymous is True and nameless.status == "approved" and nameless.roll_number is None


def test_reimport_is_idempotent_and_approve_flag_publishes(tmp_path, capsys, database_url):
    path = write_csv(tmp_path / "old.csv", [GOOD, dict(GOOD, company="Amazon", status="pending")])
    assert cli("import", str(path), "--approve", db=database_url) == 0
    assert "2 new (1 published), 0 already imported, 0 rejected" in capsys.readouterr().out
    assert cli("import", str(path), "--approve", db=database_url) == 0
    assert "0 new (0 published), 2 already imported, 0 rejected" in capsys.readouterr().out
    stored = asyncio.run(experiences(database_url))
    assert [e.status for e in stored] == ["approved", "pending"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.csv", "", "the CSV file is empty"),
        ("bad.csv", "title,body\nx,y\n", "no 'company' column"),
        ("bad.json", '[{"company": "TCS",\n  "rounds": ]', "line 2: not valid JSON"),
        ("bad.json", '{"items": []}', 'must hold an "experiences" list'),
        ("bad.json", "42", "must be a list of experiences"),
        ("missing.csv", None, "cannot read"),
    ],
)
def test_malformed_files_get_one_clear_line(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert cli("import", str(path), db=f"sqlite+aiosqlite:///{tmp_path}/x.db") == 1
    assert message in capsys.readouterr().err


def test_json_rows_report_their_lines_and_extra_csv_values_are_caught(tmp_path, capsys):
    good = dict(GOOD, rounds=[{"kind": "hr", "difficulty": 1, "questions": ["Tell me about yourself"]}])
    text = json.dumps({"format": "x", "experiences": [good, dict(good, rating=9)]}, indent=2)
    path = tmp_path / "old.json"
    path.write_text(text, encoding="utf-8")
    assert cli("import", str(path), db=f"sqlite+aiosqlite:///{tmp_path}/x.db") == 1
    _, err = capsys.readouterr()
    second = text.splitlines().index("    {", text.splitlines().index("    {") + 1) + 1
    assert err.strip() == f"line {second}: rejected: rating must be from 1 to 5, not 9"
    path = tmp_path / "extra.csv"
    path.write_text(",".join(COLUMNS) + "\n" + ",".join(["x"] * (len(COLUMNS) + 2)) + "\n", encoding="utf-8")
    assert cli("import", str(path), db=f"sqlite+aiosqlite:///{tmp_path}/y.db") == 1
    assert "line 2: rejected: the row has more values than the header has columns" in capsys.readouterr().err


async def seeded(tmp_path, database_url):
    """Approved public and anonymous experiences with personal data, one pending."""
    app = await make_app(tmp_path, database_url, moderation={"console_user_ids": ["mod-1"]})
    try:
        await add_experience(app, "stu-zq", NAME, ROLL, linkedin=LINKEDIN)
        await add_experience(app, "stu-an", "Hidden Person", "21CSE0999", company="Infosys", anonymous=True)
        await add_experience(app, "stu-pe", "Pending Person", "21CSE0555", company="Wipro", approve=False)
    finally:
        await app.close()


async def test_export_is_anonymised_by_default(tmp_path, capsys, database_url):
    await seeded(tmp_path, database_url)
    out = tmp_path / "export.json"
    code = await asyncio.to_thread(cli, "export", "--out", str(out), db=database_url)
    assert code == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["personal_data"] is False
    assert [e["company"] for e in document["experiences"]] == ["TCS", "Infosys"]  # approved only
    text = out.read_text(encoding="utf-8")
    for needle in (NAME, ROLL, "zarina-quill", "Hidden Person", "21CSE0999", "Pending", "user_id", "stu-"):
        assert needle not in text
    assert all(e["anonymous"] for e in document["experiences"])

    code = await asyncio.to_thread(cli, "export", "--with-personal-data", "--out", str(out), db=database_url)
    personal = json.loads(out.read_text(encoding="utf-8"))
    tcs, infosys = personal["experiences"]
    assert (tcs["name"], tcs["roll_number"], tcs["linkedin"], tcs["anonymous"]) == (
        NAME,
        ROLL,
        LINKEDIN,
        False,
    )
    assert (infosys["name"], infosys["roll_number"], infosys["linkedin"]) == (None, None, None)
    assert "Hidden Person" not in out.read_text(encoding="utf-8")


async def test_round_trip_export_then_import_into_an_empty_database(tmp_path, capsys, database_url):
    await seeded(tmp_path, database_url)
    exported = tmp_path / "export.json"
    assert await asyncio.to_thread(cli, "export", "--out", str(exported), db=database_url) == 0
    fresh = f"sqlite+aiosqlite:///{tmp_path}/fresh.db"
    assert await asyncio.to_thread(cli, "import", str(exported), db=fresh) == 0
    assert "2 new (2 published)" in capsys.readouterr().out
    again = tmp_path / "again.json"
    assert await asyncio.to_thread(cli, "export", "--out", str(again), db=fresh) == 0
    first, second = (json.loads(p.read_text(encoding="utf-8")) for p in (exported, again))
    assert second["experiences"] == first["experiences"]
    database = await open_database(fresh)
    try:
        async with database.sessions() as session:
            assert (await session.scalars(select(Company.name).order_by(Company.id))).all() == [
                "TCS",
                "Infosys",
            ]
            assert len((await session.scalars(select(Round))).all()) == 2
            assert len((await session.scalars(select(Question))).all()) == 4
            versions = (await session.scalars(select(Company.data_version))).all()
            assert all(v >= 1 for v in versions)
    finally:
        await database.dispose()
