"""Greeting, help, the student's own posts, and the entry to the sharing dialog."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from core.colleges import needs_college
from core.dialog.engine import DialogEngine, Flow
from core.events import IncomingEvent
from core.features.base import CommandSink, FeatureBase
from core.features.share.fix import fix_button, start_fix
from core.features.share.flow import FLOW_NAME, build_flow
from core.features.share.paste import OFFERED_KEY, offer_text
from core.ports import CommandInfo
from core.replies import Button, Reply
from core.router import command_button_action
from core.services import Services

logger = logging.getLogger(__name__)

GREETING = (
    "👋 Hi {name}! I'm **Interview Insights**: seniors share how their campus interviews went, "
    "round by round, so you can prepare for the same companies.\n\n"
    "**Preparing for an interview?**\n"
    "• type a company's name (or /company <name>) for its rounds, most asked questions and selection rate\n"
    "• /search <topic or question> searches every experience, e.g. /search dynamic programming\n"
    "• /mock lets you practise answering interview questions on video\n\n"
    "**Had one already?** /share it in a few minutes: paste your write-up or answer step by step, "
    "anonymously if you like. /myposts shows what you shared; /help lists everything I can do."
)
UNFINISHED = "You have an unfinished {title} (it is saved). Continue where you left off, or discard it?"
STATUS_LABELS = {
    "pending": "⏳ pending moderation",
    "approved": "✅ published",
    "rejected": "❌ not published",
    "hidden": "🚫 hidden after reports",
}
MYPOSTS_PAGE = 10


class Basics(FeatureBase):
    """The always-available commands: /start, /help, /share, /cancel, /back, /myposts."""

    name = "help"
    text_priority = 15  # after mirrored discussion threads (10), before PDF uploads (20) and companies (100)

    def __init__(
        self,
        services: Services,
        engine: DialogEngine,
        commands: Callable[[], tuple[CommandInfo, ...]],
        start_payload: Callable[[IncomingEvent], Awaitable[list[Reply] | None]] | None = None,
    ):
        """`start_payload` answers deep-link payloads another feature owns (college invites), or None."""
        self._services = services
        self._engine = engine
        self._commands = commands
        self._start_payload = start_payload

    def flows(self) -> list[Flow]:
        """The sharing dialog /share starts (core/features/share/flow.py)."""
        config = self._services.config
        return [build_flow(config.submission, config.dialog.max_text_chars)]

    def register(self, commands: CommandSink) -> None:
        """Add this feature's commands to the router."""

        commands.add(CommandInfo("start", "Start here: what this bot does"), self.start)
        commands.add(CommandInfo("help", "Everything I can do"), self.help)
        commands.add(
            CommandInfo("share", "Share your interview experience", personal=True, aliases=("submit",)),
            self.share,
        )
        commands.add(CommandInfo("continue", "Continue the question you were answering"), self.resume)
        commands.add(CommandInfo("cancel", "Stop the current question-and-answer"), self.cancel)
        commands.add(CommandInfo("back", "Go back to the previous question"), self.back)
        commands.add(
            CommandInfo("myposts", "The experiences you shared and their status", personal=True), self.myposts
        )
        commands.add(
            CommandInfo("fix", "Fix or edit one of your experiences and submit it again", personal=True),
            self.fix,
        )

    async def start(self, event: IncomingEvent) -> list[Reply]:
        """Greet; a deep-link payload naming a command runs it (t.me/bot?start=share)."""
        payload = event.args.strip().lower()
        if self._start_payload is not None and (answer := await self._start_payload(event)) is not None:
            return answer
        if payload in ("share", "submit"):
            return await self.share(event)
        if payload == "myposts":
            return await self.myposts(event)
        name = event.user.display_name or "there"
        buttons = (
            (
                Button("🏢 Top companies", command_button_action("insights")),
                Button("🎤 Mock interview", command_button_action("mock")),
            ),
            (Button("📝 Share my experience", command_button_action("share")),),
            (
                Button("📋 My posts", command_button_action("myposts")),
                Button("❓ Help", command_button_action("help")),
            ),
        )
        replies = [Reply(text=GREETING.format(name=name), buttons=buttons)]
        title = await self._engine.open_dialog_title(event.key)
        if title is not None:
            choices = (
                (
                    Button("▶️ Continue", command_button_action("continue")),
                    Button("🗑 Discard", command_button_action("cancel")),
                ),
            )
            replies.append(Reply(text=UNFINISHED.format(title=title), buttons=choices, private=True))
        return replies

    async def resume(self, event: IncomingEvent) -> list[Reply]:
        """`/continue`: the question of the unfinished dialog again."""
        prompt = await self._engine.reprompt(event)
        if prompt is None:
            return [Reply(text="There is nothing to continue. Send /share to share an experience.")]
        return [prompt]

    async def help(self, event: IncomingEvent) -> list[Reply]:
        """List the commands (moderator commands only for moderators) and re-ask any open question."""
        lines = ["**What I can do:**"]
        for info in self._commands():
            if info.moderator_only and not event.actor.is_moderator:
                continue
            hint = f" {info.args_hint}" if info.args_hint else ""
            lines.append(f"/{info.name}{hint} — {info.description}")
        lines.append("\nWhile answering questions: /back goes to the previous question, /cancel stops.")
        replies = [Reply(text="\n".join(lines))]
        prompt = await self._engine.reprompt(event)
        if prompt is not None:
            replies.append(
                Reply(text="You are in the middle of sharing; here is your question again:", private=True)
            )
            replies.append(prompt)
        return replies

    async def share(self, event: IncomingEvent) -> list[Reply]:
        """Start the sharing dialog, or resume the one in progress."""
        if (unplaced := needs_college(event.actor)) is not None:  # an experience belongs to a college
            return unplaced
        prompt = await self._engine.reprompt(event)
        if prompt is not None:
            note = Reply(
                text="You are already sharing an experience; let's continue where you left off.", private=True
            )
            return [note, prompt]
        return await self._engine.start(event, FLOW_NAME)

    async def on_text(self, event: IncomingEvent) -> list[Reply] | None:
        """A long write-up or a .txt/.md file sent in a private chat outside any dialog: offer to share it.

        The text is kept in the offer dialog's answers (core/features/share/paste.py OfferStep), so
        pressing "Yes" goes on from it without pasting again. Anything else: None (the next feature).
        """
        if not event.chat.is_private:
            return None
        offered = await offer_text(self._services, event)
        if offered is None:
            return None
        return await self._engine.start(event, FLOW_NAME, answers={OFFERED_KEY: offered}, step="offer")

    async def cancel(self, event: IncomingEvent) -> list[Reply]:
        """Nothing to cancel outside a dialog."""
        return [Reply(text="There is nothing to cancel right now. Send /share to share an experience.")]

    async def back(self, event: IncomingEvent) -> list[Reply]:
        """Nothing to go back to outside a dialog."""
        return [Reply(text="There is no question to go back to right now.")]

    async def myposts(self, event: IncomingEvent) -> list[Reply]:
        """The student's own experiences, newest first, with moderation status (and reject reasons)."""
        repos = self._services.repos
        user_id = event.actor.user_id
        posts = await repos.experiences.list_by_user(user_id, limit=MYPOSTS_PAGE) if user_id else []
        if not posts or user_id is None:
            button = (Button("📝 Share my experience", command_button_action("share")),)
            return [Reply(text="You haven't shared any experience yet.", buttons=(button,), private=True)]
        total = await repos.experiences.count_by_user(user_id)
        lines = [f"**Your experiences ({total}):**"]
        for post in posts:
            status = STATUS_LABELS.get(post.status, post.status)
            reason = (
                f" — reason: {post.reject_reason}" if post.status == "rejected" and post.reject_reason else ""
            )
            lines.append(f"#{post.id} {post.company}, {post.role} ({post.interview_year}): {status}{reason}")
        if total > len(posts):
            lines.append(f"…and {total - len(posts)} older ones.")
        buttons = [fix_button(post.id, post.status) for post in posts]
        rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
        return [Reply(text="\n".join(lines), buttons=rows, private=True)]

    async def fix(self, event: IncomingEvent) -> list[Reply]:
        """`/fix <id>`: reopen one's own experience on the review screen (core.features.share.fix)."""
        return await start_fix(self._services, self._engine, event)


async def fallback_text(event: IncomingEvent) -> list[Reply]:
    """A message outside any dialog: point to what the bot can do."""
    if event.kind == "upload":
        return [
            Reply(text="Thanks, but I wasn't expecting a file right now. Send /help to see what I can do.")
        ]
    return [
        Reply(text="Send /share to share your interview experience, or /help to see everything I can do.")
    ]
