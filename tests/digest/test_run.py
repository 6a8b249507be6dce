"""A digest run over the fixture week: hand-computed content, anonymity, exactly-once, crashes, failures."""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from datetime import UTC, datetime

import pytest
from PIL import Image as PILImage
from sqlalchemy import select

from core.features.company import charts as company_charts
from storage.models import DigestDelivery, DigestRun
from tests.console.driver import FakeClock, make_app
from tests.digest.conftest import Recorder, command
from tests.digest.data import ANONYMOUS_LINK, ANONYMOUS_NAME, ROLL_NUMBERS, WEEK_END, WEEK_START, seed

GENERAL = [
    "📬 **Weekly interview digest** · 16 Nov – 23 Nov 2026",
    "🆕 4 new experiences at 3 companies",
    "🏢 Top companies: TCS (2), Amazon (1), Infosys (1)",
    "✅ Selection rate among them: 67% (2 of 3 with a known result)",
    "🔥 Hot topics: DSA (3), DBMS (1), OS (1), System design (1)",
    "❓ Most asked this week:",
    "• “reverse a linked list” (3 experiences)",  # compared lowercased: the wording shown is one of them
    "• “design a parking lot” (1 experience)",
    "• “explain normalization” (1 experience)",
    "• “what is a deadlock?” (1 experience)",
]


ONE_AT_A_TIME = {"send_pause_s": 0, "send_concurrency": 1}  # the order of chats is the order of sends


class Crash(BaseException):
    """The process dying (not an Exception, so nothing on the way catches it)."""


async def subscribe(app, *events) -> None:
    for event in events:
        await app.handle(event)


async def deliveries(app) -> dict[tuple[str, str], str]:
    async with app.database.sessions() as session:
        rows = await session.execute(
            select(DigestDelivery.platform, DigestDelivery.chat_id, DigestDelivery.status)
        )
        return {(p, c): s for p, c, s in rows}


def register(app, recorder: Recorder, *platforms: str) -> None:
    for platform in platforms or ("console", "telegram", "discord"):
        app.register_notifier(platform, recorder)


async def test_digest_content_is_hand_computed_and_sent_once_per_chat(app_ids, clock):
    app, ids = app_ids
    await subscribe(
        app,
        command("console", "student-1", "/subscribe"),
        command("telegram", "1001", "/subscribe TCS"),  # a company only: the week plus TCS's new posts
        command("discord", "555", "/subscribe", private=False, moderator=True),
    )
    recorder = Recorder()
    register(app, recorder)

    report = await app.digest.sender.tick()

    assert (report.period.start, report.period.end) == (WEEK_START, WEEK_END)
    assert (report.sent, report.failed, report.skipped) == (3, 0, 0)
    assert sorted(recorder.chats()) == ["1001", "555", "student-1"]
    by_chat = {chat.id: (chat, reply) for chat, reply in recorder.sent}
    assert by_chat["555"][0].is_private is False and by_chat["1001"][0].is_private is True

    general = by_chat["student-1"][1].text.split("\n")
    assert [line.lower() if line.startswith("• “") else line for line in general[: len(GENERAL)]] == GENERAL
    assert general[-1].endswith("Manage with /subscriptions · stop with /unsubscribe")
    assert "TCS**:" not in by_chat["student-1"][1].text

    tcs = by_chat["1001"][1].text.split("\n")
    start = tcs.index("**TCS**: 2 new experiences")
    assert tcs[start + 1 : start + 3] == [
        f"• #{ids.e2} TCS · SDE · 2026 · Anonymous",
        f"• #{ids.e1} TCS · SDE · 2026 · Asha Rao",
    ]
    assert f"#{ids.e5} " not in by_chat["1001"][1].text and f"#{ids.e7} " not in by_chat["1001"][1].text

    (chart,) = by_chat["555"][1].images
    assert chart.caption == "This week: TCS has the most experiences: 2 of 4 (50%). Next: Amazon (1)."
    with PILImage.open(io.BytesIO(chart.png)) as img:
        img.load()
        assert img.format == "PNG" and img.width >= 600

    assert await deliveries(app) == {
        ("console", "student-1"): "sent",
        ("telegram", "1001"): "sent",
        ("discord", "555"): "sent",
    }
    async with app.database.sessions() as session:
        sent_at = set(await session.scalars(select(DigestDelivery.sent_at)))
        assert sent_at == {clock.now}
        assert [r.period_start for r in await session.scalars(select(DigestRun))] == [WEEK_START]

    # A second tick (the retry job, another cron call) sends nothing again.
    again = await app.digest.sender.tick()
    assert (again.sent, again.skipped) == (0, 3) and len(recorder.sent) == 3


