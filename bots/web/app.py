"""The web adapter: a Starlette application of the pages and the Mini App, and its in-process server.

`create_web_app(source)` builds the ASGI app over the running bot's App (anything with `config`,
`services` and `feature()`); `WebServer(source, host, port)` serves it with uvicorn inside the bot's
event loop, beside the chat adapters (`main.py --web`, or `web.enabled: true`). Templates are Jinja2
with autoescaping on for every template, so whatever users wrote is shown as text, never as markup.
Responses carry a Content-Security-Policy that allows scripts only from this site and Telegram's
Mini App script, and no inline scripts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator

import uvicorn
from jinja2 import Environment, PackageLoader
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bots.web.data import SiteData, WebSource
from bots.web.miniapp import MiniApp
from bots.web.pages import Pages
from core.config import college_code

logger = logging.getLogger(__name__)

TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self' https://telegram.org; img-src 'self' data:; "
        "style-src 'self'; connect-src 'self'; frame-ancestors https://web.telegram.org 'self'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response (pure ASGI middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def templates() -> Jinja2Templates:
    """The package's templates (bots/web/templates, shipped as package data), autoescape on for all."""
    env = Environment(loader=PackageLoader("bots.web", "templates"), autoescape=True, enable_async=False)
    env.globals["telegram_script"] = TELEGRAM_SCRIPT
    return Jinja2Templates(env=env)


def create_web_app(source: WebSource) -> Starlette:
    """The ASGI application: /c/<college>/(company/<name>|search|experience/<id>|share), static files."""
    data = SiteData(source)
    pages = Pages(data, templates())
    mini = MiniApp(data, pages)
    default = college_code(source.config)

    async def root(_request: Request) -> Response:
        return RedirectResponse(f"/c/{default}", status_code=307)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "Something went wrong."
        if request.url.path.endswith(("/extract", "/submit")):
            return JSONResponse({"error": detail}, status_code=status)
        return pages.render(request, "not_found.html", status, title=detail, message=detail, suggestions=[])

    routes = [
        Route("/", root),
        Route("/c/{college}", pages.home),
        Route("/c/{college}/search", pages.search),
        Route("/c/{college}/company/{name}", pages.company),
        Route("/c/{college}/company/{name}/charts/{view}.png", pages.chart),
        Route("/c/{college}/experience/{id}", pages.experience),
        Route("/c/{college}/share", mini.page),
        Route("/c/{college}/share/extract", mini.extract, methods=["POST"]),
        Route("/c/{college}/share/submit", mini.submit, methods=["POST"]),
        Mount("/static", StaticFiles(packages=[("bots.web", "static")]), name="static"),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={HTTPException: http_error},
    )


class _InProcessServer(uvicorn.Server):
    """uvicorn without its signal handlers: Ctrl-C and SIGTERM stay the bot's (main.py stops everything)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebServer:
    """Serve the pages on host:port inside the running event loop; `start()` then `stop()`."""

    def __init__(self, source: WebSource, host: str = "127.0.0.1", port: int = 8080) -> None:
        """`port` 0 binds a free port (tests); `self.port` is the bound one after start()."""
        self.app = create_web_app(source)
        self._config = uvicorn.Config(
            self.app, host=host, port=port, log_level="warning", access_log=False, lifespan="off"
        )
        self._server = _InProcessServer(self._config)
        self._task: asyncio.Task[None] | None = None
        self.host = host
        self.port: int | None = None

    async def start(self) -> int:
        """Bind and listen; returns the bound port. OSError when the address is taken or not allowed."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._config.port))
        except OSError:
            sock.close()
            raise
        self.port = int(sock.getsockname()[1])
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="web")
        while not self._server.started and not self._task.done():
            await asyncio.sleep(0.02)
        if self._task.done():
            raise RuntimeError(f"the web server on {self.host}:{self.port} stopped at start")
        logger.info("web pages on http://%s:%s/", self.host, self.port)
        return self.port

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The serving task (main.py stops the bot when it ends)."""
        return self._task

    async def stop(self) -> None:
        """Stop listening and finish open requests."""
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(Exception):
            await self._task
        self._task = None
