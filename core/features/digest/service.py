"""/subscribe, /unsubscribe and /subscriptions: who gets the weekly insight digest, per chat and company.

In a private chat a student subscribes themselves (kind "user"); in a group or guild channel only a
moderator can subscribe the channel (kind "channel"). `/subscribe` starts the general digest;
`/subscribe <company>` also lists that company's new experiences in it. `/unsubscribe` stops every
digest of the chat, `/unsubscribe <company>` only that company. Discord channels in
config.discord.digest_channel_ids are subscribed at start (config is the source of truth for those).
"""

from __future__ import annotations

import logging

from core.colleges import needs_college
from core.events import IncomingEvent
from core.features.base import CommandSink, FeatureBase
from core.features.company.charts import ChartService
from core.features.company.lookup import lookup
from core.features.digest.send import DigestSender
from core.ports import CommandInfo
from core.replies import Button, Reply, button_rows
from core.repositories.companies import CompanyName
from core.repositories.digest import ALL, DigestRepository
from core.router import command_button_action
from core.services import Services
from core.text_norm import looks_like_id, parse_id

logger = logging.getLogger(__name__)

DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
MAX_BUTTONS = 10
MODERATORS_ONLY = (
    "Only moderators can subscribe or unsubscribe this channel. "
    "To get the weekly digest yourself, send me /subscribe in a private chat."
)


