"""What ended the console session in the field: each line below once crashed the process.

The session is driven through `ConsoleAdapter.run()` (the real read loop) where the fault was in it.
"""

from __future__ import annotations

import io

from sqlalchemy import select

from bots.console.adapter import ConsoleAdapter
from core.events import ChatRef
from core.replies import Button, Image, Reply
from storage.models import Company, Experience
from tests.console.driver import Console, make_app
from tests.console.test_share_dialog import answer_rest


async def session(app, lines: list[str]) -> str:
    """Run the real read loop over `lines` (as a pipe) and return everything printed."""
    out = io.StringIO()
    adapter = ConsoleAdapter(app, app.config, stdin=io.StringIO("".join(f"{x}\n" for x in lines)), stdout=out)
    await adapter.run()
    return out.getvalue()


async def test_a_word_longer_than_a_file_name_is_searched_not_opened(tmp_path):
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    try:
        printed = await session(app, ["/search " + "a" * 260, "a" * 300, "/help"])
        assert "What I can do" in printed  # the session went on to the next line
        assert "Something went wrong" not in printed
        assert "a" * 260 in printed.split("/help")[0]  # the search answered about the word
    finally:
        await app.close()


async def test_superscript_digits_while_choices_are_shown_are_text(tmp_path):
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    try:
        console = Console(app, app.config)
        choices = Reply(text="Pick", buttons=((Button("Help", "g:help"),),))
        for typed in ("²", "³", "٣", "99999999999999999999", "0"):
            await console.adapter.send(ChatRef("console", "console-user"), choices)
            said = await console.say(typed)
            assert "Something went wrong" not in said and "What I can do" not in said, typed
        await console.adapter.send(ChatRef("console", "console-user"), choices)
        assert "What I can do" in await console.say("1")  # the real choice still works
    finally:
        await app.close()


async def test_an_output_folder_that_cannot_be_written_does_not_end_the_session(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where var/console should be")  # mkdir/write fail like a read-only disk
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    try:
        config = app.config.model_copy(deep=True)
        config.console.output_dir = str(blocked / "console")
        out = io.StringIO()
        adapter = ConsoleAdapter(app, config, stdin=io.StringIO("/help\n"), stdout=out)
        chart = Reply(text="**Chart**", images=(Image(b"\x89PNG", "top.png", "TCS leads"),))
        await adapter.send(ChatRef("console", "console-user"), chart)
        await adapter.run()
        printed = out.getvalue()
        assert "Chart" in printed and "[image: not saved" in printed and "TCS leads" in printed
        assert "What I can do" in printed  # the next line was served
    finally:
        await app.close()


async def test_invalid_utf8_in_a_name_is_cleaned_and_the_experience_is_submitted(tmp_path):
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    try:
        async with app.database.sessions.begin() as db:
            db.add(Company(name="TCS", slug="tcs"))
        console = Console(app, app.config)
        await console.say("/share")
        # bytes that are not UTF-8, as a terminal's stdin decodes them with errors="surrogateescape"
        await console.say(b"Asha \xff\xfeRao\x1b[2J".decode("utf-8", "surrogateescape"))
        await console.say("https://www.linkedin.com/in/asha-rao")
        await console.pick("CSE")
        await console.say("21cse1234")
        await console.pick("2024")
        await answer_rest(console, await console.say("tcs"))
        done = await console.pick("✅ Submit")
        assert "pending moderation" in done and "Something went wrong" not in done
        async with app.database.sessions() as db:
            [experience] = (await db.scalars(select(Experience))).all()
        assert experience.author_name == "Asha \ufffd\ufffdRao"  # no escape code, nothing undecodable
    finally:
        await app.close()


async def test_undecodable_bytes_on_a_real_stdin_do_not_end_the_session(tmp_path):
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    try:
        raw = io.BytesIO(b"/search caf\xe9\n/help\n")  # Latin-1 typed into a UTF-8 terminal
        stdin = io.TextIOWrapper(raw, encoding="utf-8")  # strict, like sys.stdin
        out = io.StringIO()
        await ConsoleAdapter(app, app.config, stdin=stdin, stdout=out).run()
        assert "What I can do" in out.getvalue()
    finally:
        await app.close()


async def test_escape_codes_in_stored_text_are_not_printed_to_the_moderator(tmp_path):
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    try:
        moderator = Console(app, app.config, "mod-1", "Mod")
        evil = "New post by Ravi\x1b]0;pwned\x07\x1b[2J\x1b[31m: hi\u202e"
        await moderator.adapter.send(
            ChatRef("console", "mod-1"), Reply(text=evil, buttons=((Button("\x1b[5mApprove", "x"),),))
        )
        printed = moderator.out.getvalue()
        assert "\x1b" not in printed and "\u202e" not in printed
        assert "New post by Ravi: hi" in printed and "[1] Approve" in printed
    finally:
        await app.close()
