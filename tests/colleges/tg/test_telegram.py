"""Two colleges on Telegram through real PTB and the fake Bot API (issue #15): joining by invite link,
by picking, by verified e-mail domain; queues and company cards kept apart."""

from __future__ import annotations

import pytest

from tests.colleges.two import (
    ALPHA_MOD_TELEGRAM,
    BETA_MOD_TELEGRAM,
    COLLEGES,
    add_experience,
    college_ids,
    status_of,
)
from tests.telegram.conftest import Harness, start_adapter, texts
from tests.telegram.core_data import make_core

pytestmark = pytest.mark.asyncio

STUDENT = 1001


@pytest.fixture
async def tg(tmp_path, fake):
    app = await make_core(tmp_path, insights={"chart_workers": 0}, **COLLEGES)
    adapter = await start_adapter(app, fake, moderators=[ALPHA_MOD_TELEGRAM])  # config's: the default college
    harness = Harness(fake, adapter)
    harness.app = app
    yield harness
    await adapter.stop()
    await app.close()


def person(user_id: int, name: str = "Mod") -> dict:
    return Harness.user(user_id, name)


async def test_an_invite_link_places_a_student_in_the_inviting_college(tg):
    assert "pick yours first with /college" in texts(await tg.say("/share"))  # no college yet: asked first
    invite = texts(await tg.say("/college invite", user=person(BETA_MOD_TELEGRAM)))
    assert "Invite to Beta College" in invite
    payload = invite.split("/start ", 1)[1].split()[0]
    assert payload.startswith("join-beta-")
    assert "You are now in Beta College" in texts(await tg.say(f"/start {payload}"))
    assert "Your college: Beta College (beta)" in texts(await tg.say("/college"))
    forged = payload[:-2] + ("xx" if not payload.endswith("xx") else "yy")
    assert "not valid" in texts(await tg.say(f"/start {forged}", user=person(1002, "Ravi")))
    assert "pick yours first" in texts(await tg.say("/share", user=person(1002, "Ravi")))


async def test_picking_a_college_from_the_buttons(tg):
    await tg.say("/college")
    assert {"Alpha Institute", "Beta College", "Gamma University"} <= set(tg.buttons(STUDENT))
    assert "You are now in Gamma University" in texts(await tg.press("Gamma University"))
    ids = await college_ids(tg.app)
    assert await tg.app.services.repos.colleges.membership(1) == (ids["gamma"], "picked", False)


async def test_each_colleges_moderator_reviews_only_their_queue(tg):
    ids = await college_ids(tg.app)
    alpha_item = await add_experience(tg.app, ids["alpha"], "TCS", "Asha", approve=False)
    beta_item = await add_experience(tg.app, ids["beta"], "TCS", "Bala", approve=False)

    alpha_queue = texts(await tg.say("/review", user=person(ALPHA_MOD_TELEGRAM)))
    assert f"Review #{alpha_item}" in alpha_queue and "Bala" not in alpha_queue
    refused = texts(await tg.say(f"/review approve {beta_item}", user=person(ALPHA_MOD_TELEGRAM)))
    assert f"There is no experience #{beta_item}." in refused
    assert await status_of(tg.app, beta_item) == "pending"

    beta_queue = texts(await tg.say("/review", user=person(BETA_MOD_TELEGRAM)))
    assert f"Review #{beta_item}" in beta_queue and "Asha" not in beta_queue
    approved = await tg.press("✅ Approve", user=person(BETA_MOD_TELEGRAM))
    assert f"Approved #{beta_item}." in texts(approved)
    assert (await status_of(tg.app, beta_item), await status_of(tg.app, alpha_item)) == (
        "approved",
        "pending",
    )
    assert "only moderators" in texts(await tg.say("/review"))  # a student of no college moderates nothing


async def test_company_card_of_a_picked_college_beside_all_colleges(tg):
    ids = await college_ids(tg.app)
    for author in ("G1", "G2", "G3"):
        await add_experience(tg.app, ids["gamma"], "Wipro", author, outcome="selected")
    for author in ("B1", "B2", "B3"):
        await add_experience(tg.app, ids["beta"], "Wipro", author, outcome="rejected")
    await tg.say("/college pick gamma")
    card = texts(await tg.say("/company Wipro"))
    assert "Experiences shared: 3" in card and "Experiences: 3 · 6" in card
    assert "Selection rate: 100% · 50%" in card


async def test_inline_cards_show_only_colleges_that_share_and_name_nobody(tg):
    ids = await college_ids(tg.app)
    await add_experience(tg.app, ids["alpha"], "Accenture", "Asha Alpha", role="Analyst")
    await add_experience(tg.app, ids["beta"], "Accenture", "Bala Beta", role="Consultant")
    answer = await tg.inline("Accenture")
    assert answer is not None
    shown = str(answer["results"])
    assert "Consultant" in shown and "Analyst" not in shown  # alpha does not share across
    assert "Bala Beta" not in shown and "Anonymous" in shown
