"""Search documents that a migration emptied (0014: new ranking rules) are rebuilt when the bot starts,
so the first /search after an upgrade finds every published experience (the last round's newcomer
failure was a /search that found nothing)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from core.features.search.service import SearchFeature
from tests.colleges.two import add_experience, college_ids
from tests.console.driver import make_app


async def test_emptied_search_documents_are_rebuilt_when_the_bot_starts(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    app = await make_app(tmp_path, url)
    try:
        (college,) = (await college_ids(app)).values()
        experience_id = await add_experience(app, college, "Zomato", "Asha")
        await app.services.experience_approved(experience_id)
        found = await app.feature(SearchFeature).find("Zomato two sum")
        assert [hit.experience_id for hit in found.hits] == [experience_id]
        async with app.database.sessions.begin() as session:
            await session.execute(text("DELETE FROM search_docs"))  # what migration 0014 does
        assert not (await app.feature(SearchFeature).find("Zomato two sum")).hits
    finally:
        await app.close()

    restarted = await make_app(tmp_path, url)
    try:
        found = await restarted.feature(SearchFeature).find("Zomato two sum")
        assert [hit.experience_id for hit in found.hits] == [experience_id]
    finally:
        await restarted.close()
