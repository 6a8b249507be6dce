"""The one read per event behind the actor resolver (core.repositories.actors.Sightings), issue 14.

One SELECT, the same text on SQLite and PostgreSQL, built once at import: the default college row
(exactly one) left-joined with the sender's identity, user row and membership, every college_moderators
row of the account (one result row each, in id order; usually none) and, when asked, the dialog of the
conversation; the number of colleges, the college of an adapter's code and the college of a linked
community come as scalar subqueries. The placement is then decided in Python by the rules of
`CollegeRepo.place` (tests/colleges/test_one_read.py runs both over the interesting cases).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.repositories.actors import Sighting, Sightings
from core.repositories.colleges import Placement
from storage.models import (
    College,
    CollegeCommunity,
    CollegeMember,
    CollegeModerator,
    DialogState,
    Identity,
    User,
)
from storage.repos import MODERATOR_ON, dialog_record

logger = logging.getLogger(__name__)

Sessions = async_sessionmaker[AsyncSession]

_PLATFORM = bindparam("platform")
_ACCOUNT = bindparam("account")
# Core tables, not ORM entities: the statement runs without the ORM's per-call work.
_colleges = College.__table__
_default = _colleges.alias("default_college")
_communities = CollegeCommunity.__table__
_identities = Identity.__table__
_users = User.__table__
_members = CollegeMember.__table__
_moderators = CollegeModerator.__table__
_dialogs = DialogState.__table__
SIGHT = (
    select(
        _default.c.id.label("default_id"),
        select(func.count(_colleges.c.id)).scalar_subquery().label("colleges"),
        select(_colleges.c.id)
        .where(func.lower(_colleges.c.code) == bindparam("code"))
        .order_by(_colleges.c.id)
        .limit(1)
        .scalar_subquery()
        .label("by_code"),
        select(_communities.c.college_id)
        .where(_communities.c.platform == _PLATFORM, _communities.c.community_id == bindparam("community"))
        .scalar_subquery()
        .label("by_community"),
        _identities.c.user_id,
        _users.c.settings,
        _members.c.college_id.label("member_of"),
        _moderators.c.college_id.label("moderates"),
        _dialogs.c.flow,
        _dialogs.c.step,
        _dialogs.c.answers,
        _dialogs.c.history,
        _dialogs.c.version,
        _dialogs.c.updated_at,
    )
    .select_from(
        _default.outerjoin(
            _identities, and_(_identities.c.platform == _PLATFORM, _identities.c.platform_user_id == _ACCOUNT)
        )
        .outerjoin(_users, _users.c.id == _identities.c.user_id)
        .outerjoin(_members, _members.c.user_id == _identities.c.user_id)
        .outerjoin(
            _moderators, and_(_moderators.c.platform == _PLATFORM, _moderators.c.platform_user_id == _ACCOUNT)
        )
        .outerjoin(
            _dialogs,
            and_(
                _dialogs.c.platform == _PLATFORM,
                _dialogs.c.chat_id == bindparam("chat"),
                _dialogs.c.user_id == _ACCOUNT,
            ),
        )
    )
    .where(_default.c.is_default)
    .order_by(_moderators.c.id)
)


def placement(
    rows: list[Any], code: str | None, community: str, user_id: int | None, member_of: int | None
) -> Placement:
    """`CollegeRepo.place`'s rules over SIGHT's rows (without its write: see Sighting.joins_community)."""
    first = rows[0]
    moderates = [row.moderates for row in rows if row.moderates is not None]  # in college_moderators.id order
    college_id: int | None = None
    via_community = False
    if code:
        college_id = first.by_code
    elif community:
        college_id = first.by_community
        via_community = college_id is not None
    elif user_id is not None:
        college_id = member_of
    if college_id is None and not community:  # a college's moderator moderates there
        college_id = moderates[0] if moderates else None
    if college_id is None and first.colleges == 1:
        college_id = first.default_id
    moderator = college_id is not None and college_id in moderates
    return Placement(college_id, moderator, via_community, first.default_id, int(first.colleges))


class SightingRepo(Sightings):
    """SQLAlchemy implementation of `Sightings`: one SELECT per event."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    async def sight(
        self,
        platform: str,
        platform_user_id: str,
        community: str,
        college_code: str | None,
        *,
        chat_id: str | None = None,
    ) -> Sighting:
        """See `Sightings.sight`."""
        params = {
            "platform": platform,
            "account": platform_user_id,
            "code": (college_code or "").lower(),
            "community": community,
            "chat": chat_id,
        }
        async with self._sessions() as session:
            rows = list((await session.execute(SIGHT, params)).all())
        if not rows:  # cannot happen after migration 0013 made the default college
            raise RuntimeError("no default college: run the migrations")
        first = rows[0]
        user_id = first.user_id
        remembered = user_id is not None and platform in ((first.settings or {}).get(MODERATOR_ON) or [])
        dialog = None
        if first.flow is not None:
            dialog = dialog_record(
                first.flow, first.step, first.answers, first.history, first.version, first.updated_at
            )
        return Sighting(
            user_id=user_id,
            moderator_remembered=remembered,
            placement=placement(rows, college_code, community, user_id, first.member_of),
            member_college_id=first.member_of,
            dialog=dialog,
            dialog_read=chat_id is not None,
        )
