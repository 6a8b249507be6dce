"""`main.py --web` serves the pages beside the adapters on the configured port; cards then link them."""

from __future__ import annotations

import httpx

import main
from tests.console.driver import Console, make_app
from tests.console.driver import test_config as console_config
from tests.insights.data import seed


def test_the_web_switch_is_on_the_command_line_and_in_the_config(tmp_path):
    assert main.build_parser().parse_args(["--web"]).web is True
    assert main.build_parser().parse_args([]).web is False
    assert console_config(tmp_path).web.enabled is False
    assert console_config(tmp_path, web={"enabled": True, "port": 0}).web.port == 0


async def test_start_web_serves_the_pages_and_the_console_prints_their_links(tmp_path):
    app = await make_app(
        tmp_path, f"sqlite+aiosqlite:///{tmp_path}/start.db", web={"port": 0}, insights={"chart_workers": 0}
    )
    server = None
    try:
        await seed(app.database.sessions)
        await app.services.companies.refresh()
        server = await main.start_web(app, app.config)
        assert server.port and app.config.web.public_url == f"http://127.0.0.1:{server.port}"
        async with httpx.AsyncClient(base_url=app.config.web.public_url, timeout=120) as client:
            page = await client.get("/c/default/company/TCS")
        assert page.status_code == 200 and "TCS: what seniors learned" in page.text
        shown = await Console(app, console_config(tmp_path)).say("/company TCS")
        assert f"{app.config.web.public_url}/c/default/company/TCS" in shown
    finally:
        if server is not None:
            await server.stop()
        await app.close()
