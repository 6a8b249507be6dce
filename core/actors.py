"""Resolve who is asking, once per event, before any feature runs (the router calls this)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.dialog.engine import Preloaded
from core.events import Actor, IncomingEvent
from core.repositories.actors import Sightings
from core.repositories.colleges import CollegeRepository, Placement
from core.repositories.users import UserRepository

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resolution:
    """An event's Actor and, when the resolver read it on the way, the conversation's dialog (the
    router hands it to DialogEngine.handle so the engine does not read it again)."""

    actor: Actor
    dialog: Preloaded | None = None


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

    One read (issue 14): given `sightings` (core.repositories.actors), the user, the remembered signal,
    the placement and the conversation's dialog come from one SELECT (`resolve`), instead of the users
    store then `CollegeRepository.place`; the writes (registering a moderator, remembering the signal,
    a community member's first membership) are the same and happen only when needed.
    """

    def __init__(
        self,
        users: UserRepository,
        colleges: CollegeRepository | None = None,
        sightings: Sightings | None = None,
    ) -> None:
        self._users = users
        self._colleges = colleges
        self._sightings = sightings if colleges is not None else None  # placing needs the colleges

    async def __call__(self, event: IncomingEvent) -> Actor:
        """The Actor for `event`; raises what the user store raises (the router answers an apology)."""
        return (await self.resolve(event)).actor

    async def resolve(self, event: IncomingEvent) -> Resolution:
        """The Actor for `event`, with the conversation's dialog when it was read on the way."""
        if self._sightings is None:
            return Resolution(await self._resolve_by_parts(event))
        user = event.user
        sighting = await self._sightings.sight(
            user.platform, user.id, event.chat.community, event.college_code, chat_id=event.chat.id
        )
        user_id = await self._moderator_signal(event, sighting.user_id, sighting.moderator_remembered)
        placement = sighting.placement
        if placement.via_community and user_id is not None and sighting.member_college_id is None:
            assert self._colleges is not None and placement.college_id is not None
            # what `place` records: a known user writing in a linked community joins its college (a
            # moderator registered just now is known from here on, as with `place` after registering)
            await self._colleges.join(user_id, placement.college_id, "community", verified=False)
        signal = event.is_moderator if event.moderator_known else sighting.moderator_remembered
        college_id, is_moderator = self._college_of(placement, signal)
        actor = self._actor(event, user_id, is_moderator, college_id)
        dialog = Preloaded(event.key, sighting.dialog) if sighting.dialog_read else None
        return Resolution(actor, dialog)

    async def _moderator_signal(
        self, event: IncomingEvent, user_id: int | None, remembered: bool
    ) -> int | None:
        """Remember a known platform signal that changed (registering a moderator seen for the first
        time); returns the user id, which registering may have created."""
        user = event.user
        if event.moderator_known and event.is_moderator != remembered:
            if event.is_moderator and user_id is None:
                user_id = await self._users.ensure_user(user.platform, user.id, user.display_name)
            if user_id is not None:
                await self._users.remember_moderator(user_id, user.platform, event.is_moderator)
                logger.info(
                    "moderator status of %s user %s is now %s", user.platform, user_id, event.is_moderator
                )
        return user_id

    def _actor(
        self, event: IncomingEvent, user_id: int | None, is_moderator: bool, college_id: int | None
    ) -> Actor:
        user = event.user
        users = self._users

        async def register() -> int:
            return await users.ensure_user(user.platform, user.id, user.display_name)

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

    async def _resolve_by_parts(self, event: IncomingEvent) -> Actor:
        """The Actor read piece by piece (users store, then `CollegeRepository.place`): without
        sightings (unit tests of the resolver, the Mini App)."""
        user = event.user
        user_id, remembered = await self._users.find_with_moderator(user.platform, user.id)
        user_id = await self._moderator_signal(event, user_id, remembered)
        is_moderator = event.is_moderator if event.moderator_known else remembered
        college_id: int | None = None
        if self._colleges is not None:
            placement = await self._colleges.place(
                user.platform, user.id, user_id, event.chat.community, event.college_code
            )
            college_id, is_moderator = self._college_of(placement, is_moderator)
        return self._actor(event, user_id, is_moderator, college_id)

    @staticmethod
    def _college_of(placement: Placement, signal: bool) -> tuple[int | None, bool]:
        """(college id, moderates it) from the placement and the platform's moderator signal."""
        college_id = placement.college_id
        if college_id is None and signal and placement.colleges > 1:
            college_id = placement.default_id  # config's moderators moderate the default college
        signal_counts = placement.via_community or college_id == placement.default_id
        return college_id, placement.moderator or (signal and signal_counts)
