"""The sharing form as a Telegram Mini App: the page, "fill from my write-up", and submit.

Both POST endpoints take JSON with Telegram's `initData` (bots.web.initdata checks its HMAC signature
and age with the bot's token). The Telegram user becomes our user as in the chat (platform "telegram",
the same user row; the core's ActorResolver decides moderator status from config), and the form goes
through bots.web.form: the dialog's validators, then its submit step and moderation.
Answers: 200 {"fields", "rounds", "personal"} (extract); 201 {"id", "pending", "message"} (submit);
401 {"error"} for a forged or expired initData; 422 {"errors": {field: message}}; 503 without a token.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bots.web import initdata
from bots.web.data import SiteData
from bots.web.pages import Pages
from bots.web.scope import resolve_college
from core.actors import ActorResolver
from core.dialog.steps import Invalid
from core.domain.experience import OUTCOMES, ROUND_KINDS, SOURCES
from core.events import Actor, ChatRef, IncomingEvent, UserRef
from core.features.share import form

logger = logging.getLogger(__name__)

NOT_FROM_TELEGRAM = (
    "We could not confirm that this form was opened from Telegram (or it was opened too long ago). "
    "Close it and open it again from the bot's button; your answers stay in the form."
)
NO_TOKEN = "The sharing form works inside Telegram only once the bot's token is configured."
BAD_JSON = "The form could not be read; please try again."
OTHER_COLLEGE = (
    "This form is {name}'s, and you belong to another college: open the form from your own college's "
    "company card (or /college in the chat)."
)
MAX_BODY = 256 * 1024  # bytes of one JSON request (a long write-up is ~10 KB)
MAX_WRITEUP = 60_000  # characters of a pasted write-up


class MiniApp:
    """Handlers of /c/<college>/share (page), /share/extract and /share/submit."""

    def __init__(self, data: SiteData, pages: Pages) -> None:
        self._data = data
        self._pages = pages
        self._actors = ActorResolver(data.services.repos.users, data.services.repos.colleges)

    async def page(self, request: Request) -> Response:
        """The form, with the college's branches and year ranges and the dialog's option lists."""
        services = self._data.services
        college = await resolve_college(services.repos.colleges, request.path_params["college"])
        config = services.submission_for(college.id)  # the college's roll format and branches
        options = {
            "branches": list(config.branches),
            "passout_years": list(range(config.passout_years.last, config.passout_years.first - 1, -1)),
            "interview_years": list(range(services.this_year(), services.this_year() - 12, -1)),
            "sources": SOURCES,
            "outcomes": OUTCOMES,
            "round_kinds": ROUND_KINDS,
            "max_rounds": config.max_rounds,
        }
        companies = await services.companies.names()
        return self._pages.render(
            request,
            "share.html",
            title="Share your interview experience",
            college=college,
            options=options,
            companies=companies,
            roll_example=config.roll_number_example or "21CSE1234",
        )

    async def _read(self, request: Request) -> tuple[dict[str, Any], Actor] | Response:
        """The JSON body and the Telegram user it was signed for, or the error response."""
        college = await resolve_college(self._data.services.repos.colleges, request.path_params["college"])
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "That is too long to send in one form."}, status_code=413)
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return JSONResponse({"error": BAD_JSON}, status_code=400)
        if not isinstance(data, dict):
            return JSONResponse({"error": BAD_JSON}, status_code=400)
        services = self._data.services
        token = services.config.telegram.token
        if not token:
            return JSONResponse({"error": NO_TOKEN}, status_code=503)
        try:
            user = initdata.validate(str(data.get("initData") or ""), token, services.clock())
        except initdata.InitDataError as problem:
            logger.info("mini app request refused: %s", problem)
            return JSONResponse({"error": NOT_FROM_TELEGRAM}, status_code=401)
        actor = await self._actor(user)
        if actor.college_id is None:  # not placed yet (several colleges): the form's college, as if picked
            user_id = await actor.ensure_id()
            await self._data.services.repos.colleges.join(user_id, college.id, "picked", False)
            actor = replace(actor, college_id=college.id)
        elif actor.college_id != college.id:
            return JSONResponse({"error": OTHER_COLLEGE.format(name=college.name)}, status_code=403)
        return data, actor

    async def _actor(self, user: initdata.TelegramUser) -> Actor:
        """Our user for a Telegram user, exactly as the Telegram adapter's events resolve them."""
        moderators = {str(uid) for uid in self._data.services.config.moderation.telegram_user_ids}
        uid = str(user.id)
        event = IncomingEvent(
            user=UserRef("telegram", uid, user.display_name),
            chat=ChatRef("telegram", uid, is_private=True),
            kind="form",
            is_moderator=uid in moderators,
        )
        return await self._actors(event)

    async def extract(self, request: Request) -> Response:
        """Fill the form from a pasted write-up (the chat's paste extraction)."""
        read = await self._read(request)
        if isinstance(read, Response):
            return read
        data, _actor = read
        text = str(data.get("text") or "").strip()[:MAX_WRITEUP]
        if len(text) < 40:
            return JSONResponse({"errors": {"writeup": "Paste your whole write-up first."}}, status_code=422)
        return JSONResponse(await form.prefill(self._data.services, text))

    async def submit(self, request: Request) -> Response:
        """Validate and store the experience, pending moderation as after /share."""
        read = await self._read(request)
        if isinstance(read, Response):
            return read
        data, actor = read
        checked = await form.check_form(self._data.services, data.get("fields") or {}, actor)
        if checked.errors:
            return JSONResponse({"errors": checked.errors}, status_code=422)
        try:
            stored = await form.submit_form(self._data.services, actor, checked.answers)
        except Invalid as problem:
            key, message = form.field_of(str(problem))
            return JSONResponse({"errors": {key: message}}, status_code=422)
        return JSONResponse(
            {"id": stored.experience_id, "pending": stored.pending, "message": stored.message},
            status_code=201,
        )
