"""/company <name> and plain text outside a dialog: the insight card, charts, drill-downs, experiences."""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from functools import partial

from core.colleges import Scope, needs_college, own_scope, shared_scope
from core.config import InsightsConfig, college_code
from core.events import ChatRef, IncomingEvent
from core.features.base import CommandSink, FeatureBase
from core.features.company import manage
from core.features.company.charts import COMPANY_VIEWS, ChartJob, ChartService, word_cloud_from_questions
from core.features.company.views import (
    DIMENSION_TITLES,
    breakdown_text,
    card_text,
    compare_text,
    experience_text,
    list_text,
    no_match_text,
    web_page_row,
)
from core.ports import CommandInfo
from core.replies import Button, Reply, button_rows
from core.repositories.companies import CompanyName
from core.repositories.stats import CompanyStats, ExperienceLine, ExperienceView, StatsRepository, Tally
from core.router import command_button_action
from core.services import Services
from core.text_norm import looks_like_id, parse_id
from media import chart_jobs

logger = logging.getLogger(__name__)

PAGE_SIZE = 5
CHARTS_FOLLOW = "📊 Charts are still being drawn; they will follow in a moment."
CHARTS_FAILED = "📊 Charts could not be drawn right now; the numbers above are complete. Try again later."
STATS_ENTRIES = 256
MAX_TOKEN = 64
_REF = re.compile(r"^#(\d{1,9})(?:\s+(by|list)(?:\s+(\w{1,12}))?)?$")
_CHITCHAT = frozenset(
    ("hi", "hii", "hey", "hello", "hola", "yo", "ok", "okay", "thanks", "thank", "thx", "ty", "bye", "good")
    + ("morning", "evening", "night", "cool", "nice", "help", "start", "menu", "hmm")
)
Fallback = Callable[[IncomingEvent], Awaitable[list[Reply]]]
Analyse = Callable[[int], Awaitable[int | None]]


def company_action(company_id: int, rest: str = "") -> str:
    """Button token that opens a company view ("g:company #12 list 2")."""
    return command_button_action("company", f"#{company_id}" + (f" {rest}" if rest else ""))


def experience_action(experience_id: int) -> str:
    """Button token that opens one experience in full."""
    return command_button_action("experience", str(experience_id))


def fits(action: str) -> bool:
    """True when a button token fits Telegram's 64-byte callback data."""
    return len(action.encode("utf-8")) <= MAX_TOKEN


