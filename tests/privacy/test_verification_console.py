"""College-email verification against a local aiosmtpd server, and moderator verification, on the console."""

from __future__ import annotations

import email
import re
import socket
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from storage.models import Experience, User, VerificationCode
from tests.console.driver import Console, FakeClock, Outbox, make_app
from tests.console.test_share_dialog import answer_rest, answer_up_to_company
from tests.privacy.helpers import NAME, ROLL, add_experience

pytestmark = pytest.mark.asyncio


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"

    def last_code(self) -> str:
        body = self.messages[-1].get_payload(decode=True).decode()
        match = re.search(r"verification code is (\d{6})\.", body)
        assert match, body
        return match.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def verification(port: int, **overrides) -> dict:
    return {
        "verification": {
            "email_enabled": True,
            "allowed_domains": ["college.edu"],
            "code_ttl_minutes": 15,
            "max_attempts": 3,
            "max_sends_per_hour": 2,
            "smtp": {"host": "127.0.0.1", "port": port, "starttls": False, "from_address": "bot@college.edu"},
            **overrides,
        },
        "moderation": {"console_user_ids": ["mod-1"]},
    }


@pytest.fixture
async def setup(tmp_path, database_url, smtp):
    inbox, port = smtp
    clock = FakeClock()
    app = await make_app(tmp_path, database_url, clock, **verification(port))
    outbox = Outbox()
    app.register_notifier("console", outbox)
    await app.services.repos.companies.get_or_create("TCS")
    await app.services.companies.refresh()
    yield app, inbox, clock, outbox
    await app.close()


async def user_row(app, platform_id: str) -> User:
    user_id = await app.services.repos.users.find_user("console", platform_id)
    async with app.database.sessions() as session:
        return await session.get(User, user_id)


async def test_email_code_verifies_and_later_experiences_are_badged(setup):
    app, inbox, _, _ = setup
    student = Console(app, app.config, "stu-1", "Asha")
    assert "an address at college.edu" in await student.say("/verify")
    assert "Please use your college email" in await student.say("/verify asha@gmail.com")
    assert "doesn't look like an email address" in await student.say("/verify asha@")
    assert inbox.messages == []
    out = await student.say("/verify Asha@CSE.College.edu")
    assert "I emailed a 6-digit code to asha@cse.college.edu" in out and "within 15 minutes" in out
    [message] = inbox.messages
    assert message["To"] == "asha@cse.college.edu" and message["From"] == "bot@college.edu"
    assert message["Subject"] == "Your Interview Insights verification code"
    code = inbox.last_code()
    async with app.database.sessions() as session:
        [row] = (await session.scalars(select(VerificationCode))).all()
        assert row.code_hash.startswith("scrypt$") and code not in row.code_hash
    wrong = "000000" if code != "000000" else "111111"
    assert "That code is not right. 2 tries left." in await student.say(f"/verify {wrong}")
    out = await student.say(f"/verify {code[:3]} {code[3:]}")
    assert "✔ Verified as a student of cse.college.edu" in out
    user = await user_row(app, "stu-1")
    assert user.verified and user.verified_email == "asha@cse.college.edu"
    assert "already verified" in await student.say(f"/verify {code}")
    await answer_up_to_company(student)
    await answer_rest(student, await student.say("TCS"))
    assert "pending moderation" in await student.pick("✅ Submit")
    async with app.database.sessions() as session:
        [experience] = (await session.scalars(select(Experience))).all()
        assert experience.verified is True
    card = await Console(app, app.config, "mod-1", "Mod").say(f"/review {experience.id}")
    assert "✔ verified" in card


async def test_unverified_authors_are_not_badged(setup):
    app, _, _, _ = setup
    student = Console(app, app.config, "stu-2", "Ravi")
    await answer_up_to_company(student)
    await answer_rest(student, await student.say("TCS"))
    await student.pick("✅ Submit")
    async with app.database.sessions() as session:
        [experience] = (await session.scalars(select(Experience))).all()
        assert experience.verified is False


async def test_code_expires_and_is_single_use(setup):
    app, inbox, clock, _ = setup
    student = Console(app, app.config, "stu-1", "Asha")
    await student.say("/verify asha@college.edu")
    clock.advance(minutes=16)
    assert "That code has expired" in await student.say(f"/verify {inbox.last_code()}")
    assert not (await user_row(app, "stu-1")).verified
    other = Console(app, app.config, "stu-3", "Kiran")
    await other.say("/verify kiran@college.edu")
    code = inbox.last_code()
    assert "✔ Verified" in await other.say(f"/verify {code}")
    async with app.database.sessions() as session:
        rows = (await session.scalars(select(VerificationCode).order_by(VerificationCode.id))).all()
        assert rows[-1].used_at is not None  # consumed: it cannot be used again


async def test_attempts_are_limited(setup):
    app, inbox, _, _ = setup
    student = Console(app, app.config, "stu-1", "Asha")
    await student.say("/verify asha@college.edu")
    code = inbox.last_code()
    wrong = [c for c in ("000000", "111111", "222222", "333333") if c != code][:3]
    assert "2 tries left" in await student.say(f"/verify {wrong[0]}")
    assert "1 try left" in await student.say(f"/verify {wrong[1]}")
    assert "that was the last try" in await student.say(f"/verify {wrong[2]}")
    assert "Too many wrong tries" in await student.say(f"/verify {code}")
    assert not (await user_row(app, "stu-1")).verified


