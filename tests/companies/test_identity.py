"""Company identity: exact names win, variants fold or are offered side by side, moderators merge/rename."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from core.companies import CompanyMatcher
from core.text_norm import fold_name
from storage.analysis import analyse_all
from storage.data.demo_catalogue import COMPANIES
from storage.models import Company, CompanyAlias, Experience, Faq, ModerationLog, Subscription
from storage.repos import CompanyRepo
from storage.search import SearchRepo
from tests.companies.data import row_counts, seed_pair
from tests.console.driver import Console, make_app
from tests.console.driver import test_config as config_for

MODERATOR = "console-moderator"
CONFIG = {"moderation": {"console_user_ids": [MODERATOR]}}
REAL = Path(__file__).resolve().parents[1] / "data" / "real-experiences" / "posts.jsonl"


async def _add_companies(sessions, *names: str) -> list[int]:
    async with sessions.begin() as session:
        rows = [Company(name=name, slug=name.lower()) for name in names]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]


async def test_an_exact_name_opens_its_company_even_when_a_longer_variant_came_first(database):
    india_ltd, acme = await _add_companies(database.sessions, "Acme Motors India Limited", "Acme Motors")
    matcher = CompanyMatcher(CompanyRepo(database.sessions))
    assert (await matcher.match("/company Acme Motors".removeprefix("/company "))).exact.id == acme
    assert (await matcher.match("acme motors")).exact.id == acme
    assert (await matcher.match("Acme Motors India Limited")).exact.id == india_ltd
    # A variant of both (folded "acme motors") is not guessed: both are offered side by side.
    both = await matcher.match("Acme Motors Pvt. Ltd.")
    assert both.exact is None and both.confident is None
    assert {c.id for c in both.suggestions} == {acme, india_ltd}
    # Creating from that variant joins the company whose own name is the folded name.
    assert await CompanyRepo(database.sessions).get_or_create("Acme Motors Pvt. Ltd.") == acme


async def test_a_variant_typed_at_creation_folds_into_the_known_company_as_an_alias(database):
    repo = CompanyRepo(database.sessions)
    microsoft = await repo.get_or_create("Microsoft")
    assert await repo.get_or_create("Microsoft India") == microsoft
    assert await repo.get_or_create("MICROSOFT INDIA PRIVATE LIMITED") == microsoft
    assert await repo.get_or_create("Bank of India") != microsoft  # a country word after "of" is the name
    [company] = [c for c in await repo.all_names() if c.id == microsoft]
    assert company.name == "Microsoft"
    assert set(company.aliases) == {"microsoft india", "microsoft india private limited"}
    matcher = CompanyMatcher(repo)
    assert (await matcher.match("microsoft india")).exact.id == microsoft


async def test_two_existing_variants_are_offered_side_by_side_on_the_console(tmp_path, database_url):
    app = await make_app(tmp_path, database_url)
    try:
        pair = await seed_pair(app.database.sessions)
        c = Console(app, config_for(tmp_path, **CONFIG), user_id="student-1")
        out = await c.say("/company Microsoft India Pvt Ltd")
        assert "Did you mean" in out and sorted(c.adapter.choices) == ["Microsoft", "Microsoft India"]
        assert "Microsoft: what seniors learned" in await c.say("/company Microsoft")
        assert "Microsoft India: what seniors learned" in await c.say("/company Microsoft India")
        assert pair.microsoft != pair.india
    finally:
        await app.close()


def test_folding_keeps_every_known_company_apart_and_joins_their_variants():
    """The general rule on the whole demo catalogue (43 companies, 140 aliases) and the real data's names."""
    owner: dict[str, str] = {}
    for company in COMPANIES:
        for name in (company.name, *company.aliases):
            key = fold_name(name)
            assert owner.setdefault(key, company.name) == company.name, (name, owner[key])
    real = {json.loads(line)["company"] for line in REAL.read_text(encoding="utf-8").splitlines() if line}
    folded = [fold_name(name) for name in real]
    assert len(set(folded)) == len(real)  # 49 real employers stay 49
    assert fold_name("Uniorbit Technologies") == "uniorbit"
    assert fold_name("Bain & Company") == "bain & company"
    assert fold_name("Acme Motors India Private Limited") == fold_name("Acme Motors") == "acme motors"


def _console(app, tmp_path, user_id: str = MODERATOR) -> Console:
    return Console(app, config_for(tmp_path, **CONFIG), user_id=user_id)


