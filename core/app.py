"""Bootstrap: wire config, storage and features into an App whose handle(event) returns replies."""

from __future__ import annotations

import logging
from datetime import timedelta

from core.actors import ActorResolver
from core.companies import CompanyMatcher
from core.config import Config
from core.dialog.engine import DialogEngine
from core.events import ChatRef, IncomingEvent
from core.features.company.inline import InlineCards
from core.features.digest.service import DigestFeature, build_digest
from core.features.discussions.service import Community
from core.features.help.service import Basics, fallback_text
from core.features.insights.setup import InsightFeatures, build_insight_features
from core.features.mock.service import Mock, Scorer
from core.features.moderation.service import Moderation
from core.features.privacy.service import Privacy
from core.features.resources.service import Resources
from core.features.share.flow import FLOW_NAME, build_flow
from core.features.verify.service import Verification
from core.ports import AppPort, CommandInfo, Notifier, ThreadMirror
from core.replies import InlineCard, Reply
from core.router import Router
from core.services import Services
from media.pool import ScoringPool
from storage.community import CommunityRepo
from storage.db import Database, open_database
from storage.mock import MockRepo
from storage.models import utcnow
from storage.moderation import ModerationRepo
from storage.privacy import PrivacyRepo, VerificationRepo
from storage.repos import Repos
from storage.stats import StatsRepo

logger = logging.getLogger(__name__)


class App(AppPort):
    """The platform-neutral bot: adapters feed it events and render the replies it returns."""

    def __init__(self, config: Config, database: Database, services: Services, router: Router) -> None:
        self.config = config
        self.database = database
        self.services = services
        self.router = router
        self._notifiers: dict[str, Notifier] = {}
        self.mirrors: dict[str, ThreadMirror] = {}  # shared with the community bridge
        self.mock: Mock | None = None
        self.digest: DigestFeature | None = None
        self.insight: InsightFeatures | None = None
        self.inline_cards: InlineCards | None = None

    @property
    def commands(self) -> tuple[CommandInfo, ...]:
        """Every command, for setMyCommands, slash commands and /help."""
        return self.router.commands

    async def handle(self, event: IncomingEvent) -> list[Reply]:
        """Answer one event (never raises)."""
        return await self.router.handle(event)

    async def inline(self, query: str, limit: int = 20) -> list[InlineCard]:
        """Cards to share into any chat (Telegram inline mode); [] when nothing matches. Never raises."""
        return await self.inline_cards.cards(query, limit) if self.inline_cards is not None else []

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

    def unregister_notifier(self, platform: str) -> None:
        """Forget a platform's notifier (it is not running): pushes to it return False."""
        self._notifiers.pop(platform, None)

    def register_notifier(self, platform: str, notifier: Notifier) -> None:
        """Let the core push replies to `platform` later (scores, moderation outcomes, digests)."""
        self._notifiers[platform] = notifier

    def register_mirror(self, platform: str, mirror: ThreadMirror) -> None:
        """Mirror discussion threads to `platform` (Discord forum threads, Telegram forum topics)."""
        self.mirrors[platform] = mirror

    async def notify(self, chat: ChatRef, reply: Reply) -> bool:
        """Push a reply to a chat; False when no adapter for its platform is running."""
        notifier = self._notifiers.get(chat.platform)
        if notifier is None:
            logger.info("no notifier for %s; reply dropped", chat.platform)
            return False
        await notifier.send(chat, reply)
        return True

    async def close(self) -> None:
        """Stop background work, then release storage."""
        if self.insight is not None:
            await self.insight.company.idle()  # pushes of slow charts and card redraws in flight
            self.insight.close()
        if self.mock is not None:
            await self.mock.close()
        await self.database.dispose()


async def bootstrap(
    config: Config, *, db_url: str | None = None, clock=utcnow, scorer: Scorer | None = None
) -> App:
    """Build a ready App: open the database (migrated to the latest schema), wire the features."""
    database = await open_database(db_url or config.database.url)
    repos = Repos.over(database.sessions)
    services = Services(
        config=config,
        repos=repos,
        companies=CompanyMatcher(repos.companies),
        clock=clock,
        moderation=ModerationRepo(database.sessions),
    )
    flows = {FLOW_NAME: build_flow(config.submission, config.dialog.max_text_chars)}
    engine = DialogEngine(repos.dialogs, flows, services, timedelta(hours=config.dialog.timeout_hours), clock)
    insight = build_insight_features(services, database.sessions, fallback_text)
    community = Community(services, engine, CommunityRepo(database.sessions))
    resources = Resources(services, engine, community.repo, community.moderation)
    router = Router(engine, community.chain(resources.chain(insight.text)), ActorResolver(repos.users))
    moderation = Moderation(services, engine)
    mock = Mock(services, engine, MockRepo(database.sessions), scorer or ScoringPool(config.mock.workers))
    privacy = Privacy(services, engine, PrivacyRepo(database.sessions))
    services.verification = VerificationRepo(database.sessions)
    verification = Verification(services, services.verification)
    for feature in (moderation, mock, privacy, community, resources):
        flows.update({flow.name: flow for flow in feature.flows()})
    Basics(services, engine, lambda: router.commands).register(router)
    insight.register(router)
    moderation.register(router)
    mock.register(router)
    privacy.register(router)
    verification.register(router)
    community.register(router)
    resources.register(router)
    digest = build_digest(services, database.sessions, insight.charts)
    digest.register(router)
    app = App(config, database, services, router)
    app.mock = mock
    app.insight = insight
    app.inline_cards = InlineCards(services, StatsRepo(database.sessions))
    app.mirrors = community.bridge.mirrors
    app.digest = digest  # main.py drives digest.sender (scheduler, `main.py digest`)
    services.push = app.notify
    await digest.subscribe_config_channels()
    return app
