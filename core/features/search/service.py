"""/search <words> [company:<name>]: ranked, paged full-text search over every approved experience."""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass

from rapidfuzz import fuzz

from core.analytics.stats import OUTCOME_LABELS
from core.colleges import Scope, needs_college, own_scope
from core.events import IncomingEvent
from core.features.base import CommandSink, FeatureBase
from core.features.company.lookup import lookup
from core.ports import CommandInfo
from core.replies import Button, Reply, button_rows
from core.repositories.search import SearchPage, SearchPort
from core.router import command_button_action
from core.services import Services
from core.text_norm import normalise_name, parse_id

logger = logging.getLogger(__name__)

PAGE_SIZE = 5
FUZZY_MIN = 4  # a misspelt company name is read from words this long
FUZZY_RATIO = 85  # rapidfuzz ratio (0-100) of a misspelling to the company's name or alias
MAX_TOKEN = 64
MAX_QUERY = 200
REFS = 2048  # long queries remembered for their page buttons (in memory; a restart expires them)
_OPTION = re.compile(r"\b(company|cid|page|ref):(\"[^\"]*\"|\S+)", re.IGNORECASE)
USAGE = (
    "Search every shared experience: /search <words>, e.g. /search dynamic programming amazon\n"
    "Only one company: add company:<name>, e.g. /search system design company:flipkart"
)


@dataclass(frozen=True)
class Query:
    """What to search: words, an optional company id, a page."""

    words: str
    company_id: int | None = None
    company: str = ""
    page: int = 0


