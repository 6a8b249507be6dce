"""Two App instances (two processes) on one database answer the same dialog at the same moment.

Both load the dialog before either saves (a barrier holds the first two loads), so the race is real on
every run: exactly one advances the dialog, the other's save is refused by the version check and it
answers from the fresh state (the button has expired) -- nothing is lost or overwritten.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from core.ports import NoUserLock
from core.repositories.actors import Sighting
from core.repositories.dialogs import DialogKey, DialogRecord
from storage.actors import SightingRepo
from storage.repos import DialogRepo
from tests.console.driver import Console, make_app

pytestmark = pytest.mark.asyncio


@pytest.fixture
def racing_loads(monkeypatch: pytest.MonkeyPatch) -> list[asyncio.Barrier]:
    """While a barrier is in the list, the next two dialog reads wait for each other after reading.

    An event reads its dialog in the actor resolver's one SELECT (storage.actors.SightingRepo.sight,
    with the chat id), or through DialogRepo.load (the engine's retry, and apps without sightings): both
    are held."""
    barriers: list[asyncio.Barrier] = []
    load = DialogRepo.load
    sight = SightingRepo.sight

    async def together() -> None:
        if barriers:
            barrier = barriers[0]
            if barrier.n_waiting == barrier.parties - 1:
                barriers.pop(0)
            await barrier.wait()

    async def held_load(self: DialogRepo, key: DialogKey) -> DialogRecord | None:
        record = await load(self, key)
        await together()
        return record

    async def held_sight(self: SightingRepo, *args: Any, chat_id: str | None = None) -> Sighting:
        seen = await sight(self, *args, chat_id=chat_id)
        if chat_id is not None:
            await together()
        return seen

    monkeypatch.setattr(DialogRepo, "load", held_load)
    monkeypatch.setattr(SightingRepo, "sight", held_sight)
    return barriers


async def unlocked_pair(tmp_path: Any, database_url: str) -> tuple[Any, Any]:
    """Two apps on one database without the cross-process user lock (storage/locks.py): these tests
    check the fallback that lock leaves to, the version-checked save, with both loads held at once."""
    apps = (await make_app(tmp_path / "one", database_url), await make_app(tmp_path / "two", database_url))
    for app in apps:
        await app.router.user_lock.close()
        app.router.user_lock = NoUserLock()
    return apps


async def test_two_processes_pressing_the_same_button_advance_the_dialog_once(
    tmp_path: Any, database_url: str, racing_loads: list[asyncio.Barrier]
) -> None:
    first, second = await unlocked_pair(tmp_path, database_url)
    try:
        one = Console(first, first.config)
        await one.say("/share")
        await one.say("Asha Rao")
        branch = await one.say("skip")
        assert "Which branch" in branch
        cse = one.adapter.translate(str(one.number_of("CSE")))
        assert cse is not None
        key = cse.key
        racing_loads.append(asyncio.Barrier(2))
        answers = await asyncio.gather(first.handle(cse), second.handle(cse))
        texts = ["\n".join(reply.text for reply in replies) for replies in answers]
        advanced = [text for text in texts if "Your roll number" in text and "expired" not in text]
        refused = [text for text in texts if "has expired" in text or "That was already handled." in text]
        assert len(advanced) == 1 and len(refused) == 1, texts
        record = await DialogRepo(first.database.sessions).load(key)
        assert record is not None
        assert (record.step, record.answers["branch"], record.answers["name"]) == (
            "roll_number",
            "CSE",
            "Asha Rao",
        )
        assert len(record.history) == 3  # name, linkedin, branch: one entry each, none twice
    finally:
        await first.close()
        await second.close()


async def test_two_processes_typing_at_once_never_overwrite_each_other(
    tmp_path: Any, database_url: str, racing_loads: list[asyncio.Barrier]
) -> None:
    first, second = await unlocked_pair(tmp_path, database_url)
    try:
        one, two = Console(first, first.config), Console(second, second.config)
        await one.say("/share")
        name_a = one.adapter.translate("Asha Rao")
        name_b = two.adapter.translate("Bina Das")
        assert name_a is not None and name_b is not None
        racing_loads.append(asyncio.Barrier(2))
        answers = await asyncio.gather(first.handle(name_a), second.handle(name_b))
        texts = ["\n".join(reply.text for reply in replies) for replies in answers]
        record = await DialogRepo(first.database.sessions).load(name_a.key)
        assert record is not None
        # one name was taken and the dialog moved on once; the other message was re-read against the
        # fresh state (it is now an answer to the LinkedIn question, which a name is not)
        assert record.step == "linkedin" and record.answers["name"] in ("Asha Rao", "Bina Das")
        assert len(record.history) == 1
        winner = 0 if record.answers["name"] == "Asha Rao" else 1
        assert "LinkedIn" in texts[winner] and "⚠️" not in texts[winner]
        assert "⚠️" in texts[1 - winner] or "That was already handled." in texts[1 - winner]
    finally:
        await first.close()
        await second.close()
