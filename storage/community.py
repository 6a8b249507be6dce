"""Discussion threads, posts, resources and their moderation: the community's storage."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.repositories.community import (
    ANONYMOUS,
    CommunityRepository,
    Outcome,
    PostRow,
    ResourceRow,
    ThreadRow,
    author_label,
)
from storage.colleges import in_colleges
from storage.models import (
    Company,
    Experience,
    Faq,
    ModerationLog,
    Post,
    Report,
    Resource,
    Thread,
    ThreadMirror,
    User,
    Vote,
)
from storage.moderation import HELPFUL_POINTS, Recipient, find_recipient
from storage.repos import Sessions, bump_data_version

logger = logging.getLogger(__name__)

__all__ = [
    "ANONYMOUS",
    "KIND_MODELS",
    "VISIBLE_THREADS",
    "CommunityRepo",
    "Outcome",
    "PostRow",
    "ResourceRow",
    "ThreadRow",
    "author_label",
]

VISIBLE_THREADS = ("open", "resolved")
EXTERNAL_ID_MAX = 64  # thread_mirrors.external_id
KIND_MODELS = {"thread": Thread, "resource": Resource, "post": Post}


class CommunityRepo(CommunityRepository):
    """Threads, posts, resources, votes and reports on them, and their review queue (SQLAlchemy).

    Implements core.repositories.community.CommunityRepository; a thread's mirrors live in
    `thread_mirrors`, one row per (thread, platform).
    """

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    # --- threads and posts -------------------------------------------------------------------------

    async def create_thread(
        self,
        *,
        user_id: int,
        company_id: int | None,
        topic: str | None,
        title: str,
        body: str,
        anonymous: bool,
        platform: str,
        status: str,
        now: datetime,
        college_id: int | None = None,
    ) -> tuple[int, int]:
        """Store a thread with its first post in a college (None: the default); (thread id, post id)."""
        async with self._sessions.begin() as session:
            thread = Thread(
                college_id=college_id,
                company_id=company_id,
                topic=topic,
                title=title[:200],
                author_user_id=user_id,
                anonymous=anonymous,
                status=status,
                created_at=now,
                last_post_at=now,
            )
            session.add(thread)
            await session.flush()
            post = Post(
                thread_id=thread.id,
                author_user_id=user_id,
                anonymous=anonymous,
                body=body,
                platform=platform,
                created_at=now,
            )
            session.add(post)
            await session.flush()
            return thread.id, post.id

    async def add_post(
        self,
        *,
        thread_id: int,
        user_id: int,
        body: str,
        anonymous: bool,
        platform: str,
        now: datetime,
        platform_message_id: str | None = None,
    ) -> int | None:
        """Add a reply to a visible thread and bump its activity; None if the thread cannot take replies."""
        async with self._sessions.begin() as session:
            changed = await session.execute(
                update(Thread)
                .where(Thread.id == thread_id, Thread.status.in_(VISIBLE_THREADS))
                .values(last_post_at=now)
            )
            if changed.rowcount != 1:
                return None
            post = Post(
                thread_id=thread_id,
                author_user_id=user_id,
                anonymous=anonymous,
                body=body,
                platform=platform,
                platform_message_id=platform_message_id,
                created_at=now,
            )
            session.add(post)
            await session.flush()
            return post.id

    async def thread(self, thread_id: int, *, colleges: Sequence[int] | None = None) -> ThreadRow | None:
        """One thread of `colleges` (None: any), whatever its status."""
        async with self._sessions() as session:
            rows = await self._threads(session, Thread.id == thread_id, in_colleges(Thread, colleges))
            return rows[0] if rows else None

    async def list_threads(
        self,
        *,
        company_id: int | None = None,
        topic: str | None = None,
        offset: int = 0,
        limit: int = 5,
        colleges: Sequence[int] | None = None,
    ) -> tuple[list[ThreadRow], int]:
        """Visible threads of `colleges` (None: any) of a company or topic (or all), most recent activity
        first, and their total."""
        conditions = [Thread.status.in_(VISIBLE_THREADS), in_colleges(Thread, colleges)]
        if company_id is not None:
            conditions.append(Thread.company_id == company_id)
        if topic is not None:
            conditions.append(Thread.topic == topic)
        async with self._sessions() as session:
            total = await session.scalar(select(func.count()).select_from(Thread).where(*conditions)) or 0
            rows = await self._threads(session, *conditions, offset=offset, limit=limit)
            return rows, total

    async def topic_exists(self, topic: str) -> bool:
        """Whether any visible thread uses this topic tag."""
        async with self._sessions() as session:
            found = await session.scalar(
                select(Thread.id).where(Thread.topic == topic, Thread.status.in_(VISIBLE_THREADS)).limit(1)
            )
            return found is not None

    @staticmethod
    async def _threads(
        session: AsyncSession, *conditions, offset: int = 0, limit: int = 1
    ) -> list[ThreadRow]:
        visible_posts = (
            select(func.count())
            .select_from(Post)
            .where(Post.thread_id == Thread.id, Post.status == "visible")
            .scalar_subquery()
        )
        query = (
            select(Thread, Company.name, User.display_name, visible_posts)
            .outerjoin(Company, Company.id == Thread.company_id)
            .outerjoin(User, User.id == Thread.author_user_id)
            .where(*conditions)
            .order_by(Thread.last_post_at.desc(), Thread.id.desc())
            .offset(offset)
            .limit(limit)
        )
        rows = (await session.execute(query)).all()
        mirrors: dict[int, list[tuple[str, str]]] = {}
        if rows:
            found = await session.execute(
                select(ThreadMirror.thread_id, ThreadMirror.platform, ThreadMirror.external_id)
                .where(ThreadMirror.thread_id.in_([thread.id for thread, *_ in rows]))
                .order_by(ThreadMirror.thread_id, ThreadMirror.platform)
            )
            for thread_id, platform, external_id in found:
                mirrors.setdefault(thread_id, []).append((platform, external_id))
        return [
            ThreadRow(
                id=thread.id,
                title=thread.title,
                company_id=thread.company_id,
                company=company,
                topic=thread.topic,
                author_user_id=thread.author_user_id,
                author=author_label(thread.anonymous, name),
                anonymous=thread.anonymous,
                status=thread.status,
                posts=count,
                created_at=thread.created_at,
                last_post_at=thread.last_post_at,
                mirrors=tuple(mirrors.get(thread.id, ())),
            )
            for thread, company, name, count in rows
        ]

    async def posts(self, thread_id: int, *, offset: int = 0, limit: int = 5) -> tuple[list[PostRow], int]:
        """A page of a thread's posts, oldest first (removed posts left out), and their total."""
        conditions = (Post.thread_id == thread_id, Post.status != "removed")
        async with self._sessions() as session:
            total = await session.scalar(select(func.count()).select_from(Post).where(*conditions)) or 0
            rows = await self._posts(session, *conditions, offset=offset, limit=limit)
            return rows, total

    async def post(self, post_id: int) -> PostRow | None:
        """One post, whatever its status."""
        async with self._sessions() as session:
            rows = await self._posts(session, Post.id == post_id)
            return rows[0] if rows else None

    async def first_post(self, thread_id: int) -> PostRow | None:
        """The opening post of a thread."""
        async with self._sessions() as session:
            rows = await self._posts(session, Post.thread_id == thread_id)
            return rows[0] if rows else None

    @staticmethod
    async def _posts(session: AsyncSession, *conditions, offset: int = 0, limit: int = 1) -> list[PostRow]:
        query = (
            select(Post, User.display_name)
            .outerjoin(User, User.id == Post.author_user_id)
            .where(*conditions)
            .order_by(Post.id)
            .offset(offset)
            .limit(limit)
        )
        return [
            PostRow(
                id=post.id,
                thread_id=post.thread_id,
                author_user_id=post.author_user_id,
                author=author_label(post.anonymous, name),
                anonymous=post.anonymous,
                body=post.body,
                status=post.status,
                platform=post.platform,
                helpful_count=post.helpful_count,
                report_count=post.report_count,
                created_at=post.created_at,
            )
            for post, name in await session.execute(query)
        ]

    async def contributions_since(self, user_id: int, since: datetime) -> int:
        """Posts (thread openings included) and resources a user added since a moment (spam limit)."""
        async with self._sessions() as session:
            posts = await session.scalar(
                select(func.count())
                .select_from(Post)
                .where(Post.author_user_id == user_id, Post.created_at >= since)
            )
            resources = await session.scalar(
                select(func.count())
                .select_from(Resource)
                .where(Resource.user_id == user_id, Resource.created_at >= since)
            )
            return (posts or 0) + (resources or 0)

    async def reputation(self, user_id: int) -> int:
        """A user's reputation points."""
        async with self._sessions() as session:
            return await session.scalar(select(User.reputation).where(User.id == user_id)) or 0

    async def display_name(self, user_id: int) -> str:
        """A user's display name (for moderators; never shown for anonymous posts)."""
        async with self._sessions() as session:
            return await session.scalar(select(User.display_name).where(User.id == user_id)) or ""

    # --- mirrors -----------------------------------------------------------------------------------

    async def set_external_id(self, thread_id: int, platform: str, external_id: str) -> None:
        """Remember where a thread is mirrored on a platform (replacing an earlier id there).

        An id longer than thread_mirrors.external_id (64 characters) could never be matched, so it is
        logged and not stored. Two mirrors racing to store the same thread: the last one wins.
        """
        if not external_id or len(external_id) > EXTERNAL_ID_MAX:
            logger.warning(
                "thread %s: %s id %r not stored (empty or too long)", thread_id, platform, external_id
            )
            return
        try:
            await self._store_mirror(thread_id, platform, external_id)
        except IntegrityError:  # inserted concurrently for the same (thread, platform): update it
            await self._store_mirror(thread_id, platform, external_id)

    async def _store_mirror(self, thread_id: int, platform: str, external_id: str) -> None:
        async with self._sessions.begin() as session:
            changed = await session.execute(
                update(ThreadMirror)
                .where(ThreadMirror.thread_id == thread_id, ThreadMirror.platform == platform)
                .values(external_id=external_id)
            )
            if changed.rowcount == 0:
                session.add(ThreadMirror(thread_id=thread_id, platform=platform, external_id=external_id))

    async def thread_by_external_id(self, platform: str, external_id: str) -> int | None:
        """The thread mirrored at a platform's thread/topic id, if any."""
        if not external_id:
            return None
        async with self._sessions() as session:
            return await session.scalar(
                select(ThreadMirror.thread_id).where(
                    ThreadMirror.platform == platform, ThreadMirror.external_id == external_id
                )
            )

    # --- solving, FAQ ------------------------------------------------------------------------------

    async def resolve(self, thread_id: int) -> bool:
        """Mark an open thread resolved; False if it was not open."""
        async with self._sessions.begin() as session:
            changed = await session.execute(
                update(Thread)
                .where(Thread.id == thread_id, Thread.status == "open")
                .values(status="resolved")
            )
            return changed.rowcount == 1

    async def promote(self, thread_id: int, moderator_user_id: int) -> tuple[str, int | None]:
        """Copy a resolved company thread into its FAQ as a pinned entry.

        Returns (outcome, faq id): ok, missing, not_resolved, no_company, no_answer or exists.
        The answer is the most helpful visible reply (latest on ties), else the last visible reply.
        """
        async with self._sessions.begin() as session:
            thread = await session.get(Thread, thread_id)
            if thread is None or thread.status not in VISIBLE_THREADS:
                return "missing", None
            if thread.status != "resolved":
                return "not_resolved", None
            if thread.company_id is None:
                return "no_company", None
            existing = await session.scalar(select(Faq.id).where(Faq.source_thread_id == thread_id))
            if existing is not None:
                return "exists", existing
            first = await session.scalar(select(func.min(Post.id)).where(Post.thread_id == thread_id))
            answer = await session.scalar(
                select(Post.body)
                .where(Post.thread_id == thread_id, Post.id != first, Post.status == "visible")
                .order_by(Post.helpful_count.desc(), Post.id.desc())
                .limit(1)
            )
            if answer is None:
                return "no_answer", None
            faq = Faq(
                college_id=thread.college_id,  # the thread's college pins it (issue #15)
                company_id=thread.company_id,
                question=thread.title,
                answer=answer,
                pinned=True,
                source_thread_id=thread_id,
                created_by_user_id=moderator_user_id,
            )
            session.add(faq)
            session.add(
                ModerationLog(
                    moderator_user_id=moderator_user_id,
                    target_type="thread",
                    target_id=thread_id,
                    action="promoted",
                )
            )
            await bump_data_version(session, [thread.company_id])
            await session.flush()
            return "ok", faq.id

    # --- votes and reports -------------------------------------------------------------------------

    async def vote_post(self, user_id: int, post_id: int) -> tuple[str, int]:
        """Mark a reply helpful; returns (outcome, count): ok, own, duplicate, first_post or missing."""
        async with self._sessions() as session:
            post = await session.get(Post, post_id)
            thread = await session.get(Thread, post.thread_id) if post is not None else None
            if (
                post is None
                or thread is None
                or post.status != "visible"
                or thread.status not in VISIBLE_THREADS
            ):
                return "missing", 0
            first = await session.scalar(select(func.min(Post.id)).where(Post.thread_id == post.thread_id))
            if post.id == first:
                return "first_post", post.helpful_count
            count, author = post.helpful_count, post.author_user_id
            if author == user_id:
                return "own", count
            session.add(Vote(user_id=user_id, target_type="post", target_id=post_id))
            try:
                await session.flush()
            except IntegrityError:
                await session.rollback()
                return "duplicate", count
            await session.execute(
                update(Post).where(Post.id == post_id).values(helpful_count=Post.helpful_count + 1)
            )
            if author is not None:
                await session.execute(
                    update(User).where(User.id == author).values(reputation=User.reputation + HELPFUL_POINTS)
                )
            await session.commit()
            return "ok", count + 1

    async def report_post(self, user_id: int, post_id: int, reason: str, hide_at: int) -> tuple[str, bool]:
        """Record a report on a post; returns (outcome, now hidden): outcome ok, duplicate or missing."""
        async with self._sessions() as session:
            post = await session.get(Post, post_id)
            if post is None or post.status == "removed":
                return "missing", False
            session.add(
                Report(reporter_user_id=user_id, target_type="post", target_id=post_id, reason=reason)
            )
            try:
                await session.flush()
            except IntegrityError:
                await session.rollback()
                return "duplicate", False
            post.report_count += 1
            hidden = post.report_count >= hide_at and post.status == "visible"
            if hidden:
                post.status = "hidden"
            await session.commit()
            return "ok", hidden

    async def reports_on(self, kind: str, target_id: int) -> list[str]:
        """The reasons readers gave when reporting something."""
        async with self._sessions() as session:
            return list(
                (
                    await session.scalars(
                        select(Report.reason)
                        .where(Report.target_type == kind, Report.target_id == target_id)
                        .order_by(Report.id)
                    )
                ).all()
            )

    # --- resources ---------------------------------------------------------------------------------

    async def add_resource(
        self,
        *,
        user_id: int,
        company_id: int,
        title: str,
        url: str | None,
        file_name: str | None,
        data: bytes | None,
        status: str,
        now: datetime,
        college_id: int | None = None,
    ) -> int:
        """Store a link or a PDF for a company in a college (None: the default); returns its id."""
        async with self._sessions.begin() as session:
            resource = Resource(
                college_id=college_id,
                company_id=company_id,
                user_id=user_id,
                title=title[:200],
                url=url,
                file_name=file_name[:200] if file_name else None,
                file_data=data,
                status=status,
                created_at=now,
            )
            session.add(resource)
            await session.flush()
            return resource.id

    async def list_resources(
        self, company_id: int, *, offset: int = 0, limit: int = 10, colleges: Sequence[int] | None = None
    ) -> tuple[list[ResourceRow], int]:
        """Approved resources of a company in `colleges` (None: any), newest first, and their total."""
        conditions = (
            Resource.company_id == company_id,
            Resource.status == "approved",
            in_colleges(Resource, colleges),
        )
        async with self._sessions() as session:
            total = await session.scalar(select(func.count()).select_from(Resource).where(*conditions)) or 0
            rows = await self._resources(session, *conditions, offset=offset, limit=limit)
            return rows, total

    async def resource(
        self, resource_id: int, *, colleges: Sequence[int] | None = None
    ) -> ResourceRow | None:
        """One resource of `colleges` (None: any), whatever its status (no file bytes)."""
        async with self._sessions() as session:
            rows = await self._resources(session, Resource.id == resource_id, in_colleges(Resource, colleges))
            return rows[0] if rows else None

    async def resource_file(self, resource_id: int) -> tuple[str, bytes] | None:
        """A resource's PDF as (file name, bytes), if it has one."""
        async with self._sessions() as session:
            row = (
                await session.execute(
                    select(Resource.file_name, Resource.file_data).where(Resource.id == resource_id)
                )
            ).first()
            if row is None or row[1] is None:
                return None
            return row[0] or f"resource-{resource_id}.pdf", row[1]

    @staticmethod
    async def _resources(
        session: AsyncSession, *conditions, offset: int = 0, limit: int = 1
    ) -> list[ResourceRow]:
        query = (
            select(
                Resource.id,
                Resource.company_id,
                Company.name,
                Resource.user_id,
                Resource.title,
                Resource.url,
                Resource.file_name,
                func.coalesce(func.length(Resource.file_data), 0),
                Resource.status,
                Resource.created_at,
            )
            .outerjoin(Company, Company.id == Resource.company_id)
            .where(*conditions)
            .order_by(Resource.created_at.desc(), Resource.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [ResourceRow(*row) for row in await session.execute(query)]

    # --- the review queue --------------------------------------------------------------------------

    @staticmethod
    def _waiting(kind: str, colleges: Sequence[int] | None = None):
        """Waiting items of one kind in `colleges` (None: any); a post belongs to its thread's college."""
        model = KIND_MODELS[kind]
        waiting = model.status == ("hidden" if kind == "post" else "pending")
        if colleges is None:
            return waiting
        if kind == "post":
            return and_(waiting, Post.thread_id.in_(select(Thread.id).where(in_colleges(Thread, colleges))))
        return and_(waiting, in_colleges(model, colleges))

    async def pending_count(self, *, colleges: Sequence[int] | None = None) -> int:
        """Threads and resources waiting for approval plus posts hidden after reports, in `colleges`."""
        async with self._sessions() as session:
            total = 0
            for kind, model in KIND_MODELS.items():
                total += (
                    await session.scalar(
                        select(func.count()).select_from(model).where(self._waiting(kind, colleges))
                    )
                    or 0
                )
            return total

    async def next_waiting(
        self, after: tuple[str, int] | None = None, *, colleges: Sequence[int] | None = None
    ) -> tuple[str, int] | None:
        """The next item of `colleges` to review (threads, then resources, then reported posts; oldest
        first).

        Continues after `after` and wraps around to the start.
        """
        order = list(KIND_MODELS)
        async with self._sessions() as session:
            waiting: list[tuple[str, int]] = []
            for kind in order:
                model = KIND_MODELS[kind]
                ids = (
                    await session.scalars(
                        select(model.id).where(self._waiting(kind, colleges)).order_by(model.id).limit(200)
                    )
                ).all()
                waiting.extend((kind, i) for i in ids)
        if not waiting:
            return None
        if after is not None:
            rank = (order.index(after[0]) if after[0] in order else 0, after[1])
            for kind, item in waiting:
                if (order.index(kind), item) > rank:
                    return kind, item
        return waiting[0]

    async def decide(
        self,
        kind: str,
        target_id: int,
        moderator_user_id: int | None,
        approve: bool,
        reason: str = "",
        *,
        colleges: Sequence[int] | None = None,
    ) -> Outcome | None:
        """Approve or reject a waiting thread/resource of `colleges`, or restore/remove a hidden post
        (logged).

        None when it is not waiting there (another moderator was first, it never existed, or it belongs
        to another college).
        """
        model = KIND_MODELS[kind]
        if kind == "post":
            status = "visible" if approve else "removed"
        elif kind == "thread":
            status = "open" if approve else "rejected"
        else:
            status = "approved" if approve else "rejected"
        async with self._sessions.begin() as session:
            changed = await session.execute(
                update(model)
                .where(model.id == target_id, self._waiting(kind, colleges))
                .values(status=status)
            )
            if changed.rowcount != 1:
                return None
            session.add(
                ModerationLog(
                    moderator_user_id=moderator_user_id,
                    target_type=kind,
                    target_id=target_id,
                    action="approved" if approve else "rejected",
                    reason=reason,
                )
            )
            row = await session.get(model, target_id)
            assert row is not None
            if kind == "post":
                title, author, platform = row.body[:60], row.author_user_id, row.platform
            elif kind == "thread":
                title, author = row.title, row.author_user_id
                platform = await session.scalar(
                    select(Post.platform).where(Post.thread_id == target_id).limit(1)
                )
                if not approve:
                    await session.execute(
                        update(Post).where(Post.thread_id == target_id).values(status="removed")
                    )
            else:
                title, author, platform = row.title, row.user_id, ""
            recipient = await find_recipient(session, author, platform or "")
            return Outcome(kind, target_id, title, status, recipient)

    # --- people ------------------------------------------------------------------------------------

    async def set_ask_me(self, user_id: int, on: bool) -> None:
        """Opt a student in or out of questions from juniors about companies they shared."""
        async with self._sessions.begin() as session:
            await session.execute(update(User).where(User.id == user_id).values(ask_me_opt_in=on))

    async def ask_me(self, user_id: int) -> bool:
        """Whether a student opted in to questions."""
        async with self._sessions() as session:
            return bool(await session.scalar(select(User.ask_me_opt_in).where(User.id == user_id)))

    async def shared_at(self, user_id: int, company_id: int) -> bool:
        """Whether a student has an approved experience at a company."""
        async with self._sessions() as session:
            found = await session.scalar(
                select(Experience.id)
                .where(
                    Experience.user_id == user_id,
                    Experience.company_id == company_id,
                    Experience.status == "approved",
                )
                .limit(1)
            )
            return found is not None

    async def askable(self, company_id: int, exclude_user_id: int | None) -> list[Recipient]:
        """Private chats of opted-in students with an approved experience at a company (one each)."""
        conditions = [
            Experience.company_id == company_id,
            Experience.status == "approved",
            User.ask_me_opt_in.is_(True),
        ]
        if exclude_user_id is not None:
            conditions.append(Experience.user_id != exclude_user_id)
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(Experience.user_id, func.max(Experience.platform))
                    .join(User, User.id == Experience.user_id)
                    .where(*conditions)
                    .group_by(Experience.user_id)
                    .order_by(Experience.user_id)
                )
            ).all()
            found = []
            for user_id, platform in rows:
                recipient = await find_recipient(session, user_id, platform)
                if recipient is not None:
                    found.append(recipient)
            return found

    async def recipient_of(self, user_id: int | None, platform: str) -> Recipient | None:
        """Where to reach a user privately, preferring the platform given."""
        async with self._sessions() as session:
            return await find_recipient(session, user_id, platform)
