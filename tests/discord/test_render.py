"""Rendering core replies for Discord: markdown escaping, bold, 2,000-char splits, button rows, files."""

from __future__ import annotations

from pathlib import Path

from bots.discord.render import MAX_TEXT, mark_pressed, render_reply, split_text, to_markdown
from core.replies import Button, Document, Field, Form, Image, Reply
from tests.discord.spec_check import SpecChecker

SPEC = Path(__file__).resolve().parents[1] / "data" / "discord-openapi.json"


def test_markdown_is_escaped_but_core_bold_stays_bold():
    assert (
        to_markdown("**TCS** 2_3 *x* `code` ~~s~~ | > q")
        == "**TCS** 2\\_3 \\*x\\* \\`code\\` \\~\\~s\\~\\~ \\| > q"
    )
    assert to_markdown("# not a heading") == "\\# not a heading"
    assert to_markdown("see https://x.com/a_b_c") == "see https://x.com/a_b_c"


def test_split_keeps_every_line_and_reopens_bold_across_a_cut():
    text = "**" + "word " * 900 + "end**"
    chunks = split_text(to_markdown(text))
    assert len(chunks) == 3 and all(len(c) <= MAX_TEXT for c in chunks)
    assert all(c.startswith("**") and c.endswith("**") for c in chunks)
    assert " ".join(c.strip("*") for c in chunks).split() == ("word " * 900 + "end").split()


def test_split_never_separates_an_escape_from_its_character():
    text = to_markdown("_" * 3000)
    chunks = split_text(text)
    assert all(len(c) <= MAX_TEXT and not c.endswith("\\") for c in chunks)
    assert "".join(chunks) == text


def test_buttons_reflow_to_five_a_row_and_overflow_into_another_message():
    row = tuple(Button(str(i), f"a{i}") for i in range(30))
    messages = render_reply(Reply(text="Pick a year", buttons=(row,)))
    assert [len(r) for r in messages[0].rows] == [5, 5, 5, 5, 5]
    assert messages[1].content == "More choices:" and [len(r) for r in messages[1].rows] == [5]
    assert messages[0].rows[0][0].custom_id == "ii:a0"


def test_form_adds_an_answer_button_and_links_stay_links():
    form = Form("Name", (Field("name", "Name"),), action="t1.form")
    reply = Reply(text="Name?", buttons=((Button("Docs", "", url="https://example.org"),),), form=form)
    [message] = render_reply(reply)
    assert [(b.label, b.custom_id, b.url) for row in message.rows for b in row] == [
        ("Docs", None, "https://example.org"),
        ("✏️ Answer", "iif:t1.form", None),
    ]


def test_images_and_files_are_attachments_with_captions_in_text():
    reply = Reply(
        text="Your chart",
        images=(Image(b"png", "bar.png", "TCS has 3 rounds"),),
        files=(Document(b"{}", "export.json", caption="Your data"),),
        private=True,
    )
    [message] = render_reply(reply)
    assert [f.filename for f in message.files] == ["bar.png", "export.json"]
    assert message.content == "Your chart\nTCS has 3 rounds\nYour data" and message.private


def test_mark_pressed_appends_the_choice():
    assert mark_pressed("Which branch?", "CSE") == "Which branch?\n✓ CSE"
    assert len(mark_pressed("x" * 2000, "CSE")) <= MAX_TEXT


def test_spec_checker_reports_unknown_keys_methods_and_types():
    checker = SpecChecker(SPEC)
    assert checker.check("POST", "/channels/1/messages", {"content": "hi", "flags": 0}, {}) == []
    assert checker.check("POST", "/channels/1/messages", {"contnet": "hi"}, {}) == [
        "POST /channels/{channel_id}/messages: body: unknown key 'contnet'"
    ]
    assert checker.check("PUT", "/users/@me", None, {}) == ["PUT /users/@me: method not in spec"]
    bad_type = checker.check("POST", "/interactions/1/t/callback", {"type": 4, "data": {"content": 5}}, {})
    assert len(bad_type) == 1 and "data.content" in bad_type[0]
    assert checker.check("GET", "/gateway/bot", None, {"nope": "1"}) == [
        "GET /gateway/bot: unknown query parameter 'nope'"
    ]
