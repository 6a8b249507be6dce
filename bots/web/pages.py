"""The read-only pages: a college's home, a company's insights, search and one experience.

Every figure is worded by the same helpers as the chat card (core.features.company.views,
core.analytics.stats), so the page and the card never disagree; Jinja2 escapes everything users wrote.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from bots.web.data import CompanyPage, SiteData
from bots.web.scope import resolve_college
from core.analytics.stats import (
    DIFFICULTY_LABELS,
    OUTCOME_LABELS,
    SOURCE_LABELS,
    distribution_line,
    mean_of,
    round_label,
    share_line,
)
from core.features.company.views import CARD_QUESTIONS, CARD_TOPICS, rate_text, typical_rounds
from core.features.faq.service import rounds_text
from core.replies import or_dash
from core.repositories.colleges import College
from core.text_norm import parse_id

logger = logging.getLogger(__name__)

MAX_QUERY = 200


def company_path(college: str, name: str) -> str:
    """/c/<college>/company/<name>, percent-encoded (the cards' links use the same shape)."""
    return f"/c/{quote(college, safe='')}/company/{quote(name, safe='')}"


def card_figures(page: CompanyPage) -> list[tuple[str, str]]:
    """The card's lines as (label, value), worded as in the chat card (core.features.company.views)."""
    stats = page.stats
    mean = mean_of(stats.difficulty)
    rows = [
        ("Experiences shared", f"{stats.total:,}"),
        ("Selection rate", rate_text(stats.selected, stats.decided)),
        (
            "Difficulty (1-5)",
            distribution_line(stats.difficulty)
            + (f" — average {mean:.1f}, {DIFFICULTY_LABELS[round(mean)]}" if mean else ""),
        ),
        ("Rating (1-5)", distribution_line(stats.rating)),
        ("Typical rounds", typical_rounds(stats)),
    ]
    if stats.topics:
        window = f" (newest {stats.sample:,})" if 0 < stats.sample < stats.total else ""
        rows.append((f"Top topics{window}", ", ".join(f"{t} ({n})" for t, n in stats.topics[:CARD_TOPICS])))
    rows.append(("Sources", share_line(stats.sources, SOURCE_LABELS)))
    if stats.latest_year is not None:
        rows.append(("Latest experience", f"interviews of {stats.latest_year}"))
    return rows


class Pages:
    """Request handlers of the read-only pages."""

    def __init__(self, data: SiteData, templates: Jinja2Templates) -> None:
        self._data = data
        self._templates = templates

    async def _college(self, request: Request) -> College:
        return await resolve_college(self._data.services.repos.colleges, request.path_params["college"])

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        """A template with the shared context (college, labels, helpers)."""
        context.setdefault("college", request.path_params.get("college", ""))
        if isinstance(context["college"], College):  # templates build URLs from the code
            context.setdefault("college_name", context["college"].name)
            context["college"] = context["college"].code
        return self._templates.TemplateResponse(
            request,
            name,
            {
                "outcome_labels": OUTCOME_LABELS,
                "source_labels": SOURCE_LABELS,
                "round_label": round_label,
                "or_dash": or_dash,
                "company_path": company_path,
                **context,
            },
            status_code=status,
        )

    async def home(self, request: Request) -> Response:
        """/c/<college>: a search box and every company with published experiences' link."""
        college = await self._college(request)
        names = await self._data.services.companies.names()
        return self.render(request, "home.html", college=college, names=names, title="Interview insights")

    async def company(self, request: Request) -> Response:
        """/c/<college>/company/<name>: the card's figures, charts, experiences (paged) and FAQ."""
        college = await self._college(request)
        name = request.path_params["name"]
        found, suggestions = await self._data.find_company(name)
        if found is None:
            return self.render(
                request,
                "not_found.html",
                404,
                title="Company not found",
                message=f'No company called "{name[:80]}" here yet.',
                suggestions=suggestions,
            )
        page_no = (parse_id(request.query_params.get("page", "")) or 1) - 1
        if found.name != name:
            suffix = f"?page={page_no + 1}" if page_no else ""
            return RedirectResponse(company_path(college.code, found.name) + suffix, status_code=308)
        page = await self._data.company_page(found.company_id, college, page_no)
        if page is None:
            raise HTTPException(404, "That company is no longer listed.")
        return self.render(
            request,
            "company.html",
            title=f"{page.stats.name}: interview insights",
            page=page,
            stats=page.stats,
            figures=card_figures(page),
            questions=page.stats.questions[:CARD_QUESTIONS],
            faq=[(group.representative, group.count, rounds_text(group)) for group in page.faq],
        )

    async def chart(self, request: Request) -> Response:
        """/c/<college>/company/<name>/charts/<view>.png: one chart of the card (chart cache)."""
        college = await self._college(request)
        found, _ = await self._data.find_company(request.path_params["name"])
        view = request.path_params["view"]
        image = await self._data.chart(found.company_id, view, college) if found else None
        if image is None:
            raise HTTPException(404, "No such chart.")
        return Response(image.png, media_type="image/png", headers={"Cache-Control": "public, max-age=300"})

    async def experience(self, request: Request) -> Response:
        """/c/<college>/experience/<id>: one published experience in full (public fields only)."""
        college = await self._college(request)
        experience_id = parse_id(str(request.path_params["id"]))
        view = await self._data.experience(experience_id, college) if experience_id is not None else None
        if view is None:
            return self.render(
                request,
                "not_found.html",
                404,
                title="Experience not found",
                message="There is no published experience with that number.",
                suggestions=[],
            )
        return self.render(request, "experience.html", title=f"{view.company} — {view.role}", view=view)

    async def search(self, request: Request) -> Response:
        """/c/<college>/search?q=...: the best matches of /search for the words."""
        college = await self._college(request)
        query = " ".join(request.query_params.get("q", "").split())[:MAX_QUERY]
        result = await self._data.search(query, college) if query else None
        return self.render(request, "search.html", title="Search experiences", query=query, result=result)
