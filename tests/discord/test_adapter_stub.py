"""The Discord adapter through the real discord.py client against the fake Discord, with a stub core."""

from __future__ import annotations

import asyncio

import discord

from tests.discord.conftest import ASHA, CHANNEL_A, CHANNEL_B, DM_ASHA, GUILD_A, GUILD_B, RAVI
from tests.discord.fake_discord import EPHEMERAL, buttons
from tests.discord.stub_app import LONG_TEXT, TINY_PNG, StubApp


def visible(message: dict) -> str:
    return message["content"]


async def test_commands_synced_with_descriptions_options_and_moderator_permissions(bots, fake):
    await bots(StubApp())
    synced = {c["name"]: c for c in fake.commands[None]}
    assert set(synced) == {"help", "share", "approve", "long", "slow", "boom", "company"}
    assert synced["share"]["description"] == "Share your interview experience"
    [option] = synced["company"]["options"]
    assert (option["name"], option["type"], option.get("required", False), option["autocomplete"]) == (
        "company",
        3,
        False,
        True,
    )
    assert synced["approve"]["options"][0]["name"] == "post_id"
    assert synced["approve"]["default_member_permissions"] not in (None, "0")
    assert synced["help"]["default_member_permissions"] is None


async def test_sync_to_configured_guilds(bots, fake):
    await bots(StubApp(), guild_ids=[GUILD_A.id, GUILD_B.id])
    assert None not in fake.commands
    for guild in (GUILD_A, GUILD_B):
        assert "share" in {c["name"] for c in fake.commands[guild.id]}


async def test_help_in_two_guilds_and_a_dm(bots, fake):
    app = StubApp()
    bot = await bots(app)
    for channel in (CHANNEL_A, CHANNEL_B):
        inter = await bot.slash(ASHA, channel, "help")
        [message] = inter.messages
        assert "Try /share" in message["content"] and not message["flags"] & EPHEMERAL
    chats = [(e.chat.id, e.chat.is_private, e.chat.title) for e in app.events]
    assert chats == [
        (str(CHANNEL_A), False, "CSE Placements #interviews"),
        (str(CHANNEL_B), False, "ECE Placements #general"),
    ]
    assert [e.user.id for e in app.events] == [str(ASHA.id)] * 2


async def test_personal_dialog_is_ephemeral_with_buttons_and_a_modal(bots, fake):
    app = StubApp()
    bot = await bots(app)
    inter = await bot.slash(ASHA, CHANNEL_A, "share")
    branch, name = inter.messages
    assert all(m["flags"] & EPHEMERAL for m in inter.messages)
    assert "**1/3 · Branch**" in branch["content"]
    assert buttons(branch) == [("CSE", "ii:v1.cse"), ("ECE", "ii:v1.ece")]
    assert buttons(name) == [("✏️ Answer", "iif:v1.form")]
    assert app.events[0].kind == "command" and app.events[0].command == "share"

    pressed = await bot.click(ASHA, branch, "CSE")
    assert app.events[-1].kind == "action" and app.events[-1].action == "v1.cse"
    # replaces_prompt: the old keyboard is gone and the choice is marked on the prompt
    assert pressed.callback_types == [7]
    assert buttons(fake.messages[int(branch["id"])]) == []
    assert fake.messages[int(branch["id"])]["content"].endswith("✓ CSE")
    [answer] = pressed.followups
    assert "roll number" in answer["content"] and answer["flags"] & EPHEMERAL

    submitted = await bot.fill(ASHA, name, name="Asha Rao")
    assert app.events[-1].kind == "form" and dict(app.events[-1].form) == {"name": "Asha Rao"}
    assert app.events[-1].action == "v1.form"
    assert "Thanks, Asha Rao!" in submitted.followups[0]["content"]


