"""The one cleaning step for user text (core.text_norm.clean_incoming), applied where events are made."""

from __future__ import annotations

import pytest

from core.events import ChatRef, IncomingEvent, UserRef
from core.text_norm import clean_incoming

CASES = [
    ("Asha Rao", "Asha Rao"),
    (b"Ravi \xff Kumar".decode("utf-8", "surrogateescape"), "Ravi \ufffd Kumar"),
    ("lone \ud800 surrogate from JSON", "lone \ufffd surrogate from JSON"),
    ("a\x1b[31mred\x1b[0m b", "ared b"),
    ("x\x1b]0;new title\x07y", "xy"),
    ("clear\x1bc", "clear"),
    ("c1 \x9b2J csi", "c1  csi"),
    ("Tata\u202eslevI", "TataslevI"),
    ("iso\u2066late\u2069", "isolate"),
    ("mark \u200fعربي\u200e ok", "mark \u200fعربي\u200e ok"),  # bidi marks are legitimate
    ("NUL\x00 and BEL\x07", "NUL and BEL"),
    ("tab\tand\r\nCRLF\rCR", "tab\tand\nCRLF\nCR"),
    ("👩\u200d💻 emoji", "👩\u200d💻 emoji"),
]


@pytest.mark.parametrize(("raw", "clean"), CASES)
def test_clean_incoming(raw, clean):
    assert clean_incoming(raw) == clean
    assert clean_incoming(clean) == clean  # idempotent
    clean.encode("utf-8")  # always storable


def test_events_are_cleaned_when_made():
    user = UserRef("telegram", "1", "Ravi\x1b[2J\ud800")
    chat = ChatRef("telegram", "1", title="grp\u202e")
    event = IncomingEvent(
        user, chat, kind="form", text="hi\x1b[31m", args="\x00x", command="help\x07", form={"name": "A\udcff"}
    )
    assert (user.display_name, chat.title) == ("Ravi\ufffd", "grp")
    assert (event.text, event.args, event.command, dict(event.form)) == (
        "hi",
        "x",
        "help",
        {"name": "A\ufffd"},
    )
