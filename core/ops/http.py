"""The operator's HTTP endpoint: GET /health (liveness + database) and GET /metrics (Prometheus).

Served by the bot process beside its adapters when `ops.http_port` > 0 (main.py). It knows nothing of
storage: it is given a `ping` coroutine function (one cheap database round trip, e.g.
`storage.db.Database.current_revision`, a single SELECT on alembic_version) and the names of the
adapters running now.

/health answers 200 {"status": "ok", "database": "ok", "adapters": [...]} when the ping returns a
revision within `ping_timeout_s`; 503 with "database": "unreachable: <error class>" (or "not migrated")
otherwise, so a load balancer or orchestrator takes the process out of rotation.
/metrics answers the `PrometheusMetrics` registry in the Prometheus text exposition format, after
reading the task queues' depth (`PrometheusMetrics.refresh`: one database count per scrape at most).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web

from core.metrics import PrometheusMetrics

logger = logging.getLogger(__name__)

Ping = Callable[[], Awaitable[object]]


class OpsServer:
    """An aiohttp server for /health and /metrics on one port; `start()` then `stop()`."""

    def __init__(
        self,
        *,
        ping: Ping,
        adapters: Callable[[], Sequence[str]],
        metrics: PrometheusMetrics,
        host: str = "127.0.0.1",
        port: int = 0,
        ping_timeout_s: float = 2.0,
    ) -> None:
        """`port` 0 binds a free port (tests); `adapters()` names the adapters running at request time."""
        self._ping = ping
        self._adapters = adapters
        self._metrics = metrics
        self._host = host
        self._port = port
        self._ping_timeout_s = ping_timeout_s
        self._runner: web.AppRunner | None = None
        self.port: int | None = None  # the bound port once started

    def application(self) -> web.Application:
        """The aiohttp application (tests can drive it with aiohttp's test client)."""
        app = web.Application()
        app.router.add_get("/health", self.health)
        app.router.add_get("/metrics", self.metrics)
        return app

    async def health(self, _request: web.Request) -> web.Response:
        """200 when the database answers, else 503; the body says which part failed."""
        try:
            revision = await asyncio.wait_for(self._ping(), self._ping_timeout_s)
            database = "ok" if revision is not None else "not migrated"
        except Exception as problem:  # noqa: BLE001 - any failure means "not healthy", said in the body
            logger.warning("health check: database unreachable: %r", problem)
            database = f"unreachable: {type(problem).__name__}"
        healthy = database == "ok"
        body = {
            "status": "ok" if healthy else "unavailable",
            "database": database,
            "adapters": list(self._adapters()),
        }
        return web.json_response(body, status=200 if healthy else 503)

    async def metrics(self, _request: web.Request) -> web.Response:
        """Every metric in the Prometheus text format (task-queue depths read now, core/ops/depth.py)."""
        await self._metrics.refresh()
        payload, content_type = self._metrics.render()
        response = web.Response(body=payload)
        response.headers["Content-Type"] = content_type
        return response

    async def start(self) -> int:
        """Listen on host:port; returns the bound port."""
        self._runner = web.AppRunner(self.application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        sockets = [s for s in (self._runner.addresses or [])]
        self.port = int(sockets[0][1]) if sockets else self._port
        logger.info("ops endpoint on http://%s:%s (/health, /metrics)", self._host, self.port)
        return self.port

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
