"""The /verify dialog: ask for the college e-mail, mail a code, then ask for the code (or send a new one).

The student types /verify and answers two questions; they never retype the command. The shortcuts
`/verify you@college.edu` (mails a code, then waits at the code question) and `/verify 123456` keep
working (core.features.verify.service). Drawn in flow.mmd beside this file.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from core.dialog.engine import Flow
from core.dialog.steps import (
    Ask,
    DialogContext,
    Done,
    Invalid,
    Next,
    Outcome,
    Stay,
    answer_text,
    choice_index,
)
from core.events import IncomingEvent
from core.replies import Button, Reply

logger = logging.getLogger(__name__)

FLOW_NAME = "verify"
RESEND = "resend"
OTHER = "other"

# (ok, message): whether the code was mailed / accepted, and what the student is told.
Send = Callable[[DialogContext, str], Awaitable[tuple[bool, str]]]
Check = Callable[[DialogContext, str], Awaitable[tuple[bool, str]]]


def code_of(text: str) -> str | None:
    """The 6-digit code in "123456" or "123 456"; None for anything else."""
    compact = "".join(text.split())
    return compact if len(compact) == 6 and compact.isascii() and compact.isdigit() else None


@dataclass
class CodeStep:
    """Wait for the mailed code: type it, press "Send a new code", or change the address."""

    check: Check
    send: Send
    ttl_minutes: int
    name: str = "code"
    title: str = "Code"
    section: int = 0
    hint: str = "Type the 6 digits from the e-mail I sent (spaces are fine)."
    example: str = "123456"

    async def prompt(self, ctx: DialogContext) -> Reply:
        text = (
            f"Type the 6-digit code here within {self.ttl_minutes} minutes (check your spam folder if it "
            "doesn't arrive), or send /cancel to stop."
        )
        buttons = (
            (
                Button("📧 Send a new code", ctx.token(RESEND)),
                Button("✉️ Use another address", ctx.token(OTHER)),
            ),
        )
        return Reply(text=text, buttons=buttons, private=True)

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
        choice = choice_index(ctx, event)
        if choice == RESEND:
            sent, message = await self.send(ctx, ctx.answers["email"])
            if not sent:
                raise Invalid(message)
            return Stay(message)
        if choice == OTHER:
            return Next("email")
        code = code_of(answer_text(event, self.name) or "")
        if code is None:
            raise Invalid("A code is 6 digits, like 123456.")
        verified, message = await self.check(ctx, code)
        if not verified:
            raise Invalid(message)
        return Done((Reply(text=message, private=True),))

    def show(self, answers: dict[str, Any]) -> str:
        return "—"


def build_flow(
    domains: list[str],
    ttl_minutes: int,
    validate_email: Callable[[str, DialogContext], Awaitable[str]],
    send: Send,
    check: Check,
) -> Flow:
    """The two-question verification dialog over the feature's own send and check."""
    listed = ", ".join(domains)
    example = f"you@{domains[0]}" if domains else "you@college.edu"
    email = Ask(
        "email",
        "College e-mail",
        "Verified students get a ✔ badge on the experiences they share. What is your college e-mail "
        f"(an address at {listed})? I will e-mail you a 6-digit code.",
        validate_email,
        max_length=254,
        placeholder=example,
        hint=f"Your college e-mail address: an address at {listed}.",
        example=example,
    )
    return Flow(
        FLOW_NAME, "verification", [email, CodeStep(check, send, ttl_minutes)], restart_command="verify"
    )
