"""The Discord front door: slash commands, persistent buttons and modals in, rendered core replies out.

Chat ids, both ways (the contract with the core):
- A guild channel or thread is `ChatRef("discord", <channel id>, is_private=False)`; a message written in a
  forum thread the bot mirrors carries that thread's channel id (see bots/discord/forum.py).
- A direct message is `ChatRef("discord", <the member's user id>, is_private=True)`, never the DM channel id.
- `send(chat, reply)` (the Notifier) therefore opens (or reuses) the DM channel with user `chat.id` when
  `chat.is_private`, and posts into channel `chat.id` otherwise. Pushes such as moderation outcomes
  (`ChatRef("discord", <author's user id>)`) and mock scorecards reach the member's DMs this way.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections import OrderedDict
from collections.abc import Awaitable
from typing import Any

import aiohttp
import discord
from discord import app_commands

from bots.base import Capabilities, PlatformUnreachable
from bots.discord import render, translate
from bots.discord.forum import ForumMirror
from bots.discord.ui import ActionButton, FormButton, build_modal, build_view, modal_values
from core.config import ConfigError, DiscordConfig, ModerationConfig
from core.events import ChatRef, IncomingEvent
from core.notifiers import RecipientGone, platform_call_starts
from core.ports import AppPort, CommandInfo
from core.replies import Form, Reply
from core.text_norm import mentions_anon

logger = logging.getLogger(__name__)

CANNOT_MESSAGE_USER = 50007  # Discord JSON error code: the user closed DMs or blocked the bot

ERROR_TEXT = (
    "Sorry, something went wrong while handling that. Please try again in a moment; "
    "if it keeps happening, tell a moderator."
)
BUSY_TEXT = "Still getting that ready, please press the button again in a few seconds."
DONE_TEXT = "✓ Done."
MAX_CACHED_FORMS = 2000
MAX_CHOICES = 25  # Discord shows at most 25 autocomplete choices
COMPLETE_KIND = "company"
# /company's hint is "<name>"; until the core's hint reads "<company>", name it here so it autocompletes.
ANSWER_COMMAND = "answer"
ANSWER_DESCRIPTION = "Send your mock-interview answer as a video file"


class DiscordAdapter:
    """Runs a discord.py client whose interactions and messages become core events."""

    name = "discord"
    capabilities = Capabilities(
        max_text=render.MAX_TEXT,
        max_caption=render.MAX_TEXT,
        forms=True,
        edits=True,
        buttons_per_row=render.MAX_PER_ROW,
        max_buttons=render.MAX_ROWS * render.MAX_PER_ROW,
    )

    def __init__(
        self,
        app: AppPort,
        config: DiscordConfig,
        moderation: ModerationConfig,
        *,
        defer_after: float = 2.0,
        message_content: bool | None = None,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        self.app = app
        self.config = config
        self.moderation = moderation
        self.defer_after = defer_after
        self.message_content = config.message_content if message_content is None else message_content
        self._client_options = dict(client_options or {})
        self._forms: OrderedDict[str, Form] = OrderedDict()
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.client = self._build_client()
        self.tree = app_commands.CommandTree(self.client)
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        self.forum = ForumMirror(self.client, config.forum_channel_id) if config.forum_channel_id else None
        app.register_notifier(self.name, self)

    # lifecycle ---------------------------------------------------------------------------------

    def _build_client(self) -> discord.Client:
        """A Client (or AutoShardedClient when shard_count is set, running only `shard_ids` when given, so
        several processes split the shards) whose hooks call this adapter."""
        intents = discord.Intents.default()
        intents.message_content = bool(self.message_content)
        options: dict[str, Any] = {"intents": intents, "allowed_mentions": discord.AllowedMentions.none()}
        options.update(self._client_options)
        sharded = self.config.shard_count is not None
        if sharded and self.config.shard_count:
            options["shard_count"] = self.config.shard_count
        if sharded and self.config.shard_ids is not None:  # this process's share of the shards
            options["shard_ids"] = list(self.config.shard_ids)
        base: type[discord.Client] = discord.AutoShardedClient if sharded else discord.Client
        adapter = self

        class InsightsClient(base):  # type: ignore[valid-type, misc]
            async def setup_hook(self) -> None:
                await adapter._setup()

            async def on_ready(self) -> None:
                logger.info("discord: connected as %s to %d guild(s)", self.user, len(self.guilds))

            async def on_message(self, message: discord.Message) -> None:
                await adapter._tracked(adapter._on_message(message))

            async def on_interaction(self, interaction: discord.Interaction) -> None:
                if interaction.type is discord.InteractionType.modal_submit:
                    await adapter._tracked(adapter._on_modal_submit(interaction))
                elif interaction.type is discord.InteractionType.component:
                    await adapter._tracked(adapter._on_foreign_button(interaction))

        client = InsightsClient(**options)
        client.ii_adapter = self
        return client

    async def run(self) -> None:
        """Log in, connect to the gateway and serve until stop() is called."""
        if not self.config.token:
            raise ConfigError("discord.token is empty: set DISCORD_BOT_TOKEN (see config.yaml)")
        async with self.client:
            await self._login()
            await self.client.connect(reconnect=True)  # what Client.start does after logging in

    async def open_for_sending(self) -> None:
        """Log in over REST only (channel and DM sends need no gateway): e.g. `main.py digest` from cron."""
        if not self.config.token:
            raise ConfigError("discord.token is empty: set DISCORD_BOT_TOKEN (see config.yaml)")
        await self._login()

    async def _login(self) -> None:
        """Client.login with its failures as one line each: a rejected token is a ConfigError, an API
        that cannot be reached (DNS, refused, timed out) is PlatformUnreachable; never the token.
        Once logged in, discord.py itself reconnects the gateway with backoff."""
        try:
            await self.client.login(self.config.token)
        except discord.LoginFailure:
            raise ConfigError("discord.token was rejected by Discord: check DISCORD_BOT_TOKEN") from None
        except (aiohttp.ClientError, OSError, TimeoutError) as problem:
            await self.client.close()
            reason = str(problem) or type(problem).__name__
            raise PlatformUnreachable(
                f"discord: cannot reach Discord's API ({reason}); check the network or proxy"
            ) from None

    async def close_sending(self) -> None:
        """Release what open_for_sending() opened."""
        await self.client.close()

    async def wait_ready(self) -> None:
        """Wait until the gateway session is ready (guilds received)."""
        await self.client.wait_until_ready()

    async def stop(self) -> None:
        """Close the gateway connection and HTTP session."""
        await self.client.close()

    async def drain(self) -> None:
        """Wait until no interaction or message is being handled (used by tests and shutdown)."""
        await self._idle.wait()

    async def _tracked(self, coro: Awaitable[None]) -> None:
        self._busy += 1
        self._idle.clear()
        try:
            await coro
        finally:
            self._busy -= 1
            if self._busy == 0:
                self._idle.set()

    async def _setup(self) -> None:
        """Register persistent buttons and slash commands, then sync commands to Discord."""
        self.client.add_dynamic_items(ActionButton, FormButton)
        infos = self.app.commands
        for info in infos:
            command = self._make_command(info)
            if command is not None:
                self.tree.add_command(command)
        names = {info.name for info in infos}
        if "mock" in names and ANSWER_COMMAND not in names:
            self.tree.add_command(self._answer_command())
        if self.forum is not None:
            self.app.register_mirror(self.name, self.forum)
        await self._sync_commands()

    async def _sync_commands(self) -> None:
        """Sync to each configured guild (instant) or globally; a failed sync is logged, not fatal."""
        try:
            if self.config.guild_ids:
                for guild_id in self.config.guild_ids:
                    guild = discord.Object(id=guild_id)
                    self.tree.copy_global_to(guild=guild)
                    synced = await self.tree.sync(guild=guild)
                    logger.info("discord: synced %d command(s) to guild %s", len(synced), guild_id)
            else:
                synced = await self.tree.sync()
                logger.info("discord: synced %d global command(s)", len(synced))
        except discord.HTTPException:
            logger.exception("discord: could not sync slash commands; the old ones stay registered")

    # slash commands ---------------------------------------------------------------------------

    def _make_command(self, info: CommandInfo) -> app_commands.Command | None:
        """A slash command for a core command: description, optional string option, moderator guard."""
        name = translate.command_name(info.name)
        if name is None:
            logger.warning("discord: %r is not a valid slash command name; skipped", info.name)
            return None
        description = (info.description or f"/{name}")[:100]
        adapter = self

        if info.args_hint:

            async def with_option(interaction: discord.Interaction, value: str | None = None) -> None:
                await adapter._tracked(adapter._on_command(interaction, info, value or ""))

            option = translate.option_name(info.args_hint)
            callback: Any = app_commands.rename(value=option)(with_option)
            callback = app_commands.describe(value=info.args_hint[:100])(callback)
            fixed = translate.fixed_choices(info.args_hint)
            if fixed:  # e.g. /askme on|off: Discord shows the values as a pick list
                callback = app_commands.choices(value=[app_commands.Choice(name=v, value=v) for v in fixed])(
                    callback
                )
        else:

            async def callback(interaction: discord.Interaction) -> None:
                await adapter._tracked(adapter._on_command(interaction, info, ""))

        command: app_commands.Command[Any, ..., None] = app_commands.Command(
            name=name, description=description, callback=callback
        )
        if info.moderator_only:
            command.default_permissions = discord.Permissions(manage_messages=True)
        if info.args_hint and translate.is_company_hint(info.args_hint):

            async def complete(
                interaction: discord.Interaction, current: str
            ) -> list[app_commands.Choice[str]]:
                return await adapter._complete(COMPLETE_KIND, current)

            command.autocomplete("value")(complete)
        return command

    def _answer_command(self) -> app_commands.Command:
        """/answer <video>: Discord's way to hand a file to a slash command; it becomes an upload event."""
        adapter = self

        async def answer(interaction: discord.Interaction, video: discord.Attachment) -> None:
            await adapter._tracked(adapter._on_answer(interaction, video))

        callback = app_commands.describe(video="Your recorded answer (MP4, MOV or WebM)")(answer)
        return app_commands.Command(name=ANSWER_COMMAND, description=ANSWER_DESCRIPTION, callback=callback)

    async def _on_answer(self, interaction: discord.Interaction, video: discord.Attachment) -> None:
        try:
            private = interaction.guild is not None
            await interaction.response.defer(thinking=True, ephemeral=private)  # downloading takes a while
            moderator = self._is_moderator(interaction.user)
            event = translate.upload_event(interaction, [video], "", moderator=moderator)
            await self._serve(interaction, event, ephemeral=private)
        except Exception:
            logger.exception("discord: /%s failed", ANSWER_COMMAND)
            await self._fail(interaction)

    async def _complete(self, kind: str, prefix: str) -> list[app_commands.Choice[str]]:
        """Suggestions from the core's `complete(kind, prefix)` (which never raises), at most 25."""
        values = await self.app.complete(kind, prefix, MAX_CHOICES)
        return [app_commands.Choice(name=v[:100], value=v[:100]) for v in values[:MAX_CHOICES]]

    async def _on_command(self, interaction: discord.Interaction, info: CommandInfo, args: str) -> None:
        try:
            # who may run a moderator command is the core's decision (the router answers a refusal)
            moderator = self._is_moderator(interaction.user)
            event = translate.command_event(interaction, info.name, args, moderator=moderator)
            # anonymous posting is answered ephemerally from the start: a public response (even a
            # "thinking…" one) shows "<member> used /ask" above it and names the anonymous author
            private = info.personal or mentions_anon(args)
            await self._serve(interaction, event, ephemeral=private and interaction.guild is not None)
        except Exception:
            logger.exception("discord: /%s failed", info.name)
            await self._fail(interaction)

    async def _on_tree_error(self, interaction: discord.Interaction, error: Exception) -> None:
        logger.error("discord: command error: %s", error, exc_info=error)
        await self._fail(interaction)

    # buttons and modals -------------------------------------------------------------------------

    async def on_action(self, interaction: discord.Interaction, action: str, label: str) -> None:
        """A persistent "ii:" button was pressed: pass its token to the core."""
        await self._tracked(self._on_action(interaction, action, label))

    async def _on_action(self, interaction: discord.Interaction, action: str, label: str) -> None:
        try:
            event = translate.action_event(
                interaction, action, moderator=self._is_moderator(interaction.user)
            )
            await self._serve(interaction, event, ephemeral=self._press_is_private(interaction), label=label)
        except Exception:
            logger.exception("discord: button %r failed", action)
            await self._fail(interaction)

    async def _on_foreign_button(self, interaction: discord.Interaction) -> None:
        """A button none of our persistent items owns (a message of an older bot version, a custom_id
        that is not "ii:"/"iif:"): discord.py routes it nowhere, so the member saw "This interaction
        failed" (issue #14). The core answers it like any stale button ("That button has expired")."""
        data: dict[str, Any] = interaction.data or {}  # type: ignore[assignment]
        custom_id = str(data.get("custom_id", ""))
        owned = (ActionButton, FormButton)
        if any(item.__discord_ui_compiled_template__.fullmatch(custom_id) for item in owned):
            return  # answered by ActionButton / FormButton
        try:
            # an empty token, never the custom_id: a foreign id must not run as one of our commands
            event = translate.action_event(interaction, "", moderator=self._is_moderator(interaction.user))
            await self._serve(interaction, event, ephemeral=True, label=None)
        except Exception:
            logger.exception("discord: a foreign button failed")
            await self._fail(interaction)

    async def on_form_button(self, interaction: discord.Interaction, action: str) -> None:
        """An "iif:" button was pressed: open the form's modal (asking the core for it after a restart)."""
        await self._tracked(self._on_form_button(interaction, action))

    async def _on_form_button(self, interaction: discord.Interaction, action: str) -> None:
        try:
            form = self._forms.get(action)
            if form is None:
                form = await self._refetch_form(interaction, action)
                if form is None:
                    return
            modal = build_modal(form)
            await interaction.response.send_modal(modal)
            modal.stop()  # submissions are handled in on_interaction, also after a restart
        except Exception:
            logger.exception("discord: form button %r failed", action)
            await self._fail(interaction)

    async def _refetch_form(self, interaction: discord.Interaction, action: str) -> Form | None:
        """After a restart the form is not cached: the core re-prompts (or says the step expired)."""
        event = translate.action_event(interaction, action, moderator=self._is_moderator(interaction.user))
        task = asyncio.create_task(self.app.handle(event))
        done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        if not done:
            await interaction.response.send_message(BUSY_TEXT, ephemeral=interaction.guild is not None)
            task.add_done_callback(lambda t: t.cancelled() or t.exception())  # no 'never retrieved'
            return None
        replies = task.result()
        for reply in replies:
            if reply.form is not None:
                self._remember_form(reply.form)
                return reply.form
        await self._deliver(interaction, replies, ephemeral=self._press_is_private(interaction), label="")
        return None

    async def _on_modal_submit(self, interaction: discord.Interaction) -> None:
        data: dict[str, Any] = interaction.data or {}  # type: ignore[assignment]
        custom_id = str(data.get("custom_id", ""))
        if not custom_id.startswith(render.FORM_PREFIX):
            return
        action = custom_id[len(render.FORM_PREFIX) :]
        try:
            values = modal_values(data.get("components") or [])
            event = translate.form_event(
                interaction, action, values, moderator=self._is_moderator(interaction.user)
            )
            await self._serve(
                interaction, event, ephemeral=self._press_is_private(interaction), label="answered"
            )
        except Exception:
            logger.exception("discord: form %r failed", action)
            await self._fail(interaction)

    # answering interactions ----------------------------------------------------------------------

    async def _serve(
        self,
        interaction: discord.Interaction,
        event: IncomingEvent,
        *,
        ephemeral: bool,
        label: str | None = None,
    ) -> None:
        """Run the core; defer if it is not done within `defer_after` seconds, then deliver its replies."""
        task = asyncio.create_task(self.app.handle(event))
        done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        if not done and not interaction.response.is_done():
            if interaction.message is not None:
                await interaction.response.defer()  # acknowledge the press; the prompt stays editable
            else:
                await interaction.response.defer(thinking=True, ephemeral=ephemeral)
        replies = await task
        await self._deliver(interaction, replies, ephemeral=ephemeral, label=label)

    async def _deliver(
        self, interaction: discord.Interaction, replies: list[Reply], *, ephemeral: bool, label: str | None
    ) -> None:
        """Send replies as the interaction response and followups; mark an answered prompt."""
        in_guild = interaction.guild is not None
        outgoing: list[render.Outgoing] = []
        for reply in replies:
            if reply.form is not None:
                self._remember_form(reply.form)
            outgoing.extend(render.render_reply(reply))
        prompt = interaction.message
        if (
            label is not None
            and prompt is not None
            and self._owns_prompt(interaction)
            and any(r.replaces_prompt for r in replies)
        ):
            content = render.mark_pressed(prompt.content, label)
            if interaction.response.is_done():
                await interaction.edit_original_response(content=content, view=None)
            else:
                await interaction.response.edit_message(content=content, view=None)
        thinking = interaction.response.type is discord.InteractionResponseType.deferred_channel_message
        first_followup = True
        for out in outgoing:
            private = in_guild and (out.private or ephemeral)
            kwargs = self._message_kwargs(out)
            if not interaction.response.is_done():
                await interaction.response.send_message(ephemeral=private, **kwargs)
            else:
                if thinking and first_followup and private != ephemeral:
                    # the first followup would inherit the "thinking" message's visibility: settle it first
                    await interaction.edit_original_response(content=DONE_TEXT)
                await interaction.followup.send(ephemeral=private, **kwargs)
                first_followup = False
        if not outgoing:
            if not interaction.response.is_done():
                if interaction.message is not None:
                    await interaction.response.defer()
                else:
                    await interaction.response.send_message(DONE_TEXT, ephemeral=True)
            elif thinking:
                await interaction.edit_original_response(content=DONE_TEXT)

    @staticmethod
    def _message_kwargs(out: render.Outgoing) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"content": out.content or None}
        view = build_view(out.rows)
        if view is not None:
            kwargs["view"] = view
        if out.files:
            kwargs["files"] = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in out.files]
        return kwargs

    async def _fail(self, interaction: discord.Interaction) -> None:
        """Tell the member something went wrong, privately; never raise."""
        try:
            if interaction.response.is_done():
                await interaction.followup.send(ERROR_TEXT, ephemeral=True)
            else:
                await interaction.response.send_message(ERROR_TEXT, ephemeral=True)
        except Exception:
            logger.exception("discord: could not even report an error to the member")

    # plain messages ----------------------------------------------------------------------------

    async def _on_message(self, message: discord.Message) -> None:
        """DMs, posts in mirrored forum threads, and guild messages of members in a dialog go to the core."""
        if message.author.bot or message.webhook_id is not None:
            return
        if message.guild is not None:
            mirrored = self.forum is not None and self.forum.is_mirrored(message.channel)
            if not mirrored and not await self._in_dialog(message):
                return
        try:
            event = translate.message_event(message, moderator=self._is_moderator(message.author))
            replies = await self.app.handle(event)
            for reply in replies:
                for out in render.render_reply(reply):
                    await self._send_for_message(message, out)
        except Exception:
            logger.exception("discord: message %s failed", message.id)
            with contextlib.suppress(Exception):
                await message.channel.send(ERROR_TEXT)

    async def _send_for_message(self, message: discord.Message, out: render.Outgoing) -> None:
        """Answer a plain message; a private reply to a guild message goes to the member's DMs."""
        kwargs = self._message_kwargs(out)
        if message.guild is not None and out.private:
            try:
                await message.author.send(**kwargs)
                return
            except discord.HTTPException:
                logger.warning(
                    "discord: could not DM %s a private reply; not posting it publicly", message.author
                )
                await message.channel.send(
                    "I could not send you a private message: please allow DMs from this server."
                )
                return
        if message.guild is not None:
            kwargs["reference"] = message
            kwargs["mention_author"] = False
        await message.channel.send(**kwargs)

    async def _in_dialog(self, message: discord.Message) -> bool:
        """Whether this member has a dialog running in this guild channel (their messages are answers)."""
        channel, user = str(message.channel.id), str(message.author.id)
        return await self.app.in_dialog(translate.PLATFORM, channel, user)  # never raises

    # pushing (notifier) -------------------------------------------------------------------------

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        """Notifier for "discord": a private chat is a user id (post in their DMs), otherwise a channel id."""
        if reply.form is not None:
            self._remember_form(reply.form)
        try:
            channel = await self._channel_for(chat)
            await platform_call_starts()  # the message may land from here on (digest: "in flight")
            for out in render.render_reply(reply):
                await channel.send(**self._message_kwargs(out))
        except discord.Forbidden as exc:
            if exc.code == CANNOT_MESSAGE_USER or chat.is_private:  # 50007: DMs closed or bot blocked
                raise RecipientGone(chat, exc.text or str(exc)) from exc
            raise

    async def _channel_for(self, chat: ChatRef) -> discord.abc.Messageable:
        target = int(chat.id)
        if chat.is_private:
            cached = self.client.get_channel(target)
            if isinstance(cached, discord.DMChannel):  # tolerate a DM channel id, too
                return cached
            return await self.client.create_dm(discord.Object(id=target))
        channel = self.client.get_channel(target)
        if isinstance(channel, discord.abc.Messageable):
            return channel
        return self.client.get_partial_messageable(target)

    # helpers -----------------------------------------------------------------------------------

    def _remember_form(self, form: Form) -> None:
        self._forms[form.action] = form
        self._forms.move_to_end(form.action)
        while len(self._forms) > MAX_CACHED_FORMS:
            self._forms.popitem(last=False)

    @staticmethod
    def _press_is_private(interaction: discord.Interaction) -> bool:
        """In a guild, a press is answered to the presser alone: a shared card's buttons serve everyone."""
        return interaction.guild is not None

    @staticmethod
    def _owns_prompt(interaction: discord.Interaction) -> bool:
        """Whether only the presser sees the pressed message (DM or ephemeral), so it may be retired."""
        message = interaction.message
        return message is not None and (interaction.guild is None or message.flags.ephemeral)

    def _is_moderator(self, user: discord.abc.User) -> bool | None:
        """Whether a member has a configured moderator role; None when this event cannot tell.

        In a guild the member and its roles come with the event. In DMs there is no member: a cached
        one with the role in any shared guild answers True; otherwise the answer is unknown (None)
        and the core's ActorResolver uses the status it remembered from the member's guild messages.
        """
        roles = self.moderation.discord_roles
        if translate.has_moderator_role(user, roles):
            return True
        if isinstance(user, discord.Member):
            return False
        for guild in self.client.guilds:
            member = guild.get_member(user.id)
            if member is not None and translate.has_moderator_role(member, roles):
                return True
        return None