async def test_anonymous_authors_and_roll_numbers_never_appear(app_ids):
    app, ids = app_ids
    await subscribe(
        app,
        command("telegram", "1001", "/subscribe TCS"),
        command("telegram", "1002", "/subscribe Amazon"),
        command("telegram", "1003", "/subscribe Infosys"),
    )
    recorder = Recorder()
    register(app, recorder)
    await app.digest.sender.tick()
    assert len(recorder.sent) == 3
    shown = "\n".join(reply.text + "".join(i.caption for i in reply.images) for _, reply in recorder.sent)
    assert "Anonymous" in shown and "Asha Rao" in shown and "Ravi Kumar" in shown and "Meera Iyer" in shown
    assert ANONYMOUS_NAME not in shown and ANONYMOUS_LINK not in shown and "linkedin" not in shown.lower()
    for roll in ROLL_NUMBERS:
        assert roll not in shown
    # Outside the week, or not approved: never listed.
    for name in ("Old Timer", "Next Week", "Waiting Wanda"):
        assert name not in shown


async def test_a_crash_mid_send_resumes_with_the_rest_and_never_resends(tmp_path, database_url):
    clock = FakeClock()
    app = await make_app(tmp_path, database_url, clock, digest=ONE_AT_A_TIME)
    await seed(app.database.sessions)
    chats = [f"200{i}" for i in range(1, 6)]
    await subscribe(app, *(command("telegram", chat, "/subscribe") for chat in chats))

    class CrashingRecorder(Recorder):
        async def send(self, chat, reply):
            if chat.id == "2003":
                raise Crash  # the process dies while the third chat's digest is on its way
            await super().send(chat, reply)

    first = CrashingRecorder()
    register(app, first, "telegram")
    with pytest.raises(Crash):
        await app.digest.sender.tick()
    await app.close()

    app = await make_app(tmp_path, database_url, clock, digest=ONE_AT_A_TIME)  # the restart
    try:
        second = Recorder()
        register(app, second, "telegram")
        report = await app.digest.sender.tick()
        assert first.chats() == ["2001", "2002"]
        assert second.chats() == ["2004", "2005"]  # 2003 may have got it: it is never sent twice
        assert (report.sent, report.skipped) == (2, 3)
        assert await deliveries(app) == {
            ("telegram", "2001"): "sent",
            ("telegram", "2002"): "sent",
            ("telegram", "2003"): "pending",
            ("telegram", "2004"): "sent",
            ("telegram", "2005"): "sent",
        }
    finally:
        await app.close()


async def test_a_crash_between_sends_resumes_so_every_chat_gets_exactly_one(tmp_path, database_url):
    clock = FakeClock()
    app = await make_app(tmp_path, database_url, clock, digest={**ONE_AT_A_TIME, "send_pause_s": 0.5})
    await seed(app.database.sessions)
    chats = [f"300{i}" for i in range(1, 6)]
    await subscribe(app, *(command("telegram", chat, "/subscribe") for chat in chats))
    first = Recorder()
    register(app, first, "telegram")
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:
            raise Crash  # killed while pacing, after two chats were served

    app.digest.sender.sleep = sleep
    with pytest.raises(Crash):
        await app.digest.sender.tick()
    await app.close()

    app = await make_app(tmp_path, database_url, clock, digest={**ONE_AT_A_TIME, "send_pause_s": 0.5})
    try:
        second = Recorder()
        register(app, second, "telegram")
        resumed_pauses: list[float] = []

        async def record(seconds: float) -> None:
            resumed_pauses.append(seconds)

        app.digest.sender.sleep = record
        await app.digest.sender.tick()
        assert first.chats() == ["3001", "3002"] and second.chats() == ["3003", "3004", "3005"]
        assert set((await deliveries(app)).values()) == {"sent"}  # no pending row: nothing ambiguous
        assert resumed_pauses == [0.5, 0.5]  # sends are paced: a pause between two chats
    finally:
        await app.close()


async def test_one_failing_chat_does_not_stop_the_others_and_is_retried(app_ids, caplog):
    app, ids = app_ids
    chats = ["4001", "4002", "4003"]
    await subscribe(app, *(command("telegram", chat, "/subscribe") for chat in chats))
    recorder = Recorder(fail_for=("4002",))
    register(app, recorder, "telegram")
    with caplog.at_level(logging.WARNING, logger="core.features.digest.send"):
        report = await app.digest.sender.tick()
    assert recorder.chats() == ["4001", "4003"]
    assert (report.sent, report.failed) == (2, 1)
    assert "digest to telegram:4002 failed" in caplog.text and "blocked" in caplog.text
    async with app.database.sessions() as session:
        error = await session.scalar(select(DigestDelivery.error).where(DigestDelivery.chat_id == "4002"))
    assert error == "RuntimeError: Forbidden: bot was blocked by the user 4002"

    recorder.fail_for.clear()  # the user unblocked the bot before the next tick
    retry = await app.digest.sender.tick()
    assert recorder.chats() == ["4001", "4003", "4002"] and (retry.sent, retry.skipped) == (1, 2)
    assert set((await deliveries(app)).values()) == {"sent"}


