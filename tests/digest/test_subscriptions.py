"""/subscribe, /unsubscribe and /subscriptions through the console and as group/channel events (both DBs)."""

from __future__ import annotations

from sqlalchemy import select

from core.features.digest.service import MODERATORS_ONLY
from storage.models import Identity, Subscription
from tests.console.driver import Console, make_app
from tests.console.driver import test_config as config_for
from tests.digest.conftest import command, texts


async def rows(app) -> list[tuple]:
    async with app.database.sessions() as session:
        result = await session.execute(
            select(
                Subscription.platform,
                Subscription.chat_id,
                Subscription.company_id,
                Subscription.kind,
                Subscription.active,
                Subscription.user_id,
            ).order_by(Subscription.id)
        )
        return [tuple(r) for r in result]


async def test_console_subscribe_list_and_unsubscribe(app_ids, tmp_path):
    app, ids = app_ids
    c = Console(app, config_for(tmp_path), user_id="student-1")

    out = await c.say("/subscriptions")
    assert "No weekly digest here yet" in out

    out = await c.say("/subscribe")
    assert "Subscribed" in out and "every Monday at 09:00 (Asia/Kolkata)" in out
    assert "already get the weekly digest" in await c.say("/subscribe")

    out = await c.say("/subscribe tata consultancy")
    assert "Following TCS" in out
    assert "already follow TCS" in await c.say("/subscribe TCS")
    out = await c.say("/subscribe Amazon")
    assert "Following Amazon" in out

    out = await c.say("/subscribe Zyxwvut Labs")
    assert "couldn't find a company" in out

    out = await c.say("/subscriptions")
    assert "• The week across all companies\n" in out
    assert "• New experiences at Amazon" in out and "• New experiences at TCS" in out
    assert c.adapter.choices == ["🔕 Amazon", "🔕 TCS", "🔕 Stop all"]

    async with app.database.sessions() as session:
        user_id = await session.scalar(
            select(Identity.user_id).where(Identity.platform_user_id == "student-1")
        )
    assert await rows(app) == [
        ("console", "student-1", None, "user", True, user_id),
        ("console", "student-1", ids.tcs, "user", True, user_id),
        ("console", "student-1", ids.amazon, "user", True, user_id),
    ]

    out = await c.pick("🔕 TCS")
    assert "Stopped following TCS" in out
    assert "TCS is not followed here" in await c.say("/unsubscribe TCS")
    out = await c.say("/subscriptions")
    assert "Amazon" in out and "TCS" not in out

    assert "Unsubscribed: no more weekly digests here" in await c.say("/unsubscribe")
    assert [r[4] for r in await rows(app)] == [False, False, False]
    assert "There is no weekly digest to stop here" in await c.say("/unsubscribe")
    assert "No weekly digest here yet" in await c.say("/subscriptions")

    # Subscribing again reactivates the same row instead of adding one.
    assert "Subscribed" in await c.say("/subscribe")
    assert len(await rows(app)) == 3 and (await rows(app))[0][4] is True


async def test_only_moderators_subscribe_a_group_channel(app_ids):
    app, ids = app_ids
    replies = await app.handle(command("discord", "555", "/subscribe", private=False, user_id="u1"))
    assert texts(replies) == MODERATORS_ONLY and replies[0].private
    replies = await app.handle(command("discord", "555", "/unsubscribe", private=False, user_id="u1"))
    assert texts(replies) == MODERATORS_ONLY
    assert await rows(app) == []

    replies = await app.handle(command("discord", "555", "/subscribe", private=False, moderator=True))
    assert "Subscribed: this channel will get the weekly interview digest" in texts(replies)
    replies = await app.handle(command("discord", "555", "/subscribe TCS", private=False, moderator=True))
    assert "Following **TCS**" in texts(replies)
    assert await rows(app) == [
        ("discord", "555", None, "channel", True, None),
        ("discord", "555", ids.tcs, "channel", True, None),
    ]
    # Anyone may read the list, but only moderators get the stop buttons.
    listing = await app.handle(command("discord", "555", "/subscriptions", private=False, user_id="u1"))
    assert "reaches this channel" in texts(listing) and listing[0].buttons == ()

    # A Telegram group works the same way; a private chat needs no moderator.
    replies = await app.handle(command("telegram", "-100", "/subscribe", private=False, user_id="7"))
    assert texts(replies) == MODERATORS_ONLY
    replies = await app.handle(command("telegram", "7", "/subscribe", private=True))
    assert "Subscribed: you'll get" in texts(replies)


async def test_configured_discord_channels_are_subscribed_once(tmp_path, database_url):
    overrides = {"discord": {"digest_channel_ids": [111, 222]}}
    for _ in range(2):  # two starts
        app = await make_app(tmp_path, database_url, **overrides)
        await app.close()
    app = await make_app(tmp_path, database_url, **overrides)
    try:
        assert await rows(app) == [
            ("discord", "111", None, "channel", True, None),
            ("discord", "222", None, "channel", True, None),
        ]
    finally:
        await app.close()
