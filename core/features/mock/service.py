"""Mock interviews: a question seniors were asked, a video answer, an honest scorecard, progress over time."""

from __future__ import annotations

import asyncio
import logging
import random
import shutil
import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from core.clock import utcnow
from core.colleges import shared_scope
from core.dialog.engine import DialogEngine, Flow
from core.dialog.steps import (
    Choose,
    DialogContext,
    Done,
    Invalid,
    Next,
    Option,
    Outcome,
    Stay,
    Upload,
    UploadMessages,
    choice_index,
)
from core.events import Attachment, ChatRef, IncomingEvent
from core.features.base import CommandSink, FeatureBase
from core.features.mock.bank import BANK
from core.features.mock.prompts import spoken_prompt
from core.metrics import timed_scoring
from core.ops.scoring import SCORING_FAILED, SWEEP_INTERVAL_S, scoring_lease_s
from core.ports import TASK_SCORE_ATTEMPT, CommandInfo, TaskQueue
from core.replies import Button, Image, Reply
from core.repositories.mock import MockRepository
from core.router import command_button_action
from core.services import Services
from media.scoring import LABELS

logger = logging.getLogger(__name__)

VIDEO_SUFFIXES = {".mp4", ".mov", ".webm", ".mkv", ".m4v"}
CONSENT_TEXT = (
    "**Mock interviews: what I measure**\n"
    "You answer a question on camera and I report what the camera and microphone observed: whether your "
    "face is in view, how much you look at the camera, your expression (smiling / neutral / tense), head "
    "steadiness, framing, lighting and, if there is sound, speaking time, long pauses and pace.\n"
    "I do not judge confidence, personality or whether you would be hired.\n"
    "Your video is deleted right after scoring unless you choose to keep it; the scores are kept so you "
    "can follow your progress (/progress). Read this again any time with /mock privacy."
)
DISCLAIMER = "These scores describe what the camera and microphone observed, not how good your answer was."


INTERRUPTED = (
    "⚠️ The bot restarted while scoring your mock answer, so it could not be scored; your video was "
    "deleted. Please record it again with /mock."
)

Tell = Callable[[ChatRef, Reply], Awaitable[object]]


class Scorer(Protocol):
    """What scores a video file (media.pool.ScoringPool in production, a fake in tests)."""

    async def score(self, path: Path, max_duration_s: float, timeout_s: float) -> tuple[dict, bytes]: ...

    def close(self) -> None: ...


def format_duration(seconds: float) -> str:
    """ "2 min 5 s" for messages."""
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def scorecard_reply(result: dict[str, Any], png: bytes, question: str) -> Reply:
    """The scorecard message: overall, each metric with its tip, and the chart."""
    lines = [f"**Your scorecard: {result['overall']}/100**", f"Question: {question}"]
    labels = result.get("labels") or LABELS
    for key, score in result["scores"].items():
        lines.append(f"• {labels.get(key, key)}: {score} — {result['tips'].get(key, '')}")
    lines.extend(f"ℹ️ {note}" for note in result.get("notes", []))
    lines.append(DISCLAIMER)
    weakest = min(result["scores"].items(), key=lambda item: item[1])
    strongest = max(result["scores"], key=result["scores"].get)
    caption = (
        f"Overall {result['overall']}/100; strongest: {labels.get(strongest, strongest)}, "
        f"work on: {labels.get(weakest[0], weakest[0])} ({weakest[1]})."
    )
    buttons = ((Button("📈 My progress", command_button_action("progress")),),)
    return Reply(
        text="\n".join(lines), images=(Image(png, "scorecard.png", caption),), buttons=buttons, private=True
    )


