"""Send a week's digest to every subscribed chat exactly once, resuming after crashes and retrying failures.

Each tick: find the week that is due, open its run (one row per week), and for every recipient claim a
delivery row *before* sending, writing its messages (the text, then each chart) ahead to the outbox in
the same transaction (the unique (run, platform, chat) constraint is the lock), send, and record each
message sent (the last one marks the delivery sent). Failed rows are claimed again by later ticks while
the run is open (catch_up_hours after the week's end); rows left pending by a crash are not: the
messages not confirmed sent are sent once by the outbox job when their lease ends (PART_LEASE).

Recipients are streamed from storage in pages (PAGE_SIZE), claimed `digest.claim_batch` at a time (one
transaction, so several sender processes on one PostgreSQL split the chats), and sent by
`digest.send_concurrency` slots to that many chats at once; claimed chats not started when the run stops
or breaks are given back; `digest.ambiguous_sends: skip` marks each message in flight before its call
so that one cut off by a kill is given up rather than resent. Pacing is the adapters' job (Telegram:
30 messages/s overall, 1/s per chat); `digest.send_pause_s` > 0 spaces the chats on top. One chat
failing never stops the others. The week's numbers and chart are computed once per run and process,
the chart off the event loop (the insight ChartService: threads or its process pool).

Choices: a week with nothing new sends a short "nothing new this week" note (digest.send_when_empty:
false skips it instead). Recipients are not frozen when a run starts: a chat that subscribes while the
week's run is still open gets that week's digest on the next tick, so a new subscriber sees one at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from core.config import DigestConfig
from core.events import ChatRef
from core.features.company.charts import ChartJob, ChartService
from core.features.digest.content import chart_caption, digest_text, empty_text, week_label
from core.features.digest.period import Period, current_period, due_period
from core.metrics import metrics
from core.notifiers import before_platform_call
from core.replies import Image, Reply
from core.repositories.digest import (
    Claim,
    DigestRepository,
    NewExperience,
    Recipient,
    RunRecord,
    WeekSummary,
)
from core.services import Services
from media import chart_jobs

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
PART_LEASE = timedelta(minutes=10)  # a digest message still owed this long after its send began was cut off


@dataclass
class WeekContent:
    """What a run sends, computed once: the week's summary, its chart and followed companies' posts."""

    label: str
    week: WeekSummary
    chart: Image | None
    by_company: dict[int, list[NewExperience]] = field(default_factory=dict)


@dataclass
class RunReport:
    """What one tick did (for logs, the CLI and tests)."""

    period: Period
    run_id: int | None = None
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # already sent, being sent, or left pending by a crash (never sent twice)
    unavailable: int = 0  # the chat's platform is not running here: left for a later tick
    empty: bool = False
    closed: bool = False  # the week is over for good (too late to catch up)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Claimed:
    """A chat this sender claimed (or is about to claim): its parts are written ahead with the claim."""

    recipient: Recipient
    chat: ChatRef
    parts: list[Reply]
    delivery_id: int = 0


MAX_CACHED_RUNS = 64
PAGE_SIZE = 500  # recipients read from storage at a time (memory stays bounded at 100,000 subscribers)


async def _slots_then_feed(feed: Coroutine[Any, Any, None], slots: list[Coroutine[Any, Any, None]]) -> None:
    """Run the feed and the slots until every slot ends, then end the feed; the first exception of any of
    them propagates as it is (not wrapped in an ExceptionGroup, unlike TaskGroup), as the sequential
    loop's did. A slot that raises has already told the others to stop taking chats (they finish the
    one in hand, so no delivery is cut off by our own error)."""
    feeder = asyncio.ensure_future(feed)
    try:
        results = await asyncio.gather(*slots, return_exceptions=True)
    finally:
        if not feeder.done():
            feeder.cancel()
        await asyncio.gather(feeder, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    if not feeder.cancelled() and feeder.exception() is not None:
        raise feeder.exception()  # type: ignore[misc]


class DigestSender:
    """Runs digest weeks: due-week ticks for the scheduler, an early send for `main.py digest --now`."""

    def __init__(
        self,
        services: Services,
        repo: DigestRepository,
        charts: ChartService,
        config: DigestConfig,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._services = services
        self._repo = repo
        self._charts = charts
        self._config = config
        self.sleep = sleep  # replaceable in tests
        self._lock = asyncio.Lock()
        self._claimed_last = False
        self._content: dict[int, WeekContent] = {}
        self.stopping = False  # set at shutdown: finish the current chat, leave the rest for the next start
        self.push_now: Callable[[ChatRef, Reply], Awaitable[bool]] | None = None  # set by core/app.py
        self.retry_outbox: Callable[[], Awaitable[object]] | None = None  # run by core/scheduler.py

    @property
    def charts(self) -> ChartService:
        """The chart service the week's chart is drawn by (threads or a process pool, never the loop)."""
        return self._charts

    def _when(self) -> tuple[str, int, int, str]:
        c = self._config
        return c.weekday, c.hour, c.minute, c.timezone

    async def tick(self) -> RunReport:
        """Send (or resume, or retry) the week that is due now; close it once too late to catch up."""
        now = self._services.clock()
        period = due_period(now, *self._when())
        if now - period.end > timedelta(hours=self._config.catch_up_hours):
            report = RunReport(period, closed=True)
            for college_id in await self._college_ids():
                run = await self._repo.find_run(period.start, college_id=college_id)
                if run is not None and run.status == "running":
                    await self._repo.finish_run(run.id)
                    self._content.pop(run.id, None)
                    logger.info("digest week %s closed (catch-up window over)", period.start.date())
            return report
        return await self.send(period)

    async def send_early(self) -> RunReport:
        """Send the week in progress now; its scheduled send later only reaches chats not yet served."""
        return await self.send(current_period(self._services.clock(), *self._when()))

    async def _college_ids(self) -> list[int | None]:
        """The colleges a digest week runs for: each its own run, recipients and content (issue #15);
        [None] (the default college, every row) on a single-college deployment."""
        colleges = await self._services.repos.colleges.all()
        return [None] if len(colleges) <= 1 else [college.id for college in colleges]

    async def send(self, period: Period) -> RunReport:
        """Deliver `period`'s digest to every recipient not yet served (one tick at a time per process),
        college by college: a college's subscribers get its own week (issue #15). The report adds the
        colleges' counts up; `run_id` is the last college's run."""
        async with self._lock:
            report = RunReport(period)
            for college_id in await self._college_ids():
                if self.stopping:
                    break
                await self._send_college(period, college_id, report)
            return report

    async def _send_college(self, period: Period, college_id: int | None, report: RunReport) -> None:
        colleges = None if college_id is None else (college_id,)
        run = await self._repo.open_run(period.start, period.end, college_id=college_id)
        report.run_id = run.id
        if run.status != "running":
            report.closed = True
            return
        page = await self._repo.recipients(colleges=colleges, limit=PAGE_SIZE)
        if not page:
            return
        content = await self._week(run, colleges)
        report.empty = content.week.total == 0
        if report.empty and not self._config.send_when_empty:
            return
        total = await self._repo.recipient_count(colleges=colleges)
        slots, batch_size = self._config.send_concurrency, self._config.claim_batch
        queue: asyncio.Queue[Recipient | None] = asyncio.Queue(maxsize=PAGE_SIZE)  # <= 2 pages in memory
        claimed: deque[Claimed] = deque()  # claimed by this sender, not yet taken by a slot
        claiming = asyncio.Lock()  # one claim at a time; also spaces claims by send_pause_s
        exhausted = False
        handled = 0
        self._claimed_last = False

        async def feed(page: list[Recipient]) -> None:
            """Stream the recipients page by page to the claimer, then say there are no more (None)."""
            try:
                while page and not (self.stopping or broken.is_set()):
                    await self._followed(content, run, page, colleges)
                    for recipient in page:
                        if self.stopping or broken.is_set():
                            break
                        await queue.put(recipient)
                    if len(page) < PAGE_SIZE:
                        break
                    last = page[-1]
                    page = await self._repo.recipients(
                        colleges=colleges, after=(last.platform, last.chat_id), limit=PAGE_SIZE
                    )
            except asyncio.CancelledError:
                raise  # cancelled once every slot had ended: nobody left to tell
            except BaseException:
                broken.set()  # e.g. the next page failed to load: the slots finish their chat and stop
                if not queue.full():  # wake a claimer waiting for recipients (a full queue has none)
                    queue.put_nowait(None)
                raise
            await queue.put(None)

        async def take() -> list[Recipient]:
            """Up to claim_batch recipients: waits for the first, takes the others already fed."""
            nonlocal exhausted
            batch: list[Recipient] = []
            while len(batch) < batch_size and not exhausted:
                if batch and queue.empty():
                    break
                recipient = await queue.get()
                if recipient is None:
                    exhausted = True
                else:
                    batch.append(recipient)
            return batch

        async def next_claimed() -> Claimed | None:
            """The next chat this sender owns: from the last batch claimed, or a new batch claimed in one
            transaction. With send_pause_s, each claimed chat but the first waits that long (chats already
            served cost no pause); None when there is nothing left or the run stops."""
            async with claiming:
                while not claimed:
                    if self.stopping or broken.is_set():
                        return None
                    batch = await take()
                    if not batch:
                        return None
                    if self._config.send_pause_s and self._claimed_last:
                        await self.sleep(self._config.send_pause_s)
                    claimed.extend(await self._claim_batch(run, batch, content, report))
                    self._claimed_last = bool(claimed)
                    if claimed:
                        return claimed.popleft()  # paused before its claim already
                if self.stopping or broken.is_set():
                    return None
                if self._config.send_pause_s and self._claimed_last:
                    await self.sleep(self._config.send_pause_s)
                self._claimed_last = True
                return claimed.popleft()

        async def slot() -> None:
            """One sending slot: takes the next claimed chat and delivers it, until there are none."""
            nonlocal handled
            try:
                while (item := await next_claimed()) is not None:
                    await self._deliver(item, report)
                    handled += 1
                    metrics().queue_depth("digest", max(0, total - handled))  # chats still to go
            except BaseException:
                broken.set()  # the other slots finish their chat and stop; the error propagates
                raise

        broken = asyncio.Event()
        try:
            await _slots_then_feed(feed(page), [slot() for _ in range(slots)])
        finally:
            await self._release(claimed)
        if self.stopping:
            logger.info("digest stopped early; the next start resumes with the chats left")
        logger.info(
            "digest %s (college %s): %d sent, %d failed, %d already served, %d platform not running",
            period.start.date(),
            college_id or "default",
            report.sent,
            report.failed,
            report.skipped,
            report.unavailable,
        )

    async def _claim_batch(
        self, run: RunRecord, batch: list[Recipient], content: WeekContent, report: RunReport
    ) -> list[Claimed]:
        """Claim a batch of chats and write their parts ahead in one transaction
        (`DigestRepository.claim_many`); the chats won, in order (the others are served or being served)."""
        wanted: list[Claimed] = []
        for recipient in batch:
            chat = ChatRef(recipient.platform, recipient.chat_id, is_private=recipient.kind == "user")
            wanted.append(Claimed(recipient, chat, self.parts_of(self.reply_for(recipient, content))))
        won = await self._repo.claim_many(
            run.id,
            [
                Claim(c.chat.platform, c.chat.id, c.recipient.subscription_id, c.chat.is_private, c.parts)
                for c in wanted
            ],
            lease_until=self._services.clock() + PART_LEASE,
        )
        out = []
        for c in wanted:
            delivery_id = won.get((c.chat.platform, c.chat.id))
            if delivery_id is None:
                report.skipped += 1
            else:
                out.append(dataclasses.replace(c, delivery_id=delivery_id))
        return out

    async def _release(self, claimed: deque[Claimed]) -> None:
        """Give back the chats claimed but never started (the run stopped or broke), so the next start
        sends them at once instead of the outbox job after their lease; best effort."""
        while claimed:
            item = claimed.popleft()
            try:
                await self._repo.release(item.delivery_id)
            except Exception:  # the outbox job sends them when their lease ends
                logger.warning("digest: could not release %s:%s", item.chat.platform, item.chat.id)

    async def _deliver(self, item: Claimed, report: RunReport) -> bool:
        """Send and record one claimed chat's digest; True when something was attempted."""
        chat, parts, delivery_id = item.chat, item.parts, item.delivery_id
        skip_ambiguous = self._config.ambiguous_sends == "skip"
        index = 0
        try:
            for index, part in enumerate(parts):
                if skip_ambiguous:  # marked once the adapter's limiters let the call through, so a kill
                    # during the call leaves it marked (given up, never resent) but not one still queued
                    with before_platform_call(partial(self._repo.in_flight, delivery_id, index)):
                        delivered = await self._push(chat, part)
                else:
                    delivered = await self._push(chat, part)
                if not delivered and index == 0:  # nothing went out: not running here, or gone
                    await self._repo.release(delivery_id)
                    report.unavailable += 1
                    return False
                # the last part marks the delivery sent in the same transaction
                await self._repo.part_sent(delivery_id, index, self._services.clock())
        except Exception as exc:  # one chat failing must not stop the others
            error = f"{type(exc).__name__}: {exc}"
            logger.warning("digest to %s:%s failed: %s", chat.platform, chat.id, error)
            report.failed += 1
            report.errors.append(f"{chat.platform}:{chat.id}: {error}")
            if index == 0:  # nothing went out: the whole delivery is retried by a later tick
                await self._repo.mark_failed(delivery_id, error)  # its parts dropped in the same commit
            # else the text went out: the parts left stay owed and the outbox job sends them once
            return True
        report.sent += 1
        return True

    @staticmethod
    def parts_of(reply: Reply) -> list[Reply]:
        """The messages a digest is sent as: the text, then each chart on its own (each one owed and
        retried on its own, so an interrupted send never loses the chart after the text went out)."""
        if not reply.images:
            return [reply]
        parts = [dataclasses.replace(reply, images=())] if reply.text else []
        parts += [Reply(images=(image,), private=reply.private) for image in reply.images]
        return parts

    async def _push(self, chat: ChatRef, reply: Reply) -> bool:
        """Send through the app's notifiers; False when no adapter of that platform runs here (or the
        recipient is gone). `push_now` (set by the app: errors propagate, no outbox) keeps the digest's
        own retries; without it the services' push is used."""
        push = self.push_now or self._services.push
        return await push(chat, reply)

    def reply_for(self, recipient: Recipient, content: WeekContent) -> Reply:
        """The message one chat gets: the week, its followed companies, and the chart."""
        if content.week.total == 0:
            return Reply(text=empty_text(content.label))
        followed = [(name, content.by_company.get(cid, [])) for cid, name in recipient.companies]
        text = digest_text(content.week, content.label, followed, self._config.max_listed)
        images = (content.chart,) if content.chart is not None else ()
        return Reply(text=text, images=images)

    async def _week(self, run: RunRecord, colleges: tuple[int, ...] | None = None) -> WeekContent:
        """The run's summary and chart, computed once per process (the same words on every retry)."""
        cached = self._content.get(run.id)
        if cached is not None:
            return cached
        end = min(run.period_end, self._services.clock())
        week = await self._repo.week(run.period_start, end, colleges=colleges)
        chart = None
        if week.companies:
            job = ChartJob("week-top", partial(chart_jobs.top_companies, list(week.companies)))
            (image,) = await self._charts.images("digest", run.id, 0, [job])
            chart = Image(
                image.png,
                f"digest-{run.period_start:%Y-%m-%d}-top-companies.png",
                chart_caption(image.caption),
            )
        content = WeekContent(
            week_label(run.period_start, run.period_end, self._config.timezone), week, chart
        )
        if len(self._content) > MAX_CACHED_RUNS:  # the open week's runs (one per college) are kept
            self._content.clear()
        self._content[run.id] = content
        return content

    async def _followed(
        self,
        content: WeekContent,
        run: RunRecord,
        recipients: list[Recipient],
        colleges: tuple[int, ...] | None = None,
    ) -> None:
        """Load new experiences of every followed company not loaded yet for this run."""
        wanted = sorted({cid for r in recipients for cid, _ in r.companies} - set(content.by_company))
        if not wanted or content.week.total == 0:
            return
        end = min(run.period_end, self._services.clock())
        content.by_company.update(
            await self._repo.new_experiences(wanted, run.period_start, end, colleges=colleges)
        )
