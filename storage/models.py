"""SQLAlchemy 2 tables for the whole data model (DESIGN.md "Data"), portable across SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from core import clock

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


utcnow = clock.utcnow  # one clock for core and storage (core/clock.py)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so Alembic migrations are stable on both dialects."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


TZDateTime = DateTime(timezone=True)


class College(Base):
    """A college served by this deployment (issue #15); exactly one row has `is_default` true.

    `email_domains` and `branches` are JSON lists; `share_across` opts its approved, anonymised
    experiences in to cross-college insights.
    """

    __tablename__ = "colleges"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email_domains: Mapped[list[Any]] = mapped_column(JSON, default=list)
    roll_number_pattern: Mapped[str] = mapped_column(String(200), default="")
    roll_number_example: Mapped[str] = mapped_column(String(40), default="")
    branches: Mapped[list[Any]] = mapped_column(JSON, default=list)
    share_across: Mapped[bool] = mapped_column(Boolean, default=False)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class CollegeModerator(Base):
    """A platform account that moderates one college (besides config's ids, which moderate the default)."""

    __tablename__ = "college_moderators"
    __table_args__ = (UniqueConstraint("college_id", "platform", "platform_user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("colleges.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class CollegeCommunity(Base):
    """A platform community linked to a college: a Discord guild (by its admins' `/college link`)."""

    __tablename__ = "college_communities"
    __table_args__ = (UniqueConstraint("platform", "community_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[str] = mapped_column(String(64))
    college_id: Mapped[int] = mapped_column(ForeignKey("colleges.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class CollegeMember(Base):
    """A user's college: one row per user; `how` is verified_email, invite, picked or community."""

    __tablename__ = "college_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("colleges.id", ondelete="CASCADE"), index=True)
    how: Mapped[str] = mapped_column(String(16))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class CollegeInvite(Base):
    """An invite deep link a college's moderator made (`/college invite`); stored as a hash."""

    __tablename__ = "college_invites"
    id: Mapped[int] = mapped_column(primary_key=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("colleges.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class User(Base):
    """A person, whichever platforms they use (linked through identities)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    reputation: Mapped[int] = mapped_column(Integer, default=0)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_email: Mapped[str | None] = mapped_column(String(254))
    ask_me_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    mock_consent_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    identities: Mapped[list[Identity]] = relationship(back_populates="user", cascade="all, delete-orphan")


class Identity(Base):
    """A platform account (telegram/discord/console user id) belonging to one user."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    user: Mapped[User] = relationship(back_populates="identities")


class Company(Base):
    """A recruiter; `data_version` bumps when its approved data changes, keying chart caches."""

    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    data_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    aliases: Mapped[list[CompanyAlias]] = relationship(back_populates="company", cascade="all, delete-orphan")


class CompanyAlias(Base):
    """Another name students type for a company ("tcs", "tata consultancy"); stored normalised."""

    __tablename__ = "company_aliases"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(120), unique=True)
    company: Mapped[Company] = relationship(back_populates="aliases")


class Experience(Base):
    """One shared interview experience; personal fields (roll number, name) never go public."""

    __tablename__ = "experiences"
    __table_args__ = (
        Index("ix_experiences_company_status_year", "company_id", "status", "interview_year"),
        Index("ix_experiences_status_created", "status", "created_at"),
        # Covers the insight card's one-pass aggregate (counts by outcome, difficulty, rating, source,
        # interview and passout year, latest date) so it reads this index only, in GROUP BY order.
        Index(
            "ix_experiences_card",
            "company_id",
            "status",
            "outcome",
            "difficulty",
            "rating",
            "source",
            "interview_year",
            "passout_year",
            "created_at",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("colleges.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    author_name: Mapped[str] = mapped_column(String(80), default="")
    linkedin_url: Mapped[str | None] = mapped_column(String(200))
    branch: Mapped[str] = mapped_column(String(20))
    roll_number: Mapped[str | None] = mapped_column(String(40))
    # None for imported posts that do not say (archives, placement-office write-ups): never invented.
    passout_year: Mapped[int | None] = mapped_column(Integer)
    interview_year: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(80))
    role_description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(32))
    preparation: Mapped[str] = mapped_column(Text, default="")
    reflections: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(16))
    difficulty: Mapped[int | None] = mapped_column(Integer)  # None: an imported post did not say
    rating: Mapped[int | None] = mapped_column(Integer)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending/approved/rejected/hidden
    reject_reason: Mapped[str | None] = mapped_column(Text)
    platform: Mapped[str] = mapped_column(String(16), default="console")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    sentiment: Mapped[float | None] = mapped_column(Float)
    keywords: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Kinds of personal data masked in the public text when published (core/domain/privacy.py); None: the
    # text was never masked (pending, or published before migration 0006).
    masked_personal_data: Mapped[list[Any] | None] = mapped_column(JSON)
    # What the author changed when resubmitting it from /fix (field names; None: never resubmitted).
    resubmit_changes: Mapped[list[Any] | None] = mapped_column(JSON)
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    company: Mapped[Company] = relationship()
    rounds: Mapped[list[Round]] = relationship(
        back_populates="experience", cascade="all, delete-orphan", order_by="Round.position"
    )
    topics: Mapped[list[ExperienceTopic]] = relationship(cascade="all, delete-orphan")


class Round(Base):
    """One interview round of an experience, in the order it happened."""

    __tablename__ = "rounds"
    # Covers the card's round sequence (position and kind per experience) without reading the table.
    __table_args__ = (Index("ix_rounds_experience_position_kind", "experience_id", "position", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    experience_id: Mapped[int] = mapped_column(ForeignKey("experiences.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    difficulty: Mapped[int | None] = mapped_column(Integer)  # None: an imported post did not say
    experience: Mapped[Experience] = relationship(back_populates="rounds")
    questions: Mapped[list[Question]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="Question.position"
    )


class Question(Base):
    """A question asked in a round; company is denormalised for the per-company FAQ archive."""

    __tablename__ = "questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    experience_id: Mapped[int] = mapped_column(ForeignKey("experiences.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str | None] = mapped_column(String(40))
    round: Mapped[Round] = relationship(back_populates="questions")


class ExperienceTopic(Base):
    """A topic tag (DSA, DBMS, OS, ...) found in an experience when it was approved."""

    __tablename__ = "experience_topics"
    experience_id: Mapped[int] = mapped_column(
        ForeignKey("experiences.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class Thread(Base):
    """A discussion thread about a company or a topic, mirrored to each platform."""

    __tablename__ = "threads"
    id: Mapped[int] = mapped_column(primary_key=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("colleges.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str | None] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="open")  # pending/open/resolved/hidden
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    posts: Mapped[list[Post]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="Post.id"
    )


class ThreadMirror(Base):
    """Where a thread is shown on a mirroring platform (a Discord forum thread, a Telegram topic, ...).

    One row per (thread, platform); `external_id` is what that platform's adapter puts in `ChatRef.id`
    for messages written inside the mirrored thread, so inbound replies are found by (platform, id).
    """

    __tablename__ = "thread_mirrors"
    __table_args__ = (
        UniqueConstraint("thread_id", "platform"),
        Index("ix_thread_mirrors_platform_external_id", "platform", "external_id", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))


class Post(Base):
    """A message in a thread, whichever platform it was written on."""

    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="visible")
    platform: Mapped[str] = mapped_column(String(16), default="console")
    platform_message_id: Mapped[str | None] = mapped_column(String(64))
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    thread: Mapped[Thread] = relationship(back_populates="posts")


class Resource(Base):
    """A shared link or file (PDF) for a company."""

    __tablename__ = "resources"
    id: Mapped[int] = mapped_column(primary_key=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("colleges.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class Faq(Base):
    """A frequently asked question of a company; moderators can pin a curated answer."""

    __tablename__ = "faqs"
    id: Mapped[int] = mapped_column(primary_key=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("colleges.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    source_thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class Vote(Base):
    """A helpful vote on an experience or a post; one per user and target."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("user_id", "target_type", "target_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class Report(Base):
    """A user's report of a post/experience/thread with a reason; one per reporter and target."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("reporter_user_id", "target_type", "target_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class ModerationLog(Base):
    """Every moderator decision, for accountability."""

    __tablename__ = "moderation_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class UserBadge(Base):
    """A badge a user earned (first share, 5 shares, top contributor of a month)."""

    __tablename__ = "user_badges"
    __table_args__ = (UniqueConstraint("user_id", "badge"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    badge: Mapped[str] = mapped_column(String(40))
    awarded_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class VerificationCode(Base):
    """A one-time college-email code: stored hashed, expiring, single-use, attempt-limited."""

    __tablename__ = "verification_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    code_hash: Mapped[str] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime)
    used_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class MockQuestion(Base):
    """A mock-interview prompt: from the built-in bank or from what seniors were asked."""

    __tablename__ = "mock_questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    role: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16), default="behavioural")
    source: Mapped[str] = mapped_column(String(16), default="bank")
    text: Mapped[str] = mapped_column(Text)


class MockAttempt(Base):
    """One scored video answer; the video itself is deleted unless the student chose to keep it."""

    __tablename__ = "mock_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("mock_questions.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="scoring")  # scoring/done/failed
    duration_s: Mapped[float | None] = mapped_column(Float)
    overall: Mapped[int | None] = mapped_column(Integer)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    video_path: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class Subscription(Base):
    """Who gets the weekly digest: a user's private chat or a community channel, optionally per company."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "company_id"),
        # NULLs are distinct in SQL, so the general digest (company_id NULL) needs its own partial index.
        Index(
            "uq_subscriptions_general",
            "platform",
            "chat_id",
            unique=True,
            sqlite_where=text("company_id IS NULL"),
            postgresql_where=text("company_id IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("colleges.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="user")  # user/channel
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class DigestRun(Base):
    """One weekly digest run over a period."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("college_id", "period_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("colleges.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[datetime] = mapped_column(TZDateTime)
    period_end: Mapped[datetime] = mapped_column(TZDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class DigestDelivery(Base):
    """One digest sent to one recipient; unique per run and recipient so a retry never sends twice."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("run_id", "platform", "chat_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("digest_runs.id", ondelete="CASCADE"))
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscriptions.id", ondelete="SET NULL"))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class DialogState(Base):
    """Where a user is in a dialog, persisted after every step so restarts lose nothing."""

    __tablename__ = "dialog_states"
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    flow: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(60))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    history: Mapped[list[Any]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class OutboxMessage(Base):
    """A push or a digest message still owed to a chat: retried once by the periodic outbox job.

    Rows come from a send that failed beyond the adapter's own retries (`Notifiers.notify`) and, written
    ahead of sending, from each message of a digest delivery (`DigestRepo.plan_parts`): a part that is
    still here when its `due_at` lease ends was never confirmed sent. `reply` is the core Reply encoded
    by `core.repositories.outbox.encode_reply`; `status` is pending, or failed once its retry failed.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_due", "status", "due_at"),
        Index("ix_outbox_chat", "platform", "chat_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    is_private: Mapped[bool] = mapped_column(Boolean, default=False)
    reply: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    kind: Mapped[str] = mapped_column(String(16), default="push")  # push/digest/notice
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("digest_deliveries.id", ondelete="CASCADE"), index=True
    )
    part: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(TZDateTime)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


DEFAULT_COLLEGE_SQL = text("SELECT id FROM colleges WHERE is_default")


@event.listens_for(Base, "before_insert", propagate=True)
def _default_college(mapper: Any, connection: Any, target: Any) -> None:
    """A college-scoped row stored through the ORM without a college goes to the default college.

    Single-college deployments and writers that do not choose (imports, system jobs) keep working as
    before migration 0013; features pass the actor's college explicitly. Core bulk inserts (the demo
    seeder) set `college_id` themselves.
    """
    if hasattr(target, "college_id") and target.college_id is None:
        target.college_id = connection.scalar(DEFAULT_COLLEGE_SQL)


# A schema built from the models (tests' create_all) gets the default college migration 0013 inserts.
event.listen(
    College.__table__,
    "after_create",
    DDL(
        "INSERT INTO colleges (code, name, email_domains, roll_number_pattern, roll_number_example, branches,"
        " share_across, is_default, created_at) VALUES ('default', 'Default college', '[]', '', '', '[]',"
        " false, true, CURRENT_TIMESTAMP)"
    ),
)
