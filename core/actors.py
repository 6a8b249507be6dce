"""Resolve who is asking, once per event, before any feature runs (the router calls this)."""

from __future__ import annotations

import logging

from core.events import Actor, IncomingEvent
from core.repositories.colleges import CollegeRepository, Placement
from core.repositories.users import UserRepository

logger = logging.getLogger(__name__)


class ActorResolver:
    """Turns an event's platform user into an `Actor` (internal id, chat, moderator or not).

    Moderator status is decided here and nowhere else, and does not depend on where the person types.
    The adapter gives its platform signal (`IncomingEvent.is_moderator`: a configured Telegram/console
    id, a Discord moderator role) and says whether it could tell at all (`moderator_known`: a Discord
    DM carries no member and no roles). A known signal is used as is and remembered on the user
    (`UserRepository.remember_moderator`, stored only when it changes; a moderator seen for the first
    time gets a user row so it can be remembered, nobody else does). An unknown signal uses the
    remembered one: a Discord moderator who typed once in the guild can /review from DMs, and a member
    whose role was removed loses it the next time they are seen in the guild.

    Known limit: a demoted moderator who is never seen in a guild again keeps the remembered status
    in DMs; fetching the member from the configured guild (discord.py `Guild.fetch_member`) in the
    adapter would close that, at one API call per DM sender.

    Colleges (issue #15): the resolver also places the sender in a college (`Actor.college_id`) through
    `CollegeRepository.place` (the adapter's college code, else the chat's linked community, else the
    user's membership; on a single-college deployment always the default college). Moderating is
    moderating OF that college: the platform signal counts for the college it is about (a Discord
    role for the guild's linked college; config's Telegram/console ids for the default college), and a
    college_moderators row counts for its college. A config moderator nothing else places is placed in
    the default college, which they moderate. Without a college repository (unit tests of the resolver)
    everyone is in no college and the signal is used as before.
    """

    def __init__(self, users: UserRepository, colleges: CollegeRepository | None = None) -> None:
        self._users = users
        self._colleges = colleges

    async def __call__(self, event: IncomingEvent) -> Actor:
        """The Actor for `event`; raises what the user store raises (the router answers an apology)."""
        user = event.user
        users = self._users

        async def register() -> int:
            return await users.ensure_user(user.platform, user.id, user.display_name)

        user_id, remembered = await users.find_with_moderator(user.platform, user.id)
        is_moderator = event.is_moderator if event.moderator_known else remembered
        if event.moderator_known and event.is_moderator != remembered:
            if event.is_moderator and user_id is None:
                user_id = await register()
            if user_id is not None:
                await users.remember_moderator(user_id, user.platform, event.is_moderator)
                logger.info(
                    "moderator status of %s user %s is now %s", user.platform, user_id, event.is_moderator
                )
        college_id: int | None = None
        if self._colleges is not None:
            placement = await self._colleges.place(
                user.platform, user.id, user_id, event.chat.community, event.college_code
            )
            college_id, is_moderator = self._college_of(placement, is_moderator)
        return Actor(
            user_id=user_id,
            platform=user.platform,
            platform_user_id=user.id,
            display_name=user.display_name,
            chat=event.chat,
            is_moderator=is_moderator,
            register=register,
            college_id=college_id,
        )

    @staticmethod
    def _college_of(placement: Placement, signal: bool) -> tuple[int | None, bool]:
        """(college id, moderates it) from the placement and the platform's moderator signal."""
        college_id = placement.college_id
        if college_id is None and signal and placement.colleges > 1:
            college_id = placement.default_id  # config's moderators moderate the default college
        signal_counts = placement.via_community or college_id == placement.default_id
        return college_id, placement.moderator or (signal and signal_counts)
