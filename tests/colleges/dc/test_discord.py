"""Two colleges on Discord through discord.py and the fake Discord (issue #15): each server linked to a
college by its admins; queues and company cards follow the server's college."""

from __future__ import annotations

import pytest

from tests.colleges.two import COLLEGES, add_experience, college_ids, status_of
from tests.discord.conftest import ASHA, CHANNEL_A, CHANNEL_B, GUILD_A, GUILD_B, RAVI
from tests.discord.helpers import open_app, text

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def app(tmp_path):
    app = await open_app(tmp_path, insights={"chart_workers": 0}, **COLLEGES)
    yield app
    await app.close()


async def test_servers_linked_to_two_colleges_keep_queues_and_cards_apart(bots, app):
    bot = await bots(app)
    refused = await bot.slash(ASHA, CHANNEL_A, "college", action="link alpha")  # no admin role
    assert "Only the server's moderators can link it" in text(refused)
    assert "now belongs to **Alpha Institute**" in text(
        await bot.slash(RAVI, CHANNEL_A, "college", action="link alpha")
    )
    assert "now belongs to **Beta College**" in text(
        await bot.slash(RAVI, CHANNEL_B, "college", action="link beta")
    )
    ids = await college_ids(app)
    colleges = app.services.repos.colleges
    assert (await colleges.place("discord", str(ASHA.id), None, str(GUILD_B.id), None)).college_id == ids[
        "beta"
    ]
    assert (await colleges.place("discord", str(ASHA.id), None, str(GUILD_A.id), None)).college_id == ids[
        "alpha"
    ]

    alpha_item = await add_experience(app, ids["alpha"], "TCS", "Asha", approve=False)
    beta_item = await add_experience(app, ids["beta"], "TCS", "Bala", approve=False)
    # Ravi holds the Moderator role in both servers: he moderates each server's college, there only.
    in_a = text(await bot.slash(RAVI, CHANNEL_A, "review"))
    assert f"Review #{alpha_item}" in in_a and "Bala" not in in_a
    in_b = text(await bot.slash(RAVI, CHANNEL_B, "review"))
    assert f"Review #{beta_item}" in in_b and "Asha" not in in_b
    crossed = await bot.slash(RAVI, CHANNEL_A, "review", id=f"approve {beta_item}")
    assert f"There is no experience #{beta_item}." in text(crossed)
    assert await status_of(app, beta_item) == "pending"
    assert f"Approved #{beta_item}." in text(
        await bot.slash(RAVI, CHANNEL_B, "review", id=f"approve {beta_item}")
    )
    assert await status_of(app, alpha_item) == "pending"

    for author in ("A1", "A2", "A3"):
        await add_experience(app, ids["alpha"], "Zoho", author, outcome="selected")
    for author in ("B1", "B2", "B3", "B4"):
        await add_experience(app, ids["beta"], "Zoho", author, outcome="rejected")
    card_a = text(await bot.slash(ASHA, CHANNEL_A, "company", company="Zoho"))
    assert "Experiences shared: 3" in card_a and "Experiences: 3 · 7" in card_a  # beta shares across
    card_b = text(await bot.slash(ASHA, CHANNEL_B, "company", company="Zoho"))
    assert "Experiences shared: 4" in card_b and "All colleges" not in card_b  # alpha does not
