"""PostgreSQL restarted while students share (issue #14): a PRIVATE cluster this test starts with pg_ctl
under /tmp/pg-reliab-<random> (never the shared TEST_POSTGRES_URL server) is stopped with `-m immediate`
and started again while six students play the whole sharing dialog through the console adapter. At
worst a student is told "Something went wrong ... Please try again" and does so (after /help shows the
question again); every dialog then finishes, and each student's experience is stored exactly once with
every answer in place."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.models import Company, DialogState, Experience, Question, Round
from tests.console.driver import Console, FakeClock, make_app
from tests.support.share_script import STEP_BY_STEP, STEP_EXPERIENCE, STEP_QUESTIONS, STEP_ROUNDS

pytestmark = pytest.mark.postgres
STUDENTS = 6
TRY_AGAIN = "Please try again"


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    return Path(found[-1]) if found and shutil.which("runuser") else None


class Cluster:
    """A throw-away PostgreSQL cluster of this test's own (trust auth on 127.0.0.1, no fsync)."""

    def __init__(self) -> None:
        bin_dir = _pg_bin()
        assert bin_dir is not None
        self.bin = bin_dir
        self.root = Path(f"/tmp/pg-reliab-{uuid.uuid4().hex[:10]}")
        self.data = self.root / "data"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args], cwd="/tmp", check=True, capture_output=True
        )

    def init(self) -> str:
        self.root.mkdir()
        shutil.chown(self.root, "postgres", "postgres")
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust")
        self.start()
        self._as_postgres(
            str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "ii"
        )
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/ii"

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        log = str(self.root / "server.log")
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", log, "-w", "-o", options, "start"
        )

    def stop(self) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            cwd="/tmp",
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster():
    if not os.environ.get("TEST_POSTGRES_URL") or _pg_bin() is None:
        pytest.skip("PostgreSQL tests need TEST_POSTGRES_URL and the PostgreSQL binaries (.ci/run)")
    made = Cluster()
    try:
        yield made
    finally:
        made.remove()


class Outage:
    """How many times students were asked to try again."""

    def __init__(self) -> None:
        self.apologies = 0


async def share(student: Console, outage: Outage) -> None:
    """Play the step-by-step script; an apology is answered as a student would: /help (which shows the
    question and its choices again), then the same answer."""
    for verb, value in (*STEP_BY_STEP, ("pick", "✅ Submit")):
        for _attempt in range(200):
            if verb == "pick":
                said = await student.pick(value)
            else:
                said = await student.say(f"/{value}" if verb == "command" else value)
            if TRY_AGAIN not in said:
                break
            outage.apologies += 1
            assert "Traceback" not in said
            while TRY_AGAIN in (shown := await student.say("/help")):
                await asyncio.sleep(0.05)
            assert "What I can do" in shown
        else:
            raise AssertionError(f"{value!r} never went through")
        await asyncio.sleep(0)


async def test_students_keep_sharing_through_a_postgres_restart(tmp_path, cluster: Cluster):
    url = await asyncio.to_thread(cluster.init)
    app = await make_app(tmp_path, url, FakeClock())
    try:
        async with app.database.sessions.begin() as session:
            session.add(Company(name="TCS", slug="tcs"))
        outage = Outage()
        students = [Console(app, app.config, f"stu-{n}", f"Student {n}") for n in range(STUDENTS)]
        sharing = [asyncio.create_task(share(s, outage)) for s in students]

        async def dialogs_started() -> int:
            async with app.database.sessions() as session:
                return (await session.execute(select(func.count()).select_from(DialogState))).scalar_one()

        while await dialogs_started() < STUDENTS:
            await asyncio.sleep(0.05)
        await asyncio.to_thread(cluster.stop)
        await asyncio.sleep(1.0)  # students keep typing against a dead server
        await asyncio.to_thread(cluster.start)
        await asyncio.wait_for(asyncio.gather(*sharing), 240)

        assert outage.apologies >= 1  # the restart did hit students mid-dialog
        async with app.database.sessions() as session:
            experiences = (await session.scalars(select(Experience).order_by(Experience.id))).all()
            rounds = (await session.scalars(select(Round))).all()
            questions = (await session.scalars(select(Question))).all()
            left = (await session.scalars(select(DialogState))).all()
        assert len(experiences) == STUDENTS and left == []  # every dialog finished, each stored once
        for experience in experiences:
            assert {k: getattr(experience, k) for k in STEP_EXPERIENCE} == STEP_EXPERIENCE
        assert len(rounds) == STUDENTS * len(STEP_ROUNDS)
        assert sorted(q.text for q in questions) == sorted(STEP_QUESTIONS * STUDENTS)
    finally:
        await app.close()
