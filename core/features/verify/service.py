"""Verification: a one-time code mailed to a college address (/verify, a two-question dialog), or a
moderator's check (/verifyuser)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from core.colleges import college_domains, join_by_email_domain
from core.dialog.engine import DialogEngine, Flow
from core.dialog.steps import DialogContext, Invalid
from core.events import ChatRef, IncomingEvent
from core.features.base import CommandSink, FeatureBase
from core.features.verify.flow import FLOW_NAME, build_flow
from core.mailer import Mailer, MailError
from core.ports import CommandInfo
from core.replies import Reply
from core.repositories.verification import VerificationRepository
from core.services import Services
from core.text_norm import looks_like_id, parse_id

logger = logging.getLogger(__name__)

EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]{1,64}@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$")
CODE = re.compile(r"^\d{6}$")
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
SUBJECT = "Your Interview Insights verification code"
BODY = (
    "Hello,\n\n"
    "Your Interview Insights verification code is {code}.\n"
    "Send /verify {code} to the bot within {minutes} minutes. The code works once.\n\n"
    "If you did not ask for this, ignore this email: nothing happens without the code.\n"
)


def hash_code(code: str, salt: bytes | None = None) -> str:
    """scrypt with a random salt, as "scrypt$<salt hex>$<hash hex>" (the code itself is never stored)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(code.encode(), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def code_matches(code: str, stored: str) -> bool:
    """Compare a typed code with a stored hash in constant time."""
    try:
        scheme, salt_hex, _ = stored.split("$")
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(hash_code(code, salt), stored)


def domain_allowed(domain: str, allowed: list[str]) -> bool:
    """The address's domain is an allowed one or a subdomain of it (cse.college.edu for college.edu)."""
    domain = domain.lower()
    return any(domain == d or domain.endswith("." + d) for d in allowed)


async def author_verified(services: Services, user_id: int) -> bool:
    """Whether a submitting author is verified, so their new experience carries the ✔ badge."""
    repo = services.verification
    return bool(repo is not None and await repo.is_verified(user_id))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Verification(FeatureBase):
    """/verify by college email and /verifyuser for moderators."""

    name = "verify"

    def __init__(
        self,
        services: Services,
        repo: VerificationRepository,
        mailer: Mailer | None = None,
        engine: DialogEngine | None = None,
    ) -> None:
        self._services = services
        self._repo = repo
        self._config = services.config.verification
        # Issue #15: a college's own e-mail domains are college addresses too (they pick the college).
        self._domains = [*self._config.allowed_domains, *college_domains(services.config)]
        self._mailer = mailer or Mailer(self._config.smtp)
        self._flow = build_flow(
            self._domains,
            self._config.code_ttl_minutes,
            self._validate_email,
            self._send_in_dialog,
            self._check_in_dialog,
        )
        # The app's engine when given; otherwise an engine over the same dialog store that only starts
        # this flow (the app's engine, which has every flow, carries on from the saved state).
        self._engine = engine or DialogEngine(
            services.repos.dialogs,
            lambda name: self._flow if name == FLOW_NAME else None,
            services,
            timedelta(hours=services.config.dialog.timeout_hours),
            services.clock,
        )

    def flows(self) -> Sequence[Flow]:
        """The /verify dialog: college e-mail, then the code (core.features.verify.flow)."""
        return (self._flow,)

    def register(self, commands: CommandSink) -> None:
        """Add /verify and /verifyuser."""

        commands.add(
            CommandInfo(
                "verify",
                "Verify you are a student (college email code)",
                args_hint="<email or code>",
                personal=True,
            ),
            self.verify,
        )
        commands.add(
            CommandInfo(
                "verifyuser",
                "Moderators: verify an author after checking the roll number",
                args_hint="<experience id>",
                moderator_only=True,
            ),
            self.verify_user,
        )

    async def verify(self, event: IncomingEvent) -> list[Reply]:
        """`/verify` asks for the e-mail, then the code; `/verify you@college.edu` mails a code and waits
        for it; `/verify 123456` completes (and ends an open /verify dialog)."""
        arg = event.args.strip()
        user_id = await event.actor.ensure_id()
        if await self._repo.is_verified(user_id):
            return [_private("✔ You are already verified: your experiences carry the verified badge.")]
        if not self._config.email_enabled:
            return [
                _private(
                    "Email verification is not switched on here. A moderator can verify you instead by "
                    "checking the roll number of an experience you shared."
                )
            ]
        compact = arg.replace(" ", "")
        if CODE.match(compact):
            verified, text = await self._check(user_id, compact)
            if verified:
                await self._engine.discard(event.key, FLOW_NAME)
            return [_private(text)]
        if not arg:
            return await self._engine.start(event, FLOW_NAME)
        problem = self._address_problem(arg)
        if problem:
            return [_private(problem)]
        sent, text = await self._send(user_id, arg.lower())
        if not sent:
            return [_private(text)]
        return [_private(text), *await self._engine.start(event, FLOW_NAME, {"email": arg.lower()}, "code")]

    def _address_problem(self, text: str) -> str | None:
        """Why `text` is not a college address we may mail, or None when it is one."""
        match = EMAIL.match(text)
        example = self._domains[0] if self._domains else "college.edu"
        if match is None:
            return f"That doesn't look like an email address. Type it like you@{example}."
        domain = match.group(1)
        if not domain_allowed(domain, self._domains):
            return (
                f"Please use your college email: an address at {', '.join(self._domains)} "
                f"({domain} is not one of them)."
            )
        return None

    async def _validate_email(self, raw: str, ctx: DialogContext) -> str:
        """The e-mail question: a college address, to which a code was mailed (Invalid otherwise)."""
        address = raw.strip()
        problem = self._address_problem(address)
        if problem:
            raise Invalid(problem)
        sent, text = await self._send(await ctx.actor.ensure_id(), address.lower())
        if not sent:
            raise Invalid(text)
        ctx.notes.append(text)
        return address.lower()

    async def _send_in_dialog(self, ctx: DialogContext, email: str) -> tuple[bool, str]:
        return await self._send(await ctx.actor.ensure_id(), email)

    async def _check_in_dialog(self, ctx: DialogContext, code: str) -> tuple[bool, str]:
        return await self._check(await ctx.actor.ensure_id(), code)

    async def _send(self, user_id: int, email: str) -> tuple[bool, str]:
        """Mail a new code to `email` (a checked college address): (sent, what the student is told)."""
        config = self._config
        now = self._services.clock()
        sent = await self._repo.sends_since(user_id, email, now - timedelta(hours=1))
        if sent >= config.max_sends_per_hour:
            return False, (
                f"I have already sent {sent} code(s) in the last hour, the most I send. Please use the "
                "latest code, or try again in an hour."
            )
        code = f"{secrets.randbelow(10**6):06d}"
        stored = await asyncio.to_thread(hash_code, code)
        expires = now + timedelta(minutes=config.code_ttl_minutes)
        code_id = await self._repo.store_code(user_id, email, stored, expires, now)
        try:
            await self._mailer.send(email, SUBJECT, BODY.format(code=code, minutes=config.code_ttl_minutes))
        except MailError:
            await self._repo.void_code(code_id, now)
            return False, "Sorry, I could not send the email right now. Please try again in a few minutes."
        logger.info("verification code mailed for user %s", user_id)
        return True, f"📧 I emailed a 6-digit code to {email}."

    async def _check(self, user_id: int, code: str) -> tuple[bool, str]:
        """Try a typed code against the student's active one: (verified, what the student is told)."""
        config = self._config
        active = await self._repo.active_code(user_id)
        if active is None:
            return False, "No code is waiting for you. First send /verify followed by your college email."
        now = self._services.clock()
        if _aware(now) > _aware(active.expires_at):
            return False, "That code has expired. Send /verify with your college email again for a new one."
        if not await self._repo.count_attempt(active.id, config.max_attempts):
            return (
                False,
                "Too many wrong tries for this code. Send /verify with your college email for a new one.",
            )
        if not await asyncio.to_thread(code_matches, code, active.code_hash):
            left = config.max_attempts - active.attempts - 1
            if left <= 0:
                return False, (
                    "That code is not right, and that was the last try. Ask for a new code: /verify <email>."
                )
            return False, f"That code is not right. {left} tr{'y' if left == 1 else 'ies'} left."
        if not await self._repo.complete(active.id, user_id, active.email, now):
            return False, "That code was already used. Send /verify with your college email for a new one."
        domain = active.email.split("@")[1]
        joined = await join_by_email_domain(self._services.repos.colleges, user_id, domain)
        return True, (
            f"✔ Verified as a student of {domain}. The experiences you share from now "
            "on carry the verified badge." + (f" You are now a member of {joined}." if joined else "")
        )

    async def verify_user(self, event: IncomingEvent) -> list[Reply]:
        """`/verifyuser 12`: the moderator checked the roll number of experience #12; verify its author."""
        arg = event.args.strip().lstrip("#")
        experience_id = parse_id(arg)
        if experience_id is None:
            if looks_like_id(arg):
                return [_private(f"There is no experience #{arg}.")]
            return [_private("Tell me which experience: /verifyuser <experience id>, e.g. /verifyuser 12.")]
        moderator = await event.actor.ensure_id()
        found, author = await self._repo.verify_author(experience_id, moderator)
        if not found:
            return [_private(f"There is no experience #{experience_id}.")]
        if author is None:
            return [
                _private(
                    f"Experience #{experience_id} now carries the verified badge. It has no linked account "
                    "(imported or anonymised), so no one else was verified."
                )
            ]
        recipient = await self._services.moderation.recipient_of(author, event.user.platform)
        if recipient is not None:
            await self._services.notify(
                ChatRef(recipient.platform, recipient.user_id),
                _private("✔ A moderator verified you: your experiences now carry the verified badge."),
            )
        return [_private(f"✔ Verified the author of experience #{experience_id}; they were told.")]


def _private(text: str) -> Reply:
    return Reply(text=text, private=True)
