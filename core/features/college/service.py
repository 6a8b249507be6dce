"""/college (issue #15): see and pick your college, link a Discord server to one, make invite links.

Who belongs where is decided by the actor resolver (core/actors.py) from what this feature stores:
a picked college (unverified), an invite deep link (`/start join-<code>-<token>`, from a college
moderator's `/college invite`), a verified college e-mail (core/features/verify) and a community link
(`/college link <code>` by a server's admins: everyone writing there is in that college).
"""

from __future__ import annotations

import logging

from core.events import IncomingEvent
from core.features.base import CommandSink, FeatureBase
from core.ports import CommandInfo
from core.replies import Button, Reply, button_rows
from core.repositories.colleges import College, CollegeRepository, JoinHow
from core.router import command_button_action
from core.services import Services

logger = logging.getLogger(__name__)

JOIN_PREFIX = "join-"
USAGE = (
    "/college — your college and the list to pick from\n"
    "/college pick <code> — make it your college\n"
    "/college link <code> — server admins: everyone in this server belongs to that college\n"
    "/college invite — college moderators: an invite link that places students in your college"
)


def join_payload(code: str, token: str) -> str:
    """The /start payload of an invite link (Telegram allows A-Z a-z 0-9 _ - up to 64 characters)."""
    return f"{JOIN_PREFIX}{code}-{token}"


def parse_join(payload: str) -> tuple[str, str] | None:
    """(code, token) of a /start invite payload, or None when it is not one (codes contain no "-")."""
    if not payload.startswith(JOIN_PREFIX):
        return None
    code, _, token = payload.removeprefix(JOIN_PREFIX).partition("-")
    return (code, token) if code and token else None


class CollegeFeature(FeatureBase):
    """The /college command and invite deep links."""

    name = "college"

    def __init__(self, services: Services) -> None:
        self._services = services
        self._colleges: CollegeRepository = services.repos.colleges

    def register(self, commands: CommandSink) -> None:
        """Add /college."""
        commands.add(
            CommandInfo("college", "Your college: pick it, link a server, invite students", "[action]"),
            self.college,
        )

    async def college(self, event: IncomingEvent) -> list[Reply]:
        """`/college`, `/college pick <code>`, `/college link <code>`, `/college invite`."""
        verb, _, rest = " ".join(event.args.split()).partition(" ")
        verb = verb.lower()
        if verb == "pick":
            return await self._pick(event, rest)
        if verb == "link":
            return await self._link(event, rest)
        if verb == "invite":
            return await self._invite(event)
        if verb:
            return [Reply(text=USAGE, private=True)]
        return await self._show(event)

    async def _show(self, event: IncomingEvent) -> list[Reply]:
        colleges = await self._colleges.all()
        mine = next((c for c in colleges if c.id == event.actor.college_id), None)
        if len(colleges) == 1:
            return [Reply(text=f"🏫 This bot serves {colleges[0].name}.", private=True)]
        head = (
            f"🏫 Your college: **{mine.name}** ({mine.code})."
            if mine
            else "🏫 You have not picked a college yet."
        )
        if event.chat.community:
            return [Reply(text=head + "\n" + USAGE, private=True)]
        buttons = [Button(c.name, command_button_action("college", f"pick {c.code}")) for c in colleges]
        text = head + "\nPick yours (or /verify your college e-mail, or open your college's invite link):"
        return [Reply(text=text, buttons=button_rows(buttons, 1), private=True)]

    async def _pick(self, event: IncomingEvent, code: str) -> list[Reply]:
        if event.chat.community:
            return [
                Reply(text="In this server your college is the one the server is linked to.", private=True)
            ]
        college = await self._colleges.by_code(code.strip()) if code.strip() else None
        if college is None:
            return [
                Reply(
                    text=f"There is no college with the code {code.strip()[:32]!r}. See /college.",
                    private=True,
                )
            ]
        return await self._join(event, college, "picked")

    async def _join(self, event: IncomingEvent, college: College, how: JoinHow) -> list[Reply]:
        user_id = await event.actor.ensure_id()
        try:
            await self._colleges.join(user_id, college.id, how, verified=False)
        except PermissionError:
            return [
                Reply(
                    text="Your college was confirmed by your verified college e-mail, so it cannot be "
                    "changed by picking another one.",
                    private=True,
                )
            ]
        logger.info("user %s joined college %s (%s)", user_id, college.id, how)
        return [
            Reply(
                text=f"🏫 You are now in **{college.name}**: what you read and share is theirs.", private=True
            )
        ]

    async def _link(self, event: IncomingEvent, code: str) -> list[Reply]:
        community = event.chat.community
        if not community:
            return [
                Reply(
                    text="Linking is for a server: run /college link <code> in a server channel.",
                    private=True,
                )
            ]
        if not event.is_moderator:  # the platform's own signal here: a server admin/moderator role
            return [Reply(text="Only the server's moderators can link it to a college.", private=True)]
        college = await self._colleges.by_code(code.strip()) if code.strip() else None
        if college is None:
            return [Reply(text=f"There is no college with the code {code.strip()[:32]!r}.", private=True)]
        await self._colleges.link_community(event.chat.platform, community, college.id)
        return [Reply(text=f"🔗 This server now belongs to **{college.name}**.", private=True)]

    async def _invite(self, event: IncomingEvent) -> list[Reply]:
        college_id = event.actor.college_id
        if not event.actor.is_moderator or college_id is None:
            return [Reply(text="Only a college's moderators can make invite links.", private=True)]
        college = await self._colleges.get(college_id)
        assert college is not None
        token = await self._colleges.create_invite(college_id, await event.actor.ensure_id())
        payload = join_payload(college.code, token)
        bot = self._services.config.telegram.bot_username
        link = f"https://t.me/{bot}?start={payload}" if bot else f"/start {payload}"
        return [
            Reply(
                text=f"✉️ Invite to {college.name}: {link}\nAnyone who opens it joins {college.name}.",
                private=True,
            )
        ]

    async def start_payload(self, event: IncomingEvent) -> list[Reply] | None:
        """The answer to `/start join-<code>-<token>` (an invite deep link), or None for other payloads."""
        parsed = parse_join(event.args.strip())
        if parsed is None:
            return None
        college = await self._colleges.redeem_invite(*parsed)
        if college is None:
            return [
                Reply(
                    text="That invite link is not valid (any more). Ask your college's moderators.",
                    private=True,
                )
            ]
        return await self._join(event, college, "invite")
