"""Core discussion threads as real threads of a Discord forum channel (the core's ThreadMirror port).

- open_thread: a forum post titled like the core thread, tagged with its company and topic; the bot
  creates a missing tag (channel edit) only when it may manage the channel, else it uses the tags that
  exist. Returns the thread's channel id, which is also the ChatRef id of messages written inside it.
- post: a reply written on another platform, shown as "**author**: text"; an auto-archived thread is
  unarchived first (Discord's auto-archive duration is left as the forum sets it); a locked one is skipped.
- mark_resolved: adds the "resolved" tag (at most 5 tags per thread: the oldest other tag makes room).
"""

from __future__ import annotations

import asyncio
import logging

import discord

from bots.discord import render
from core.ports import MirroredThread

logger = logging.getLogger(__name__)

RESOLVED_TAG = "resolved"
MAX_TAG_NAME = 20  # Discord's limit for a forum tag's name
MAX_TAGS_PER_FORUM = 20
MAX_TAGS_PER_THREAD = 5
MAX_THREAD_NAME = 100
ARCHIVED = 50083  # Discord error code: the thread is archived


class ForumMirror:
    """Opens, posts to and resolves threads in the forum channel `forum_channel_id`."""

    def __init__(self, client: discord.Client, forum_channel_id: int) -> None:
        self.client = client
        self.forum_channel_id = forum_channel_id
        self._tag_lock = asyncio.Lock()

    def is_mirrored(self, channel: object) -> bool:
        """A thread of our forum that the bot opened (members' own forum posts are left alone)."""
        return (
            isinstance(channel, discord.Thread)
            and channel.parent_id == self.forum_channel_id
            and self.client.user is not None
            and channel.owner_id == self.client.user.id
        )

    async def _forum(self) -> discord.ForumChannel:
        channel = self.client.get_channel(self.forum_channel_id)
        if channel is None:
            channel = await self.client.fetch_channel(self.forum_channel_id)
        if not isinstance(channel, discord.ForumChannel):
            raise TypeError(f"discord.forum_channel_id {self.forum_channel_id} is not a forum channel")
        return channel

    async def _tags(self, names: list[str]) -> list[discord.ForumTag]:
        """The forum's tags with these names, creating missing ones when the bot may edit the channel."""
        wanted = list(dict.fromkeys(name.strip()[:MAX_TAG_NAME] for name in names if name and name.strip()))
        async with self._tag_lock:  # two threads opened at once must not both create the same tag
            forum = await self._forum()
            found = {tag.name.casefold(): tag for tag in forum.available_tags}
            missing = [name for name in wanted if name.casefold() not in found]
            room = MAX_TAGS_PER_FORUM - len(forum.available_tags)
            if missing and room > 0 and forum.permissions_for(forum.guild.me).manage_channels:
                new = [discord.ForumTag(name=name) for name in missing[:room]]
                try:
                    edited = await forum.edit(available_tags=[*forum.available_tags, *new])
                except discord.HTTPException:
                    logger.warning("discord: could not create forum tags %s", missing, exc_info=True)
                else:
                    if edited is not None:
                        found = {tag.name.casefold(): tag for tag in edited.available_tags}
        return [found[name.casefold()] for name in wanted if name.casefold() in found]

    async def open_thread(self, thread: MirroredThread) -> str | None:
        """Create the forum post for a core thread; return its channel id."""
        forum = await self._forum()
        names = [thread.company or "", thread.topic or ""] + ([RESOLVED_TAG] if thread.resolved else [])
        tags = await self._tags(names)
        text = f"{thread.body}\n\n— {thread.author} · discussion #{thread.id}" if thread.body else ""
        chunks = render.split_text(render.to_markdown(text or f"Discussion #{thread.id}"))
        title = thread.title.strip()[:MAX_THREAD_NAME] or f"Discussion #{thread.id}"
        created = await forum.create_thread(
            name=title,
            content=chunks[0],
            applied_tags=tags[:MAX_TAGS_PER_THREAD],
            allowed_mentions=discord.AllowedMentions.none(),
        )
        for chunk in chunks[1:]:
            await created.thread.send(chunk, allowed_mentions=discord.AllowedMentions.none())
        return str(created.thread.id)

    async def _thread(self, external_id: str) -> discord.Thread | None:
        """The mirrored thread, unarchived so it takes posts (None when it is locked or gone)."""
        forum = await self._forum()
        thread = forum.guild.get_thread(int(external_id))
        if thread is None:  # archived threads are not in discord.py's cache
            fetched = await self.client.fetch_channel(int(external_id))
            if not isinstance(fetched, discord.Thread):
                return None
            thread = fetched
        if thread.locked:
            logger.info("discord: thread %s is locked; not posting", external_id)
            return None
        if thread.archived:
            thread = await thread.edit(archived=False)
        return thread

    async def post(self, external_id: str, author: str, body: str) -> None:
        """Show a reply written on another platform in the forum thread, attributed to `author`."""
        thread = await self._thread(external_id)
        if thread is None:
            return
        text = render.to_markdown(body)
        for chunk in render.split_text(f"**{render.to_markdown(author)}**: {text}"):
            try:
                await thread.send(chunk, allowed_mentions=discord.AllowedMentions.none())
            except discord.HTTPException as error:
                if error.code != ARCHIVED:  # archived since we looked: unarchive once and retry
                    raise
                thread = await thread.edit(archived=False)
                await thread.send(chunk, allowed_mentions=discord.AllowedMentions.none())

    async def mark_resolved(self, external_id: str) -> None:
        """Apply the "resolved" tag to the thread."""
        thread = await self._thread(external_id)
        if thread is None:
            return
        tags = await self._tags([RESOLVED_TAG])
        if not tags or tags[0] in thread.applied_tags:
            return
        keep = [tag for tag in thread.applied_tags if tag.id != tags[0].id][-(MAX_TAGS_PER_THREAD - 1) :]
        await thread.edit(applied_tags=[*keep, tags[0]])
