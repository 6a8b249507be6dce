"""The dialog engine on its own, with a tiny hat-order flow and an in-memory store (no share flow)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.dialog.engine import Flow
from core.dialog.steps import Ask
from core.repositories.dialogs import DialogRecord
from tests.dialog.fakes import NOW, button, command, make_engine, press, text, texts, tiny_flow

pytestmark = pytest.mark.asyncio
KEY = ("console", "c1", "u1")


async def test_a_flow_runs_to_its_end_and_its_work_commits_with_the_dialogs_removal() -> None:
    engine, store, _ = make_engine()
    first = await engine.start(text("/hat"), "hat")
    assert "1/3 · Colour" in texts(first) and "Which colour?" in texts(first)
    size = await engine.handle(text("red"))
    assert size is not None and "Which size?" in texts(size)
    await engine.handle(press(button(size, "Small")))
    done = await engine.handle(text("skip"))
    assert texts(done) == "Ordered a small red hat."
    assert store.rows == {} and store.committed_work == ["red/small"]


async def test_a_failing_finish_rolls_its_work_back_and_keeps_the_student_on_the_step() -> None:
    engine, store, _ = make_engine()
    await engine.start(text("/hat"), "hat")
    size = await engine.handle(text("red"))
    assert size is not None
    await engine.handle(press(button(size, "Huge")))
    out = await engine.handle(text("skip"))
    assert "We are out of huge ones." in texts(out) and "A note for the maker?" in texts(out)
    assert store.committed_work == [] and store.rows[KEY].step == "note"


async def test_an_invalid_answer_is_explained_and_the_question_asked_again() -> None:
    engine, store, _ = make_engine()
    await engine.start(text("/hat"), "hat")
    out = await engine.handle(text("octarine"))
    assert "⚠️ Octarine is not a colour" in texts(out) and "Which colour?" in texts(out)
    assert store.rows[KEY].step == "colour"


async def test_back_restores_the_previous_answer_and_keep_previous_answer_moves_on_again() -> None:
    engine, store, _ = make_engine()
    await engine.start(text("/hat"), "hat")
    await engine.handle(text("red"))
    back = await engine.handle(command("back"))
    assert back is not None and "Which colour?" in texts(back) and "Your previous answer: red" in texts(back)
    assert "colour" not in store.rows[KEY].answers
    kept = await engine.handle(press(button(back, "Keep previous answer")))
    assert "Which size?" in texts(kept)
    assert store.rows[KEY].answers["colour"] == "red" and store.rows[KEY].step == "size"


async def test_back_at_the_first_question_says_there_is_nothing_to_go_back_to() -> None:
    engine, _, _ = make_engine()
    await engine.start(text("/hat"), "hat")
    out = await engine.handle(command("back"))
    assert "This is the first question" in texts(out)


async def test_a_dialog_expires_after_the_timeout_with_the_flows_restart_hint() -> None:
    engine, store, clock = make_engine()
    await engine.start(text("/hat"), "hat")
    clock.now = NOW + timedelta(hours=2, minutes=1)
    out = await engine.handle(text("red"))
    assert texts(out) == (
        "Your hat order expired after 2 hours without an answer, so nothing was submitted. "
        "Send /hat to start again."
    )
    assert store.rows == {}


async def test_a_flow_without_a_restart_command_points_to_help() -> None:
    flow = Flow("plain", "survey", [Ask("q", "Q", "Why?", lambda raw, ctx: raw)])
    assert flow.expired_text(1.5).endswith(
        "expired after 1.5 hours without an answer, so nothing was submitted. "
        "Send /help to see what you can do."
    )


async def test_a_button_from_an_earlier_step_is_stale_and_the_current_question_is_shown() -> None:
    engine, store, _ = make_engine()
    await engine.start(text("/hat"), "hat")
    size = await engine.handle(text("red"))
    assert size is not None
    old = button(size, "Small")
    await engine.handle(press(old))
    out = await engine.handle(press(old))  # pressed again after the dialog moved on
    assert "This question has expired" in texts(out) and "A note for the maker?" in texts(out)
    assert store.rows[KEY].answers["size"] == "small" and len(store.rows[KEY].history) == 2


async def test_a_button_of_a_finished_dialog_has_expired() -> None:
    engine, _, _ = make_engine()
    out = await engine.handle(press("d1.0"))
    assert "This question has expired" in texts(out)
    assert await engine.handle(text("hello")) is None  # plain text without a dialog is not the engine's


async def test_a_version_conflict_retries_once_against_the_fresh_state() -> None:
    engine, store, _ = make_engine()
    await engine.start(text("/hat"), "hat")
    store.steal_next_save = 1  # another process saved this dialog between our load and our save
    out = await engine.handle(text("red"))
    assert "Which size?" in texts(out)  # the retry applied the answer to the fresh state
    assert store.rows[KEY].answers["colour"] == "red"


async def test_two_version_conflicts_answer_already_handled_and_overwrite_nothing() -> None:
    engine, store, _ = make_engine()
    await engine.start(text("/hat"), "hat")
    store.steal_next_save = 2
    out = await engine.handle(text("red"))
    assert texts(out) == "That was already handled."
    assert "colour" not in store.rows[KEY].answers and store.rows[KEY].step == "colour"


async def test_an_unknown_flow_or_step_is_dropped_with_an_apology() -> None:
    engine, store, clock = make_engine()
    store.rows[KEY] = DialogRecord("renamed", "colour", {}, [], 5, clock())
    out = await engine.handle(text("red"))
    assert "can no longer be continued" in texts(out) and store.rows == {}
    store.rows[KEY] = DialogRecord("hat", "old_step", {}, [], 5, clock())
    out = await engine.handle(text("red"))
    assert "can no longer be continued" in texts(out) and store.rows == {}
    with pytest.raises(KeyError):
        await engine.start(text("/x"), "no_such_flow")


async def test_cancel_discards_the_dialog_and_nothing_is_done() -> None:
    engine, store, _ = make_engine()
    await engine.start(text("/hat"), "hat")
    await engine.handle(text("red"))
    out = await engine.handle(command("cancel"))
    assert texts(out) == "Cancelled: your hat order was discarded and nothing was submitted."
    assert store.rows == {} and store.committed_work == []


async def test_starting_again_replaces_the_dialog_in_progress_with_a_newer_version() -> None:
    engine, store, _ = make_engine({"hat": tiny_flow()})
    await engine.start(text("/hat"), "hat")
    await engine.handle(text("red"))
    old = store.rows[KEY].version
    await engine.start(text("/hat"), "hat")
    assert store.rows[KEY].step == "colour" and store.rows[KEY].version > old
