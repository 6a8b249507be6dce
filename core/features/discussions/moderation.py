"""Community moderation: review cards for threads, resources and reported replies; votes; FAQ promotion."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from core.colleges import Scope, college_of, moderator_chats, needs_college, own_scope
from core.dialog.engine import DialogEngine, Flow
from core.dialog.steps import Ask, DialogContext, Invalid, finish
from core.events import Actor, IncomingEvent
from core.features.base import CommandSink
from core.features.discussions.common import parse_id, short, tell
from core.features.moderation.service import REJECT_REASONS, REPORT_REASONS
from core.ports import CommandInfo
from core.replies import Button, Document, Reply
from core.repositories.community import CommunityRepository
from core.router import command_button_action
from core.services import Services
from core.text_norm import looks_like_id

logger = logging.getLogger(__name__)

KIND_CODES = {"t": "thread", "r": "resource", "p": "post"}
CODES = {kind: code for code, kind in KIND_CODES.items()}
KIND_NAMES = {"thread": "discussion", "resource": "resource", "post": "reply"}
MAX_REASON = 500
Published = Callable[[int], Awaitable[None]]


def parse_target(text: str) -> tuple[str, int] | None:
    """ "t12" / "r3" / "p45" -> (kind, id)."""
    text = text.strip().lower()
    if len(text) < 2 or text[0] not in KIND_CODES:
        return None
    target = parse_id(text[1:])
    return (KIND_CODES[text[0]], target) if target is not None else None


def code(kind: str, target_id: int) -> str:
    """The short code of a review target ("t12")."""
    return f"{CODES[kind]}{target_id}"


def _reason(raw: str, ctx: DialogContext) -> str:
    reason = " ".join(raw.split())
    if len(reason) < 3:
        raise Invalid("Please give a short reason (at least 3 characters).")
    return reason[:MAX_REASON]


class CommunityModeration:
    """Review queue for threads/resources/reported replies, helpful votes and reports on replies, /promote."""

    def __init__(
        self, services: Services, engine: DialogEngine, repo: CommunityRepository, published: Published
    ) -> None:
        self._services = services
        self._engine = engine
        self._repo = repo
        self._published = published

    def flows(self) -> list[Flow]:
        """Dialogs: a moderator's rejection reason, a reader's report reason."""
        reject = Ask(
            "reason",
            "Reason",
            "Why is it rejected or removed? Pick a reason or type one; the author will see it.",
            _reason,
            max_length=MAX_REASON,
            suggestions=REJECT_REASONS[:1] + ("Off-topic or spam", "Offensive content"),
            then=finish(self._rejected),
        )
        report = Ask(
            "reason",
            "Reason",
            "What is wrong with this reply? Pick a reason or type one.",
            _reason,
            max_length=MAX_REASON,
            suggestions=REPORT_REASONS,
            then=finish(self._reported),
        )
        return [Flow("community_reject", "rejection", [reject]), Flow("post_report", "report", [report])]

    def register(self, commands: CommandSink) -> None:
        """Add the commands to the router."""
        commands.add(
            CommandInfo(
                "moderate",
                "Moderators: review waiting discussions, resources and reported replies",
                "[t<id>|r<id>|p<id>]",
                moderator_only=True,
            ),
            self.moderate,
        )
        commands.add(
            CommandInfo(
                "promote",
                "Moderators: put a resolved discussion in the company FAQ",
                "<id>",
                moderator_only=True,
            ),
            self.promote,
        )
        commands.add(
            CommandInfo("upvote", "Mark a reply in a discussion as helpful", "<reply id>"), self.upvote
        )
        commands.add(CommandInfo("flag", "Report a post in a discussion", "<reply id> [reason]"), self.flag)

    # --- cards --------------------------------------------------------------------------------------

    async def card(self, kind: str, target_id: int, colleges: Scope = None) -> Reply | None:
        """The review card of a thread, resource or reported reply of `colleges` (None: any college);
        None if it does not exist there (issue #15: another college's item reads as missing)."""
        if not await self._in_colleges(kind, target_id, colleges):
            return None
        waiting = await self._repo.pending_count(colleges=colleges)
        target = code(kind, target_id)
        files: tuple[Document, ...] = ()
        if kind == "thread":
            thread = await self._repo.thread(target_id)
            if thread is None:
                return None
            first = await self._repo.first_post(target_id)
            author = await self._author(thread.author_user_id, thread.anonymous)
            scope = " · ".join(p for p in (thread.company, f"#{thread.topic}" if thread.topic else None) if p)
            lines = [
                f"**Review discussion #{target_id}** ({thread.status}; {waiting} waiting)",
                f"{scope} · by {author}",
                f"Title: {thread.title}",
                f"First post: {short(first.body, 600) if first else '—'}",
            ]
            status = thread.status
        elif kind == "resource":
            resource = await self._repo.resource(target_id)
            if resource is None:
                return None
            author = await self._author(resource.user_id, False)
            what = (
                f"link {resource.url}"
                if resource.url
                else f"PDF {resource.file_name} ({resource.size // 1024} KB)"
            )
            lines = [
                f"**Review resource #{target_id}** ({resource.status}; {waiting} waiting)",
                f"{resource.company} · {what} · by {author}",
                f"Title: {resource.title}",
            ]
            status = resource.status
            stored = await self._repo.resource_file(target_id)
            if stored is not None:
                files = (Document(stored[1], stored[0], "application/pdf", caption=resource.title),)
        else:
            post = await self._repo.post(target_id)
            if post is None:
                return None
            author = await self._author(post.author_user_id, post.anonymous)
            reports = await self._repo.reports_on("post", target_id)
            lines = [
                f"**Review reply {target_id} in discussion #{post.thread_id}** ({post.status} after "
                f"{post.report_count} report(s); {waiting} waiting)",
                f"By {author}: {short(post.body, 600)}",
                "Reports: " + "; ".join(short(r, 120) for r in reports[:5]),
            ]
            status, files = ("pending" if post.status == "hidden" else post.status), ()
        approve, reject = ("✅ Restore", "🗑 Remove") if kind == "post" else ("✅ Approve", "❌ Reject")
        buttons: tuple[tuple[Button, ...], ...] = ()
        if status == "pending":
            buttons = (
                (
                    Button(approve, command_button_action("moderate", f"approve {target}")),
                    Button(reject, command_button_action("moderate", f"reject {target}")),
                ),
                (Button("⏭ Next", command_button_action("moderate", f"next {target}")),),
            )
        return Reply(text="\n".join(lines), buttons=buttons, files=files, private=True)

    async def _in_colleges(self, kind: str, target_id: int, colleges: Scope) -> bool:
        """Whether a thread, resource or reply (by its thread) belongs to `colleges` (None: always)."""
        if colleges is None:
            return True
        if kind == "resource":
            return await self._repo.resource(target_id, colleges=colleges) is not None
        if kind == "post":
            post = await self._repo.post(target_id)
            if post is None:
                return False
            target_id = post.thread_id
        return await self._repo.thread(target_id, colleges=colleges) is not None

    async def _author(self, user_id: int | None, anonymous: bool) -> str:
        """Who wrote it, for moderators: an anonymous author stays unnamed (internal number only)."""
        if user_id is None:
            return "a deleted account"
        points = await self._repo.reputation(user_id)
        if anonymous:
            return f"Anonymous (member no. {user_id}, reputation {points})"
        name = await self._repo.display_name(user_id)
        return f"{name or 'A student'} (reputation {points})"

    async def announce(self, kind: str, target_id: int, why: str = "new") -> None:
        """Send moderators the review card of something that now waits for them."""
        card = await self.card(kind, target_id)
        if card is None:
            return
        headline = {
            "new": f"🆕 A new {KIND_NAMES[kind]} waits for review: /moderate {code(kind, target_id)}",
            "reported": f"🚩 A {KIND_NAMES[kind]} is hidden after reports: /moderate {code(kind, target_id)}",
        }[why]
        college = await college_of(  # the moderators of the item's college (issue #15)
            self._services.repos.colleges, lambda scope: self._in_colleges(kind, target_id, scope)
        )
        for chat in await moderator_chats(self._services, college):
            reply = Reply(
                text=headline + "\n" + card.text,
                buttons=card.buttons,
                files=card.files,
                private=chat.is_private,
            )
            await self._services.notify(chat, reply)

    # --- decisions ----------------------------------------------------------------------------------

    async def moderate(self, event: IncomingEvent) -> list[Reply]:
        """`/moderate`, `/moderate t12`, and the card buttons: approve, reject, next."""
        words = event.args.lower().split()
        verb = words[0] if words and words[0] in ("approve", "reject", "next", "show") else "show"
        target = parse_target(words[-1]) if words else None
        if words and target is None and words[-1] not in ("show", "next"):
            return [
                Reply(
                    text="Name what to review as t<id> (discussion), r<id> (resource) or p<id> (reply), "
                    "e.g. /moderate t12.",
                    private=True,
                )
            ]
        if (unplaced := needs_college(event.actor)) is not None:
            return unplaced
        colleges = own_scope(event.actor)  # issue #15: a moderator reviews their college's items only
        in_verb = verb in ("approve", "reject") and target is not None
        if in_verb and target is not None and not await self._in_colleges(*target, colleges):
            return [Reply(text=f"There is no {KIND_NAMES[target[0]]} {code(*target)}.", private=True)]
        if verb == "approve" and target is not None:
            return await self._decide(event, target, approve=True)
        if verb == "reject" and target is not None:
            answers = {
                "target": code(*target),
            }
            return await self._engine.start(event, "community_reject", answers)
        if verb == "next" or target is None:
            target = await self._repo.next_waiting(after=target, colleges=colleges)
        if target is None:
            return [
                Reply(text="🎉 No discussions, resources or reported replies wait for review.", private=True)
            ]
        card = await self.card(*target, colleges=colleges)
        if card is None:
            return [Reply(text=f"There is no {KIND_NAMES[target[0]]} {code(*target)}.", private=True)]
        return [card]

    async def _decide(
        self, event: IncomingEvent, target: tuple[str, int], approve: bool, reason: str = ""
    ) -> list[Reply]:
        moderator = await event.actor.ensure_id()
        return await self._decide_as(moderator, target, approve, reason, event, own_scope(event.actor))

    async def _decide_as(
        self,
        moderator: int,
        target: tuple[str, int],
        approve: bool,
        reason: str,
        event: IncomingEvent | None,
        colleges: Scope = None,
    ) -> list[Reply]:
        kind, target_id = target
        outcome = await self._repo.decide(kind, target_id, moderator, approve, reason, colleges=colleges)
        if outcome is None:
            return [
                Reply(
                    text=f"{code(kind, target_id)} is no longer waiting (another moderator decided).",
                    private=True,
                )
            ]
        name = KIND_NAMES[kind]
        if approve and kind == "thread":
            await self._published(target_id)
            await tell(
                self._services,
                outcome.author,
                f"✅ Your discussion #{target_id} “{short(outcome.title, 60)}” is now public.",
            )
        elif approve and kind == "resource":
            await tell(
                self._services,
                outcome.author,
                f"✅ Your resource “{short(outcome.title, 60)}” is now listed.",
            )
        elif not approve:
            await tell(
                self._services,
                outcome.author,
                f"Your {name} “{short(outcome.title, 60)}” was "
                f"{'removed' if kind == 'post' else 'not published'}. Reason: {reason}.",
            )
        verb = (
            ("Restored" if approve else "Removed")
            if kind == "post"
            else ("Approved" if approve else "Rejected")
        )
        replies = [Reply(text=f"{verb} {name} {code(kind, target_id)}.", private=True)]
        following = await self._repo.next_waiting(after=target, colleges=colleges)
        if following is not None:
            card = await self.card(*following, colleges=colleges)
            if card is not None:
                replies.append(card)
        return replies

    async def _rejected(self, ctx: DialogContext) -> list[Reply]:
        target = parse_target(ctx.answers["target"])
        assert target is not None
        moderator = await ctx.actor.ensure_id()
        return await self._decide_as(
            moderator, target, False, ctx.answers["reason"], None, own_scope(ctx.actor)
        )

    async def promote(self, event: IncomingEvent) -> list[Reply]:
        """`/promote <id>` (moderators): a resolved company thread becomes a pinned FAQ entry."""
        thread_id = parse_id(event.args)
        if thread_id is None and looks_like_id(event.args):
            return [Reply(text=f"There is no discussion #{event.args.strip()}.", private=True)]
        if thread_id is None:
            return [Reply(text="Tell me which discussion: /promote <id>, e.g. /promote 12.", private=True)]
        moderator = await event.actor.ensure_id()
        if await self._repo.thread(thread_id, colleges=own_scope(event.actor)) is None:  # issue #15
            return [Reply(text=f"There is no discussion #{thread_id}.", private=True)]
        outcome, faq_id = await self._repo.promote(thread_id, moderator)
        text = {
            "ok": f"📌 #{thread_id} is now pinned in the company's FAQ (FAQ entry {faq_id}).",
            "missing": f"There is no discussion #{thread_id}.",
            "not_resolved": f"#{thread_id} is not resolved yet: mark it with /solve {thread_id} first.",
            "no_company": f"#{thread_id} is a topic discussion; only company discussions go into a FAQ.",
            "no_answer": f"#{thread_id} has no visible reply to use as the answer.",
            "exists": f"#{thread_id} is already in the FAQ (entry {faq_id}).",
        }[outcome]
        return [Reply(text=text, private=True)]

    # --- readers: votes and reports -----------------------------------------------------------------

    async def upvote(self, event: IncomingEvent) -> list[Reply]:
        """`/upvote <reply id>` or the 👍 button: one vote per reader, never your own, replies only."""
        post_id = parse_id(event.args)
        if post_id is None and looks_like_id(event.args):
            return [Reply(text=f"There is no visible reply {event.args.strip()}.", private=True)]
        if post_id is None:
            return [Reply(text="Tell me which reply: /upvote <reply id> (the number in [brackets]).")]
        voter = await event.actor.ensure_id()
        outcome, count = await self._repo.vote_post(voter, post_id)
        text = {
            "ok": f"👍 Thanks! {count} reader(s) found reply {post_id} helpful.",
            "own": "You can't vote for your own reply, but thanks for helping!",
            "duplicate": "You already marked this reply as helpful.",
            "first_post": "That is the question itself; vote for the replies that helped you.",
            "missing": f"There is no visible reply {post_id}.",
        }[outcome]
        return [Reply(text=text, private=True)]

    async def flag(self, event: IncomingEvent) -> list[Reply]:
        """`/flag <reply id> [reason]` or the 🚩 button (which asks for the reason)."""
        number, _, reason = event.args.strip().partition(" ")
        post_id = parse_id(number)
        if post_id is None and looks_like_id(number):
            return [Reply(text=f"There is no reply {number}.", private=True)]
        if post_id is None:
            return [Reply(text="Tell me which post: /flag <reply id> [reason], e.g. /flag 45 spam.")]
        if reason.strip():
            return await self._report(event.actor, post_id, " ".join(reason.split())[:MAX_REASON])
        if await self._repo.post(post_id) is None:
            return [Reply(text=f"There is no reply {post_id}.", private=True)]
        return await self._engine.start(event, "post_report", {"post_id": post_id})

    async def _reported(self, ctx: DialogContext) -> list[Reply]:
        return await self._report(ctx.actor, ctx.answers["post_id"], ctx.answers["reason"])

    async def _report(self, actor: Actor, post_id: int, reason: str) -> list[Reply]:
        reporter = await actor.ensure_id()
        hide_at = self._services.config.moderation.reports_to_hide
        outcome, hidden = await self._repo.report_post(reporter, post_id, reason, hide_at)
        if outcome == "missing":
            return [Reply(text=f"There is no reply {post_id}.", private=True)]
        if outcome == "duplicate":
            return [
                Reply(text="You have already reported this post; moderators will look at it.", private=True)
            ]
        if hidden:
            await self.announce("post", post_id, why="reported")
        return [Reply(text="Thank you: moderators will review the report.", private=True)]
