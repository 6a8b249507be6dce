"""The bad-input corpus (issue #14): one platform-neutral list of cases that every adapter's corpus test
(tests/reliability/test_corpus_{console,telegram,discord}.py) sends through the real adapter, outside a
dialog and inside the sharing dialog, checking the reply and the database after each one.

A case says WHAT arrives (a typed text, a command, a button's data, a file); each adapter's test says
HOW its platform delivers it (a console line, a Telegram update, a Discord message / modal / interaction).
Texts are invented for these tests; "evil.example" is a reserved domain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

Kind = Literal["text", "command", "button", "file"]
MB = 1024 * 1024

MARKER = "PWNED"  # put inside injected markup: a reply must never render it as markup or a link
EVIL = "evil.example"


@dataclass(frozen=True)
class Case:
    """One bad input.

    `text` is what a JSON platform (Telegram, Discord) delivers; `console` overrides it for a terminal
    line (invalid UTF-8 reaches the console as surrogate-escaped bytes, Telegram's JSON as a lone
    surrogate) and `discord` for Discord's gateway (U+FFFD). A "file" case is a video answer: `data`
    are its bytes, `size` the size the platform claims (25 MB is claimed, not built, where the
    platform reports sizes before any download).
    `expect` is a phrase the reply must contain (None: any friendly reply); `injection` cases also
    check the rendered reply for live markup and mentions.
    """

    id: str
    kind: Kind
    text: str = ""
    console: str | None = None
    discord: str | None = None
    filename: str = "answer.mp4"
    mime: str = "video/mp4"
    data: bytes = b""
    size: int | None = None
    expect: str | None = None
    injection: bool = False
    heavy: bool = False  # 100,000 characters: sent by fewer adapters/modes to keep the suite quick

    def line(self) -> str:
        """The text as the console receives it."""
        return self.console if self.console is not None else self.text

    def discord_text(self) -> str:
        """The text as Discord's gateway delivers it."""
        return self.discord if self.discord is not None else self.text

    @property
    def claimed_size(self) -> int:
        return self.size if self.size is not None else len(self.data)


