"""Moderation: review queue with approve / reject-with-reason / edit, reports, helpful votes, leaderboard."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from core.colleges import college_of, moderator_chats, needs_college, own_scope
from core.dialog.engine import DialogEngine, Flow
from core.dialog.steps import Ask, Choose, DialogContext, Invalid, Option, finish
from core.events import ChatRef, IncomingEvent
from core.features.base import CommandSink, FeatureBase
from core.features.share.steps import ROUND_LABELS
from core.ports import CommandInfo
from core.replies import Button, Reply, or_dash
from core.repositories.moderation import ExperienceCard
from core.repositories.users import Recipient
from core.router import command_button_action
from core.services import Services
from core.text_norm import looks_like_id, parse_id

logger = logging.getLogger(__name__)

REJECT_REASONS = (
    "Too little detail",
    "Duplicate of another post",
    "Not an interview experience",
    "Offensive content",
)
REPORT_REASONS = ("Spam or advertising", "Wrong or misleading", "Offensive", "Reveals personal data")
EDIT_OPTIONS = [
    Option("role", "Role"),
    Option("role_description", "Role description"),
    Option("preparation", "Preparation"),
    Option("reflections", "Reflections"),
    Option("company", "Company"),
]
BADGE_LABELS = {"first_share": "🌱 first share", "five_shares": "🏅 5 shares"}
MAX_REASON = 500


def badge_label(badge: str) -> str:
    """A badge as people read it."""
    if badge.startswith("top_contributor_"):
        year, month = badge.removeprefix("top_contributor_").split("_")
        return f"🏆 top contributor {year}-{month}"
    return BADGE_LABELS.get(badge, badge)


PERSONAL_DATA_LABELS = {
    "name": "name",
    "roll_number": "roll number",
    "email": "e-mail",
    "phone": "phone",
    "linkedin": "LinkedIn",
}


def personal_data_labels(kinds: Sequence[str]) -> str:
    """Kinds of personal data as the moderator reads them: "name, roll number, phone"."""
    return ", ".join(PERSONAL_DATA_LABELS.get(kind, kind) for kind in kinds)


def render_card(card: ExperienceCard, waiting: int) -> Reply:
    """The compact review card a moderator decides on (includes the private roll number)."""
    status = {"pending": "new", "hidden": f"hidden after {card.report_count} report(s)"}.get(
        card.status, card.status
    )
    author = f"{card.author_name} ({'anonymous' if card.anonymous else 'public'})"
    lines = [
        f"**Review #{card.id}** ({status}; {waiting} waiting)",
        f"{card.company} · {card.role} · interview {card.interview_year} · {card.source.replace('_', '-')} · "
        f"{card.outcome}",
        f"Author: {author}, {or_dash(card.branch)} {or_dash(card.passout_year)}, "
        f"roll {or_dash(card.roll_number)}" + (" ✔ verified" if card.verified else ""),
    ]
    if card.changed:
        lines.append("✏️ Resubmitted; changed: " + ", ".join(card.changed))
    for number, (kind, questions) in enumerate(card.rounds, start=1):
        shown = "; ".join(q[:80] for q in questions[:3]) + (" …" if len(questions) > 3 else "")
        lines.append(f"R{number} {ROUND_LABELS.get(kind, kind)}: {shown}")
    lines.append(f"Preparation: {card.preparation[:300]}")
    lines.append(f"Reflections: {card.reflections[:300]}")
    if card.to_mask:
        lines.append(
            "🔒 Personal data that will be masked when published: " + personal_data_labels(card.to_mask)
        )
    if card.masked:
        lines.append("🔒 Personal data masked when it was published: " + personal_data_labels(card.masked))
    if card.reports:
        lines.append("Reports: " + "; ".join(card.reports[:5]))
    for other, similarity in card.duplicates:
        lines.append(f"⚠️ Possible duplicate of #{other} ({similarity}% similar)")
    buttons = (
        (
            Button("✅ Approve", command_button_action("review", f"approve {card.id}")),
            Button("❌ Reject", command_button_action("review", f"reject {card.id}")),
        ),
        (
            Button("✏️ Edit", command_button_action("review", f"edit {card.id}")),
            Button("⏭ Next", command_button_action("review", f"next {card.id}")),
        ),
    )
    return Reply(text="\n".join(lines), buttons=buttons, private=True)


class Moderation(FeatureBase):
    """Commands and dialogs of moderators and of every reader who reports or votes."""

    name = "moderation"

    def __init__(self, services: Services, engine: DialogEngine) -> None:
        self._services = services
        self._engine = engine
        self._repo = services.moderation

    def flows(self) -> list[Flow]:
        """The dialogs this feature runs: reject with reason, edit a field, report with reason."""

        reject = Flow(
            "mod_reject",
            "rejection",
            [
                Ask(
                    "reason",
                    "Reason",
                    "Why is it rejected? Pick a reason or type one; the author will see it.",
                    self._reason,
                    max_length=MAX_REASON,
                    suggestions=REJECT_REASONS,
                    then=finish(self._rejected),
                )
            ],
        )
        edit = Flow(
            "mod_edit",
            "edit",
            [
                Choose("field", "Field", "Which field do you want to correct?", EDIT_OPTIONS, per_row=2),
                Ask(
                    "value",
                    "New value",
                    "Type the corrected text.",
                    self._edit_value,
                    multiline=True,
                    max_length=3000,
                    then=finish(self._edited),
                ),
            ],
        )
        report = Flow(
            "report",
            "report",
            [
                Ask(
                    "reason",
                    "Reason",
                    "What is wrong with this post? Pick a reason or type one.",
                    self._reason,
                    max_length=MAX_REASON,
                    suggestions=REPORT_REASONS,
                    then=finish(self._reported),
                )
            ],
        )
        return [reject, edit, report]

    def register(self, commands: CommandSink) -> None:
        """Add the commands to the router."""
        commands.add(
            CommandInfo("review", "Moderators: review waiting posts", moderator_only=True, args_hint="[id]"),
            self.review,
        )
        commands.add(
            CommandInfo("report", "Report a post that breaks the rules", args_hint="<id>"), self.report
        )
        commands.add(CommandInfo("helpful", "Mark an experience as helpful", args_hint="<id>"), self.helpful)
        commands.add(CommandInfo("leaderboard", "Top contributors and badges"), self.leaderboard)

    @staticmethod
    async def _moderator_id(event: IncomingEvent) -> int:
        return await event.actor.ensure_id()

    async def review(self, event: IncomingEvent) -> list[Reply]:
        """`/review`, `/review 12`, and the card's buttons: approve, reject, edit, next."""
        words = event.args.split()
        verb = words[0].lower() if words and not looks_like_id(words[0]) else "show"
        typed = next((w for w in words if looks_like_id(w)), None)
        target = parse_id(typed) if typed is not None else None
        if typed is not None and target is None:
            return [Reply(text=f"There is no experience #{typed}.", private=True)]
        # Issue #15: a moderator works on their college's queue only; another college's item by id answers
        # exactly like a missing one.
        if (unplaced := needs_college(event.actor)) is not None:
            return unplaced
        scope = own_scope(event.actor)
        if verb in ("approve", "reject", "edit") and target is not None:
            if await self._repo.card(target, colleges=scope) is None:
                return [Reply(text=f"There is no experience #{target}.", private=True)]
            if verb == "approve":
                return await self._approve(event, target)
            answers = {"experience_id": target}
            return await self._engine.start(event, f"mod_{verb}", answers)
        if verb == "next":
            target = await self._repo.next_in_queue(after_id=target or 0, colleges=scope)
        elif target is None:
            target = await self._repo.next_in_queue(colleges=scope)
        if target is None:
            return [Reply(text="🎉 The queue is empty: nothing waits for review.", private=True)]
        card = await self._repo.card(target, colleges=scope)
        if card is None:
            return [Reply(text=f"There is no experience #{target}.", private=True)]
        return [render_card(card, await self._repo.pending_count(colleges=scope))]

    async def _approve(self, event: IncomingEvent, experience_id: int) -> list[Reply]:
        decision = await self._repo.decide(
            experience_id, await self._moderator_id(event), approve=True, colleges=own_scope(event.actor)
        )
        if decision is None:
            return [
                Reply(
                    text=f"#{experience_id} is no longer waiting (another moderator may have decided).",
                    private=True,
                )
            ]
        await self._services.experience_approved(experience_id)
        await self._tell_author(
            decision.author,
            f"✅ Your {decision.company} experience (#{experience_id}) is now "
            "published. Thank you for helping juniors prepare!",
        )
        return [
            Reply(text=f"Approved #{experience_id}.", private=True),
            *await self.review(
                IncomingEvent(
                    user=event.user,
                    chat=event.chat,
                    kind="command",
                    command="review",
                    args=f"next {experience_id}",
                    is_moderator=True,
                    resolved=event.actor,
                )
            ),
        ]

    async def _tell_author(self, author: Recipient | None, text: str) -> None:
        if author is not None:
            await self._services.notify(
                ChatRef(author.platform, author.user_id), Reply(text=text, private=True)
            )

    @staticmethod
    def _reason(raw: str, ctx: DialogContext) -> str:
        reason = " ".join(raw.split())
        if len(reason) < 3:
            raise Invalid("Please give a short reason (at least 3 characters).")
        return reason

    async def _rejected(self, ctx: DialogContext) -> list[Reply]:
        experience_id = ctx.answers["experience_id"]
        decision = await self._repo.decide(
            experience_id,
            await ctx.actor.ensure_id(),
            approve=False,
            reason=ctx.answers["reason"],
            colleges=own_scope(ctx.actor),
        )
        if decision is None:
            return [Reply(text=f"#{experience_id} is no longer waiting.", private=True)]
        await self._tell_author(
            decision.author,
            f"Your {decision.company} experience (#{experience_id}) was not published. Reason: "
            f"{ctx.answers['reason']}. You are welcome to /share it again with the changes.",
        )
        return [Reply(text=f"Rejected #{experience_id}; the author was told why.", private=True)]

    async def _edit_value(self, raw: str, ctx: DialogContext) -> Any:
        value = raw.strip()
        if ctx.answers.get("field") == "company":
            match = await ctx.services.companies.match(value)
            if match.exact is None:
                names = ", ".join(c.name for c in match.suggestions) or "none close"
                raise Invalid(f"Type a known company name exactly (close matches: {names}).")
            return match.exact.id
        if not value:
            raise Invalid("The new value cannot be empty.")
        return value

    async def _edited(self, ctx: DialogContext) -> list[Reply]:
        experience_id = ctx.answers["experience_id"]
        scope = own_scope(ctx.actor)
        ok = await self._repo.edit(
            experience_id,
            await ctx.actor.ensure_id(),
            ctx.answers["field"],
            ctx.answers["value"],
            colleges=scope,
        )
        if not ok:
            return [Reply(text=f"There is no experience #{experience_id}.", private=True)]
        card = await self._repo.card(experience_id, colleges=scope)
        assert card is not None
        return [
            Reply(text=f"Saved the change to #{experience_id}.", private=True),
            render_card(card, await self._repo.pending_count(colleges=scope)),
        ]

    async def report(self, event: IncomingEvent) -> list[Reply]:
        """`/report 12 [reason]`, or the Report button under an experience."""
        words = event.args.split(maxsplit=1)
        target = parse_id(words[0]) if words else None
        if target is None:
            if words and looks_like_id(words[0]):
                return [Reply(text=f"There is no published experience #{words[0]}.", private=True)]
            return [Reply(text="Tell me which experience: /report <id> [reason], e.g. /report 12 spam.")]
        if len(words) > 1:
            return await self._record_report(event, target, words[1][:MAX_REASON])
        return await self._engine.start(event, "report", {"target_id": target})

    async def _reported(self, ctx: DialogContext) -> list[Reply]:
        return await self._record_report_for(
            (await ctx.actor.ensure_id()), ctx.answers["target_id"], ctx.answers["reason"]
        )

    async def _record_report(self, event: IncomingEvent, target: int, reason: str) -> list[Reply]:
        return await self._record_report_for(await event.actor.ensure_id(), target, reason)

    async def _record_report_for(self, reporter: int, target: int, reason: str) -> list[Reply]:
        recorded, hidden = await self._repo.report(
            reporter, "experience", target, reason, self._services.config.moderation.reports_to_hide
        )
        if not recorded:
            return [
                Reply(text="You have already reported this post; moderators will look at it.", private=True)
            ]
        if hidden:  # the moderators of the post's college, not every college's (issue #15)

            async def holds(scope: tuple[int, ...]) -> bool:
                return await self._repo.card(target, colleges=scope) is not None

            college = await college_of(self._services.repos.colleges, holds)
            for chat in await moderator_chats(self._services, college):
                await self._services.notify(
                    chat, Reply(text=f"🚩 Experience #{target} was hidden after reports. /review {target}")
                )
        return [Reply(text="Thank you: moderators will review the report.", private=True)]

    async def helpful(self, event: IncomingEvent) -> list[Reply]:
        """`/helpful 12`, or the Helpful button: one vote per reader, never on your own post."""
        target = parse_id(event.args)
        if target is None:
            if looks_like_id(event.args):
                return [Reply(text=f"There is no published experience #{event.args.strip()}.", private=True)]
            return [Reply(text="Tell me which experience: /helpful <id>.")]
        voter = await event.actor.ensure_id()
        outcome, count = await self._repo.vote_helpful(voter, "experience", target)
        text = {
            "ok": f"👍 Thanks! {count} reader(s) found this helpful.",
            "own": "You can't vote for your own post, but thank you for sharing it!",
            "duplicate": "You already marked this as helpful.",
            "missing": f"There is no published experience #{target}.",
        }[outcome]
        return [Reply(text=text, private=True)]

    async def leaderboard(self, event: IncomingEvent) -> list[Reply]:
        """Top contributors by reputation, with badges; anonymous-only contributors stay anonymous."""
        if (unplaced := needs_college(event.actor)) is not None:
            return unplaced
        now = self._services.clock()
        await self._repo.award_monthly_top(now.replace(day=1, hour=0, minute=0, second=0, microsecond=0))
        rows = await self._repo.leaderboard(colleges=own_scope(event.actor))  # the student's own college
        if not rows:
            return [Reply(text="No reputation yet: share an experience with /share to be the first!")]
        lines = ["**Top contributors**"]
        for rank, (name, points, badges) in enumerate(rows, start=1):
            shown = " ".join(badge_label(b) for b in badges)
            lines.append(f"{rank}. {name}: {points} pts {shown}".rstrip())
        lines.append("Points: 10 per published experience, 2 per helpful vote received.")
        return [Reply(text="\n".join(lines))]