@dataclass
class AnswerStep:
    """Show the question and wait for a video answer (or skip / stop).

    The video is taken by the generic `Upload` step (`Mock.video_upload`: kind, size and duration
    before any download, then the file is written and probed); scoring then starts in the background.
    """

    feature: Mock
    upload: Upload
    name: str = "answer"
    title: str = "Mock interview"
    section: int = 0

    async def prompt(self, ctx: DialogContext) -> Reply:
        text = (
            f"🎤 **Question:** {ctx.answers['question']}\n"
            f"Record your answer on camera (up to {format_duration(ctx.services.config.mock.max_duration_s)})"
            " and send it here as a video or video note."
        )
        if ctx.answers.get("source") == "experience":
            text += "\n(Seniors were asked this at " + ctx.answers.get("company_name", "this company") + ".)"
        buttons = ((Button("⏭ Another question", ctx.token("skip")), Button("🏁 Stop", ctx.token("stop"))),)
        return Reply(text=text, buttons=buttons, private=True)

    async def accept(self, ctx: DialogContext, event: IncomingEvent) -> Outcome:
        choice = choice_index(ctx, event)
        typed = event.text.strip().lower() if event.kind == "text" else ""
        if choice == "skip" or typed in ("skip", "next"):
            await self.feature.next_question(ctx)
            return Stay("Here is another question.")
        if choice == "stop" or typed == "stop":
            return Done((Reply(text="Good practice! See how you are doing with /progress.", private=True),))
        if event.kind != "upload" or not event.attachments:
            raise Invalid(self.upload.messages.not_a_file)
        path = await self.upload.receive(event.attachments[0])
        await self.feature.start_scoring(ctx, event, path)
        return Next("after")

    def show(self, answers: dict[str, Any]) -> str:
        return answers.get("question", "")