class CompanyFeature(FeatureBase):
    """Company insight cards with charts, drill-downs by passout/role/branch/round, paged experience lists."""

    name = "company"
    text_priority = 100

    def __init__(
        self,
        services: Services,
        stats: StatsRepository,
        charts: ChartService,
        fallback: Fallback,
        chart_wait_s: float | None = None,
        *,
        analyse: Analyse | None = None,
    ) -> None:
        """`analyse(experience_id) -> company_id` stores an approved experience's text analytics
        (topics, search index); None skips it (tests of the card alone)."""
        self._analyse = analyse
        self._services = services
        self._stats = stats
        self._charts = charts
        self._fallback = fallback
        self._cache: OrderedDict[tuple[int, Scope, int], CompanyStats] = OrderedDict()
        settings = services.config.insights if services is not None else InsightsConfig()
        self._wait_s = settings.chart_wait_s if chart_wait_s is None else chart_wait_s
        self._background: set[asyncio.Task[None]] = set()
        self._admin = manage.CompanyAdmin(services)

    def register(self, commands: CommandSink) -> None:
        """Add /company, /experience and the moderators' /companies (merge, rename)."""

        commands.add(
            CommandInfo(
                "company", "A company's insights: numbers, charts and seniors' experiences", "<company>"
            ),
            self.company,
        )
        commands.add(
            CommandInfo("experience", "Read one shared experience in full", "<number>"), self.experience
        )
        commands.add(manage.info(), self._admin.handle)

    # -- entry points ------------------------------------------------------------------------------

    async def company(self, event: IncomingEvent) -> list[Reply]:
        """/company <name>, or a drill-down button ("#12 by role", "#12 list 1")."""
        args = " ".join(event.args.split())
        if not args:
            return [await self._ask_which()]
        if (unplaced := needs_college(event.actor)) is not None:
            return unplaced
        scope = own_scope(event.actor)
        ref = _REF.match(args)
        if ref:
            company_id, verb, arg = int(ref.group(1)), ref.group(2), ref.group(3)
            if verb == "by":
                return await self.breakdown(company_id, arg or "", colleges=scope)
            if verb == "list":
                page = (parse_id(arg) or 0) if arg else 0
                return await self.experiences(company_id, page, colleges=scope)
            return await self.card(company_id, event.chat, colleges=scope)
        return await self._by_name(args, strict=False, chat=event.chat, colleges=scope)

    async def text(self, event: IncomingEvent) -> list[Reply]:
        """Plain text outside a dialog: a company name opens its card; anything else gets a helpful hint."""
        typed = " ".join((event.text or "").split())
        if event.kind != "text" or not typed:
            return await self._fallback(event)
        words = typed.lower().strip("!.?").split()
        if len(words) <= 3 and all(w.strip("!.?,") in _CHITCHAT for w in words):
            return await self._fallback(event)
        if (unplaced := needs_college(event.actor)) is not None:
            return unplaced
        return await self._by_name(typed, strict=True, chat=event.chat, colleges=own_scope(event.actor))

    async def experience(self, event: IncomingEvent) -> list[Reply]:
        """/experience <number>: one approved experience in full."""
        arg = event.args.strip().lstrip("#")
        experience_id = parse_id(arg)
        if experience_id is None and not looks_like_id(arg):
            return [
                Reply(text="Send the number of an experience, e.g. /experience 42 (numbers show in lists).")
            ]
        if (unplaced := needs_college(event.actor)) is not None:
            return unplaced
        view = None
        if (
            experience_id is not None
        ):  # the student's college and the colleges sharing across; others anonymous
            college = event.actor.college_id
            wider = (
                await shared_scope(self._services.repos.colleges, college) if college is not None else None
            )
            view = await self._stats.experience(experience_id, colleges=wider, named=college)
        if view is None:
            return [Reply(text=f"There is no published experience #{arg}.")]
        buttons = (
            (
                Button(f"📄 More {view.company} experiences", company_action(view.company_id, "list 0")),
                Button(f"📊 {view.company} insights", company_action(view.company_id)),
            ),
            (  # the existing /helpful and /report commands (core/features/moderation/service.py)
                Button("👍 Helpful", command_button_action("helpful", str(view.id))),
                Button("🚩 Report", command_button_action("report", str(view.id))),
            ),
        )
        return [Reply(text=experience_text(view), buttons=buttons)]

    # -- matching ----------------------------------------------------------------------------------

    async def _ask_which(self) -> Reply:
        names = await self._services.companies.names()
        sample = ", ".join(names[:6])
        return Reply(
            text="Which company? Type its name, e.g. /company TCS"
            + (f"\nI know {len(names)} companies, such as {sample}." if names else "")
        )

    async def _by_name(
        self, typed: str, strict: bool, chat: ChatRef | None = None, colleges: Scope = None
    ) -> list[Reply]:
        match = await self._services.companies.match(typed)
        chosen = match.confident
        if chosen is not None:
            replies = await self.card(chosen.id, chat, colleges=colleges)
            if match.exact is None:
                note = Reply(text=f'Showing **{chosen.name}** (closest to "{typed[:60]}").')
                return [note, *replies]
            return replies
        if match.suggestions:
            return [self._did_you_mean(typed, match.suggestions)]
        if strict and len(typed.split()) > 3:
            return [self._suggest_search(typed)]
        closest = await self._services.companies.closest(typed)
        buttons = [Button(c.name, company_action(c.id)) for c in closest]
        buttons.append(Button("📝 Share an experience", command_button_action("share")))
        return [Reply(text=no_match_text(typed, [c.name for c in closest]), buttons=button_rows(buttons))]

    @staticmethod
    def _did_you_mean(typed: str, suggestions: tuple[CompanyName, ...]) -> Reply:
        buttons = [Button(c.name, company_action(c.id)) for c in suggestions]
        return Reply(text=f'Did you mean one of these for "{typed[:60]}"?', buttons=button_rows(buttons))

    @staticmethod
    def _suggest_search(typed: str) -> Reply:
        action = command_button_action("search", typed)
        buttons = (Button("🔎 Search experiences for it", action),) if fits(action) else ()
        return Reply(
            text="That doesn't look like a company name. Look for words in every experience with "
            f"/search {typed[:60]}, or open a company with /company <name>. /help lists everything.",
            buttons=(buttons,) if buttons else (),
        )

    # -- the card ----------------------------------------------------------------------------------

    async def stats_for(self, company_id: int, colleges: Scope = None) -> CompanyStats | None:
        """Aggregates of a company over `colleges` (None: every college), cached per data_version (so a
        warm card costs one point lookup)."""
        version = await self._stats.data_version(company_id)
        if version is None:
            return None
        key = (company_id, colleges, version)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        stats = await self._stats.company(company_id, colleges=colleges)
        if stats is None:
            return None
        for old in [k for k in self._cache if k[0] == company_id and k[2] != stats.data_version]:
            del self._cache[old]
        self._cache[(company_id, colleges, stats.data_version)] = stats
        while len(self._cache) > STATS_ENTRIES:
            self._cache.popitem(last=False)
        return stats

    async def card(
        self, company_id: int, chat: ChatRef | None = None, *, colleges: Scope = None
    ) -> list[Reply]:
        """The insight card and its charts; slow charts follow as a push to `chat`, failed ones are noted.

        The card waits `insights.chart_wait_s` for its charts. When they take longer and the chat can be
        pushed to, the card is answered at once and the charts are sent when drawn; otherwise the card
        waits for them (bounded by the render timeout). A chart that fails never holds the card back.

        `colleges` is the student's own college (None: every college's data, as before colleges). When
        colleges sharing across (issue #15) add experiences of this company, the card shows "Your college"
        and "All colleges" side by side (`compare_text`; every figure under MIN_GROUP people is withheld).
        """
        stats = await self.stats_for(company_id, colleges)
        if stats is None:
            return [Reply(text="That company is no longer listed. Try /company <name>.")]
        text = card_text(stats)
        if colleges is not None and len(colleges) == 1:
            wider = await shared_scope(self._services.repos.colleges, colleges[0])
            everyone = await self.stats_for(company_id, wider) if len(wider) > 1 else None
            if everyone is not None and everyone.total > stats.total:
                text += "\n\n" + compare_text(stats, everyone)
        if not stats.total:
            share = ((Button("📝 Share my experience", command_button_action("share")),),)
            return [Reply(text=text, buttons=share)]
        buttons = self._card_buttons(company_id) + await self._web_row(stats.name, chat, colleges)
        await self._charts.ready()  # pool start-up (once, at bootstrap) is not the render's time
        drawing = asyncio.ensure_future(self.charts(stats))
        done, _ = await asyncio.wait({drawing}, timeout=self._wait_s)
        if not done and chat is not None:
            self._spawn(self._push_charts(chat, stats, drawing))
            return [Reply(text=text + f"\n\n{CHARTS_FOLLOW}", buttons=buttons)]
        try:
            images = await drawing
        except Exception:
            logger.exception("charts of company %s failed", company_id)
            return [Reply(text=text + f"\n\n{CHARTS_FAILED}", buttons=buttons)]
        return [Reply(text=text, buttons=buttons), self._charts_reply(stats, images)]

    async def charts(self, stats: CompanyStats) -> list:
        """The company's chart images (cached by data_version; drawn off the event loop when missing)."""
        scope, ident, version = f"company{stats.scope_key}", stats.company_id, stats.data_version
        cached = self._charts.all_cached(scope, ident, version, COMPANY_VIEWS)
        if cached is not None:
            return cached
        return await self._charts.images(scope, ident, version, company_jobs(stats, stats.cloud))

    @staticmethod
    def _charts_reply(stats: CompanyStats, images: list) -> Reply:
        return Reply(text=f"📊 {stats.name} in charts:", images=tuple(images), slow=True)

    async def _push_charts(self, chat: ChatRef, stats: CompanyStats, drawing: asyncio.Future) -> None:
        """Send the charts once drawn (or a short note when they fail): the promise in the card is kept."""
        try:
            images = await drawing
        except Exception:
            logger.exception("charts of company %s failed", stats.company_id)
            await self._services.notify(chat, Reply(text=f"{stats.name}: {CHARTS_FAILED}"))
            return
        await self._services.notify(chat, self._charts_reply(stats, images))

    def refresh_later(self, company_id: int) -> None:
        """Redraw a company's card and charts in the background (after an approval bumped its version)."""
        self._spawn(self._refresh(company_id))

    async def _refresh(self, company_id: int) -> None:
        try:
            stats = await self.stats_for(company_id)
            if stats is not None and stats.total:
                await self.charts(stats)
        except Exception:
            logger.exception("background refresh of company %s failed", company_id)

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def idle(self) -> None:
        """Wait for background pushes and refreshes (tests and shutdown)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def on_text(self, event: IncomingEvent) -> list[Reply] | None:
        """Plain text outside a dialog: a company name opens its card (the last text handler)."""
        return await self.text(event)

    async def on_approved(self, experience_id: int) -> None:
        """Analyse the newly public experience, then redraw its company's card in the background."""
        if self._analyse is None:
            return
        company_id = await self._analyse(experience_id)
        if company_id is not None and self._services.config.insights.refresh_on_approval:
            self.refresh_later(company_id)

    async def settle(self) -> None:
        """Finish pushes of slow charts and card redraws in flight (shutdown, before adapters stop)."""
        await self.idle()

    async def close(self) -> None:
        """Cancel what `settle` left running: the adapters are stopped, a push could not go out anyway."""
        left = [task for task in self._background if not task.done()]
        if left:
            logger.warning("shutdown: %d chart push(es) or redraw(s) cut short", len(left))
        for task in left:
            task.cancel()
        await asyncio.gather(*left, return_exceptions=True)

    async def _web_row(
        self, company: str, chat: ChatRef | None, colleges: Scope
    ) -> tuple[tuple[Button, ...], ...]:
        """The card's "Open in browser" link to its college's page (config web.public_url), as an in-app
        page in private chats; the default college's page for an unscoped card."""
        config = self._services.config if self._services is not None else None
        if config is None or not config.web.public_url:
            return ()
        code = college_code(config)
        if colleges is not None and len(colleges) == 1:
            college = await self._services.repos.colleges.get(colleges[0])
            code = college.code if college is not None else code
        in_app = chat is not None and chat.is_private
        return web_page_row(config.web.public_url, code, company, in_app=in_app)

    @staticmethod
    def _card_buttons(company_id: int) -> tuple[tuple[Button, ...], ...]:
        buttons = [
            Button("🎓 By passout year", company_action(company_id, "by passout")),
            Button("💼 By role", company_action(company_id, "by role")),
            Button("🏫 By branch", company_action(company_id, "by branch")),
            Button("🔁 By round type", company_action(company_id, "by round")),
            Button("📄 Read experiences", company_action(company_id, "list 0")),
            Button("❓ Frequent questions", command_button_action("faq", f"#{company_id}")),
        ]
        return button_rows(buttons)

    # -- drill-downs -------------------------------------------------------------------------------

    async def breakdown(self, company_id: int, dimension: str, *, colleges: Scope = None) -> list[Reply]:
        """One drill-down table with buttons to the others (over `colleges`; None: every college)."""
        dimension = dimension.lower()
        if dimension not in DIMENSION_TITLES:
            return [Reply(text="I can break experiences down by passout, role, branch, round or year.")]
        stats = await self.stats_for(company_id, colleges)
        if stats is None:
            return [Reply(text="That company is no longer listed. Try /company <name>.")]
        tallies = await self._stats.breakdown(company_id, dimension, colleges=colleges)
        others = [
            Button(f"By {d}", company_action(company_id, f"by {d}"))
            for d in ("passout", "role", "branch", "round")
            if d != dimension
        ]
        others.append(Button("📄 Read experiences", company_action(company_id, "list 0")))
        return [
            Reply(
                text=breakdown_text(stats.name, dimension, tallies),
                buttons=button_rows(others, 4),
                replaces_prompt=False,
            )
        ]

    async def experiences(self, company_id: int, page: int, *, colleges: Scope = None) -> list[Reply]:
        """A page of experiences of `colleges` (None: every college), newest first, with a button per
        experience and prev/next."""
        name = await self._services.repos.companies.name_of(company_id)
        if name is None:
            return [Reply(text="That company is no longer listed. Try /company <name>.")]
        total = await self._stats.count_experiences(company_id, colleges=colleges)
        if not total:
            buttons = ((Button("📝 Share my experience", command_button_action("share")),),)
            return [Reply(text=f"No published experiences of {name} yet.", buttons=buttons)]
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        lines = await self._stats.list_experiences(
            company_id, limit=PAGE_SIZE, offset=page * PAGE_SIZE, colleges=colleges
        )
        open_buttons = [
            Button(f"#{line.id} {line.role[:18]} {line.interview_year}", experience_action(line.id))
            for line in lines
        ]
        nav = []
        if page > 0:
            nav.append(Button("◀ Newer", company_action(company_id, f"list {page - 1}")))
        if page + 1 < pages:
            nav.append(Button("Older ▶", company_action(company_id, f"list {page + 1}")))
        rows = button_rows(open_buttons, 1) + ((tuple(nav),) if nav else ())
        return [Reply(text=list_text(name, lines, page, pages, total), buttons=rows)]

    # -- read-only views for other front ends (the web pages of bots/web) ----------------------------

    async def public_experience(
        self, experience_id: int, *, colleges: Scope = None, named: int | None = None
    ) -> ExperienceView | None:
        """One published experience as /experience shows it (public fields, masked text); None if not
        published or not of `colleges`. Authors of colleges other than `named` are shown anonymous."""
        return await self._stats.experience(experience_id, colleges=colleges, named=named)

    async def experience_page(
        self, company_id: int, *, limit: int, offset: int, colleges: Scope = None
    ) -> tuple[list[ExperienceLine], int]:
        """A page of a company's published experiences of `colleges` (None: every college), newest
        first, and how many there are in all."""
        total = await self._stats.count_experiences(company_id, colleges=colleges)
        if not total:
            return [], 0
        lines = await self._stats.list_experiences(company_id, limit=limit, offset=offset, colleges=colleges)
        return lines, total


def year_rows(tallies: list[Tally]) -> list[tuple[int, int, int, int]]:
    """(year, candidates, selected, decided) per year for the years charts: the card's own counts, so
    the chart's rate is the card's rate (decided = selected + rejected; pending is not a rejection)."""
    return [(int(t.key), t.total, t.selected, t.decided) for t in tallies]


def company_jobs(stats: CompanyStats, questions: list[tuple[str, int]]) -> list[ChartJob]:
    """The five company charts as jobs for the chart service."""
    name = stats.name
    return [
        ChartJob(
            "topics", partial(chart_jobs.topics_bar, name, dict(stats.topics), stats.sample or stats.total)
        ),
        ChartJob("years", partial(chart_jobs.per_year, name, year_rows(stats.by_interview_year))),
        ChartJob("passout", partial(chart_jobs.passout_breakdown, name, year_rows(stats.by_passout_year))),
        ChartJob("difficulty", partial(chart_jobs.difficulty_distribution, name, dict(stats.difficulty))),
        ChartJob("words", partial(word_cloud_from_questions, name, list(questions))),
    ]
