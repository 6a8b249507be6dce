"""Bootstrap: wire config, storage and features into an App whose handle(event) returns replies."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TypeVar

from core.actors import ActorResolver
from core.colleges import sync_from_config
from core.companies import CompanyMatcher
from core.config import Config
from core.dialog.engine import DialogEngine
from core.events import ChatRef, IncomingEvent
from core.features.base import Feature
from core.features.college.service import CollegeFeature
from core.features.company.charts import ChartService
from core.features.company.inline import InlineCards
from core.features.company.service import CompanyFeature
from core.features.digest.service import DigestFeature, build_digest
from core.features.discussions.service import Community as Discussions
from core.features.faq.service import FaqFeature
from core.features.help.service import Basics, fallback_text
from core.features.insights.service import InsightsFeature
from core.features.mock.service import Mock, Scorer
from core.features.moderation.service import Moderation
from core.features.privacy.service import Privacy
from core.features.registry import FeatureRegistry
from core.features.resources.service import Resources
from core.features.search.service import SearchFeature
from core.features.verify.service import Verification
from core.notifiers import Notifiers
from core.ports import AppPort, CommandInfo, Notifier, ThreadMirror
from core.replies import InlineCard, Reply
from core.router import Router
from core.services import Services
from media.pool import ScoringPool
from storage.actors import SightingRepo
from storage.analysis import analyse_and_store
from storage.community import CommunityRepo
from storage.db import Database, open_database
from storage.digest import DigestRepo
from storage.faq_repo import FaqRepo
from storage.locks import user_lock_for
from storage.mock import MockRepo
from storage.models import utcnow
from storage.moderation import ModerationRepo
from storage.outbox import OutboxRepo
from storage.privacy import PrivacyRepo, VerificationRepo
from storage.repos import Repos
from storage.search import SearchRepo, index_missing
from storage.stats import StatsRepo

logger = logging.getLogger(__name__)

F = TypeVar("F")


class App(AppPort):
    """The platform-neutral bot: adapters feed it events and render the replies it returns."""

    def __init__(
        self,
        config: Config,
        database: Database,
        services: Services,
        router: Router,
        features: tuple[Feature, ...],
        notifiers: Notifiers,
        charts: ChartService,
        inline_cards: InlineCards,
        mirrors: dict[str, ThreadMirror],
    ) -> None:
        self.config = config
        self.database = database
        self.services = services
        self.router = router
        self.features = features
        self.notifiers = notifiers
        self.charts = charts
        self._inline_cards = inline_cards
        self.mirrors = mirrors  # the discussions bridge reads it: a registered mirror is used at once

    def feature(self, kind: type[F]) -> F:
        """The one feature of this type (e.g. `app.feature(Mock)`); LookupError if it is not wired."""
        for feature in self.features:
            if isinstance(feature, kind):
                return feature
        raise LookupError(f"no {kind.__name__} feature")

    @property
    def mock(self) -> Mock:
        """The mock-interview feature (tests drain its scoring)."""
        return self.feature(Mock)

    @property
    def digest(self) -> DigestFeature:
        """The digest feature: main.py drives `digest.sender` (scheduler, `main.py digest`)."""
        return self.feature(DigestFeature)

    @property
    def commands(self) -> tuple[CommandInfo, ...]:
        """Every command, for setMyCommands, slash commands and /help."""
        return self.router.commands

    async def handle(self, event: IncomingEvent) -> list[Reply]:
        """Answer one event (never raises)."""
        return await self.router.handle(event)

    async def inline(self, query: str, limit: int = 20) -> list[InlineCard]:
        """Cards to share into any chat (Telegram inline mode); [] when nothing matches. Never raises."""
        return await self._inline_cards.cards(query, limit)

    async def complete(self, kind: str, prefix: str, limit: int = 25) -> list[str]:
        """Autocomplete values from data: companies whose name or an alias matches the prefix."""
        if kind != "company":
            return []
        try:
            return await self.services.companies.complete(prefix, limit)
        except Exception:
            logger.exception("autocomplete of %s failed", kind)
            return []

    async def in_dialog(self, platform: str, chat_id: str, user_id: str) -> bool:
        """Whether this user has a live (unexpired) dialog in this chat; False on any failure."""
        try:
            return await self.router.in_dialog((platform, chat_id, user_id))
        except Exception:
            logger.exception("in_dialog failed for a %s user", platform)
            return False

    def register_notifier(self, platform: str, notifier: Notifier) -> None:
        """Let the core push replies to `platform` later (scores, moderation outcomes, digests)."""
        self.notifiers.register(platform, notifier)

    def unregister_notifier(self, platform: str) -> None:
        """Forget a platform's notifier (it is not running): pushes to it return False."""
        self.notifiers.unregister(platform)

    def register_mirror(self, platform: str, mirror: ThreadMirror) -> None:
        """Mirror discussion threads to `platform` (Discord forum threads, Telegram forum topics)."""
        self.mirrors[platform] = mirror

    async def recipient_gone(self, chat: ChatRef) -> None:
        """Stop pushing to a chat that blocked or removed the bot; never raises."""
        try:
            await self.notifiers.recipient_gone(chat)
        except Exception:
            logger.exception("could not record that a %s chat is gone", chat.platform)

    async def keep_for_retry(self, chat: ChatRef, reply: Reply) -> None:
        """Keep an undelivered answer for one later retry from the outbox; never raises."""
        try:
            await self.notifiers.keep_for_retry(chat, reply)
        except Exception:
            logger.exception("could not keep an undelivered %s answer for a retry", chat.platform)

    async def notify(self, chat: ChatRef, reply: Reply) -> bool:
        """Push a reply to a chat; False when no adapter for its platform is running."""
        return await self.notifiers.notify(chat, reply)

    async def settle(self, timeout_s: float) -> None:
        """Let the features' background work that still sends (chart pushes) finish, for at most
        `timeout_s` seconds; called on shutdown after the adapters drained and before they stop."""
        try:
            await asyncio.wait_for(
                asyncio.gather(*(feature.settle() for feature in self.features), return_exceptions=True),
                timeout_s,
            )
        except TimeoutError:
            logger.warning("shutdown: background work still running after %.0f s", timeout_s)

    async def close(self) -> None:
        """Close the features in reverse order (background work first), then the charts and storage."""
        for feature in reversed(self.features):
            try:
                await feature.close()
            except Exception:
                logger.exception("closing %s failed", feature.name)
        self.charts.close()
        await self.router.user_lock.close()
        await self.database.dispose()