def _long(n: int) -> str:
    words = "placement interview round coding question answer experience offer "
    return (words * (n // len(words) + 1))[:n]


INVALID_UTF8 = b"Asha \xff\xfe Rao \xc3\x28"

TEXTS: list[Case] = [
    Case("long_10k", "text", _long(10_000)),
    Case("long_100k", "text", _long(100_000), heavy=True),
    Case("control_chars", "text", "Asha\x00 R\x07a\x1b[31mo\x7f\x9b\x08"),
    Case(
        "invalid_utf8",
        "text",
        "Asha \ud800\udfff Rao \udc80",  # lone surrogates: JSON's "\ud800" (what Telegram/Discord could pass)
        console=INVALID_UTF8.decode("utf-8", "surrogateescape"),
        # Discord stores text as UTF-8, so its gateway cannot carry a lone surrogate (and discord.py's
        # orjson refuses one): bytes that were not UTF-8 reach a bot as U+FFFD
        discord=INVALID_UTF8.decode("utf-8", "replace"),
    ),
    Case("rtl_emoji", "text", "أشا راو 👩🏽‍💻 \u202egnp.exe\u202c שלום 🇮🇳"),
    Case(
        "html",
        "text",
        f'<b>{MARKER}</b> <a href="https://{EVIL}/x">{MARKER}</a> <script>x</script> &amp;',
        injection=True,
    ),
    Case(
        "markdown",
        "text",
        f"**{MARKER}** __{MARKER}__ [{MARKER}](https://{EVIL}) `{MARKER}` ||{MARKER}||",
        injection=True,
    ),
    Case("mentions", "text", "@everyone @here <@111000000000000002> <@&4194304000001> hi", injection=True),
    Case("sql", "text", "Robert'); DROP TABLE experiences;-- OR 1=1 /* ' \" \\"),
]

COMMANDS: list[Case] = [
    Case("unknown_command", "command", "/frobnicate now", expect="I don't know the command /frobnicate"),
    Case("command_mid_dialog", "command", "/search tcs"),
    Case("command_injection", "command", f"/search <b>{MARKER}</b> **{MARKER}** @everyone", injection=True),
]

BUTTONS: list[Case] = [
    # a dialog token of a version that no dialog has any more (a press from an older question)
    Case("stale_button", "button", "d1.0", expect="expired"),
    Case("forged_button", "button", "g:review approve 1"),  # a moderator's command from a student
    Case("garbage_button", "button", "zz\u0000<b>x</b>", expect="expired"),
]


@cache
def truncated_mp4() -> bytes:
    """The first 40 % of a real 1-second H.264 MP4 (its index is cut off, as by a failed upload)."""
    import tempfile

    import numpy as np

    from tests.media_video import clips

    frame = np.full((96, 128, 3), 128, dtype=np.uint8)
    with tempfile.TemporaryDirectory() as folder:
        data = clips.write_clip(Path(folder) / "whole.mp4", lambda t, i: frame, 1.0).read_bytes()
    return data[: int(len(data) * 0.4)]


def file_cases() -> list[Case]:
    """The video cases (built on first use: the truncated clip is encoded once per session)."""
    return [
        Case("zero_byte_video", "file", data=b""),
        Case("video_25mb", "file", size=25 * MB, expect="20 MB"),
        Case("truncated_video", "file", data=truncated_mp4()),
        Case("not_a_video", "file", data=b"<html><body>not a video</body></html>\n" * 40),
    ]


FILE_IDS = ["zero_byte_video", "video_25mb", "truncated_video", "not_a_video"]

MODES = ["outside", "sharing"]  # every case goes both ways; files also into the /mock answer step


def cases(*, heavy: bool = True) -> list[tuple[str, str]]:
    """(case id, mode) pairs to parametrise a corpus test with."""
    out = []
    for case in [*TEXTS, *COMMANDS, *BUTTONS]:
        if case.heavy and not heavy:
            continue
        out.extend((case.id, mode) for mode in MODES)
    out.extend((name, mode) for name in FILE_IDS for mode in [*MODES, "mock"])
    return out


def case(case_id: str) -> Case:
    """The case with this id."""
    for found in (
        [*TEXTS, *COMMANDS, *BUTTONS, *file_cases()] if case_id in FILE_IDS else [*TEXTS, *COMMANDS, *BUTTONS]
    ):
        if found.id == case_id:
            return found
    raise KeyError(case_id)


# ----------------------------------------------------------------------------------------- checks

UNFRIENDLY = re.compile(r"Traceback|Exception|Error:|\bNone\b|went wrong|\{|\}", re.IGNORECASE)


def assert_friendly(reply: str, case_: Case, mode: str) -> None:
    """A clear answer came: not empty, no traceback or generic failure, the case's phrase if it has one
    (a video's phrase only where a video is expected: the /mock answer step)."""
    assert reply.strip(), f"{case_.id}: no reply at all"
    assert not UNFRIENDLY.search(reply.replace(case_.text, "")), (
        f"{case_.id}: unfriendly reply {reply[:300]!r}"
    )
    if case_.expect is not None and (case_.kind != "file" or mode == "mock"):
        assert case_.expect.lower() in reply.lower(), (
            f"{case_.id}: expected {case_.expect!r} in {reply[:300]!r}"
        )


# ------------------------------------------------------------------------------- database checks


@dataclass(frozen=True)
class Snapshot:
    """What a case may change: the one dialog row of the student, and row counts that must not move."""

    dialog: tuple[str, str, int, dict] | None  # (flow, step, version, answers)
    counts: dict[str, int]


async def snapshot(app, platform: str, chat_id: str, user_id: str) -> Snapshot:
    """The student's dialog row and the counts of stored experiences (with rounds and questions),
    mock attempts and outbox rows."""
    from sqlalchemy import func, select

    from storage.models import DialogState, Experience, MockAttempt, OutboxMessage, Question, Round

    async with app.database.sessions() as session:
        row = await session.get(DialogState, (platform, chat_id, user_id))
        dialog = None if row is None else (row.flow, row.step, row.version, dict(row.answers))
        counts = {}
        for model in (Experience, Round, Question, MockAttempt, OutboxMessage):
            counts[model.__tablename__] = (
                await session.execute(select(func.count()).select_from(model))
            ).scalar_one()
    return Snapshot(dialog, counts)


BAD_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def assert_consistent(before: Snapshot, after: Snapshot, case_: Case, mode: str) -> None:
    """The dialog row is intact: same flow, and either the same step and version (refused) or the next
    step with a new version and a clean stored answer; nothing half-stored, no experience submitted."""
    where = f"{case_.id}/{mode}"
    assert after.counts == before.counts, f"{where}: rows changed {before.counts} -> {after.counts}"
    if before.dialog is None:
        assert after.dialog is None, f"{where}: a dialog appeared outside a dialog: {after.dialog}"
        return
    assert after.dialog is not None, f"{where}: the dialog row is gone"
    flow, step, version, answers = after.dialog
    assert flow == before.dialog[0], where
    if step == before.dialog[1]:
        assert version == before.dialog[2], f"{where}: refused, but the version moved"
        assert {k: v for k, v in answers.items() if k != "_failures"} == {
            k: v for k, v in before.dialog[3].items() if k != "_failures"
        }, f"{where}: a refused answer changed the stored answers"
    else:
        assert version > before.dialog[2], f"{where}: advanced without a new version"
    for key, value in answers.items():
        assert not BAD_CHARS.search(str(value)), f"{where}: unclean stored answer {key}={value!r:.80}"


FLOOD = 200  # messages from one chat, as fast as the platform delivers them


def flood_texts() -> list[str]:
    """The flood: 200 different short messages (one chat)."""
    return [f"flood message {n}" for n in range(FLOOD)]


def assert_flood_consistent(before: Snapshot, after: Snapshot, mode: str) -> None:
    """After a flood: nothing stored, and the dialog (if any) is still the same flow at a known step."""
    assert after.counts == before.counts, f"flood/{mode}: rows changed {before.counts} -> {after.counts}"
    if before.dialog is None:
        assert after.dialog is None, after.dialog
        return
    assert after.dialog is not None and after.dialog[0] == before.dialog[0], after.dialog
    assert after.dialog[2] >= before.dialog[2]
