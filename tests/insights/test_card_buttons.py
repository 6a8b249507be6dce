"""The full experience view has "👍 Helpful" and "🚩 Report" buttons running /helpful and /report."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Vote
from tests.insights.test_console import app_and_ids, console  # noqa: F401  (the seeded app fixture)


async def test_helpful_and_report_buttons_on_the_experience_card(app_and_ids, tmp_path):  # noqa: F811
    app, ids = app_and_ids
    reader = console(app, tmp_path, user_id="reader-7")
    out = await reader.say(f"/experience {ids.e1}")
    assert "👍 Helpful" in out and "🚩 Report" in out
    assert "1 reader(s) found this helpful" in await reader.pick("👍 Helpful")
    await reader.say(f"/experience {ids.e1}")
    assert "already marked this as helpful" in await reader.pick("👍 Helpful")
    async with app.database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Vote)) == 1
    await reader.say(f"/experience {ids.e1}")
    out = await reader.pick("🚩 Report")
    assert "What is wrong with this post?" in out and "Reveals personal data" in out
