"""Fix and resubmit through the real PTB Application and the fake Bot API: the /myposts Fix button."""

from __future__ import annotations

import pytest

from storage.models import Experience
from tests.telegram.conftest import Harness, start_adapter, texts
from tests.telegram.core_data import experience
from tests.telegram.test_share_dialog import core  # noqa: F401  (the app fixture)

USER = 1001


@pytest.fixture
async def tg(core, fake):  # noqa: F811
    adapter = await start_adapter(core, fake)
    yield Harness(fake, adapter)
    await adapter.stop()


async def test_fix_button_opens_the_review_screen_with_the_reason_and_resubmits(core, tg):  # noqa: F811
    experience_id = await experience(core, "TCS", approve=False)
    await core.services.moderation.decide(experience_id, None, approve=False, reason="Name the rounds")
    posts = texts(await tg.say("/myposts"))
    assert "reason: Name the rounds" in posts
    assert tg.buttons(USER) == [f"✏️ Fix #{experience_id}"]

    opened = texts(await tg.press(f"✏️ Fix #{experience_id}"))
    assert "A moderator did not publish this: Name the rounds." in opened
    assert "8. Role: SDE" in opened and "6. Company: TCS" in opened
    assert "✅ Submit" in tg.buttons(USER)

    await tg.say("edit 8")
    assert "8. Role: Backend Engineer" in texts(await tg.say("Backend Engineer"))
    done = texts(await tg.press("✅ Submit"))
    assert f"#{experience_id}" in done and "changed: role" in done
    async with core.database.sessions() as session:
        stored = await session.get(Experience, experience_id)
    assert stored is not None
    assert (stored.status, stored.role, stored.reject_reason) == ("pending", "Backend Engineer", None)


async def test_someone_elses_fix_is_refused(core, tg):  # noqa: F811
    experience_id = await experience(core, "TCS", telegram_user=2002, approve=False)
    refused = texts(await tg.say(f"/fix {experience_id}"))
    assert f"There is no experience #{experience_id} of yours." in refused
