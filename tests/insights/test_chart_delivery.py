"""Chart delivery: process-pool PNGs; the card arrives when charts fail, time out or are slow (pushed)."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import threading

import pytest
from PIL import Image as PILImage

from core.config import ConfigError, parse_config
from core.events import ChatRef
from core.features.company import charts as company_charts
from core.features.company.charts import ChartService, shared_runner
from core.features.company.service import CHARTS_FAILED, CHARTS_FOLLOW, CompanyFeature, company_jobs
from core.replies import Reply
from storage.stats import StatsRepo

CHAT = ChatRef("console", "student-chat")


class FailingCharts(ChartService):
    """Every render fails, as when matplotlib crashes on odd data."""

    async def _render(self, job):
        raise RuntimeError("renderer exploded")


class GatedCharts(ChartService):
    """Renders wait for `gate`: charts are "slow" until the test opens it (no clock involved)."""

    def __init__(self) -> None:
        super().__init__(workers=0)
        self.gate = asyncio.Event()

    async def _render(self, job):
        await self.gate.wait()
        return await super()._render(job)


class Services:
    """Just what CompanyFeature.card uses to push: config defaults and a recording push."""

    def __init__(self) -> None:
        from core.config import Config

        self.config = Config()
        self.pushed: list[tuple[ChatRef, Reply]] = []
        self.push = self._push

    async def _push(self, chat: ChatRef, reply: Reply) -> bool:
        self.pushed.append((chat, reply))
        return True

    async def notify(self, chat: ChatRef, reply: Reply) -> bool:
        return await self._push(chat, reply)


def decodable(png: bytes) -> tuple[int, int]:
    with PILImage.open(io.BytesIO(png)) as img:
        img.load()
        assert img.format == "PNG"
        return img.size


async def test_process_pool_renders_decodable_pngs(seeded):
    db, ids = seeded
    stats = await StatsRepo(db.sessions).company(ids.tcs)
    charts = ChartService(workers=1)
    images = await charts.images("company", ids.tcs, stats.data_version, company_jobs(stats, stats.cloud))
    assert [i.filename for i in images] == [
        "tcs-topics.png",
        "tcs-per-year.png",
        "tcs-passout.png",
        "tcs-difficulty.png",
        "tcs-words.png",
    ]
    for image in images:
        width, height = decodable(image.png)
        assert width >= 600 and height >= 300 and len(image.caption) > 20
    assert charts.renders == 5


async def test_a_dead_chart_worker_is_replaced_and_charts_still_arrive(seeded):
    db, ids = seeded
    stats = await StatsRepo(db.sessions).company(ids.tcs)
    charts = ChartService(workers=1)
    await charts.ready()
    for pid in shared_runner(1).pids():  # simulate the OOM killer
        os.kill(pid, signal.SIGKILL)
    images = await charts.images("company", ids.tcs, stats.data_version, company_jobs(stats, stats.cloud))
    assert len(images) == 5 and all(decodable(i.png) for i in images)


async def test_the_card_arrives_when_charts_fail(seeded):
    db, ids = seeded
    feature = CompanyFeature(Services(), StatsRepo(db.sessions), FailingCharts(), None)
    replies = await feature.card(ids.tcs, CHAT)
    assert len(replies) == 1
    assert "TCS: what seniors learned" in replies[0].text and "Experiences shared: 3" in replies[0].text
    assert CHARTS_FAILED in replies[0].text and replies[0].buttons


async def test_the_card_arrives_when_a_chart_times_out(seeded, monkeypatch):
    db, ids = seeded
    release = threading.Event()

    def stuck(job):  # a render hanging in its thread until the test has its answer
        release.wait(10)
        raise RuntimeError("too late")

    monkeypatch.setattr(company_charts, "render_job", stuck)
    feature = CompanyFeature(Services(), StatsRepo(db.sessions), ChartService(timeout_s=0.05), None)
    try:
        replies = await feature.card(ids.tcs)  # no chat to push to: the card waits, the render gives up
    finally:
        release.set()
    assert len(replies) == 1 and CHARTS_FAILED in replies[0].text
    assert "Experiences shared: 3" in replies[0].text


async def test_slow_charts_follow_the_card_as_a_push(seeded):
    db, ids = seeded
    services = Services()
    charts = GatedCharts()
    feature = CompanyFeature(services, StatsRepo(db.sessions), charts, None, chart_wait_s=0.01)
    replies = await feature.card(ids.tcs, CHAT)
    assert len(replies) == 1 and CHARTS_FOLLOW in replies[0].text
    assert "Experiences shared: 3" in replies[0].text and not services.pushed
    charts.gate.set()
    await feature.idle()
    [(chat, pushed)] = services.pushed
    assert chat == CHAT and pushed.text == "📊 TCS in charts:" and len(pushed.images) == 5
    assert all(decodable(i.png) for i in pushed.images)
    # Now drawn and cached: the next card carries its charts in the same answer.
    replies = await feature.card(ids.tcs, CHAT)
    assert len(replies) == 2 and len(replies[1].images) == 5 and len(services.pushed) == 1


async def test_failed_slow_charts_are_reported_in_a_push(seeded):
    db, ids = seeded
    services = Services()

    class SlowFailing(GatedCharts):
        async def _render(self, job):
            await self.gate.wait()
            raise RuntimeError("renderer exploded")

    charts = SlowFailing()
    feature = CompanyFeature(services, StatsRepo(db.sessions), charts, None, chart_wait_s=0.01)
    replies = await feature.card(ids.tcs, CHAT)
    assert CHARTS_FOLLOW in replies[0].text
    charts.gate.set()
    await feature.idle()
    [(_, pushed)] = services.pushed
    assert pushed.text == f"TCS: {CHARTS_FAILED}" and not pushed.images


def test_insights_config_defaults_to_a_process_pool_and_rejects_typos():
    settings = parse_config({}).insights
    assert settings.chart_workers == 2 and settings.refresh_on_approval
    assert parse_config({"insights": {"chart_workers": 0}}).insights.chart_workers == 0
    with pytest.raises(ConfigError, match="insights.chart_worker: unknown key"):
        parse_config({"insights": {"chart_worker": 2}})
    with pytest.raises(ConfigError, match="insights.chart_workers"):
        parse_config({"insights": {"chart_workers": -1}})