async def bootstrap(
    config: Config, *, db_url: str | None = None, clock=utcnow, scorer: Scorer | None = None
) -> App:
    """Build a ready App: open the database (migrated to the latest schema), build the ports once,
    then the features in /help order; the registry closes the engine <-> features cycle."""
    database = await open_database(db_url or config.database.url, **config.database.pool_options())
    sessions = database.sessions
    repos = Repos.over(sessions)
    await sync_from_config(repos.colleges, config)  # issue #15: config.yaml names the colleges
    # Every approved experience is searchable from the first /search, also after a migration emptied
    # the search documents for new ranking rules (0014): one query when nothing is missing.
    await index_missing(sessions)
    registry = FeatureRegistry()
    outbox = OutboxRepo(sessions)
    notifiers = Notifiers(outbox, clock)
    services = Services(
        config=config,
        repos=repos,
        companies=CompanyMatcher(repos.companies),
        clock=clock,
        moderation=ModerationRepo(sessions),
        verification=VerificationRepo(sessions),
        push=notifiers.notify,
        approved=registry.experience_approved,
        colleges={college.id: college for college in await repos.colleges.all()},
    )
    engine = DialogEngine(
        repos.dialogs, registry.flow, services, timedelta(hours=config.dialog.timeout_hours), clock
    )
    stats = StatsRepo(sessions)
    charts = ChartService(config.insights.chart_workers, timeout_s=config.insights.chart_timeout_s)
    charts.start()  # matplotlib imported in the workers before the first request

    async def analyse(experience_id: int) -> int | None:
        return await analyse_and_store(sessions, experience_id)

    router: Router | None = None

    def commands() -> tuple[CommandInfo, ...]:
        assert router is not None
        return router.commands

    discussions = Discussions(services, engine, CommunityRepo(sessions))
    college = CollegeFeature(services)  # issue #15: /college and invite deep links
    features: tuple[Feature, ...] = (
        Basics(services, engine, commands, start_payload=college.start_payload),
        CompanyFeature(services, stats, charts, fallback_text, analyse=analyse),
        SearchFeature(services, SearchRepo(sessions)),
        InsightsFeature(services, stats, charts),
        FaqFeature(services, FaqRepo(sessions), stats),
        Moderation(services, engine),
        Mock(services, engine, MockRepo(sessions), scorer or ScoringPool(config.mock.workers)),
        Privacy(services, engine, PrivacyRepo(sessions)),
        Verification(services, services.verification, engine=engine),
        discussions,
        Resources(services, engine, discussions.repo, discussions.moderation),
        build_digest(services, DigestRepo(sessions), charts),
        college,
    )
    registry.seal(features)
    user_lock = user_lock_for(  # one user's events one at a time across worker processes (PostgreSQL)
        database,
        pool_size=config.database.lock_pool_size,
        pool_timeout_s=config.database.pool_timeout_s,
        lock_timeout_s=config.database.lock_timeout_s,
    )
    # one SELECT per event for the sender, their college and their dialog (issue 14)
    resolver = ActorResolver(repos.users, repos.colleges, SightingRepo(sessions))
    router = Router(engine, features, resolver, fallback_text, user_lock)
    app = App(
        config,
        database,
        services,
        router,
        features,
        notifiers,
        charts,
        InlineCards(services, stats),
        discussions.bridge.mirrors,
    )
    sender = app.digest.sender
    sender.push_now = notifiers.notify_now  # the digest retries failed chats itself
    sender.retry_outbox = notifiers.retry_outbox  # core/scheduler.py runs it with the digest retries
    await app.mock.recover_interrupted(notifiers.tell_later)
    await app.digest.subscribe_config_channels()
    return app
