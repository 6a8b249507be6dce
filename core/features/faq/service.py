"""/faq <company>: frequently asked questions grouped across wordings; moderators pin curated answers."""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections import OrderedDict

from core.analytics.faq import FaqGroup, group_questions
from core.analytics.stats import round_label
from core.colleges import Scope, needs_college, own_scope
from core.events import IncomingEvent
from core.features.base import CommandSink, FeatureBase
from core.features.company.lookup import lookup
from core.ports import CommandInfo
from core.replies import Button, Reply, button_rows
from core.repositories.faq import FaqRepository
from core.repositories.stats import StatsRepository as StatsRepo
from core.router import command_button_action
from core.services import Services

logger = logging.getLogger(__name__)

PAGE_SIZE = 10
CACHE_ENTRIES = 128
MAX_ANSWER = 1500
_REF = re.compile(r"^#(\d{1,9})(?:\s+(\d{1,4}))?$")
USAGE_PIN = (
    "Moderators pin a curated answer with:\n/faq pin <company> | <question> | <answer>\n"
    "and remove it with /faq unpin <company> | <question>"
)


def faq_action(company_id: int, page: int = 0) -> str:
    """Button token for a company's FAQ page."""
    return command_button_action("faq", f"#{company_id}" + (f" {page}" if page else ""))


def rounds_text(group: FaqGroup) -> str:
    """ "HR ×38, Technical ×2"."""
    return ", ".join(f"{round_label(kind)} ×{n}" for kind, n in group.round_kinds[:3])


class FaqFeature(FeatureBase):
    """Grouped frequent questions per company, cached per data_version; pinned answers first."""

    name = "faq"

    def __init__(self, services: Services, repo: FaqRepository, stats: StatsRepo) -> None:
        self._services = services
        self._repo = repo
        self._stats = stats
        self._cache: OrderedDict[tuple[int, Scope, int], list[FaqGroup]] = OrderedDict()

    def register(self, commands: CommandSink) -> None:
        """Add /faq (pinning is checked per call: only moderators may pin)."""

        commands.add(
            CommandInfo(
                "faq",
                "Frequently asked questions of a company (moderators: /faq pin <company> | <question> | "
                "<answer>)",
                "<company>",
            ),
            self.faq,
        )

    async def faq(self, event: IncomingEvent) -> list[Reply]:
        """/faq <company> [page], /faq pin ..., /faq unpin ..."""
        args = " ".join(event.args.split())
        head, _, rest = args.partition(" ")
        if head.lower() in ("pin", "unpin"):
            return await self._pin(event, head.lower(), rest)
        if not args:
            return [Reply(text="Which company? e.g. /faq TCS")]
        if (unplaced := needs_college(event.actor)) is not None:
            return unplaced
        colleges = own_scope(event.actor)  # issue #15: the student's college's questions and pins
        ref = _REF.match(args)
        if ref:
            return await self.page(int(ref.group(1)), int(ref.group(2) or 0), colleges)
        company, reply = await lookup(self._services, args, faq_action)
        if company is None:
            return [reply] if reply else []
        return await self.page(company.id, 0, colleges)

    async def groups(self, company_id: int, colleges: Scope = None) -> list[FaqGroup] | None:
        """The company's question groups from `colleges` (None: every college), most asked first (None
        when the company does not exist)."""
        version = await self._stats.data_version(company_id)
        if version is None:
            return None
        key = (company_id, colleges, version)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        items = await self._repo.questions(company_id, colleges=colleges)
        groups = await asyncio.to_thread(group_questions, items)
        self._cache[key] = groups
        while len(self._cache) > CACHE_ENTRIES:
            self._cache.popitem(last=False)
        return groups

    async def page(self, company_id: int, page: int, colleges: Scope = None) -> list[Reply]:
        """One page of the FAQ of `colleges`: pinned answers (first page), then groups with counts and
        rounds."""
        name = await self._services.repos.companies.name_of(company_id)
        groups = await self.groups(company_id, colleges)
        if name is None or groups is None:
            return [Reply(text="That company is no longer listed. Try /faq <company>.")]
        pinned = await self._repo.pinned(company_id, colleges=colleges)
        if not groups and not pinned:
            buttons = ((Button("📝 Share my experience", command_button_action("share")),),)
            return [Reply(text=f"No questions recorded for {name} yet.", buttons=buttons)]
        pages = max(1, math.ceil(len(groups) / PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        lines = [f"**{name}: frequently asked questions**"]
        if pinned and page == 0:
            lines.append("\n📌 **Pinned answers**")
            for p in pinned:
                lines.append(f"**Q: {p.question}**\nA: {p.answer}")
            lines.append("")
        start = page * PAGE_SIZE
        if groups:
            lines.append(
                f"Asked in approved experiences (page {page + 1} of {pages}, {len(groups)} questions):"
            )
        for i, group in enumerate(groups[start : start + PAGE_SIZE], start=start + 1):
            where = rounds_text(group)
            times = "1 experience" if group.count == 1 else f"{group.count} experiences"
            lines.append(f"{i}. {group.representative} — {times}" + (f" ({where})" if where else ""))
        nav = []
        if page > 0:
            nav.append(Button("◀ Previous", faq_action(company_id, page - 1)))
        if page + 1 < pages:
            nav.append(Button("Next ▶", faq_action(company_id, page + 1)))
        nav.append(Button(f"📊 {name[:20]} insights", command_button_action("company", f"#{company_id}")))
        return [Reply(text="\n".join(lines), buttons=button_rows(nav, 3))]

    async def _pin(self, event: IncomingEvent, verb: str, rest: str) -> list[Reply]:
        if not event.actor.is_moderator:
            return [
                Reply(text="Only moderators can pin answers. Send /faq <company> to read them.", private=True)
            ]
        parts = [p.strip() for p in rest.split("|")]
        need = 3 if verb == "pin" else 2
        if len(parts) != need or not all(parts):
            return [Reply(text=USAGE_PIN, private=True)]
        company, reply = await lookup(self._services, parts[0], faq_action)
        if company is None:
            return [reply] if reply else []
        question = parts[1][:500]
        if verb == "unpin":
            done = await self._repo.unpin(company.id, question, college_id=event.actor.college_id)
            text = "Unpinned." if done else f"No pinned answer to that question for {company.name}."
            return [Reply(text=text, private=True)]
        answer = parts[2][:MAX_ANSWER]
        new = await self._repo.pin(
            company.id, question, answer, (await event.actor.ensure_id()), college_id=event.actor.college_id
        )
        verb_done = "Pinned" if new else "Updated the pinned answer"
        return [
            Reply(
                text=f"{verb_done} for {company.name}: {question}",
                buttons=((Button("See the FAQ", faq_action(company.id)),),),
                private=True,
            )
        ]
