"""A digest run killed after a chat's text went out but before its chart: the chart is still owed
(written ahead to the outbox), the outbox job sends it once, and the delivery becomes "sent"."""

from __future__ import annotations

import pytest

from storage.outbox import OutboxRepo
from tests.console.driver import make_app
from tests.digest.conftest import Recorder, command
from tests.digest.data import seed
from tests.digest.test_run import Crash, deliveries, register, subscribe


class DiesBeforeTheChart(Recorder):
    """The process dies while the first chart is on its way (after its text went out)."""

    async def send(self, chat, reply):
        if reply.images:
            raise Crash
        await super().send(chat, reply)


async def test_a_chart_cut_off_by_a_kill_is_sent_by_the_outbox_and_the_delivery_completed(
    tmp_path, database_url, clock
):
    app = await make_app(tmp_path, database_url, clock, digest={"send_pause_s": 0})
    await seed(app.database.sessions)
    await subscribe(app, command("telegram", "3001", "/subscribe"))
    first = DiesBeforeTheChart()
    register(app, first, "telegram")
    with pytest.raises(Crash):
        await app.digest.sender.tick()
    await app.close()
    assert [reply.images for _, reply in first.messages] == [()]  # the text went out, not the chart
    assert "Weekly interview digest" in first.messages[0][1].text

    app = await make_app(tmp_path, database_url, clock, digest={"send_pause_s": 0})  # the restart
    try:
        second = Recorder()
        register(app, second, "telegram")
        again = await app.digest.sender.tick()
        assert (again.sent, again.skipped) == (0, 1)  # the delivery is never started twice
        assert second.messages == []
        assert (await app.notifiers.retry_outbox()).sent == 0  # still within its lease
        clock.advance(minutes=11)
        report = await app.notifiers.retry_outbox()
        assert report.sent == 1
        [(chat, chart)] = second.messages
        assert chat.id == "3001" and not chart.text and chart.images[0].png.startswith(b"\x89PNG")
        assert await deliveries(app) == {("telegram", "3001"): "sent"}
        assert await OutboxRepo(app.database.sessions).statuses() == []
        assert (await app.notifiers.retry_outbox()).sent == 0  # sent once
    finally:
        await app.close()
