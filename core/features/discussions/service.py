"""Discussions per company or topic: list, open, reply, start, /ask seniors, /solve, inbound bridge."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from core.colleges import needs_college
from core.colleges import own_scope as college_scope
from core.dialog.engine import DialogEngine, Flow
from core.dialog.steps import Ask, Choose, DialogContext, Invalid, Option, finish
from core.events import Actor, IncomingEvent
from core.features.base import CommandSink, FeatureBase
from core.features.discussions.bridge import Bridge
from core.features.discussions.common import (
    KNOWN_TOPICS,
    QUESTION_TOPIC,
    Scope,
    needs_review,
    normalise_topic,
    parse_id,
    scope_from_token,
    short,
    spam_message,
    tell,
)
from core.features.discussions.moderation import CommunityModeration
from core.features.discussions.views import PAGE_SIZE, clamp_page, thread_list, thread_view
from core.ports import CommandInfo
from core.replies import Button, Reply
from core.repositories.community import CommunityRepository, author_label
from core.router import command_button_action
from core.services import Services
from core.text_norm import ANON_WORDS, looks_like_id, split_anon

logger = logging.getLogger(__name__)

Handler = Callable[[IncomingEvent], Awaitable[list[Reply]]]
TITLE_MAX = 150
DISCUSS_HELP = (
    "Tell me a company or a topic: /discuss TCS, /discuss dsa, /discuss system design. "
    "Topics are free tags such as dsa, system-design or hr."
)


def _title(raw: str, ctx: DialogContext) -> str:
    title = " ".join(raw.split())
    if len(title) < 5:
        raise Invalid("Please give the discussion a title of at least 5 characters.")
    return title


def _body(raw: str, ctx: DialogContext) -> str:
    body = raw.strip()
    if len(body) < 2:
        raise Invalid("That is too short to post; please write a little more.")
    return body


def _post_as(ctx: DialogContext) -> list[Option]:
    name = ctx.user_name or "my name"
    return [Option(False, f"👤 As {name}"), Option(True, "🕶 Anonymously")]


class Community(FeatureBase):
    """Threads and posts on every platform; mirrors them through the Bridge."""

    name = "discussions"
    text_priority = 10

    def __init__(self, services: Services, engine: DialogEngine, repo: CommunityRepository) -> None:
        self._services = services
        self._engine = engine
        self.repo = repo
        self.bridge = Bridge(self.repo)
        self.moderation = CommunityModeration(services, engine, self.repo, self.thread_published)

    def flows(self) -> list[Flow]:
        """Dialogs: start a thread, reply, ask a question; plus the moderation ones."""

        max_text = self._services.config.dialog.max_text_chars
        title = Ask(
            "title",
            "Title",
            "What is the discussion about? Give it a short title.",
            _title,
            max_length=TITLE_MAX,
        )
        body = Ask("body", "Message", "Write your message.", _body, multiline=True, max_length=max_text)

        def post_as(done: Callable[[DialogContext], Awaitable[list[Reply]]]) -> Choose:
            question = "Post under your name or anonymously?"
            return Choose("anonymous", "Post as", question, _post_as, per_row=2, then=finish(done))

        question = Ask(
            "body",
            "Question",
            lambda ctx: (
                f"What do you want to ask seniors who interviewed at {ctx.answers.get('label', 'there')}?"
            ),
            _body,
            multiline=True,
            max_length=max_text,
        )
        return [
            Flow("thread_new", "new discussion", [title, body, post_as(self._new_done)]),
            Flow("thread_reply", "reply", [body, post_as(self._reply_done)]),
            Flow("thread_ask", "question", [question, post_as(self._ask_done)]),
            *self.moderation.flows(),
        ]

    def register(self, commands: CommandSink) -> None:
        """Add the discussion commands (and the community moderation ones) to the router."""
        add = commands.add
        add(CommandInfo("discuss", "Discussions about a company or topic", "<company|topic>"), self.discuss)
        add(CommandInfo("thread", "Open a discussion", "<id> [page]"), self.thread)
        add(CommandInfo("reply", "Reply in a discussion", "<id> [text]"), self.reply)
        add(CommandInfo("newthread", "Start a discussion", "<company|topic>"), self.newthread)
        add(
            CommandInfo(
                "ask",
                "Ask seniors who interviewed at a company (add anon to hide your name)",
                "<company> <question>",
            ),
            self.ask,
        )
        add(CommandInfo("askme", "Get juniors' questions about companies you shared", "on|off"), self.askme)
        add(CommandInfo("solve", "Mark your discussion as resolved", "<id>"), self.solve)
        self.moderation.register(commands)

    async def on_text(self, event: IncomingEvent) -> list[Reply] | None:
        """Replies written inside mirrored threads (first text handler); None for anything else."""
        return await self.inbound(event)

    # --- listing and opening ------------------------------------------------------------------------

    async def _scope(self, text: str) -> Scope | list[Reply]:
        """Read "TCS", "dsa", "#hr" or a button's "@c12" as a Scope, or explain what was not understood."""
        text = " ".join(text.split())
        if text.startswith("@"):
            scope = await scope_from_token(self._services, text)
            return scope if scope is not None else [Reply(text="That list has expired. " + DISCUSS_HELP)]
        if text.startswith("#"):
            topic = normalise_topic(text)
            return Scope(topic=topic) if topic else [Reply(text=DISCUSS_HELP)]
        match = await self._services.companies.match(text)
        if match.exact is not None:
            return Scope(match.exact.id, match.exact.name)
        topic = normalise_topic(text)
        if not topic:
            return [Reply(text=DISCUSS_HELP)]
        if topic in KNOWN_TOPICS or not match.suggestions or await self.repo.topic_exists(topic):
            return Scope(topic=topic)
        buttons = [
            (Button(f"🏢 {c.name}", command_button_action("discuss", f"@c{c.id}")),)
            for c in match.suggestions[:4]
        ]
        buttons.append((Button(f"🏷 Topic #{topic}", command_button_action("discuss", f"@t:{topic}")),))
        return [
            Reply(
                text=f"I don't know a company called “{text}”. Did you mean one of these?",
                buttons=tuple(buttons),
            )
        ]

    async def discuss(self, event: IncomingEvent) -> list[Reply]:
        """`/discuss <company|topic>` (and its page buttons): threads, latest activity first."""
        words = event.args.split()
        page = 1
        if len(words) > 1 and words[0].startswith("@") and looks_like_id(words[-1]):
            page = parse_id(words.pop()) or 1
        scope: Scope | list[Reply] = await self._scope(" ".join(words)) if words else Scope()
        if isinstance(scope, list):
            return scope
        if (unplaced := needs_college(event.actor)) is not None:
            return unplaced
        colleges = college_scope(event.actor)  # issue #15: the student's college's discussions
        _, total = await self.repo.list_threads(
            company_id=scope.company_id, topic=scope.topic, limit=0, colleges=colleges
        )
        page = clamp_page(page, total)
        threads, total = await self.repo.list_threads(
            company_id=scope.company_id,
            topic=scope.topic,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
            colleges=colleges,
        )
        reply = thread_list(scope, threads, page, total)
        if not words:
            reply = Reply(text=reply.text + "\n" + DISCUSS_HELP, buttons=reply.buttons)
        return [reply]

    async def thread(self, event: IncomingEvent) -> list[Reply]:
        """`/thread <id> [page]`: a page of a thread's posts."""
        words = event.args.split()
        thread_id = parse_id(words[0]) if words else None
        if thread_id is None and words and looks_like_id(words[0]):
            typed = words[0].lstrip("#")
            return [Reply(text=f"There is no discussion #{typed}. /discuss <company|topic> lists them.")]
        if thread_id is None:
            return [Reply(text="Tell me which discussion: /thread <id>, e.g. /thread 12.")]
        thread = await self.repo.thread(thread_id, colleges=college_scope(event.actor))
        viewer = event.actor.user_id
        is_author = thread is not None and viewer is not None and thread.author_user_id == viewer
        visible = thread is not None and (
            thread.status in ("open", "resolved")
            or (thread.status == "pending" and (is_author or event.actor.is_moderator))
        )
        if not visible:
            return [Reply(text=f"There is no discussion #{thread_id}. /discuss <company|topic> lists them.")]
        assert thread is not None
        page = (parse_id(words[1]) or 1) if len(words) > 1 else 1
        _, total = await self.repo.posts(thread_id, limit=0)
        page = clamp_page(page, total)
        posts, total = await self.repo.posts(thread_id, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        first = await self.repo.first_post(thread_id)
        return [
            thread_view(
                thread,
                posts,
                page,
                total,
                first_post_id=first.id if first else None,
                can_solve=thread.status == "open" and (is_author or event.actor.is_moderator),
                can_promote=event.actor.is_moderator
                and thread.status == "resolved"
                and thread.company_id is not None,
            )
        ]

    # --- starting threads ---------------------------------------------------------------------------

    async def newthread(self, event: IncomingEvent) -> list[Reply]:
        """`/newthread <company|topic>` or the list's "New thread" button: a short dialog."""
        if not event.args.strip():
            return [
                Reply(text="Where should the discussion go? /newthread <company|topic>, e.g. /newthread TCS.")
            ]
        scope = await self._scope(event.args)
        if isinstance(scope, list):
            return scope
        if scope.company_id is None and scope.topic is None:
            return [Reply(text=DISCUSS_HELP)]
        refused = await self._refusal(event)
        if refused:
            return refused
        answers = {"scope": scope.token, "label": scope.label}
        return await self._engine.start(event, "thread_new", answers)

    async def _refusal(self, event: IncomingEvent) -> list[Reply]:
        user_id = await event.actor.ensure_id()
        message = await spam_message(self._services, self.repo, user_id, event.actor.is_moderator)
        return [Reply(text=message, private=True)] if message else []

    async def _new_done(self, ctx: DialogContext) -> list[Reply]:
        scope = await scope_from_token(self._services, ctx.answers["scope"])
        if scope is None:
            return [Reply(text="That company no longer exists; nothing was posted.", private=True)]
        return await self.start_thread(
            ctx.actor,
            scope,
            ctx.answers["title"],
            ctx.answers["body"],
            ctx.answers["anonymous"],
            ctx.is_moderator,
        )

    async def start_thread(
        self,
        actor: Actor,
        scope: Scope,
        title: str,
        body: str,
        anonymous: bool,
        is_moderator: bool,
        topic: str | None = None,
    ) -> list[Reply]:
        """Create a thread (pending for low-reputation users), mirror it, and say what happens next."""
        user_id = await actor.ensure_id()
        message = await spam_message(self._services, self.repo, user_id, is_moderator)
        if message:
            return [Reply(text=message, private=True)]
        pending = await needs_review(self._services, self.repo, user_id, is_moderator)
        thread_id, _ = await self.repo.create_thread(
            college_id=actor.college_id,
            user_id=user_id,
            company_id=scope.company_id,
            topic=topic or scope.topic,
            title=title,
            body=body,
            anonymous=anonymous,
            platform=actor.platform,
            status="pending" if pending else "open",
            now=self._services.clock(),
        )
        open_button = (Button(f"💬 Open #{thread_id}", command_button_action("thread", str(thread_id))),)
        if pending:
            await self.moderation.announce("thread", thread_id)
            text = (
                f"Thanks! Your discussion #{thread_id} is waiting for a moderator (new members' posts are "
                "checked first); I'll tell you when it is public."
            )
            return [Reply(text=text, private=True)]
        await self.thread_published(thread_id)
        who = "anonymously" if anonymous else f"as {author_label(False, actor.display_name)}"
        # an anonymous post's confirmation is private: shown in a group it would name the author
        text = f"✅ Started discussion #{thread_id} ({scope.label}) {who}."
        return [Reply(text=text, buttons=(open_button,), private=anonymous)]

    async def thread_published(self, thread_id: int) -> None:
        """A thread became public: mirror it, and for /ask questions notify opted-in seniors."""
        await self.bridge.thread_visible(thread_id)
        thread = await self.repo.thread(thread_id)
        if thread is None or thread.topic != QUESTION_TOPIC or thread.company_id is None:
            return
        first = await self.repo.first_post(thread_id)
        question = first.body if first is not None else thread.title
        buttons = (
            (
                Button(f"💬 Open #{thread_id}", command_button_action("thread", str(thread_id))),
                Button("✍️ Answer", command_button_action("reply", str(thread_id))),
            ),
        )
        text = (
            f"❓ A junior asks about **{thread.company}**, where you shared your interview experience "
            f"(question #{thread_id}, from {thread.author}):\n{short(question, 600)}\n"
            f"Answer with /reply {thread_id} <text> (you can answer anonymously). /askme off stops these."
        )
        for recipient in await self.repo.askable(thread.company_id, thread.author_user_id):
            await tell(self._services, recipient, text, buttons=buttons)

    async def ask(self, event: IncomingEvent) -> list[Reply]:
        """`/ask [anon] <company> [anon] <question> [anon]`: a question thread; opted-in seniors hear of it.

        Where "anon" may go is what the help says; it is never part of the title or the question.
        """
        anonymous, text = split_anon(event.args)
        words = text.split()
        if not words:
            return [
                Reply(text="Ask like this: /ask <company> <question>, e.g. /ask TCS How long is the bond?")
            ]
        company = None
        for size in range(min(4, len(words)), 0, -1):
            match = await self._services.companies.match(" ".join(words[:size]).rstrip(":,"))
            if match.exact is not None:
                company, words = match.exact, words[size:]
                break
        if company is not None and words and words[0].lower().strip("()[]:.,!") in ANON_WORDS:
            anonymous, words = True, words[1:]  # "/ask TCS anon <question>"
        if company is None:
            match = await self._services.companies.match(words[0])
            close = ", ".join(c.name for c in match.suggestions[:3])
            hint = f" Did you mean {close}?" if close else ""
            return [
                Reply(
                    text=f"I couldn't find the company in “{short(text, 60)}”.{hint} "
                    "Ask like this: /ask TCS How long is the bond?"
                )
            ]
        scope = Scope(company.id, company.name)
        question = " ".join(words).strip()
        if not question:
            refused = await self._refusal(event)
            if refused:
                return refused
            answers = {"scope": scope.token, "label": scope.label}
            return await self._engine.start(event, "thread_ask", answers)
        if len(question) > self._services.config.dialog.max_text_chars:
            return [Reply(text="That question is very long; please shorten it and ask again.")]
        replies = await self.start_thread(
            event.actor,
            scope,
            short(question, TITLE_MAX),
            question,
            anonymous,
            event.actor.is_moderator,
            QUESTION_TOPIC,
        )
        return replies + self._ask_note(scope)

    @staticmethod
    def _ask_note(scope: Scope) -> list[Reply]:
        # The same words whoever (and however many) opted in: the asker never learns who was told.
        return [
            Reply(
                text=f"Seniors who shared a {scope.label} experience and opted in to questions are told "
                "about it privately once it is public; answers appear in the thread.",
                private=True,
            )
        ]

    async def _ask_done(self, ctx: DialogContext) -> list[Reply]:
        scope = await scope_from_token(self._services, ctx.answers["scope"])
        if scope is None:
            return [Reply(text="That company no longer exists; nothing was posted.", private=True)]
        body = ctx.answers["body"]
        replies = await self.start_thread(
            ctx.actor,
            scope,
            short(body, TITLE_MAX),
            body,
            ctx.answers["anonymous"],
            ctx.is_moderator,
            QUESTION_TOPIC,
        )
        return replies + self._ask_note(scope)

    async def askme(self, event: IncomingEvent) -> list[Reply]:
        """`/askme on|off`: opt in or out of juniors' questions about companies you shared."""
        choice = event.args.strip().lower()
        user_id = await event.actor.ensure_id()
        if choice not in ("on", "off"):
            state = "on" if await self.repo.ask_me(user_id) else "off"
            return [
                Reply(
                    text=f"Questions from juniors are **{state}** for you. Use /askme on or /askme off.",
                    private=True,
                )
            ]
        await self.repo.set_ask_me(user_id, choice == "on")
        if choice == "off":
            return [Reply(text="Done: you won't get juniors' questions any more.", private=True)]
        return [
            Reply(
                text="✅ When a junior uses /ask about a company where you shared an approved experience, "
                "I'll send you the question privately. Nobody is told that you receive them. "
                "/askme off stops it.",
                private=True,
            )
        ]

    # --- replying -----------------------------------------------------------------------------------

    async def reply(self, event: IncomingEvent) -> list[Reply]:
        """`/reply <id> <text>` posts at once; `/reply <id>` (or the Reply button) asks for the text."""
        thread_part, _, text = event.args.strip().partition(" ")
        thread_id = parse_id(thread_part)
        if thread_id is None and looks_like_id(thread_part):
            return [Reply(text=f"There is no open discussion #{thread_part.lstrip('#')}.")]
        if thread_id is None:
            return [
                Reply(
                    text="Tell me which discussion: /reply <id> <text>, e.g. /reply 12 Thanks, that helped!"
                )
            ]
        thread = await self.repo.thread(thread_id, colleges=college_scope(event.actor))
        if thread is None or thread.status not in ("open", "resolved"):
            return [Reply(text=f"There is no open discussion #{thread_id}.")]
        anonymous, text = split_anon(text)
        if not text:
            refused = await self._refusal(event)
            if refused:
                return refused
            answers = {"thread_id": thread_id}
            return [
                Reply(text=f"Replying in #{thread_id} “{short(thread.title, 60)}”.", private=True),
                *await self._engine.start(event, "thread_reply", answers),
            ]
        if len(text) > self._services.config.dialog.max_text_chars:
            return [Reply(text="That reply is very long; please shorten it and send it again.")]
        return await self.add_reply(event.actor, thread_id, text, anonymous, event.actor.is_moderator)

    async def _reply_done(self, ctx: DialogContext) -> list[Reply]:
        answers = ctx.answers
        return await self.add_reply(
            ctx.actor, answers["thread_id"], answers["body"], answers["anonymous"], ctx.is_moderator
        )

    async def add_reply(
        self,
        actor: Actor,
        thread_id: int,
        body: str,
        anonymous: bool,
        is_moderator: bool,
        origin: str | None = None,
        message_id: str | None = None,
    ) -> list[Reply]:
        """Post a reply, mirror it everywhere but `origin`, and tell the thread's author."""
        user_id = await actor.ensure_id()
        message = await spam_message(self._services, self.repo, user_id, is_moderator)
        if message:
            return [Reply(text=message, private=True)]
        post_id = await self.repo.add_post(
            thread_id=thread_id,
            user_id=user_id,
            body=body,
            anonymous=anonymous,
            platform=actor.platform,
            now=self._services.clock(),
            platform_message_id=message_id,
        )
        if post_id is None:
            return [Reply(text=f"Discussion #{thread_id} is not open for replies.", private=True)]
        author = author_label(anonymous, actor.display_name)
        await self.bridge.post_added(thread_id, author, body, origin)
        thread = await self.repo.thread(thread_id)
        if thread is not None and thread.author_user_id not in (None, user_id):
            recipient = await self.repo.recipient_of(thread.author_user_id, actor.platform)
            await tell(
                self._services,
                recipient,
                f"💬 New reply in your discussion #{thread_id} “{short(thread.title, 60)}” from {author}:\n"
                f"{short(body, 300)}",
                buttons=(
                    (Button(f"💬 Open #{thread_id}", command_button_action("thread", str(thread_id))),),
                ),
            )
        if origin is not None:
            return []  # written inside the mirrored thread: it is already shown there
        button = Button(f"💬 Open #{thread_id}", command_button_action("thread", str(thread_id)))
        how = " anonymously" if anonymous else ""
        confirmation = f"✅ Replied in #{thread_id} (reply {post_id}){how}."
        return [Reply(text=confirmation, buttons=((button,),), private=anonymous)]

    async def inbound(self, event: IncomingEvent) -> list[Reply] | None:
        """A plain message written inside a thread mirrored on a platform (one with a mirror) is a reply.

        chat.id is the id the mirror returned when it opened the thread (e.g. a Discord forum thread's
        channel id, or "<chat id>:<topic id>" for a Telegram topic). None when the message is not in a
        mirrored thread (the next fallback answers it).
        """
        if event.kind != "text" or event.chat.platform not in self.bridge.mirrors or not event.text.strip():
            return None
        thread_id = await self.repo.thread_by_external_id(event.chat.platform, event.chat.id)
        if thread_id is None:
            return None
        return await self.add_reply(
            event.actor,
            thread_id,
            event.text.strip(),
            False,
            event.actor.is_moderator,
            origin=event.chat.platform,
        )

    # --- solving ------------------------------------------------------------------------------------

    async def solve(self, event: IncomingEvent) -> list[Reply]:
        """`/solve <id>`: the thread's author or a moderator marks it resolved (on every platform)."""
        thread_id = parse_id(event.args)
        if thread_id is None and not event.args.strip():  # typed inside a mirrored thread: that thread
            thread_id = await self.repo.thread_by_external_id(event.chat.platform, event.chat.id)
        if thread_id is None and looks_like_id(event.args):
            return [Reply(text=f"There is no open discussion #{event.args.strip().lstrip('#')}.")]
        if thread_id is None:
            return [Reply(text="Tell me which discussion: /solve <id>, e.g. /solve 12.")]
        thread = await self.repo.thread(thread_id, colleges=college_scope(event.actor))
        if thread is None or thread.status not in ("open", "resolved"):
            return [Reply(text=f"There is no open discussion #{thread_id}.")]
        viewer = event.actor.user_id
        if not event.actor.is_moderator and (viewer is None or viewer != thread.author_user_id):
            return [
                Reply(
                    text=f"Only the person who started #{thread_id} or a moderator can mark it solved.",
                    private=True,
                )
            ]
        if not await self.repo.resolve(thread_id):
            return [Reply(text=f"#{thread_id} is already marked as resolved.")]
        await self.bridge.resolved(thread_id)
        buttons: Any = ()
        if event.actor.is_moderator and thread.company_id is not None:
            buttons = ((Button("📌 Promote to FAQ", command_button_action("promote", str(thread_id))),),)
        return [
            Reply(text=f"✅ Marked #{thread_id} “{short(thread.title, 60)}” as resolved.", buttons=buttons)
        ]