async def test_sends_are_rate_limited_and_a_new_code_replaces_the_old(setup):
    app, inbox, clock, _ = setup
    student = Console(app, app.config, "stu-1", "Asha")
    await student.say("/verify asha@college.edu")
    first = inbox.last_code()
    await student.say("/verify asha@college.edu")
    second = inbox.last_code()
    out = await student.say("/verify asha@college.edu")
    assert "already sent 2 code(s) in the last hour" in out and len(inbox.messages) == 2
    # Another account cannot flood the same address either.
    assert "already sent 2 code(s)" in await Console(app, app.config, "stu-9", "X").say(
        "/verify asha@college.edu"
    )
    if first != second:
        assert "not right" in await student.say(f"/verify {first}")
    assert "✔ Verified" in await student.say(f"/verify {second}")
    clock.advance(minutes=61)
    assert "I emailed" in await Console(app, app.config, "stu-4", "Y").say("/verify y@college.edu")


async def test_unreachable_mail_server_gets_a_friendly_message(tmp_path, database_url):
    app = await make_app(tmp_path, database_url, FakeClock(), **verification(free_port()))
    try:
        student = Console(app, app.config, "stu-1", "Asha")
        assert "could not send the email right now" in await student.say("/verify asha@college.edu")
        assert "No code is waiting" in await student.say("/verify 123456")
    finally:
        await app.close()


async def test_email_verification_switched_off_by_default(tmp_path, database_url):
    app = await make_app(tmp_path, database_url)
    try:
        out = await Console(app, app.config, "stu-1", "Asha").say("/verify asha@college.edu")
        assert "Email verification is not switched on here" in out
    finally:
        await app.close()


async def test_moderator_verifies_an_author_by_roll_number(setup):
    app, _, _, outbox = setup
    experience_id = await add_experience(app, "stu-zq", NAME, ROLL, anonymous=True, approve=False)
    student = Console(app, app.config, "stu-2", "Ravi")
    assert "only moderators" in await student.say(f"/verifyuser {experience_id}")
    assert not (await user_row(app, "stu-zq")).verified
    moderator = Console(app, app.config, "mod-1", "Mod")
    assert "Tell me which experience" in await moderator.say("/verifyuser abc")
    assert "There is no experience #999" in await moderator.say("/verifyuser 999")
    out = await moderator.say(f"/verifyuser {experience_id}")
    assert f"Verified the author of experience #{experience_id}" in out and NAME not in out
    assert (await user_row(app, "stu-zq")).verified
    assert any("A moderator verified you" in text for text in outbox.to("stu-zq"))
    async with app.database.sessions() as session:
        assert (await session.get(Experience, experience_id)).verified is True


async def test_verify_asks_for_the_address_then_the_code_without_retyping_the_command(setup):
    app, inbox, _, _ = setup
    student = Console(app, app.config, "stu-1", "Asha")
    asked = await student.say("/verify")
    assert "What is your college e-mail (an address at college.edu)?" in asked
    assert "Please use your college email" in await student.say("asha@gmail.com")
    assert inbox.messages == []  # refused addresses are never mailed
    out = await student.say("Asha@College.edu")
    assert "I emailed a 6-digit code to asha@college.edu" in out and "within 15 minutes" in out
    code = inbox.last_code()
    wrong = "000000" if code != "000000" else "111111"
    assert "That code is not right. 2 tries left." in await student.say(wrong)
    assert "A code is 6 digits" in await student.say("my code")
    out = await student.say(f"{code[:3]} {code[3:]}")
    assert "✔ Verified as a student of college.edu" in out
    assert (await user_row(app, "stu-1")).verified
    assert "A code is 6 digits" not in await student.say("hello")  # the dialog is over: no code expected


async def test_send_a_new_code_mails_again_and_only_the_newest_code_is_needed(setup):
    app, inbox, _, _ = setup
    student = Console(app, app.config, "stu-1", "Asha")
    await student.say("/verify")
    await student.say("asha@college.edu")
    out = await student.pick("📧 Send a new code")
    assert "I emailed a 6-digit code to asha@college.edu" in out and len(inbox.messages) == 2
    out = await student.pick("📧 Send a new code")  # max_sends_per_hour is 2
    assert "already sent 2 code(s) in the last hour" in out and len(inbox.messages) == 2
    assert "✔ Verified" in await student.say(inbox.last_code())


async def test_cancel_leaves_the_verify_dialog_and_nothing_is_verified(setup):
    app, inbox, _, _ = setup
    student = Console(app, app.config, "stu-1", "Asha")
    await student.say("/verify asha@college.edu")  # the shortcut waits at the code question
    assert "Cancelled" in await student.say("/cancel")
    assert not (await user_row(app, "stu-1")).verified
    other = await student.say(inbox.last_code())
    assert "✔ Verified" not in other  # a bare number outside the dialog is not a code any more


async def test_a_shortcut_code_ends_the_open_verify_dialog(setup):
    app, inbox, _, _ = setup
    student = Console(app, app.config, "stu-1", "Asha")
    await student.say("/verify")
    await student.say("asha@college.edu")
    assert "✔ Verified" in await student.say(f"/verify {inbox.last_code()}")
    out = await student.say("123456")  # the code question is gone with the dialog
    assert "A code is 6 digits" not in out and "not right" not in out and "No code" not in out
