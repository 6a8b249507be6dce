"""Cross-platform bridge: one thread is one conversation on Discord, Telegram and the console."""

from __future__ import annotations

import logging

from core.ports import MirroredThread, ThreadMirror
from core.repositories.community import CommunityRepository, ThreadRow

logger = logging.getLogger(__name__)


class Bridge:
    """Pushes visible threads and posts to every registered mirror except the one a message came from.

    The platforms a thread is mirrored to are exactly those an adapter registered a mirror for
    (`App.register_mirror`); the core names none of them.

    `origin` is the platform whose mirrored thread a message was written in (it is already shown
    there); a command such as /reply typed on Discord outside the forum thread has no origin, so the
    Discord forum thread gets it too. Mirror failures are logged and never fail the user's action.
    """

    def __init__(self, repo: CommunityRepository, mirrors: dict[str, ThreadMirror] | None = None) -> None:
        self._repo = repo
        self.mirrors: dict[str, ThreadMirror] = mirrors if mirrors is not None else {}

    async def thread_visible(self, thread_id: int, origin: str | None = None) -> None:
        """A thread became visible (created by a trusted user, or approved): open it on each mirror."""
        if not self.mirrors:
            return
        thread = await self._repo.thread(thread_id)
        if thread is None or thread.status not in ("open", "resolved"):
            return
        for platform in self._targets(origin):
            await self._ensure(platform, thread)

    async def post_added(self, thread_id: int, author: str, body: str, origin: str | None = None) -> None:
        """A reply was added: show it on every mirror but its origin (opening the thread where missing)."""
        if not self.mirrors:
            return
        thread = await self._repo.thread(thread_id)
        if thread is None or thread.status not in ("open", "resolved"):
            return
        for platform in self._targets(origin):
            external_id = thread.external_id(platform) or await self._ensure(platform, thread)
            if external_id is None:
                continue
            try:
                await self.mirrors[platform].post(external_id, author, body)
            except Exception:
                logger.exception("mirror %s could not post to thread %s", platform, thread_id)

    async def resolved(self, thread_id: int) -> None:
        """A thread was marked resolved: tell every platform it is mirrored on."""
        thread = await self._repo.thread(thread_id)
        if thread is None:
            return
        for platform, mirror in self.mirrors.items():
            external_id = thread.external_id(platform)
            if external_id is None:
                continue
            try:
                await mirror.mark_resolved(external_id)
            except Exception:
                logger.exception("mirror %s could not mark thread %s resolved", platform, thread_id)

    def _targets(self, origin: str | None) -> list[str]:
        return [platform for platform in self.mirrors if platform != origin]

    async def _ensure(self, platform: str, thread: ThreadRow) -> str | None:
        """The thread's id on `platform`, opening it there first if it is not mirrored yet."""
        existing = thread.external_id(platform)
        if existing is not None:
            return existing
        first = await self._repo.first_post(thread.id)
        mirrored = MirroredThread(
            id=thread.id,
            title=thread.title,
            author=thread.author,
            body=first.body if first is not None and first.status == "visible" else "",
            company=thread.company,
            topic=thread.topic,
            resolved=thread.status == "resolved",
        )
        try:
            external_id = await self.mirrors[platform].open_thread(mirrored)
        except Exception:
            logger.exception("mirror %s could not open thread %s", platform, thread.id)
            return None
        if external_id:
            await self._repo.set_external_id(thread.id, platform, str(external_id))
        return str(external_id) if external_id else None
