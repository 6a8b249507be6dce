"""Privacy: /privacy explains what is stored, /mydata sends it all as JSON, /forget deletes or anonymises."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from typing import Any

from core.dialog.engine import DialogEngine, Flow
from core.dialog.steps import Choose, DialogContext, Done, Option, Outcome
from core.events import IncomingEvent
from core.features.base import CommandSink, FeatureBase
from core.ports import CommandInfo
from core.replies import Button, Document, Reply
from core.repositories.privacy import ForgetOutcome, PrivacyRepository
from core.router import command_button_action
from core.services import Services

logger = logging.getLogger(__name__)

FORGET_FLOW = "forget"
PRIVACY_TEXT = (
    "**What I store about you and who sees it**\n"
    "• When you /share: your name, LinkedIn link (optional), branch, roll number, year of passout and the "
    "experience itself (company, role, rounds, questions, preparation, tips, outcome, ratings).\n"
    "• Your helpful votes, the reports you make, your badges and reputation, your digest subscriptions "
    "and your platform account ids (so Telegram, Discord and the console know it is you).\n"
    "• Mock interviews: the scores and measurements of each answer. The video itself is deleted right "
    "after scoring unless you chose to keep it.\n"
    "• If you verify your college email: the address, and a one-time code stored only as a hash.\n"
    "\n"
    "**Who sees it**\n"
    "• Your roll number: moderators only, to check that posts come from real students. Never shown "
    "anywhere else, never exported.\n"
    "• Anonymous posts: nobody sees the author: not other students, not search, digests, leaderboards "
    "or exports. (Moderators see the roll number to verify it, not to publish it.)\n"
    "• Posts with your name: your name and LinkedIn show with the published experience.\n"
    "\n"
    "**Your choices**\n"
    "• /mydata sends you a file (JSON) with everything stored about you.\n"
    "• /forget deletes your data: everything, or it keeps your experiences for juniors with your name, "
    "LinkedIn and roll number removed. You confirm before anything happens."
)
FORGET_QUESTION = (
    "**Forget me**\n"
    "You have {experiences} shared experience(s). Choose what happens:\n"
    "• **Delete everything**: your experiences, threads, posts, resources, votes, reports, mock-interview "
    "scores, subscriptions, badges and your account are deleted for good.\n"
    "• **Anonymise my contributions**: your published experiences and posts stay for juniors, but "
    "without your name, LinkedIn, roll number or any link to you; everything else personal is deleted.\n"
    "This cannot be undone."
)
FORGET_OPTIONS = [
    Option("delete", "🗑 Delete everything"),
    Option("anonymise", "🕶 Anonymise my contributions"),
    Option("cancel", "Cancel: keep everything"),
]
SUMMARY = (("experiences", "experience(s)"), ("posts", "post(s)"), ("mock_attempts", "mock interview(s)"))
TABLE_LABELS = {
    "experiences": "experience(s)",
    "threads": "thread(s)",
    "posts": "post(s)",
    "resources": "resource(s)",
    "votes": "vote(s)",
    "reports": "report(s)",
    "mock_attempts": "mock-interview attempt(s)",
    "subscriptions": "subscription(s)",
    "user_badges": "badge(s)",
}


class Privacy(FeatureBase):
    """The student's privacy commands."""

    name = "privacy"

    def __init__(self, services: Services, engine: DialogEngine, repo: PrivacyRepository) -> None:
        self._services = services
        self._engine = engine
        self._repo = repo

    def flows(self) -> list[Flow]:
        """The /forget confirmation: delete everything, anonymise, or cancel."""

        step = Choose("choice", "Forget me", self._question, FORGET_OPTIONS, per_row=1, then=self._chosen)
        return [Flow(FORGET_FLOW, "request to forget your data", [step])]

    def register(self, commands: CommandSink) -> None:
        """Add /privacy, /mydata and /forget."""
        commands.add(CommandInfo("privacy", "What is stored about you and who sees it"), self.privacy)
        commands.add(
            CommandInfo("mydata", "Get a file with everything stored about you", personal=True), self.mydata
        )
        commands.add(CommandInfo("forget", "Delete or anonymise your data", personal=True), self.forget)

    async def privacy(self, event: IncomingEvent) -> list[Reply]:
        """Explain, in plain words, what is stored and who sees it."""
        buttons = (
            (
                Button("📦 Get my data", command_button_action("mydata")),
                Button("🗑 Forget me", command_button_action("forget")),
            ),
        )
        return [Reply(text=PRIVACY_TEXT, buttons=buttons)]

    async def mydata(self, event: IncomingEvent) -> list[Reply]:
        """Send everything stored about the student as a JSON file, privately."""
        user_id = event.actor.user_id
        data = await self._repo.user_data(user_id) if user_id is not None else None
        if data is None:
            return [Reply(text="I have nothing stored about you yet.", private=True)]
        document = {
            "format": "interview-insights-mydata",
            "version": 1,
            "generated_at": self._services.clock().isoformat(),
            "about": "Everything Interview Insights stores about you. Send /forget to delete it.",
            **data,
        }
        payload = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")
        counts = ", ".join(f"{len(data[key])} {label}" for key, label in SUMMARY if data[key])
        summary = f" ({counts})" if counts else ""
        file = Document(
            payload, "my-interview-insights-data.json", "application/json", caption="Your data (JSON)"
        )
        text = f"Here is everything I store about you{summary}. Send /forget to delete it."
        return [Reply(text=text, files=(file,), private=True)]

    async def forget(self, event: IncomingEvent) -> list[Reply]:
        """Ask for confirmation: delete everything, anonymise contributions, or cancel."""
        repos = self._services.repos
        user_id = event.actor.user_id
        if user_id is None:
            return [Reply(text="I have nothing stored about you: there is nothing to forget.", private=True)]
        experiences = await repos.experiences.count_by_user(user_id)
        return await self._engine.start(
            event, FORGET_FLOW, {"_user_id": user_id, "_experiences": experiences}
        )

    @staticmethod
    def _question(ctx: DialogContext) -> str:
        return FORGET_QUESTION.format(experiences=ctx.answers.get("_experiences", 0))

    async def _chosen(self, ctx: DialogContext, value: Any) -> Outcome:
        if value == "cancel":
            return Done((Reply(text="Nothing was deleted: your data is unchanged.", private=True),))
        return Done(tuple(await self._forget(ctx)))

    async def _forget(self, ctx: DialogContext) -> list[Reply]:
        outcome = await self._repo.forget(ctx.answers["_user_id"], ctx.answers["choice"])
        if outcome is None:
            return [Reply(text="Your data was already deleted.", private=True)]
        await _remove_files(outcome.video_paths)
        return [Reply(text=describe(outcome), private=True)]


def describe(outcome: ForgetOutcome) -> str:
    """A plain summary of what /forget did."""

    def listing(counts: dict[str, int]) -> str:
        parts = [f"{counts[t]} {label}" for t, label in TABLE_LABELS.items() if counts.get(t)]
        return ", ".join(parts) or "nothing else"

    if outcome.mode == "delete":
        return (
            f"Done: I deleted your account and {listing(outcome.deleted)}. Nothing about you is left. "
            "You can always start again with /start."
        )
    return (
        f"Done: {listing(outcome.anonymised)} stay for juniors without your name, LinkedIn, roll number or "
        f"any link to you. I deleted your account and {listing(outcome.deleted)}."
    )


async def _remove_files(paths: list[str]) -> None:
    """Delete kept mock-interview videos from disk (a missing file is fine)."""

    def remove() -> None:
        for path in paths:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
            except OSError:
                logger.exception("could not delete a kept video")

    if paths:
        await asyncio.to_thread(remove)
