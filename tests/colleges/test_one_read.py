"""The one read per event (issue 14): `SightingRepo.sight` places a sender exactly as `CollegeRepo.place`
does, reads the same user and remembered moderator signal as `UserRepo.find_with_moderator`, and the
same dialog as `DialogRepo.load`, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.actors import ActorResolver
from core.colleges import sync_from_config
from core.events import ChatRef, IncomingEvent, UserRef
from core.repositories.dialogs import DialogRecord
from storage.actors import SightingRepo
from storage.colleges import CollegeRepo
from storage.db import open_database
from storage.repos import DialogRepo, UserRepo
from tests.colleges.two import BETA_MOD_TELEGRAM, COLLEGES
from tests.support.config import test_config

pytestmark = pytest.mark.asyncio

# (platform, platform user id, community, college code): every branch of the placement rules
SINGLE_COLLEGE_CASES = [
    ("telegram", "stranger", "", None),  # unknown user: the only college
    ("telegram", "1001", "", None),  # known user without membership
    ("console", "x", "", "default"),  # the adapter's code
    ("console", "x", "", "DEFAULT"),  # codes match case-insensitively
    ("console", "x", "", "nope"),  # an unknown code places nowhere, then the only college
    ("discord", "9", "unlinked-guild", None),  # an unlinked community, one college
    ("telegram", "single-mod", "", None),  # a college_moderators row of the default college
]
SEVERAL_COLLEGES_CASES = [
    ("telegram", "stranger", "", None),  # nothing places a stranger
    ("telegram", "1001", "", None),  # membership (beta)
    ("telegram", "1002", "", None),  # known, no membership: nowhere
    ("telegram", str(BETA_MOD_TELEGRAM), "", None),  # configured moderator of beta, never seen
    ("telegram", "both-mod", "", None),  # moderates gamma then beta: the first row (gamma)
    ("telegram", "member-mod", "", None),  # member of alpha, moderates beta: membership wins, no mod
    ("console", "x", "", "BETA"),  # the adapter's code
    ("console", "x", "", "nope"),  # unknown code: nowhere
    ("telegram", "both-mod", "", "nope"),  # unknown code, a moderator: their first college
    ("telegram", "both-mod", "", "beta"),  # code of a college they moderate
    ("discord", "9", "42", None),  # unknown user in a linked guild: the guild's college, no write
    ("discord", "d-known", "42", None),  # known user without college in a linked guild: joins it
    ("discord", "d-known", "42", None),  # ... and the second time is a member already
    ("discord", "d-beta", "42", None),  # a beta member in gamma's guild: gamma via the guild
    ("discord", "d-mod", "42", None),  # gamma's moderator in gamma's guild
    ("discord", "d-mod", "43", None),  # an unlinked guild: no moderator fallback inside communities
    ("discord", "d-known", "42", "beta"),  # a code wins over the guild
]


async def _compare(sessions, cases: list[tuple[str, str, str, str | None]]) -> int:
    """Run sight, then place (which may write a membership), over `cases`; assert they agree."""
    sightings, colleges, users = SightingRepo(sessions), CollegeRepo(sessions), UserRepo(sessions)
    joined = 0
    for platform, account, community, code in cases:
        case = (platform, account, community, code)
        seen = await sightings.sight(platform, account, community, code)
        user_id, remembered = await users.find_with_moderator(platform, account)
        member_before = await colleges.membership(user_id) if user_id is not None else None
        placed = await colleges.place(platform, account, user_id, community, code)
        member_after = await colleges.membership(user_id) if user_id is not None else None
        assert seen.placement == placed, case
        assert (seen.user_id, seen.moderator_remembered) == (user_id, remembered), case
        assert seen.member_college_id == (member_before[0] if member_before else None), case
        assert seen.joins_community == (member_before is None and member_after is not None), case
        assert not seen.dialog_read and seen.dialog is None
        joined += seen.joins_community
    return joined


async def test_one_read_places_like_place_on_one_college_and_on_several(database, tmp_path):
    sessions = database.sessions
    colleges, users = CollegeRepo(sessions), UserRepo(sessions)
    await users.ensure_user("telegram", "1001", "Asha")
    default = (await colleges.all())[0]
    await colleges.add_moderator(default.id, "telegram", "single-mod")
    assert await _compare(sessions, SINGLE_COLLEGE_CASES) == 0

    await sync_from_config(colleges, test_config(tmp_path, **COLLEGES))
    ids = {college.code: college.id for college in await colleges.all()}
    asha = await users.ensure_user("telegram", "1001", "Asha")
    await colleges.join(asha, ids["beta"], "picked", verified=False)
    await users.ensure_user("telegram", "1002", "Ravi")
    await colleges.add_moderator(ids["gamma"], "telegram", "both-mod")
    await colleges.add_moderator(ids["beta"], "telegram", "both-mod")
    member_mod = await users.ensure_user("telegram", "member-mod", "Mina")
    await colleges.join(member_mod, ids["alpha"], "picked", verified=False)
    await colleges.add_moderator(ids["beta"], "telegram", "member-mod")
    await users.remember_moderator(member_mod, "telegram", True)  # a remembered signal is read too
    await users.ensure_user("discord", "d-known", "Dev")
    d_beta = await users.ensure_user("discord", "d-beta", "Bea")
    await colleges.join(d_beta, ids["beta"], "picked", verified=False)
    await users.ensure_user("discord", "d-mod", "Mod")
    await colleges.add_moderator(ids["gamma"], "discord", "d-mod")
    await colleges.link_community("discord", "42", ids["gamma"])
    assert await _compare(sessions, SEVERAL_COLLEGES_CASES) == 2  # d-known, and d-mod in its guild


async def test_one_read_reads_the_dialog_of_the_chat(database):
    sessions = database.sessions
    dialogs, sightings = DialogRepo(sessions), SightingRepo(sessions)
    key = ("telegram", "500", "1001")
    record = DialogRecord(
        "share", "company", {"name": "Asha", "rounds": [1]}, [{"step": "a"}], 7, datetime.now(UTC)
    )
    assert await dialogs.save(key, record, None)
    seen = await sightings.sight("telegram", "1001", "", None, chat_id="500")
    assert seen.dialog_read and seen.dialog == await dialogs.load(key) == record
    other_chat = await sightings.sight("telegram", "1001", "", None, chat_id="501")
    assert other_chat.dialog_read and other_chat.dialog is None


# (platform, account, community, code, signal, signal known): events whose resolution may write
EVENTS = [
    ("discord", "g-mod", "42", None, True, True),  # a guild moderator seen first: registered, remembered
    ("discord", "g-mod", "", None, False, False),  # ... in DMs: the remembered signal, their guild's college
    ("discord", "g-user", "42", None, False, True),  # unknown user in the guild: nothing written
    ("discord", "g-known", "42", None, False, True),  # known user in the guild: joins gamma
    ("discord", "g-known", "", None, False, False),  # ... and their DMs follow
    ("discord", "g-mod", "42", None, False, True),  # role removed: forgotten
    ("telegram", str(BETA_MOD_TELEGRAM), "", None, False, True),  # beta's moderator row, no signal
    ("telegram", "777002", "", None, True, True),  # config's moderator of the default college
    ("console", "x", "", "beta", False, True),
]


async def test_the_resolver_answers_and_writes_the_same_with_one_read(tmp_path):
    config = test_config(tmp_path, **COLLEGES)
    databases = [await open_database("sqlite+aiosqlite://") for _ in range(2)]
    try:
        resolvers = []
        for db, one_read in zip(databases, (False, True), strict=True):
            colleges, users = CollegeRepo(db.sessions), UserRepo(db.sessions)
            await sync_from_config(colleges, config)
            gamma = await colleges.by_code("gamma")
            assert gamma is not None
            await colleges.link_community("discord", "42", gamma.id)
            await users.ensure_user("discord", "g-known", "Known")
            sightings = SightingRepo(db.sessions) if one_read else None
            resolvers.append((ActorResolver(users, colleges, sightings), users, colleges))
        for platform, account, community, code, signal, known in EVENTS:
            event = IncomingEvent(
                user=UserRef(platform, account, account),
                chat=ChatRef(platform, f"chat-{account}", is_private=not community, community=community),
                kind="text",
                text="hi",
                is_moderator=signal,
                moderator_known=known,
                college_code=code,
            )
            seen = []
            for resolver, users, colleges in resolvers:
                actor = await resolver(event)
                user_id, remembered = await users.find_with_moderator(platform, account)
                member = await colleges.membership(user_id) if user_id is not None else None
                seen.append((actor, remembered, member and member[:2]))
            assert seen[0] == seen[1], event
    finally:
        for db in databases:
            await db.dispose()
