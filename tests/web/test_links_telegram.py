"""Company cards link their web page on Telegram: a Mini App button in private chats (https only),
a URL button in groups or for http addresses, nothing for a local address; the fake Bot API accepts it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.telegram.conftest import GROUP_ID, Harness, fake, start_adapter  # noqa: F401 - fixture
from tests.telegram.core_data import experience, make_core

STUDENT = 1001
PAGE = "/c/default/company/TCS"


async def harness(tmp_path, fake, public_url: str) -> Harness:  # noqa: F811 - the fixture's value
    app = await make_core(tmp_path, insights={"chart_workers": 0}, web={"public_url": public_url})
    await experience(app, "TCS", author="Asha Rao", role="SDE", year=2024)
    return Harness(fake, await start_adapter(app, fake))


def link_buttons(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for message in messages:
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            found.extend(button for button in row if "url" in button or "web_app" in button)
    return found


def spec_checked(fake, button: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """A button's fields are InlineKeyboardButton's (the published spec), with exactly one action."""
    fields = fake.types["InlineKeyboardButton"]
    assert set(button) <= set(fields), set(button) - set(fields)
    assert len(set(button) - {"text", "style", "icon_custom_emoji_id"}) == 1
    if "web_app" in button:
        assert set(button["web_app"]) <= set(fake.types["WebAppInfo"])
    return button


async def close(tg: Harness) -> None:
    await tg.adapter.stop()
    await tg.adapter.app.close()


async def test_private_chat_gets_a_mini_app_button_and_groups_a_url_button(tmp_path, fake):  # noqa: F811
    tg = await harness(tmp_path, fake, "https://insights.example.edu")
    try:
        [button] = link_buttons(await tg.say("tcs"))
        assert spec_checked(fake, button) == {
            "text": "📱 Open full insights",
            "web_app": {"url": f"https://insights.example.edu{PAGE}"},
        }
        group = Harness.group_chat()
        [in_group] = link_buttons(await tg.say("/company tcs", chat=group))
        assert spec_checked(fake, in_group) == {
            "text": "🌐 Open in browser",
            "url": f"https://insights.example.edu{PAGE}",
        }
    finally:
        await close(tg)


@pytest.mark.parametrize(
    ("public_url", "expected"),
    [
        ("http://insights.example.edu", {"url": f"http://insights.example.edu{PAGE}"}),
        ("http://127.0.0.1:8080", None),
    ],
    ids=["http-is-a-url-button", "local-address-left-out"],
)
async def test_no_mini_app_without_https(tmp_path, fake, public_url, expected):  # noqa: F811
    tg = await harness(tmp_path, fake, public_url)
    try:
        sent = await tg.say("tcs")
        assert "TCS: what seniors learned" in " ".join(m.get("text", "") for m in sent)
        found = link_buttons(sent)
        if expected is None:
            assert found == []
        else:
            [button] = found
            assert spec_checked(fake, button) == {"text": "📱 Open full insights", **expected}
    finally:
        await close(tg)


async def test_share_offers_the_form_as_a_mini_app_in_private_chats_only(tmp_path, fake):  # noqa: F811
    tg = await harness(tmp_path, fake, "https://insights.example.edu")
    try:
        [button] = link_buttons(await tg.say("/share"))
        assert spec_checked(fake, button) == {
            "text": "🗒 Fill in the form",
            "web_app": {"url": "https://insights.example.edu/c/default/share"},
        }
        await tg.say("/cancel")
        in_group = link_buttons(await tg.say("/share", chat=Harness.group_chat()))
        assert [b["text"] for b in in_group] == ["💬 Continue in private chat"]  # no in-app form in groups
    finally:
        await close(tg)


async def test_share_offers_no_form_without_https(tmp_path, fake):  # noqa: F811
    tg = await harness(tmp_path, fake, "http://insights.example.edu")
    try:
        sent = await tg.say("/share")
        assert "Paste your whole write-up" in " ".join(m.get("text", "") for m in sent)
        assert link_buttons(sent) == []  # the form needs Telegram's in-app page: no plain link to it
    finally:
        await close(tg)
