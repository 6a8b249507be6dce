"""Company cards link their web page: a link button on Discord (spec-checked by the fake), a printed
link on the console."""

from __future__ import annotations

from storage.analysis import analyse_all
from tests.console.driver import Console, make_app
from tests.console.driver import test_config as console_config
from tests.discord.conftest import ASHA, CHANNEL_A, bots, fake  # noqa: F401 - fixtures
from tests.discord.fake_discord import buttons
from tests.discord.helpers import open_app
from tests.insights.data import seed

PAGE = "https://insights.example.edu/c/default/company/TCS"


async def test_discord_card_has_an_open_in_browser_link_button(tmp_path, bots, fake):  # noqa: F811
    app = await open_app(
        tmp_path, insights={"chart_workers": 0}, web={"public_url": "https://insights.example.edu"}
    )
    try:
        await seed(app.database.sessions)
        await analyse_all(app.database.sessions)
        bot = await bots(app)
        inter = await bot.slash(ASHA, CHANNEL_A, "company", company="TCS")
        card = inter.messages[0]
        assert "TCS: what seniors learned" in card["content"]
        assert ("🌐 Open in browser", PAGE) in buttons(card)
        link = next(c for row in card["components"] for c in row["components"] if c.get("url"))
        assert link["style"] == 5 and "custom_id" not in link  # Discord's link style carries no custom_id
    finally:
        await app.close()


async def test_console_prints_the_link(tmp_path):
    app = await make_app(
        tmp_path, f"sqlite+aiosqlite:///{tmp_path}/c.db", web={"public_url": "https://insights.example.edu"}
    )
    try:
        await seed(app.database.sessions)
        await analyse_all(app.database.sessions)
        console = Console(app, console_config(tmp_path))
        shown = await console.say("/company TCS")
        assert f"📱 Open full insights: {PAGE}" in shown
    finally:
        await app.close()


async def test_the_mini_app_form_is_not_offered_where_it_cannot_open(tmp_path, bots, fake):  # noqa: F811
    """The sharing form needs Telegram's signed initData: Discord and the console get no link to it."""
    app = await open_app(tmp_path, web={"public_url": "https://insights.example.edu"})
    try:
        bot = await bots(app)
        inter = await bot.slash(ASHA, CHANNEL_A, "share")
        assert inter.messages and not any(
            "/share" in (url or "") for message in inter.messages for _label, url in buttons(message)
        )
    finally:
        await app.close()
    console_app = await make_app(
        tmp_path / "c",
        f"sqlite+aiosqlite:///{tmp_path}/c2.db",
        web={"public_url": "https://insights.example.edu"},
    )
    try:
        shown = await Console(console_app, console_config(tmp_path / "c")).say("/share")
        assert "Paste your whole write-up" in shown and "Fill in the form" not in shown
    finally:
        await console_app.close()
