"""Colleges in the core (issue #15): config -> stored colleges, and which colleges a read may see.

A read of college-scoped data takes a tuple of college ids: the actor's own college for everything a
student or moderator works on (their queue, their discussions, their digest), and for insights the
"all colleges" view adds every college that opted in with `share_across` (their approved, anonymised
experiences only: every insight read already counts approved experiences only, and names are never
shown for another college's posts).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from core.config import CollegeConfig, Config
from core.events import Actor, ChatRef
from core.replies import Reply
from core.repositories.colleges import CollegeRepository, CollegeSpec

logger = logging.getLogger(__name__)

# The college ids a read counts (None: every college: system jobs, single-college callers, unit tests).
Scope = tuple[int, ...] | None

NEEDS_COLLEGE = (
    "🏫 This bot serves several colleges: pick yours first with /college "
    "(or use your college's invite link, or /verify your college e-mail)."
)


def spec_of(college: CollegeConfig, config: Config | None = None) -> CollegeSpec:
    """A config.yaml college as the store's `CollegeSpec`; with `config` (the default college), config's
    `moderation` ids and `submission` roll-number pattern and branches fill what the block leaves empty."""
    mods = college.moderators
    moderators = [("console", str(uid)) for uid in mods.console_user_ids]
    moderators += [("telegram", str(uid)) for uid in mods.telegram_user_ids]
    moderators += [("discord", str(uid)) for uid in mods.discord_user_ids]
    pattern, example, branches = college.roll_number_pattern, college.roll_number_example, college.branches
    if config is not None:
        pattern = pattern or config.submission.roll_number_pattern
        example = example or config.submission.roll_number_example
        branches = branches or config.submission.branches
    return CollegeSpec(
        code=college.code,
        name=college.name,
        email_domains=tuple(college.email_domains),
        roll_number_pattern=pattern,
        roll_number_example=example,
        branches=tuple(branches),
        share_across=college.share_across,
        moderators=tuple(moderators),
    )


async def sync_from_config(colleges: CollegeRepository, config: Config) -> None:
    """Make the stored colleges match config.yaml (`college:` the default, `colleges:` the others)."""
    await colleges.sync(spec_of(config.college, config), [spec_of(c) for c in config.colleges])


def needs_college(actor: Actor) -> list[Reply] | None:
    """The "pick your college first" answer for an actor no college places yet, else None."""
    if actor.college_id is None:
        return [Reply(text=NEEDS_COLLEGE, private=True)]
    return None


def own_scope(actor: Actor) -> Scope:
    """The college ids a college-scoped read of this actor may see: their own college.

    None (no filter) only for an actor the resolver did not place because no college store is wired
    (unit tests of features built without one); on a real deployment every placed actor has a college
    and features answer `needs_college` before reading for an unplaced one.
    """
    return (actor.college_id,) if actor.college_id is not None else None


async def shared_scope(colleges: CollegeRepository, own: int) -> tuple[int, ...]:
    """The "all colleges" view of insights from `own`: itself plus every college sharing across."""
    return (own, *sorted(c.id for c in await colleges.all() if c.share_across and c.id != own))


def college_domains(config: Config) -> list[str]:
    """Every college's e-mail domains from config.yaml (they count as college addresses for /verify)."""
    return [domain for college in (config.college, *config.colleges) for domain in college.email_domains]


async def join_by_email_domain(colleges: CollegeRepository, user_id: int, domain: str) -> str | None:
    """After a verified college e-mail: make its college the user's (verified); the college's name, or
    None when no college has the domain (a plain allowed domain verifies without placing)."""
    college = await colleges.by_email_domain(domain)
    if college is None:
        return None
    await colleges.join(user_id, college.id, "verified_email", verified=True)
    logger.info("user %s joined college %s by verified e-mail", user_id, college.id)
    return college.name


async def college_of(
    colleges: CollegeRepository, belongs: Callable[[tuple[int, ...]], Awaitable[bool]]
) -> int | None:
    """The college an item belongs to, asked one college at a time through `belongs(scope)` (the
    scoped read the feature already has); None when none claims it. A deployment has a handful of
    colleges and this runs only for rare alerts (a post hidden after reports)."""
    for college in await colleges.all():
        if await belongs((college.id,)):
            return college.id
    return None


async def moderator_chats(services: Any, college_id: int | None) -> list[ChatRef]:
    """Where a college's moderators are alerted: config's moderator chats for the default college (and
    for None: single-college callers), plus the private chats of the college's own moderators
    (college_moderators rows; a Telegram, console or Discord private chat id is the user's id)."""
    colleges: CollegeRepository = services.repos.colleges
    default = next((c for c in await colleges.all() if c.is_default), None)
    chats: list[ChatRef] = []
    if college_id is None or (default is not None and college_id == default.id):
        chats.extend(services.moderator_chats())
    if college_id is not None:
        chats.extend(
            ChatRef(platform, account, True) for platform, account in await colleges.moderators(college_id)
        )
    return list(dict.fromkeys(chats))