async def test_modal_has_the_form_fields(bots, fake):
    bot = await bots(StubApp())
    inter = await bot.slash(ASHA, CHANNEL_A, "share")
    opened = await bot.click(ASHA, inter.messages[1], "✏️")
    modal = opened.modal
    assert modal["custom_id"] == "iif:v1.form" and modal["title"] == "Your name"
    [row] = modal["components"]
    [field] = row["components"]
    assert (field["custom_id"], field["label"], field["required"]) == ("name", "Name", True)


async def test_restart_keeps_old_buttons_and_form_buttons_working(bots, fake):
    app = StubApp()
    first = await bots(app)
    inter = await first.slash(ASHA, CHANNEL_A, "share")
    branch, name = inter.messages
    await first.stop()

    second = await bots(app)  # a new client: nothing cached from the first one
    pressed = await second.click(ASHA, branch, "CSE")
    assert "roll number" in pressed.followups[0]["content"]
    opened = await second.click(ASHA, name, "✏️")  # the form is re-fetched from the core
    assert opened.callback_types == [9]
    submitted = await second.settle(await fake.submit(ASHA, opened, {"name": "Asha"}))
    assert "Thanks, Asha!" in submitted.messages[-1]["content"]


async def test_stale_button_gets_the_cores_expired_answer(bots, fake):
    app = StubApp()
    bot = await bots(app)
    inter = await bot.slash(ASHA, CHANNEL_A, "share")
    pressed = await bot.click(ASHA, inter.messages[0], "ECE")
    assert "expired" in pressed.messages[0]["content"]
    assert pressed.messages[0]["flags"] & EPHEMERAL


async def test_moderator_role_is_passed_to_the_core_which_decides(bots, fake):
    """The adapter computes the signal (a configured role); refusing is the core's job (test_moderation)."""
    app = StubApp()
    bot = await bots(app)
    await bot.slash(ASHA, CHANNEL_A, "approve", post_id="42")
    assert (app.events[-1].command, app.events[-1].is_moderator) == ("approve", False)

    served = await bot.slash(RAVI, CHANNEL_B, "approve", post_id="42")
    assert "Approved post 42." in served.messages[0]["content"]
    assert app.events[-1].is_moderator and app.events[-1].args == "42"


async def test_long_reply_is_split_under_2000_chars(bots, fake):
    bot = await bots(StubApp())
    inter = await bot.slash(ASHA, CHANNEL_A, "long")
    contents = [m["content"] for m in inter.messages]
    assert len(contents) >= 3 and all(len(c) <= 2000 for c in contents)
    joined = "\n".join(contents)
    assert joined.count("**Two Sum**") == LONG_TEXT.count("**Two Sum**")
    assert "\\_arrays\\_" in joined  # markdown the core did not mean is escaped
    assert "Line 0:" in contents[0] and "Line 69:" in contents[-1]


async def test_slow_reply_is_deferred_then_followed_up_with_the_image(bots, fake):
    app = StubApp()
    bot = await bots(app, defer_after=0.05)
    inter = await fake.slash(ASHA, CHANNEL_A, "slow")
    await fake.wait_for(lambda: inter.acknowledged)
    assert inter.callback_types == [5]  # "thinking…" before the core answered
    assert inter.original["flags"] & (1 << 7)
    app.release.set()
    await bot.settle(inter)
    assert "Here is your chart" in inter.original["content"] and "TCS: 3 rounds" in inter.original["content"]
    [attachment] = inter.original["attachments"]
    assert attachment["filename"] == "chart.png"
    assert fake.files[int(inter.original["id"])]["chart.png"] == TINY_PNG


async def test_failing_handler_gets_a_clear_ephemeral_error_and_the_bot_keeps_going(bots, fake):
    bot = await bots(StubApp())
    failed = await bot.slash(ASHA, CHANNEL_A, "boom")
    [message] = failed.messages
    assert "something went wrong" in message["content"] and message["flags"] & EPHEMERAL
    ok = await bot.slash(ASHA, CHANNEL_A, "help")
    assert "Try /share" in ok.messages[0]["content"]


