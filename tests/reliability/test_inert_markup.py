"""Typed "**" is never the core's bold: every adapter rendered a quoted '**x**' as bold (issue #14)."""

from __future__ import annotations

from bots.console.render import BOLD
from core.text_norm import clean_incoming, inert_markup


def test_typed_bold_markers_show_as_typed_but_are_not_markup():
    for typed in ["**PWNED**", "a ***b*** c", "**\n**", "x ** y", "\x1b[1m**b**"]:
        cleaned = clean_incoming(typed)
        assert BOLD.search(cleaned) is None, typed
        assert cleaned.replace("\u2060", "") == typed.replace("\x1b[1m", "")  # nothing else changed
        assert clean_incoming(cleaned) == cleaned and inert_markup(cleaned) == cleaned
    assert clean_incoming("one * star") == "one * star"