async def test_merge_keeps_every_row_and_the_old_name_finds_the_survivor(tmp_path, database_url):
    app = await make_app(tmp_path, database_url)
    try:
        sessions = app.database.sessions
        pair = await seed_pair(sessions)
        await analyse_all(sessions)
        before = await row_counts(sessions)
        both = (pair.microsoft, pair.india)
        assert await row_counts(sessions, both) == {
            "experiences": 3,
            "questions": 3,
            "rounds": 3,
            "threads": 2,
            "resources": 2,
            "faqs": 2,
            "mock_questions": 2,
            "subscriptions": 4,
            "company_aliases": 2,
        }
        c = _console(app, tmp_path)
        preview = await c.say("/companies merge Microsoft India into Microsoft")
        assert "Merge **Microsoft India**" in preview or "Merge Microsoft India" in preview
        assert "1 experience," in preview and "2 subscriptions" in preview
        async with sessions() as session:  # nothing changes before the button is pressed
            assert await session.get(Company, pair.india) is not None
        done = await c.pick("✅ Merge")
        assert "Merged Microsoft India into Microsoft" in done and "keep one subscription: 1 folded" in done

        after = await row_counts(sessions)
        # Every row is kept except the chat that followed both, which keeps one subscription; the
        # old name is one more alias.
        assert after == {**before, "subscriptions": before["subscriptions"] - 1, "company_aliases": 3}
        survivors = await row_counts(sessions, (pair.microsoft,))
        assert survivors == {**after, "company_aliases": 3}
        async with sessions() as session:
            assert await session.get(Company, pair.india) is None
            aliases = set((await session.scalars(select(CompanyAlias.alias))).all())
            assert aliases == {"msft", "ms idc", "microsoft india"}
            assert (await session.scalars(select(Faq.pinned))).all() == [True, True]  # pins kept
            chats = (await session.scalars(select(Subscription.chat_id).order_by(Subscription.chat_id))).all()
            assert chats == sorted(["both", f"chat-{pair.india}", f"chat-{pair.microsoft}"])
            [log] = (
                await session.scalars(select(ModerationLog).where(ModerationLog.action == "merge"))
            ).all()
            assert log.target_id == pair.microsoft and "Microsoft India" in log.reason
            statuses = (await session.scalars(select(Experience.company_id))).all()
            assert statuses == [pair.microsoft] * 3
        # The card counts all three; its old name and old alias open it; search files them under it.
        card = await c.say("/company Microsoft India")
        assert "Microsoft: what seniors learned" in card and "Experiences shared: 3" in card
        assert "Microsoft: what seniors learned" in await c.say("/company ms idc")
        page = await SearchRepo(sessions).search("shortest path", company_id=pair.microsoft)
        assert page.total == 3
    finally:
        await app.close()


async def test_rename_keeps_aliases_and_the_old_name(tmp_path, database_url):
    app = await make_app(tmp_path, database_url)
    try:
        sessions = app.database.sessions
        pair = await seed_pair(sessions)
        c = _console(app, tmp_path)
        preview = await c.say("/companies rename Microsoft India to Microsoft IDC Hyderabad")
        assert "Rename" in preview and "Microsoft IDC Hyderabad" in preview
        assert "Renamed Microsoft India to Microsoft IDC Hyderabad" in await c.pick("✅ Rename")
        async with sessions() as session:
            company = await session.get(Company, pair.india)
            assert company.name == "Microsoft IDC Hyderabad"
            aliases = set(
                (
                    await session.scalars(
                        select(CompanyAlias.alias).where(CompanyAlias.company_id == pair.india)
                    )
                ).all()
            )
            assert aliases == {"ms idc", "microsoft india"}
        for typed in ("Microsoft IDC Hyderabad", "Microsoft India", "ms idc"):
            assert "Microsoft IDC Hyderabad: what seniors learned" in await c.say(f"/company {typed}")
        # A name that is another company's is refused: merge them instead.
        await c.say("/companies rename Microsoft IDC Hyderabad to msft")
        assert "merge" in (await c.pick("✅ Rename")).lower()
        async with sessions() as session:
            assert (await session.get(Company, pair.india)).name == "Microsoft IDC Hyderabad"
    finally:
        await app.close()


@pytest.mark.parametrize(
    "line",
    ["/companies merge Microsoft India into Microsoft", "/companies do merge {india} {microsoft}"],
)
async def test_a_student_cannot_merge_or_rename(tmp_path, database_url, line):
    app = await make_app(tmp_path, database_url)
    try:
        sessions = app.database.sessions
        pair = await seed_pair(sessions)
        before = await row_counts(sessions)
        c = _console(app, tmp_path, user_id="student-1")
        out = await c.say(line.format(india=pair.india, microsoft=pair.microsoft))
        assert "only moderators" in out
        assert "only moderators" in await c.say(f"/companies do rename {pair.india} Contoso")
        assert await row_counts(sessions) == before
        async with sessions() as session:
            assert (await session.get(Company, pair.india)).name == "Microsoft India"
    finally:
        await app.close()
