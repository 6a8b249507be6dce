"""`main.py import` of real archives: the labelled posts.jsonl as it is, folders of write-ups, import limits,
dry runs that count, broken lines with their numbers, and a bulk --approve that analyses once."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import main
from storage.db import open_database
from storage.models import CompanyAlias, Experience, Question, Round

ROOT = Path(__file__).resolve().parents[2]
POSTS = ROOT / "tests" / "data" / "real-experiences" / "posts.jsonl"


def cli(*args: str, db: str) -> int:
    return main.main(["--config", str(ROOT / "config.yaml"), "--db", db, *args])


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'import.db'}"


def posts() -> list[dict[str, Any]]:
    return [json.loads(line) for line in POSTS.read_text("utf-8").splitlines() if line]


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


async def _rows(url: str) -> tuple[list[Experience], dict[int, list[tuple[str, list[str]]]], list[str]]:
    database = await open_database(url)
    try:
        async with database.sessions() as session:
            exps = list((await session.scalars(select(Experience).order_by(Experience.id))).all())
            rounds: dict[int, list[tuple[str, list[str]]]] = {}
            for r in (
                await session.scalars(select(Round).order_by(Round.experience_id, Round.position))
            ).all():
                texts = (
                    await session.scalars(
                        select(Question.text).where(Question.round_id == r.id).order_by(Question.position)
                    )
                ).all()
                rounds.setdefault(r.experience_id, []).append((r.kind, list(texts)))
            aliases = list((await session.scalars(select(CompanyAlias.alias))).all())
        return exps, rounds, aliases
    finally:
        await database.dispose()


def rows(url: str) -> tuple[list[Experience], dict[int, list[tuple[str, list[str]]]], list[str]]:
    return asyncio.run(_rows(url))


def test_labelled_posts_import_as_they_are(tmp_path, capsys):
    url = sqlite_url(tmp_path)
    assert cli("import", str(POSTS), "--dry-run", db=url) == 0
    out = capsys.readouterr().out
    assert "60 would be added" in out and "Nothing was stored" in out
    # A dry run against a database that does not exist yet creates no file.
    assert not (tmp_path / "import.db").exists()

    assert cli("import", str(POSTS), db=url) == 0
    assert "60 new (0 published)" in capsys.readouterr().out
    exps, rounds, aliases = rows(url)
    assert len(exps) == 60 and {e.status for e in exps} == {"pending"}
    by_text = {e.preparation: e for e in exps}
    for post in posts():
        stored = by_text[post["text"].replace("\r\n", "\n").strip()]
        assert stored.reflections == (post["tips"] or "").replace("\r\n", "\n").strip()
        assert (stored.role, stored.interview_year, stored.outcome) == (
            post["role"] or "",
            post["season_year"],
            post["outcome"],
        )
        # Nothing the post lacks is invented; no author name, so anonymous.
        assert (stored.passout_year, stored.difficulty, stored.rating, stored.roll_number) == (None,) * 4
        assert stored.branch == "" and stored.anonymous is True and stored.author_name == ""
        labelled = [(r["kind"], [" ".join(q.split()) for q in r["questions"]]) for r in post["rounds"]]
        if not labelled and post["questions"]:
            labelled = [("other", [" ".join(q.split()) for q in post["questions"]])]
        assert rounds.get(stored.id, []) == labelled
    assert "jpmc" in aliases  # company_aliases are kept as aliases

    assert cli("import", str(POSTS), db=url) == 0
    assert "0 new (0 published), 60 already imported" in capsys.readouterr().out
    assert cli("import", str(POSTS), "--dry-run", db=url) == 0
    assert "0 would be added" in capsys.readouterr().out


def test_import_limits_are_their_own_and_broken_lines_have_their_numbers(tmp_path, capsys):
    base = posts()[0]
    long_post = dict(base, text=("Round one asked about heaps and graphs. " * 600)[:19_999] + "!", rounds=[])
    too_long = dict(base, text="x" * 20_001, company="Too Long Inc")
    long_question = dict(
        base, company="Questions Co", rounds=[{"kind": "technical", "questions": ["Why " + "q" * 1_996]}]
    )
    path = tmp_path / "posts.jsonl"
    write_jsonl(path, [long_post, too_long, long_question])
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"text": "cut off in the midd\n')
    url = sqlite_url(tmp_path)
    assert cli("import", str(path), db=url) == 1
    captured = capsys.readouterr()
    assert "2 new" in captured.out and "2 rejected" in captured.out
    assert "line 2: rejected: text is longer than 20,000 characters (20,001)" in captured.err
    assert "line 4: rejected: not valid JSON" in captured.err
    exps, rounds, _ = rows(url)
    assert len(exps[0].preparation) == 20_000
    assert len(rounds[exps[1].id][0][1][0]) == 2_000


def test_a_folder_of_write_ups_becomes_pending_experiences(tmp_path, capsys):
    folder = tmp_path / "blog"
    folder.mkdir()
    chosen = [
        p for p in posts() if p["id"] in ("spo-a-2022-intern-microsoft-1", "spo-a-2022-placement-intel-1")
    ]
    for post in chosen:
        (folder / f"{post['date']}-{post['company'].lower()}.md").write_text(post["text"], "utf-8")
    (folder / "notes.txt").write_text("Remember to water the plants every other day.", "utf-8")
    (folder / "image.png").write_bytes(b"\x89PNG")  # not a write-up: ignored
    url = sqlite_url(tmp_path)
    assert cli("import", str(folder), db=url) == 1
    captured = capsys.readouterr()
    assert "notes.txt: rejected: no company found in the write-up" in captured.err
    assert (
        "Extracted from 3 write-ups: company 2/3, year 2/3, outcome 2/3, rounds 2/3, questions 2/3."
        in captured.out
    )
    assert "2 new (0 published)" in captured.out
    exps, rounds, _ = rows(url)
    assert sorted((e.interview_year, e.status) for e in exps) == [(2022, "pending"), (2022, "pending")]
    assert all(rounds[e.id] for e in exps)  # the extractor's rounds, with their questions


class Calls:
    def __init__(self) -> None:
        self.analyse_all = 0
        self.on_approved = 0
        self.stats_for: list[int] = []
        self.charts: list[int] = []


@pytest.fixture
def calls(monkeypatch) -> Calls:
    import storage.analysis
    from core.features.company.service import CompanyFeature

    seen = Calls()
    real_analyse_all = storage.analysis.analyse_all
    real_stats_for = CompanyFeature.stats_for

    async def analyse_all(*args: Any, **kwargs: Any) -> int:
        seen.analyse_all += 1
        return await real_analyse_all(*args, **kwargs)

    async def on_approved(self: CompanyFeature, experience_id: int) -> None:
        seen.on_approved += 1

    async def stats_for(self: CompanyFeature, company_id: int) -> Any:
        seen.stats_for.append(company_id)
        return await real_stats_for(self, company_id)

    async def charts(self: CompanyFeature, stats: Any) -> list:
        seen.charts.append(stats.company_id)
        return []

    monkeypatch.setattr(storage.analysis, "analyse_all", analyse_all)
    monkeypatch.setattr(CompanyFeature, "on_approved", on_approved)
    monkeypatch.setattr(CompanyFeature, "stats_for", stats_for)
    monkeypatch.setattr(CompanyFeature, "charts", charts)
    return seen


def test_bulk_approve_analyses_once_and_refreshes_each_company_once(tmp_path, capsys, caplog, calls):
    url = sqlite_url(tmp_path)
    with caplog.at_level(logging.INFO):
        assert cli("import", str(POSTS), "--approve", db=url) == 0
    assert "60 new (60 published)" in capsys.readouterr().out
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert calls.analyse_all == 1 and calls.on_approved == 0  # no per-approval hook
    companies = {e.company_id for e in rows(url)[0]}
    assert sorted(calls.stats_for) == sorted(companies)  # each company once

    async def indexed() -> tuple[int, int]:
        database = await open_database(url)
        try:
            async with database.sessions() as session:
                analysed = await session.scalar(select(func.count()).where(Experience.sentiment.is_not(None)))
                from storage.search import _docs_table

                docs = await session.scalar(select(func.count()).select_from(_docs_table()))
            return int(analysed or 0), int(docs or 0)
        finally:
            await database.dispose()

    assert asyncio.run(indexed()) == (60, 60)


def test_bulk_approve_draws_each_imported_company_card(tmp_path, capsys, calls):
    path = write_jsonl(tmp_path / "three.jsonl", posts()[:3])
    url = sqlite_url(tmp_path)
    assert cli("import", str(path), "--approve", db=url) == 0
    companies = {e.company_id for e in rows(url)[0]}
    assert sorted(calls.charts) == sorted(companies)