async def test_chats_of_a_platform_not_running_wait_for_it(app_ids):
    app, ids = app_ids
    await subscribe(
        app,
        command("console", "student-1", "/subscribe"),
        command("discord", "555", "/subscribe", private=False, moderator=True),
    )
    console = Recorder()
    register(app, console, "console")  # Discord is not running in this process
    report = await app.digest.sender.tick()
    assert console.chats() == ["student-1"] and report.unavailable == 1
    assert await deliveries(app) == {("console", "student-1"): "sent"}

    discord = Recorder()
    register(app, discord, "discord")
    await app.digest.sender.tick()
    assert discord.chats() == ["555"] and console.chats() == ["student-1"]


async def test_two_workers_ticking_at_once_send_each_chat_once(tmp_path, database_url):
    clock = FakeClock()
    apps = [await make_app(tmp_path, database_url, clock, digest={"send_pause_s": 0}) for _ in range(2)]
    try:
        await seed(apps[0].database.sessions)
        chats = [f"500{i}" for i in range(1, 7)]
        await subscribe(apps[0], *(command("telegram", chat, "/subscribe") for chat in chats))
        recorders = [Recorder(), Recorder()]
        for app, recorder in zip(apps, recorders, strict=True):
            register(app, recorder, "telegram")
        await asyncio.gather(*(app.digest.sender.tick() for app in apps))
        assert sorted(recorders[0].chats() + recorders[1].chats()) == chats
    finally:
        for app in apps:
            await app.close()


async def test_an_empty_week_sends_a_short_note_or_nothing(tmp_path, database_url):
    clock = FakeClock(datetime(2026, 12, 8, 12, tzinfo=UTC))  # the week 30 Nov - 7 Dec has nothing
    app = await make_app(tmp_path, database_url, clock, digest={"send_pause_s": 0})
    try:
        await seed(app.database.sessions)
        await subscribe(app, command("telegram", "6001", "/subscribe TCS"))
        recorder = Recorder()
        register(app, recorder, "telegram")
        report = await app.digest.sender.tick()
        ((_, reply),) = recorder.sent
        assert report.empty and reply.images == ()
        assert reply.text.startswith(
            "📭 **Weekly interview digest** · 30 Nov – 7 Dec 2026\nNothing new this week."
        )
    finally:
        await app.close()

    app = await make_app(
        tmp_path,
        database_url,
        FakeClock(datetime(2026, 12, 15, 12, tzinfo=UTC)),
        digest={"send_pause_s": 0, "send_when_empty": False},
    )
    try:
        quiet = Recorder()
        register(app, quiet, "telegram")
        report = await app.digest.sender.tick()
        assert report.empty and quiet.sent == []
        assert await deliveries(app) == {("telegram", "6001"): "sent"}  # only last week's note
    finally:
        await app.close()


async def test_a_week_is_closed_after_the_catch_up_window(app_ids, clock):
    app, ids = app_ids
    await subscribe(app, command("telegram", "7001", "/subscribe"), command("telegram", "7002", "/subscribe"))
    recorder = Recorder(fail_for=("7002",))
    register(app, recorder, "telegram")
    await app.digest.sender.tick()
    clock.now = datetime(2026, 11, 26, 4, tzinfo=UTC)  # 72 h after the week's end have passed
    recorder.fail_for.clear()
    report = await app.digest.sender.tick()
    assert report.closed and recorder.chats() == ["7001"]
    async with app.database.sessions() as session:
        assert list(await session.scalars(select(DigestRun.status))) == ["done"]


async def test_send_early_then_the_scheduled_tick_only_reaches_new_chats(app_ids, clock):
    app, ids = app_ids
    await subscribe(app, command("telegram", "8001", "/subscribe Amazon"))
    recorder = Recorder()
    register(app, recorder, "telegram")
    early = await app.digest.sender.send_early()  # Wednesday: the week that started on Monday
    assert early.period.start == WEEK_END and early.sent == 1
    text = recorder.sent[0][1].text
    assert (
        "🆕 1 new experience at 1 company" in text and f"• #{ids.e6} Amazon · SDE · 2026 · Next Week" in text
    )

    await subscribe(app, command("telegram", "8002", "/subscribe"))
    clock.now = datetime(2026, 11, 30, 4, tzinfo=UTC)  # the scheduled Monday 09:30 IST
    report = await app.digest.sender.tick()
    assert report.period.start == WEEK_END and recorder.chats() == ["8001", "8002"]


async def test_the_chart_is_drawn_off_the_event_loop(app_ids, monkeypatch):
    """The week's chart goes through the insight ChartService: worker threads, or its process pool."""
    app, ids = app_ids
    charts = app.digest.sender.charts
    in_threads = getattr(charts, "workers", getattr(charts, "_workers", 0)) == 0
    threads: set[int] = set()
    real = company_charts.render_job

    def spy(job):
        threads.add(threading.get_ident())
        return real(job)

    if in_threads:  # a process pool cannot run a test-local spy (it is not picklable)
        monkeypatch.setattr(company_charts, "render_job", spy)
    await subscribe(app, command("telegram", "9001", "/subscribe"))
    recorder = Recorder()
    register(app, recorder, "telegram")
    before = charts.renders
    await app.digest.sender.tick()
    assert charts.renders == before + 1 and len(recorder.sent[0][1].images) == 1
    if in_threads:
        assert threads and threading.get_ident() not in threads
