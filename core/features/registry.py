"""The app's features, known once `bootstrap` has built them.

Features need the dialog engine and the services to be built; the engine needs the features'
flows, and the services fan approvals out to the features. This registry is the one place where
that cycle is closed: it is created empty, handed to the engine and the services, and sealed once
with the final tuple of features (sealing twice, or two flows with one name, is an error).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

from core.features.base import Feature

if TYPE_CHECKING:
    from core.dialog.engine import Flow

logger = logging.getLogger(__name__)


class FeatureRegistry:
    """The sealed tuple of features, their flows by name, and the approval fan-out."""

    def __init__(self) -> None:
        self._features: tuple[Feature, ...] | None = None
        self._flows: MappingProxyType[str, Flow] = MappingProxyType({})

    def seal(self, features: Sequence[Feature]) -> None:
        """Fix the features (in /help order); ValueError if already sealed or a flow name repeats."""
        if self._features is not None:
            raise ValueError("the feature registry is already sealed")
        flows: dict[str, Flow] = {}
        for feature in features:
            for flow in feature.flows():
                if flow.name in flows:
                    raise ValueError(f"flow {flow.name!r} is defined twice")
                flows[flow.name] = flow
        self._features = tuple(features)
        self._flows = MappingProxyType(flows)

    @property
    def features(self) -> tuple[Feature, ...]:
        """The features in order; RuntimeError before `seal`."""
        if self._features is None:
            raise RuntimeError("the feature registry is not sealed yet")
        return self._features

    def flow(self, name: str) -> Flow | None:
        """The flow called `name`, or None (e.g. a dialog saved by an older version)."""
        return self._flows.get(name)

    async def experience_approved(self, experience_id: int) -> None:
        """Tell every feature an experience is public; one feature's failure never stops the rest."""
        for feature in self.features:
            try:
                await feature.on_approved(experience_id)
            except Exception:
                logger.exception("%s: approval hook failed for experience %s", feature.name, experience_id)
