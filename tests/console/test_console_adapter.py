"""The console adapter is one person at a terminal: numbered choices, files saved, only their own pushes."""

from __future__ import annotations

from core.events import ChatRef
from core.replies import Button, Image, Reply
from tests.console.driver import Console, make_app


async def test_pushes_for_other_users_are_not_shown(tmp_path):
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    try:
        student = Console(app, app.config, "stu-1", "Asha")
        await student.adapter.send(ChatRef("console", "mod-1"), Reply(text="Review #7: roll 21CSE0001"))
        assert student.out.getvalue() == ""  # a moderator's card never reaches the student's screen
        await student.adapter.send(ChatRef("console", "stu-1"), Reply(text="Your post is published"))
        assert "Your post is published" in student.out.getvalue()
    finally:
        await app.close()


async def test_images_are_saved_and_buttons_numbered(tmp_path):
    app = await make_app(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    try:
        student = Console(app, app.config, "stu-1", "Asha")
        reply = Reply(
            text="**Chart**",
            images=(Image(b"\x89PNG fake", "top.png", "TCS leads"),),
            buttons=((Button("One", "g:help"), Button("Site", "x", url="https://example.org")),),
        )
        await student.adapter.send(ChatRef("console", "stu-1"), reply)
        shown = student.out.getvalue()
        assert shown.startswith("Chart\n") and "[1] One" in shown and "Site: https://example.org" in shown
        saved = next((tmp_path / "console").iterdir())
        assert saved.read_bytes() == b"\x89PNG fake" and f"[image: {saved}] TCS leads" in shown
        assert "What I can do" in await student.say("1")  # the number presses the button
    finally:
        await app.close()
