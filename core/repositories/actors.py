"""The actor port (issue 14): everything the router needs to know about an event's sender, in one read.

`storage.actors.SightingRepo` implements `Sightings`. The actor resolver (core/actors.py) asks `sight`
once per event instead of the users store (who is it, were they last seen as a moderator) and the
colleges store (`CollegeRepository.place`) one after the other: one round trip instead of four or five.
Asked with the chat id, it also reads the conversation's dialog, which the router hands to the dialog
engine (core.dialog.engine.Preloaded), so the engine need not read it again. It only reads: the writes
that may follow a sighting (registering a moderator, remembering their signal, a community member's
first membership) stay with the users and colleges stores and happen only when needed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from core.repositories.colleges import Placement
from core.repositories.dialogs import DialogRecord

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sighting:
    """One event's sender as stored.

    `user_id` is None for someone never stored; `moderator_remembered` is the platform's moderator
    signal as last seen (`UserRepository.find_with_moderator`); `placement` equals what
    `CollegeRepository.place` answers for the same arguments, except that it does not write: when
    `joins_community` is True the sender is a known user placed by a linked community who has no
    membership yet, and the resolver records them as a member (`CollegeRepository.join`), as `place`
    would have. `dialog` is the conversation's stored dialog when `dialog_read` (sight was given the
    chat id), expired or not.
    """

    user_id: int | None
    moderator_remembered: bool
    placement: Placement
    member_college_id: int | None = None
    dialog: DialogRecord | None = None
    dialog_read: bool = False

    @property
    def joins_community(self) -> bool:
        """A known user writes in a linked community for the first time without a college."""
        return self.placement.via_community and self.user_id is not None and self.member_college_id is None


class Sightings(Protocol):
    """The one read per event behind the actor resolver."""

    async def sight(
        self,
        platform: str,
        platform_user_id: str,
        community: str,
        college_code: str | None,
        *,
        chat_id: str | None = None,
    ) -> Sighting:
        """The sender's user id, remembered moderator signal and college placement (the rules of
        `CollegeRepository.place`), and with `chat_id` the dialog of (platform, chat_id,
        platform_user_id), in one SELECT. Writes nothing."""
        ...
