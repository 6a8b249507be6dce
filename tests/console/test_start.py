"""/start helps both audiences: preparing (companies, search, mock) next to sharing; unfinished dialogs."""

from __future__ import annotations

import pytest

from tests.console.driver import Console, make_app

pytestmark = pytest.mark.asyncio


async def test_start_offers_preparing_as_prominently_as_sharing(tmp_path, database_url):
    app = await make_app(tmp_path, database_url)
    try:
        console = Console(app, app.config, name="Asha")
        out = await console.say("/start")
        assert "Hi Asha!" in out and "Preparing for an interview?" in out
        assert "/search" in out and "/mock" in out and "/share" in out
        assert console.adapter.choices[:3] == [
            "🏢 Top companies",
            "🎤 Mock interview",
            "📝 Share my experience",
        ]
        assert "unfinished" not in out
    finally:
        await app.close()


async def test_start_with_an_unfinished_dialog_offers_to_continue_or_discard(tmp_path, database_url):
    app = await make_app(tmp_path, database_url)
    try:
        console = Console(app, app.config, name="Asha")
        await console.say("/share")
        await console.say("Asha Rao")  # name answered; now on the LinkedIn question
        out = await console.say("/start")
        assert "You have an unfinished sharing (it is saved)" in out
        assert console.adapter.choices[-2:] == ["▶️ Continue", "🗑 Discard"]
        resumed = await console.pick("▶️ Continue")
        assert "LinkedIn" in resumed
        await console.say("/start")
        discarded = await console.pick("🗑 Discard")
        assert "Cancelled: your sharing was discarded" in discarded
        after = await console.say("/start")
        assert "unfinished" not in after
    finally:
        await app.close()