class SearchFeature(FeatureBase):
    """Parses queries (company filter by option or by name among the words) and renders result pages."""

    name = "search"

    def __init__(self, services: Services, repo: SearchPort) -> None:
        self._services = services
        self._repo = repo
        self._refs: OrderedDict[str, tuple[str, int | None]] = OrderedDict()

    def register(self, commands: CommandSink) -> None:
        """Add /search."""

        commands.add(
            CommandInfo(
                "search",
                "Search all experiences and their questions (add company:<name> to narrow)",
                "<words>",
            ),
            self.search,
        )

    async def search(self, event: IncomingEvent) -> list[Reply]:
        """Answer /search (typed or from a page button)."""
        if (unplaced := needs_college(event.actor)) is not None:
            return unplaced
        query = await self.parse(event.args)
        if isinstance(query, Reply):
            return [query] if query != Reply() else []
        result = await self._repo.search(
            query.words,
            company_id=query.company_id,
            page=query.page,
            page_size=PAGE_SIZE,
            colleges=own_scope(event.actor),  # issue #15: the student's own college
        )
        return [self._render(query, result)]

    async def find(self, text: str, page_size: int = PAGE_SIZE, colleges: Scope = None) -> SearchPage:
        """The first page of results for what a student would type after /search (bench and tests: the
        same parsing, company resolution and ranking as the command). An unusable query finds nothing."""
        query = await self.parse(text)
        if isinstance(query, Reply):
            return SearchPage((), 0, False, 0, 0, True)
        return await self._repo.search(
            query.words, company_id=query.company_id, page=0, page_size=page_size, colleges=colleges
        )

    async def parse(self, args: str) -> Query | Reply:
        """The query in /search's arguments, or the reply that says why there is none (empty text: no
        reply, e.g. a company lookup that already answered with choices)."""
        raw = " ".join(args.split())[:MAX_QUERY]
        if not raw:
            return Reply(text=USAGE)
        options = {k.lower(): v.strip('"') for k, v in _OPTION.findall(raw)}
        words = " ".join(_OPTION.sub(" ", raw).split())
        page = (parse_id(options.get("page", "")) or 1) - 1
        company_id: int | None = None
        company = ""
        if "ref" in options:
            remembered = self._refs.get(options["ref"])
            if remembered is None:
                return Reply(text="That search has expired; please send it again.")
            words, company_id = remembered
        elif "cid" in options and parse_id(options["cid"]) is not None:
            company_id = parse_id(options["cid"])
        elif "company" in options:
            found, reply = await lookup(
                self._services, options["company"].replace("-", " "), lambda cid: self._action(words, cid, 0)
            )
            if found is None:
                return reply or Reply()
            company_id = found.id
        else:
            words, company_id = await self._company_in_words(words)
        if company_id is not None:
            company = await self._services.repos.companies.name_of(company_id) or ""
            if not company:
                return Reply(text="That company is no longer listed.")
        if not words and company_id is None:
            return Reply(text=USAGE)
        return Query(words, company_id, company, max(page, 0))

    async def _company_in_words(self, words: str) -> tuple[str, int | None]:
        """Find a company named among the words (1-3 word windows): it becomes the filter.

        Names and aliases match exactly, like /company; a misspelt name matches when the company matcher
        is confident and the spelling is close (FUZZY_RATIO), so "sprinkler" means Sprinklr rather than
        other companies' posts that misspell it. A one-word alias ("AWS", an alias of Amazon) is searched
        as a word, unless it is the whole query and no experience contains it (then it lists the
        company's); the company's name always filters.
        """
        parts = words.split()
        for fuzzy in (False, True):
            for size in (3, 2, 1):
                for start in range(0, len(parts) - size + 1):
                    chunk = " ".join(parts[start : start + size])
                    if len(chunk) < (FUZZY_MIN if fuzzy else 3):
                        continue
                    company = await self._company_named(chunk, fuzzy, whole=size == len(parts))
                    if company is not None:
                        rest = parts[:start] + parts[start + size :]
                        return " ".join(rest), company
        return words, None

    async def _company_named(self, chunk: str, fuzzy: bool, whole: bool) -> int | None:
        match = await self._services.companies.match(chunk)
        key = normalise_name(chunk)
        if not fuzzy:
            found = match.exact
            if found is None:
                return None
            alias = " " not in key and key != normalise_name(found.name)  # a one-word alias ("AWS")
            if alias and (not whole or await self._is_a_word(chunk)):
                return None
            return found.id
        close = match.confident
        if close is None or match.exact is not None:  # exact names were tried first
            return None
        spellings = (normalise_name(close.name), *close.aliases)
        if max(fuzz.ratio(key, spelling) for spelling in spellings) < FUZZY_RATIO:
            return None
        return close.id

    async def _is_a_word(self, word: str) -> bool:
        """Whether some experience's text contains `word` (then an alias is searched as that word)."""
        page = await self._repo.search(word, page=0, page_size=1)
        return page.total > 0

    def _action(self, words: str, company_id: int | None, page: int) -> str:
        """Page-button token; long queries are remembered in memory under a short reference."""
        options = (f" cid:{company_id}" if company_id is not None else "") + (
            f" page:{page + 1}" if page else ""
        )
        action = command_button_action("search", f"{words}{options}".strip())
        if len(action.encode("utf-8")) <= MAX_TOKEN and "ref:" not in words.lower():
            return action
        ref = hashlib.sha1(f"{words}\x00{company_id}".encode()).hexdigest()[:10]
        self._refs[ref] = (words, company_id)
        self._refs.move_to_end(ref)
        while len(self._refs) > REFS:
            self._refs.popitem(last=False)
        return command_button_action("search", f"ref:{ref}" + (f" page:{page + 1}" if page else ""))

    def _render(self, query: Query, result: SearchPage) -> Reply:
        where = f" in {query.company}" if query.company else ""
        label = query.words or "everything"
        if not result.hits:
            return Reply(
                text=f'Nothing found for "{label}"{where}. Try fewer or other words, or open a company '
                "with /company <name>."
            )
        count = f"{result.total}+" if result.capped else str(result.total)
        lines = [
            f'**Search "{label}"{where}**: {count} experiences, page {result.page + 1} of {result.pages}'
        ]
        if not result.matched_all:
            lines.append("(no experience had every word; these have some of them)")
        elif result.complete < result.total:
            lines.append(f"(the first {result.complete} have every word; the rest have some of them)")
        if result.capped:
            lines.append(
                f"(best matches among the newest {result.total}; add words or company:<name> to narrow)"
            )
        buttons = []
        for hit in result.hits:
            outcome = OUTCOME_LABELS.get(hit.outcome, hit.outcome)
            lines.append(
                f"\n#{hit.experience_id} **{hit.company}** · {hit.role} · {hit.interview_year} · {outcome}"
            )
            if hit.snippet:
                lines.append(f"   “{hit.snippet[:140]}”")
            buttons.append(
                Button(
                    f"#{hit.experience_id} {hit.company[:20]}",
                    command_button_action("experience", str(hit.experience_id)),
                )
            )
        nav = []
        if result.page > 0:
            nav.append(Button("◀ Previous", self._action(query.words, query.company_id, result.page - 1)))
        if result.page + 1 < result.pages:
            nav.append(Button("Next ▶", self._action(query.words, query.company_id, result.page + 1)))
        rows = button_rows(buttons, 2) + ((tuple(nav),) if nav else ())
        return Reply(text="\n".join(lines), buttons=rows)
