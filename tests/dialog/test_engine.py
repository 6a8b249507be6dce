"""The dialog engine on its own, with a tiny hat-order flow and an in-memory store (no share flow)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.dialog.engine import Flow
from core.dialog.sections import sectioned, start_edit
from core.dialog.steps import Ask, Choose, DialogContext, Done, Invalid, Next, Option, Outcome, finish
from core.events import IncomingEvent
from core.replies import Reply
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
    assert out is not None and [reply.stale for reply in out] == [True, False]  # the prompt is current
    assert store.rows[KEY].answers["size"] == "small" and len(store.rows[KEY].history) == 2


async def test_a_button_of_a_finished_dialog_has_expired() -> None:
    engine, _, _ = make_engine()
    out = await engine.handle(press("d1.0"))
    assert "This question has expired" in texts(out)
    assert out is not None and all(reply.stale for reply in out)
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


def review_flow() -> Flow:
    """Two sections (colour; size + note) and a review screen that can send the student to edit one."""

    async def submit(ctx: DialogContext) -> list[Reply]:
        return [Reply(text=f"Ordered: {ctx.answers['colour']}/{ctx.answers['size']}/{ctx.answers['note']}")]

    class Review:
        name, title, section = "review", "Review", 0

        async def prompt(self, ctx: DialogContext) -> Reply:
            answers = ctx.answers
            return Reply(text=f"Check: {answers['colour']}, {answers['size']}, {answers['note']}")

        async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
            typed = event.text.strip()
            if typed == "submit":
                return Done(tuple(await submit(ctx)))
            start_edit(ctx.answers, int(typed[-1]))
            return Next({"1": "colour", "2": "size"}[typed[-1]])

        def show(self, answers: dict) -> str:
            return ""

    steps = [
        Ask("colour", "Colour", "Which colour?", lambda raw, ctx: raw.strip(), section=1),
        Choose(
            "size", "Size", "Which size?", [Option("small", "Small"), Option("large", "Large")], section=2
        ),
        Ask("note", "Note", "A note?", lambda raw, ctx: raw.strip(), section=2),
        Review(),
    ]
    return Flow("hat", "hat order", sectioned(steps, review="review"))


async def test_an_edited_section_leads_back_to_the_review_screen_when_it_is_answered() -> None:
    engine, store, _ = make_engine({"hat": review_flow()})
    first = await engine.start(text("/hat"), "hat")
    assert texts(first).startswith("**1/2 · Colour**\nWhich colour?")
    await engine.handle(text("red"))
    await engine.handle(text("1"))
    review = await engine.handle(text("thanks"))
    assert texts(review) == "Check: red, small, thanks"  # no section header on the review screen
    edit = await engine.handle(text("edit 2"))
    assert texts(edit).startswith("**2/2 · Size**\nWhich size?")
    note = await engine.handle(text("2"))
    assert texts(note).startswith("**2/2 · Note**")  # still section 2: the edit goes on
    back = await engine.handle(text("with a feather"))
    assert texts(back) == "Check: red, large, with a feather"  # section 2 done: back to review
    assert "_edit_section" not in store.rows[KEY].answers
    edit = await engine.handle(text("edit 1"))
    assert "Which colour?" in texts(edit)
    back = await engine.handle(text("blue"))  # section 1 has one step: straight back to review
    assert texts(back) == "Check: blue, large, with a feather"
    done = await engine.handle(text("submit"))
    assert texts(done) == "Ordered: blue/large/with a feather" and store.rows == {}


async def test_two_failed_answers_at_one_step_add_the_expected_form_an_example_and_the_ways_out() -> None:
    flow = Flow(
        "pin",
        "pin change",
        [
            Ask("name", "Name", "Your name?", lambda raw, ctx: raw.strip()),
            Ask(
                "pin",
                "PIN",
                "Your new PIN?",
                _four_digits,
                hint="Four digits, nothing else.",
                example="4821",
                then=finish(_pin_done),
            ),
        ],
    )
    engine, store, _ = make_engine({"pin": flow})
    await engine.start(text("/pin"), "pin")
    asked = await engine.handle(text("Asha"))
    once = await engine.handle(text("12"))
    assert texts(once) == "⚠️ A PIN is 4 digits.\nYour new PIN?"  # the first failure: just the reason
    tokens_before = store.rows[KEY].version
    twice = await engine.handle(text("12a4"))
    assert texts(twice) == (
        "⚠️ A PIN is 4 digits.\n"
        "💡 Four digits, nothing else. For example: 4821\n"
        "Stuck? /back changes your previous answer, /cancel stops (nothing is submitted).\n"
        "Your new PIN?"
    )
    assert store.rows[KEY].version == tokens_before  # buttons already shown stay valid
    assert asked is not None and store.rows[KEY].step == "pin"
    done = await engine.handle(text("4821"))
    assert texts(done) == "PIN changed." and store.rows == {}


async def test_the_failure_count_starts_again_on_a_new_step_and_after_a_good_answer() -> None:
    engine, store, _ = make_engine()
    await engine.start(text("/hat"), "hat")
    await engine.handle(text("octarine"))
    await engine.handle(text("red"))  # a good answer: the count is gone
    assert "_failures" not in store.rows[KEY].answers
    once = await engine.handle(text("enormous"))
    assert "💡" not in texts(once)
    twice = await engine.handle(text("enormous"))
    assert "💡 Press one of the buttons, or type the option's number or its name." in texts(twice)
    assert "Stuck? /back changes your previous answer" in texts(twice)


async def test_a_step_answering_next_at_the_end_of_a_flow_is_a_mistake_not_a_silent_finish() -> None:
    flow = Flow("plain", "survey", [Ask("q", "Q", "Why?", lambda raw, ctx: raw)])
    engine, store, _ = make_engine({"plain": flow})
    await engine.start(text("/plain"), "plain")
    with pytest.raises(RuntimeError, match="the last step must return Done"):
        await engine.handle(text("because"))
    assert store.rows[KEY].step == "q"  # nothing was finished or removed


def _four_digits(raw: str, ctx: DialogContext) -> str:
    if not (len(raw.strip()) == 4 and raw.strip().isdigit()):
        raise Invalid("A PIN is 4 digits.")
    return raw.strip()


async def _pin_done(ctx: DialogContext) -> list[Reply]:
    return [Reply(text="PIN changed.")]