async def test_autocomplete_asks_the_core(bots, fake):
    app = StubApp()
    bot = await bots(app)
    inter = await bot.settle(await fake.autocomplete(ASHA, CHANNEL_A, "company", "company", "a"))
    assert inter.callback_types == [8]
    assert [c["value"] for c in inter.choices] == ["Accenture", "Amazon", "Adobe"]
    done = await bot.slash(ASHA, CHANNEL_A, "company", company="Amazon")
    assert app.events[-1].args == "Amazon" and "Insights for Amazon" in done.messages[0]["content"]


async def test_dm_text_goes_to_the_core_and_guild_chatter_does_not(bots, fake):
    app = StubApp()
    bot = await bots(app)
    await fake.say(ASHA, DM_ASHA, "hello *there*")
    reply = await fake.wait_for(lambda: fake.bot_messages(DM_ASHA))
    await bot.adapter.drain()
    assert reply[0]["content"] == "You said: hello \\*there\\*"
    assert app.events[-1].kind == "text" and app.events[-1].chat.is_private

    await fake.say(ASHA, CHANNEL_A, "just chatting")
    await fake.say(RAVI, CHANNEL_A, "/help")  # only reaches the core once the member is in a dialog
    await bot.slash(ASHA, CHANNEL_A, "share")
    before = len(app.events)
    await fake.say(ASHA, CHANNEL_A, "21CSE1234")
    answered = await fake.wait_for(lambda: fake.bot_messages(CHANNEL_A))
    await bot.adapter.drain()
    assert [e.text for e in app.events[before:]] == ["21CSE1234"]
    assert "just chatting" not in [e.text for e in app.events]
    assert answered[0]["content"] == "You said: 21CSE1234"
    assert answered[0]["message_reference"]["message_id"]


async def test_notifier_posts_to_a_channel(bots, fake):
    from core.events import ChatRef
    from core.replies import Button, Reply

    bot = await bots(StubApp())
    reply = Reply(text="Your post was **approved**.", buttons=((Button("View", "v9.view"),),))
    await bot.adapter.send(ChatRef("discord", str(CHANNEL_B), False), reply)
    [message] = fake.bot_messages(CHANNEL_B)
    assert message["content"] == "Your post was **approved**."
    assert buttons(message) == [("View", "ii:v9.view")]


async def test_auto_sharded_client_serves_guilds_on_both_shards(bots, fake, monkeypatch):
    async def no_identify_wait(self, shard_id, *, initial=False):  # skip discord.py's 5 s between shards
        return None

    monkeypatch.setattr(discord.AutoShardedClient, "before_identify_hook", no_identify_wait)
    fake.shards = 2
    app = StubApp()
    bot = await bots(app, shard_count=0)
    assert sorted(i["shard"][0] for i in fake.identifies) == [0, 1]
    for channel in (CHANNEL_A, CHANNEL_B):
        inter = await bot.slash(ASHA, channel, "help")
        assert "Try /share" in inter.messages[0]["content"]
    assert len(app.events) == 2


async def test_when_every_answer_is_deferred_the_dialog_still_works(bots, fake):
    app = StubApp()
    handle = app.handle

    async def slower(event):  # its timer is always due after the adapter's 10 ms defer timer
        await asyncio.sleep(0.05)
        return await handle(event)

    app.handle = slower
    bot = await bots(app, defer_after=0.01)
    inter = await bot.slash(ASHA, CHANNEL_A, "share")
    assert inter.callback_types == [5] and inter.callbacks[0]["data"]["flags"] & EPHEMERAL
    branch, name = inter.messages
    assert "Which branch?" in branch["content"] and buttons(branch)[0] == ("CSE", "ii:v1.cse")
    pressed = await bot.click(ASHA, branch, "CSE")
    assert pressed.callback_types == [6]  # acknowledged; the prompt itself was then edited
    assert buttons(fake.messages[int(branch["id"])]) == []
    assert fake.messages[int(branch["id"])]["content"].endswith("✓ CSE")
    assert "roll number" in pressed.followups[0]["content"]
    assert pressed.followups[0]["flags"] & EPHEMERAL
