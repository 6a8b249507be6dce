"""Company insights on Telegram: the card, chart photos with captions, drill-down buttons and /search."""

from __future__ import annotations

import pytest

from tests.telegram.conftest import Harness, start_adapter, texts
from tests.telegram.core_data import experience, make_core
from tests.telegram.fake_bot_api import MAX_CAPTION

STUDENT = 1001


@pytest.fixture
async def tg(tmp_path, fake):
    app = await make_core(tmp_path, insights={"chart_workers": 0})
    await experience(app, "TCS", author="Asha Rao", role="SDE", year=2024)
    await experience(
        app,
        "TCS",
        author="Secret Person",
        anonymous=True,
        role="Analyst",
        year=2023,
        roll_number="21ECE9999",
        telegram_user=1002,
    )
    adapter = await start_adapter(app, fake)
    harness = Harness(fake, adapter)
    yield harness
    await adapter.stop()
    await app.close()


async def test_company_card_charts_and_drill_down(tg):
    sent = await tg.say("tcs")  # plain text outside a dialog opens the company
    shown = texts(sent)
    assert "TCS: what seniors learned" in shown and "Experiences shared: 2" in shown
    photos = [m for m in sent if "photo" in m]
    assert len(photos) == 5 and len(tg.fake.calls_to("sendMediaGroup")) == 1
    assert all(0 < len(m["caption"]) <= MAX_CAPTION for m in photos)
    assert "By role" in " ".join(tg.buttons(STUDENT))
    listing = texts(await tg.press("📄 Read experiences"))
    assert "Anonymous" in listing and "Secret Person" not in listing and "21ECE9999" not in listing
    by_role = texts(await tg.press("💼 By role"))
    # two roles of one experience each: too few to show any (it would identify the authors)
    assert "TCS by role" in by_role and "fewer than 3" in by_role and "Analyst" not in by_role


async def test_search_finds_questions_and_hides_personal_data(tg):
    found = texts(await tg.say("/search two sum"))
    assert "TCS" in found and "Secret Person" not in found and "21CSE1234" not in found
    assert "Nothing found" in texts(await tg.say("/search zanzibar camels"))


async def test_experience_card_has_helpful_and_report_buttons(tg):
    experience_id = await experience(
        tg.adapter.app, "Infosys", author="Ravi Kumar", role="SE", year=2024, telegram_user=1003
    )
    card = await tg.say(f"/experience {experience_id}")
    assert "Infosys" in texts(card)
    assert {"👍 Helpful", "🚩 Report"} <= set(tg.buttons(STUDENT))
    assert "1 reader(s) found this helpful" in texts(await tg.press("👍 Helpful"))
    await tg.say(f"/experience {experience_id}")
    assert "What is wrong with this post?" in texts(await tg.press("🚩 Report"))
