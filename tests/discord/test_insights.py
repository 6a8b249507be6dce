"""Company insights on Discord through the real core: autocomplete, card and chart files, drill-downs."""

from __future__ import annotations

import copy
import io
import threading

import pytest
from PIL import Image as PILImage

from core.features.company import charts as company_charts
from storage.analysis import analyse_all
from tests.discord.conftest import ASHA, CHANNEL_A, DM_ASHA, RAVI
from tests.discord.fake_discord import EPHEMERAL, LOADING, buttons
from tests.discord.helpers import attachment_names, open_app, text
from tests.insights.data import seed

COMPANY_OPTIONS = {"company", "faq", "mock", "discuss", "newthread", "resources", "addresource"}


@pytest.fixture
async def app(tmp_path):
    app = await open_app(tmp_path, insights={"chart_workers": 0})  # charts in threads: tests can hold them
    await seed(app.database.sessions)
    await analyse_all(app.database.sessions)
    yield app
    await app.close()


async def test_company_options_autocomplete_from_the_cores_company_names(bots, fake, app):
    bot = await bots(app)
    synced = {c["name"]: c for c in fake.commands[None]}
    completing = {n for n, c in synced.items() if any(o.get("autocomplete") for o in c.get("options", []))}
    assert completing >= COMPANY_OPTIONS
    assert not completing & {"search", "thread", "review", "experience", "verify"}

    inter = await bot.settle(await fake.autocomplete(ASHA, CHANNEL_A, "company", "company", "ta"))
    assert inter.callback_types == [8]
    assert [c["value"] for c in inter.choices] == ["TCS", "Tata Steel"]  # TCS through its alias "tata ..."
    inter = await bot.settle(await fake.autocomplete(ASHA, CHANNEL_A, "company", "company", ""))
    assert [c["value"] for c in inter.choices] == ["Amazon", "Infosys", "TCS", "Tata Steel"]
    inter = await bot.settle(await fake.autocomplete(ASHA, DM_ASHA, "faq", "company", "inf"))
    assert [c["name"] for c in inter.choices] == ["Infosys"]
    inter = await bot.settle(await fake.autocomplete(ASHA, CHANNEL_A, "faq", "company", "zzz"))
    assert inter.callback_types == [8] and inter.choices == []


async def test_company_card_comes_with_charts_as_attachments_and_captions(bots, fake, app):
    bot = await bots(app)
    inter = await bot.slash(ASHA, CHANNEL_A, "company", company="TCS")
    card, charts = inter.messages
    assert "TCS: what seniors learned" in card["content"] and "Selection rate: 67%" in card["content"]
    assert not card["flags"] & EPHEMERAL  # insights are public in the channel
    names = attachment_names(charts)
    assert [n.split("-", 1)[-1] for n in names] == [
        "topics.png",
        "per-year.png",
        "passout.png",
        "difficulty.png",
        "words.png",
    ]
    assert "3 TCS experiences" in charts["content"]  # the chart's finding, in words, in the message
    for name in names:
        png = fake.files[int(charts["id"])][name]
        with PILImage.open(io.BytesIO(png)) as image:
            assert image.format == "PNG" and image.width >= 600

    assert all(cid.startswith("ii:g:") for _, cid in buttons(card))  # tokens the core handles
    shared = copy.deepcopy(card)
    drill = await bot.click(ASHA, card, "🏫 By branch")
    [answer] = drill.messages
    content = answer["content"]
    # groups under 3 are merged (k-anonymity): no branch of 2 people is named
    assert "TCS by branch" in content and "other (fewer than 3 each): 3 experiences" in content
    assert "CSE" not in content
    assert answer["flags"] & EPHEMERAL  # only the member who pressed sees the drill-down
    assert "By role" in [label for label, _ in buttons(answer)]
    # the card in the channel is shared: it keeps its buttons for everyone else
    assert fake.messages[int(card["id"])] == shared
    listing = await bot.click(RAVI, card, "📄 Read experiences")
    assert "page 1 of 1, 3 in all" in text(listing)


async def test_in_a_dm_the_card_keeps_its_menu_and_browsing_goes_on(bots, fake, app):
    bot = await bots(app)
    await fake.say(ASHA, DM_ASHA, "/company tcs")  # a typed command in a DM works like the slash command
    card, _charts = await fake.wait_for(
        lambda: len(fake.bot_messages(DM_ASHA)) == 2 and fake.bot_messages(DM_ASHA)
    )
    await bot.adapter.drain()
    drill = await bot.click(ASHA, card, "🏫 By branch")
    assert "✓" not in card["content"] and "🏫 By branch" in [
        label for label, _ in buttons(card)
    ]  # menu stays
    assert drill.callback_types == [4] and drill.followups == []  # answered with a new message
    [answer] = drill.messages
    assert "TCS by branch" in answer["content"]
    more = await bot.click(ASHA, answer, "By role")
    assert "TCS by role" in text(more)


async def test_slow_charts_are_deferred_and_finished_with_followups(bots, fake, app, monkeypatch):
    release = threading.Event()
    real = company_charts.render_job

    def held(job):  # charts "take longer than 2 s": held until the test saw the thinking message
        release.wait(10)
        return real(job)

    monkeypatch.setattr(company_charts, "render_job", held)
    bot = await bots(app, defer_after=0.2)
    inter = await fake.slash(ASHA, CHANNEL_A, "company", {"company": "TCS"})
    await fake.wait_for(lambda: inter.acknowledged)
    assert inter.callback_types == [5] and inter.original["flags"] & LOADING
    release.set()
    await bot.settle(inter)
    assert not inter.original["flags"] & LOADING
    assert "TCS: what seniors learned" in inter.original["content"]  # the thinking message became the card
    [charts] = inter.followups
    assert len(charts["attachments"]) == 5 and "3 TCS experiences" in charts["content"]


async def test_experience_card_has_helpful_and_report_buttons(bots, app):
    from sqlalchemy import func, select

    from storage.models import Experience

    async with app.database.sessions() as session:
        first = await session.scalar(select(func.min(Experience.id)).where(Experience.status == "approved"))
    bot = await bots(app)
    inter = await bot.slash(RAVI, CHANNEL_A, "experience", number=str(first))
    [card] = [m for m in inter.messages if "👍 Helpful" in [label for label, _ in buttons(m)]]
    assert "🚩 Report" in [label for label, _ in buttons(card)]
    pressed = await bot.click(RAVI, card, "👍 Helpful")
    assert any("found this helpful" in m["content"] for m in pressed.messages)
    assert all(m["flags"] & EPHEMERAL for m in pressed.messages)  # a vote is answered to the voter alone
