"""Typed "**" is never the core's bold: every adapter rendered a quoted '**x**' as bold (issue #14)."""

from __future__ import annotations

from bots.console.render import BOLD
from core.events import ChatRef, IncomingEvent, UserRef
from core.text_norm import clean_incoming, clean_typed, inert_markup


def test_typed_bold_markers_show_as_typed_but_are_not_markup():
    for typed in ["**PWNED**", "a ***b*** c", "**\n**", "x ** y", "\x1b[1m**b**"]:
        cleaned = clean_typed(typed)
        assert BOLD.search(cleaned) is None, typed
        assert cleaned.replace("\u2060", "") == typed.replace("\x1b[1m", "")  # nothing else changed
        assert clean_typed(cleaned) == cleaned and inert_markup(cleaned) == cleaned
    assert clean_typed("one * star") == "one * star"
    assert clean_typed("5 > 3 **") == "5 > 3 **"  # a lone "**" cannot render bold: kept byte for byte
    assert clean_incoming("our **bold**") == "our **bold**"  # the terminal printer keeps the core's bold


def test_events_take_typed_text_names_and_forms_inert():
    user, chat = UserRef("telegram", "1", "**Bob**"), ChatRef("telegram", "1", title="**Group**")
    event = IncomingEvent(user, chat, kind="text", text="**x**", args="**y**", form={"f": "**z**"})
    for value in (event.text, event.args, event.form["f"], event.user.display_name, event.chat.title):
        assert BOLD.search(value) is None and "**" not in value
