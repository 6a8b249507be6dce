"""Inline mode (`@bot tcs` in any chat) through real PTB, the fake Bot API and the real core."""

from __future__ import annotations

import pytest

from tests.telegram.conftest import Harness, start_adapter
from tests.telegram.core_data import experience, make_core
from tests.telegram.fake_bot_api import parse_html


@pytest.fixture
async def core(tmp_path):
    app = await make_core(tmp_path)
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
    await experience(app, "Infosys", author="Ravi", role="Systems Engineer", year=2024, telegram_user=1003)
    await experience(app, "Wipro", author="Meena", approve=False, telegram_user=1004)  # pending: never shown
    yield app
    await app.close()


@pytest.fixture
async def tg(core, fake):
    queries: list[tuple[str, int]] = []
    real_inline = core.inline

    async def recording_inline(query: str, limit: int = 20):
        queries.append((query, limit))
        return await real_inline(query, limit)

    core.inline = recording_inline  # the real App.inline, with the adapter's arguments recorded
    adapter = await start_adapter(core, fake)
    harness = Harness(fake, adapter)
    harness.app = core
    harness.queries = queries
    yield harness
    await adapter.stop()


def shown(result: dict) -> str:
    """The message a chat sees when the user picks this result."""
    content = result["input_message_content"]
    return parse_html(content["message_text"])[0]


async def test_company_query_returns_shareable_experience_cards(tg):
    answer = await tg.inline("tcs")
    assert answer["is_personal"] is True and 0 < answer["cache_time"] <= 60
    results = answer["results"]
    assert [r["title"] for r in results] == ["TCS · Analyst · 2023", "TCS · SDE · 2024"]  # newest first
    assert all(r["type"] == "article" for r in results)
    anonymous, mine = results
    assert "by Asha Rao" in mine["description"]
    assert "by Anonymous" in anonymous["description"]
    card = shown(anonymous)
    assert "By Anonymous" in card and "Two Sum" in card and "LeetCode & <DBMS> notes" in card
    everything = str(answer)
    assert (
        "Secret Person" not in everything and "21ECE9999" not in everything and "21CSE1234" not in everything
    )
    assert mine["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://t.me/insights_test_bot"
    assert tg.queries[-1] == ("tcs", 50)


async def test_fuzzy_name_finds_the_company(tg):
    answer = await tg.inline("infosys ltd")
    assert [r["title"] for r in answer["results"]] == ["Infosys · Systems Engineer · 2024"]


async def test_empty_query_offers_popular_companies(tg):
    answer = await tg.inline("")
    titles = [r["title"] for r in answer["results"]]
    assert titles == ["TCS · 2 experiences", "Infosys · 1 experiences"]  # pending Wipro has none public
    assert "what seniors learned" in shown(answer["results"][0])


async def test_no_match_answers_empty_with_a_share_button(tg):
    answer = await tg.inline("zzqx unknown corp")
    assert answer["results"] == []
    assert answer["button"]["start_parameter"] == "share"
    pending_only = await tg.inline("Wipro")
    assert pending_only["results"] == []


async def test_a_failing_core_still_answers_the_query(tg, monkeypatch):
    async def broken(query: str, limit: int):
        raise RuntimeError("search index down")

    monkeypatch.setattr(tg.app, "inline", broken)
    answer = await tg.inline("tcs")
    assert answer["results"] == [] and "button" in answer
    assert tg.fake.calls_to("sendMessage") == []  # nobody to tell: inline queries have no chat
