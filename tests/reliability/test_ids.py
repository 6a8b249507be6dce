"""Ids that cannot exist (20 digits, superscripts, other scripts' digits) get the feature's own
"There is no ... #id" answer, never "Something went wrong": one parser (core.text_norm.parse_id)."""

from __future__ import annotations

import pytest

from core.events import IncomingEvent
from core.text_norm import looks_like_id, parse_id
from tests.console.driver import Console, make_app

HUGE = "9" * 20
BAD_IDS = [HUGE, "²", "2147483648"]

COMMANDS = [
    ("/helpful {id}", "There is no published experience #{id}"),
    ("/report {id} spam", "There is no published experience #{id}"),
    ("/experience {id}", "There is no published experience #{id}"),
    ("/thread {id}", "There is no discussion #{id}"),
    ("/reply {id} thanks", "There is no open discussion #{id}"),
    ("/solve {id}", "There is no open discussion #{id}"),
    ("/upvote {id}", "There is no visible reply {id}"),
    ("/flag {id} spam", "There is no reply {id}"),
    ("/resource {id}", "There is no such resource"),
    ("/review {id}", "There is no experience #{id}"),
    ("/review approve {id}", "There is no experience #{id}"),
    ("/verifyuser {id}", "There is no experience #{id}"),
    ("/promote {id}", "There is no discussion #{id}"),
]


def test_parse_id_accepts_only_ascii_ids_that_fit():
    assert [parse_id(t) for t in ("12", "#12", " 7 ", "2147483647")] == [12, 12, 7, 2**31 - 1]
    assert [parse_id(t) for t in ("0", "2147483648", HUGE, "²", "٣", "", "1a", "-3")] == [None] * 8
    assert looks_like_id("²") and looks_like_id(HUGE) and not looks_like_id("abc")


@pytest.mark.parametrize("bad", BAD_IDS)
async def test_every_command_answers_not_found_for_ids_that_do_not_fit(tmp_path, bad):
    app = await make_app(
        tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", moderation={"console_user_ids": ["mod-1"]}
    )
    try:
        moderator = Console(app, app.config, "mod-1", "Mod")
        for command, expected in COMMANDS:
            said = await moderator.say(command.format(id=bad))
            assert "Something went wrong" not in said, command
            assert expected.format(id=bad) in said, (command, said)
    finally:
        await app.close()


async def test_forged_buttons_with_ids_that_do_not_fit(tmp_path):
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    try:
        student = Console(app, app.config, "stu-1", "Asha")
        for action, expected in [
            (f"g:helpful {HUGE}", f"There is no published experience #{HUGE}"),
            ("g:thread ²", "There is no discussion #²"),
            (f"g:discuss @c{HUGE}", "Tell me a company"),
            (f"g:search python cid={HUGE} page=²", "python"),
        ]:
            event = IncomingEvent(student.adapter.user, student.adapter.chat, kind="action", action=action)
            text = "\n".join(reply.text for reply in await app.handle(event))
            assert "Something went wrong" not in text and expected in text, (action, text)
    finally:
        await app.close()