class Mock(FeatureBase):
    """/mock, /mock privacy and /progress."""

    name = "mock"

    def __init__(
        self, services: Services, engine: DialogEngine, repo: MockRepository, scorer: Scorer
    ) -> None:
        self._services = services
        self._engine = engine
        self._scorer = scorer
        self._repo = repo
        self._tasks: set[asyncio.Task] = set()
        self._rng = random.Random()
        self._queue: TaskQueue | None = None
        self._live: set[int] = set()  # attempts this process is scoring now (in-process or as a worker)

    def use_queue(self, queue: TaskQueue) -> None:
        """Defer scorings to the durable queue (config `queue.backend: procrastinate`) instead of
        scoring in this process: a `main.py worker` runs `score_attempt`, even if this bot stops."""
        self._queue = queue

    def flows(self) -> list[Flow]:
        """The practice dialog: consent (first time only), the question, then retry / next / finish."""

        consent = Choose(
            "consent",
            "Consent",
            CONSENT_TEXT,
            [
                Option("delete", "✅ I agree (delete my videos after scoring)"),
                Option("keep", "✅ I agree and keep my videos"),
                Option("no", "Not now"),
            ],
            per_row=1,
            then=self._consented,
        )
        after = Choose(
            "after",
            "Mock interview",
            "What next? (Your scorecard arrives in a moment.)",
            [
                Option("retry", "🔁 Retry this question"),
                Option("next", "➡️ Next question"),
                Option("finish", "🏁 Finish"),
            ],
            per_row=1,
            then=self._after,
        )
        return [Flow("mock", "mock interview", [consent, AnswerStep(self, self.video_upload()), after])]

    def video_upload(self) -> Upload:
        """The video answer: a video by kind, type or name, within the size and duration limits, that
        ffprobe can read (media.video); its value is the temporary file the scorer reads."""
        config = self._services.config.mock

        def duration(attachment: Attachment) -> None:
            if attachment.duration is not None and attachment.duration > config.max_duration_s:
                raise Invalid(
                    f"That answer is {format_duration(attachment.duration)} long; please keep it under "
                    f"{format_duration(config.max_duration_s)}."
                )

        return Upload(
            "answer",
            "Mock interview",
            "Send your answer as a video.",
            check=self._store_video,
            max_bytes=int(config.max_upload_mb * 1024 * 1024),
            kinds=("video", "video_note"),
            mimes=("video/",),
            suffixes=tuple(sorted(VIDEO_SUFFIXES)),
            expected="a video (MP4, MOV or WebM)",
            messages=UploadMessages(
                wrong_kind="Please send a video (MP4, MOV or WebM) — that file is not one.",
                too_big=(
                    "That video is {size_mb:.1f} MB; the limit is {limit_mb:g} MB. "
                    "Record a shorter answer or lower the resolution."
                ),
                no_download="I could not download that video; please send it again (up to {limit_mb:g} MB).",
                not_a_file="Please send your answer as a video (or a video note), or press Another question.",
            ),
            precheck=duration,
        )

    async def _store_video(self, attachment: Attachment, data: bytes) -> Path:
        """Write the downloaded answer to a temporary file and check ffprobe can read it (Invalid if not)."""
        config = self._services.config.mock
        path = self._temp_path(config.video_dir, attachment.filename)
        path.write_bytes(data)
        try:
            await asyncio.to_thread(_probe, path, config.max_duration_s)
        except Invalid:
            path.unlink(missing_ok=True)
            raise
        return path

    def register(self, commands: CommandSink) -> None:
        """Add the commands to the router."""
        commands.add(
            CommandInfo(
                "mock", "Practise: answer an interview question on video", "[company] [role]", personal=True
            ),
            self.mock,
        )
        commands.add(
            CommandInfo("progress", "Your mock-interview scores over time", personal=True), self.progress
        )

    @staticmethod
    async def _user_id(event: IncomingEvent) -> int:
        return await event.actor.ensure_id()

    async def mock(self, event: IncomingEvent) -> list[Reply]:
        """Start practising (consent first), or show what is measured with `/mock privacy`."""
        if event.args.strip().lower() == "privacy":
            _consented, keep = await self._repo.consent(await self._user_id(event))
            state = "kept" if keep else "deleted right after scoring"
            return [Reply(text=f"{CONSENT_TEXT}\nYour setting: videos are {state}.", private=True)]
        if not event.chat.is_private:
            return [
                Reply(
                    text="Mock interviews happen in a private chat: send me /mock in a direct message.",
                    private=True,
                )
            ]
        user_id = await self._user_id(event)
        company_id, company_name, role, note = await self._target(event.args)
        answers = {
            "user_id": user_id,
            "company_id": company_id,
            "company_name": company_name,
            "role": role,
            "asked": [],
            "chat": [event.chat.platform, event.chat.id],
            # seniors' questions of the student's college and the colleges sharing across (issue #15)
            "colleges": await self._question_scope(event),
        }
        consented, _keep = await self._repo.consent(user_id)
        if consented:
            await self._fill_question(answers)
        replies = [Reply(text=note, private=True)] if note else []
        return replies + await self._engine.start(
            event, "mock", answers, step="answer" if consented else None
        )

    async def _target(self, args: str) -> tuple[int | None, str | None, str | None, str]:
        words = args.split()
        for cut in range(len(words), 0, -1):
            match = await self._services.companies.match(" ".join(words[:cut]))
            if match.exact is not None:
                role = " ".join(words[cut:]) or None
                return match.exact.id, match.exact.name, role, ""
        if words:
            return (
                None,
                None,
                None,
                f'I don\'t know the company "{args.strip()}", so here are general questions.',
            )
        return None, None, None, ""

    async def _question_scope(self, event: IncomingEvent) -> list[int] | None:
        college = event.actor.college_id
        if college is None:
            return None
        return list(await shared_scope(self._services.repos.colleges, college))

    async def _fill_question(self, answers: dict[str, Any]) -> None:
        prompt = await self._repo.pick(
            BANK,
            answers.get("company_id"),
            answers.get("role"),
            set(answers["asked"]),
            self._rng,
            colleges=answers.get("colleges"),
        )
        # Seniors' coding puzzles are asked as "explain your approach to ...": they can't be coded on camera.
        answers.update(question_id=prompt.id, question=spoken_prompt(prompt.text), source=prompt.source)
        answers["asked"] = [*answers["asked"], prompt.id]

    async def next_question(self, ctx: DialogContext) -> None:
        """Pick a question not asked yet in this session."""
        await self._fill_question(ctx.answers)

    async def _consented(self, ctx: DialogContext, value: Any) -> Outcome:
        if value == "no":
            return Done((Reply(text="No problem. Send /mock whenever you want to practise.", private=True),))
        await self._repo.give_consent(ctx.answers["user_id"], keep_videos=value == "keep")
        await self._fill_question(ctx.answers)
        return Next("answer")

    async def _after(self, ctx: DialogContext, value: Any) -> Outcome:
        if value == "finish":
            return Done((Reply(text="Well done! Track your scores with /progress.", private=True),))
        if value == "next":
            await self._fill_question(ctx.answers)
        return Next("answer")

    async def start_scoring(self, ctx: DialogContext, event: IncomingEvent, path: Path) -> None:
        """Score a received answer (`video_upload`'s file) in the background and push the result."""
        _consented, keep = await self._repo.consent(ctx.answers["user_id"])
        attempt = await self._repo.start_attempt(ctx.answers["user_id"], ctx.answers.get("question_id"))
        chat = ChatRef(event.chat.platform, event.chat.id, is_private=event.chat.is_private)
        if self._queue is not None:
            job = {
                "attempt": attempt,
                "path": str(path),
                "platform": chat.platform,
                "chat": chat.id,
                "private": chat.is_private,
                "keep": keep,
                "question": ctx.answers["question"],
            }
            await self._queue.defer(TASK_SCORE_ATTEMPT, job, lock=f"mock-attempt-{attempt}")
        else:
            self._live.add(attempt)
            task = asyncio.create_task(self.score_attempt(attempt, path, chat, keep, ctx.answers["question"]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            task.add_done_callback(lambda _done: self._live.discard(attempt))
        ctx.notes.append("⏳ Scoring your answer… your scorecard arrives in a few seconds.")

    @staticmethod
    def _temp_path(video_dir: str, filename: str) -> Path:
        folder = Path(video_dir) / "incoming"
        folder.mkdir(parents=True, exist_ok=True)
        suffix = Path(filename or "").suffix.lower()
        return folder / f"{uuid.uuid4().hex}{suffix if suffix in VIDEO_SUFFIXES else '.mp4'}"

    async def score_attempt(self, attempt: int, path: Path, chat: ChatRef, keep: bool, question: str) -> None:
        """Score off the event loop; always end with a scorecard or a clear reason, never stuck "scoring".

        The in-process path runs it as a background task of the bot; with the durable queue a
        `main.py worker` runs it (core/queue_tasks.py), which skips attempts no longer "scoring".
        """
        config = self._services.config.mock
        kept: str | None = None
        self._live.add(attempt)
        try:
            result, png = await timed_scoring(
                self._scorer.score(path, config.max_duration_s, config.timeout_s)
            )
            if keep:
                target = Path(config.video_dir) / "kept" / f"attempt-{attempt}{path.suffix}"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(path), target)
                kept = str(target)
            await self._repo.finish_attempt(attempt, result, kept)
            await self._services.notify(chat, scorecard_reply(result, png, question))
        except Exception as problem:
            reason = _reason_of(problem)
            await self._repo.fail_attempt(attempt, reason)
            await self._services.notify(chat, Reply(text=f"⚠️ {reason}", private=True))
        finally:
            self._live.discard(attempt)
            if kept is None:
                path.unlink(missing_ok=True)

    @property
    def pending_scorings(self) -> int:
        """Scorings this process runs or waits to run now (the in-process queue depth for /metrics)."""
        return len(self._live)

    async def give_up(self, attempt: int, path: Path, chat: ChatRef) -> bool:
        """The queue's final failure of a scoring job (its retries spent): fail the attempt if it is
        still "scoring", tell the student SCORING_FAILED (as the in-process path does on an unexpected
        error) and delete the upload. Whether the attempt was failed now (False: it had ended already)."""
        path.unlink(missing_ok=True)
        if not await self._repo.fail_scoring(attempt, SCORING_FAILED):
            return False
        logger.warning("mock attempt %s failed for good after its retries", attempt)
        await self._services.notify(chat, Reply(text=f"⚠️ {SCORING_FAILED}", private=True))
        return True

    async def sweep_stuck(
        self, tell: Tell, *, live: Collection[int] = (), now: datetime | None = None
    ) -> int:
        """Fail attempts "scoring" for longer than `scoring_lease_s` that nobody is scoring, and tell
        their students SCORING_FAILED; how many chats were told.

        Why: a scoring whose failure could not be recorded (the database gone at that moment, a job's
        final failure lost with its worker) left the attempt "scoring" for good: no scorecard, no
        message. `live` are attempts being scored elsewhere (the durable queue's waiting and running
        jobs, storage.queue.live_scorings); this process's own are always spared. `now` defaults to
        the store's wall clock (core.clock: rows are stamped by it, not by the services' clock).
        """
        lease = timedelta(seconds=scoring_lease_s(self._services.config.mock))
        before = (now or utcnow()) - lease
        chats = await self._repo.fail_stuck(before, SCORING_FAILED, exclude={*self._live, *live})
        for platform, user in chats:
            await tell(
                ChatRef(platform, user, is_private=True), Reply(text=f"⚠️ {SCORING_FAILED}", private=True)
            )
        if chats:
            logger.warning("failed the stuck mock attempts of %d student chat(s)", len(chats))
        return len(chats)

    async def sweep_forever(self, tell: Tell, interval_s: float = SWEEP_INTERVAL_S) -> None:
        """`sweep_stuck` every `interval_s` seconds until cancelled (the in-process bot's sweep)."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.sweep_stuck(tell)
            except Exception:
                logger.exception("sweeping stuck mock attempts failed; trying again later")

    async def recover_interrupted(self, tell_later: Callable[[ChatRef, Reply], Awaitable[object]]) -> int:
        """At start: attempts a stopped process left "scoring" are failed, their students told (through
        the outbox: the adapters are not connected yet), and the uploads they left behind deleted.

        Why: a bot killed or shut down mid-scoring left an attempt in "scoring" for good (no scorecard,
        no message) and the video on disk although the student chose deletion. Assumes one bot process
        per database and video folder (every "scoring" row and incoming file at start is orphaned), so
        with `queue.backend: procrastinate` it does nothing: the queue's workers own scorings in flight.
        `tell_later` keeps a message for the outbox job (`Notifiers.tell_later`). Returns how many
        students were told.
        """
        if self._services.config.queue.backend == "procrastinate":
            # the queue owns scorings in flight: a worker (re)runs them, whichever bot restarted
            return 0
        # rows are stamped by the store's wall clock (core.clock), not the services' (a fake in tests)
        chats = await self._repo.fail_interrupted(utcnow(), INTERRUPTED)
        incoming = Path(self._services.config.mock.video_dir) / "incoming"
        removed = 0
        if incoming.is_dir():
            for path in incoming.iterdir():
                if path.is_file():
                    path.unlink(missing_ok=True)
                    removed += 1
        if removed:
            logger.info("deleted %d upload(s) left by an interrupted scoring", removed)
        for platform, user in chats:
            await tell_later(ChatRef(platform, user, is_private=True), Reply(text=INTERRUPTED, private=True))
        if chats:
            logger.info("failed the interrupted mock attempts of %d student chat(s)", len(chats))
        return len(chats)

    async def drain(self) -> None:
        """Wait for scorings in flight (tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Finish or cancel background work and stop the scoring workers."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        self._scorer.close()

    async def progress(self, event: IncomingEvent) -> list[Reply]:
        """Each metric over attempts (chart), and best / latest overall per question."""
        attempts = await self._repo.attempts(await self._user_id(event))
        if not attempts:
            button = ((Button("🎤 Practise now", command_button_action("mock")),),)
            return [
                Reply(text="No scored answers yet. Send /mock to practise.", buttons=button, private=True)
            ]
        from media.progress_chart import render

        png = await asyncio.to_thread(
            render, LABELS, [a.scores for a in attempts], [a.overall for a in attempts]
        )
        lines = [f"**Your progress: {len(attempts)} scored answer(s)**"]
        by_question: dict[str, list[int]] = {}
        for attempt in attempts:
            by_question.setdefault(attempt.question, []).append(attempt.overall)
        for question, scores in by_question.items():
            lines.append(f"• {question[:90]}: best {max(scores)}, latest {scores[-1]} ({len(scores)} tries)")
        first, last = attempts[0].overall, attempts[-1].overall
        trend = "up" if last > first else "down" if last < first else "level"
        caption = f"Overall score went {trend} from {first} to {last} over {len(attempts)} attempts."
        return [Reply(text="\n".join(lines), images=(Image(png, "progress.png", caption),), private=True)]


def _probe(path: Path, max_duration_s: float) -> None:
    from media.video import VideoError, probe

    try:
        probe(path, max_duration_s=max_duration_s)
    except VideoError as problem:
        raise Invalid(problem.reason) from None


def _reason_of(problem: BaseException) -> str:
    from media.video import VideoError

    if isinstance(problem, VideoError):
        return problem.reason
    if isinstance(problem, TimeoutError):
        return "Scoring took too long this time, sorry. Please send the answer again, or a shorter one."
    logger.exception("scoring failed", exc_info=problem)
    return SCORING_FAILED