class DigestFeature(FeatureBase):
    """Subscription commands, plus the sender the scheduler and `main.py digest` drive."""

    name = "digest"

    def __init__(self, services: Services, repo: DigestRepository, sender: DigestSender) -> None:
        self._services = services
        self.repo = repo
        self.sender = sender

    def register(self, commands: CommandSink) -> None:
        """Add /subscribe, /unsubscribe and /subscriptions."""

        commands.add(
            CommandInfo(
                "subscribe", "Get the weekly insight digest (optionally follow a company)", "[company]"
            ),
            self.subscribe,
        )
        commands.add(
            CommandInfo("unsubscribe", "Stop the weekly digest (or stop following a company)", "[company]"),
            self.unsubscribe,
        )
        commands.add(CommandInfo("subscriptions", "What weekly digests this chat gets"), self.subscriptions)

    def schedule_text(self) -> str:
        """ "every Monday at 09:00 (Asia/Kolkata)"."""
        c = self._services.config.digest
        return f"every {DAY_NAMES[c.weekday]} at {c.hour:02d}:{c.minute:02d} ({c.timezone})"

    async def subscribe_config_channels(self) -> int:
        """Subscribe the channels listed in the config (idempotent); how many were new."""
        added = 0
        for platform, channel_id in self._services.config.digest_channels():
            added += await self.repo.subscribe(
                platform, channel_id, kind="channel", user_id=None, company_id=None
            )
        if added:
            logger.info("subscribed %d configured channel(s) to the digest", added)
        return added

    async def _company(self, event: IncomingEvent, command: str) -> tuple[CompanyName | None, Reply | None]:
        """The company named in the arguments ("#12" from a button, or typed text)."""
        typed = event.args.strip()
        if typed.startswith("#") and looks_like_id(typed):
            company_id = parse_id(typed)
            name = await self._services.repos.companies.name_of(company_id) if company_id else None
            if company_id is None or name is None:
                return None, Reply(text="That company no longer exists. Send /subscriptions to see yours.")
            return CompanyName(company_id, name, ()), None
        if len(typed) > 120:
            return None, Reply(text="That company name is too long. Try /subscribe TCS, for example.")
        return await lookup(self._services, typed, lambda cid: command_button_action(command, f"#{cid}"))

    @staticmethod
    def _allowed(event: IncomingEvent) -> bool:
        return event.chat.is_private or event.actor.is_moderator

    async def subscribe(self, event: IncomingEvent) -> list[Reply]:
        """`/subscribe` (the general digest) or `/subscribe <company>` (also that company's new posts)."""
        if not self._allowed(event):
            return [Reply(text=MODERATORS_ONLY, private=True)]
        if (unplaced := needs_college(event.actor)) is not None:  # a digest is a college's week
            return unplaced
        company = None
        if event.args.strip():
            company, problem = await self._company(event, "subscribe")
            if problem is not None:
                return [problem]
        channel = not event.chat.is_private
        user_id = None
        if not channel:
            user_id = await event.actor.ensure_id()
        new = await self.repo.subscribe(
            event.chat.platform,
            event.chat.id,
            kind="channel" if channel else "user",
            user_id=user_id,
            company_id=company.id if company else None,
            college_id=event.actor.college_id,
        )
        who = "This channel" if channel else "You"
        will = "this channel will" if channel else "you'll"
        when = self.schedule_text()
        if company is not None:
            if not new:
                return [Reply(text=f"{who} already follow{'s' if channel else ''} {company.name} here.")]
            return [
                Reply(
                    text=f"✅ Following **{company.name}**: {will} see its new "
                    f"experiences in the weekly digest, {when}.\n/subscriptions lists everything; "
                    f"/unsubscribe {company.name} stops it."
                )
            ]
        if not new:
            return [Reply(text=f"{who} already get{'s' if channel else ''} the weekly digest, {when}.")]
        return [
            Reply(
                text=f"✅ Subscribed: {will} get the weekly interview digest "
                f"{when}: new experiences, top companies, selection rate, hot topics and the most asked "
                "questions.\nFollow a company too with /subscribe <company>; stop with /unsubscribe."
            )
        ]

    async def unsubscribe(self, event: IncomingEvent) -> list[Reply]:
        """`/unsubscribe` stops every digest of this chat; `/unsubscribe <company>` just that company."""
        if not self._allowed(event):
            return [Reply(text=MODERATORS_ONLY, private=True)]
        if not event.args.strip():
            stopped = await self.repo.unsubscribe(event.chat.platform, event.chat.id, ALL)
            if not stopped:
                return [Reply(text="There is no weekly digest to stop here. /subscribe starts one.")]
            return [Reply(text="🔕 Unsubscribed: no more weekly digests here. /subscribe brings them back.")]
        company, problem = await self._company(event, "unsubscribe")
        if problem is not None:
            return [problem]
        assert company is not None
        stopped = await self.repo.unsubscribe(event.chat.platform, event.chat.id, company.id)
        if not stopped:
            return [Reply(text=f"{company.name} is not followed here. /subscriptions shows what is.")]
        return [Reply(text=f"🔕 Stopped following **{company.name}** in the weekly digest.")]

    async def subscriptions(self, event: IncomingEvent) -> list[Reply]:
        """List this chat's subscriptions with a button to stop each."""
        subs = await self.repo.for_chat(event.chat.platform, event.chat.id)
        if not subs:
            return [
                Reply(
                    text="No weekly digest here yet. /subscribe starts it; /subscribe <company> also follows "
                    "a company's new experiences."
                )
            ]
        where = "this channel" if not event.chat.is_private else "you"
        lines = [f"📬 The weekly digest reaches {where} {self.schedule_text()}."]
        general = any(s.company_id is None for s in subs)
        lines.append("• The week across all companies" + ("" if general else " (included with any company)"))
        companies = [s for s in subs if s.company_id is not None]
        lines += [f"• New experiences at {s.company}" for s in companies]
        buttons: list[Button] = []
        if self._allowed(event):
            buttons = [
                Button(f"🔕 {s.company}", command_button_action("unsubscribe", f"#{s.company_id}"))
                for s in companies[:MAX_BUTTONS]
            ]
            buttons.append(Button("🔕 Stop all", command_button_action("unsubscribe")))
        return [Reply(text="\n".join(lines), buttons=button_rows(buttons))]


def build_digest(services: Services, repo: DigestRepository, charts: ChartService) -> DigestFeature:
    """The digest feature on its repository, sending through `services.push` and drawing with `charts`."""
    sender = DigestSender(services, repo, charts, services.config.digest)
    return DigestFeature(services, repo, sender)
