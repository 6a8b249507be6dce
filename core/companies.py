"""Match what a student types to known companies and aliases ("tcs", "Tata Consultancy", "infosys ltd").

The rules, in order:
1. An exact name or alias (after `normalise_name`) always opens that company, whatever else exists:
   "/company Acme Motors" opens Acme Motors even when "Acme Motors India Limited" was created first.
2. Otherwise the folded name (`fold_name`: legal suffixes and country words dropped) is looked up:
   one company with that folded name opens it ("Infosys Ltd" -> Infosys); several distinct companies
   with it ("Microsoft" and "Microsoft India" for "Microsoft India Pvt Ltd") are offered side by side
   as a "did you mean" (a moderator can merge them with /companies merge).
3. Otherwise fuzzy suggestions (rapidfuzz WRatio on folded keys), best first.
New companies fold at creation instead (storage CompanyRepo.get_or_create): a variant of one known
company becomes its alias rather than a second company.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from core.repositories.companies import CompanyName, CompanyRepository
from core.text_norm import FOLD_WORDS, fold_words, normalise_name

logger = logging.getLogger(__name__)

CONFIDENT = 85.0  # a lone fuzzy suggestion this close is taken as a typo of it
CONFIDENT_GAP = 10.0  # ...when the runner-up scores at least this much lower
SUFFIXES = tuple(sorted(FOLD_WORDS))  # kept for callers of the old name


@dataclass(frozen=True)
class CompanyMatch:
    """The result of matching typed text: an exact company, or close suggestions best first."""

    exact: CompanyName | None
    suggestions: tuple[CompanyName, ...] = ()
    scores: tuple[float, ...] = ()  # similarity (0-100) of each suggestion, best first

    @property
    def confident(self) -> CompanyName | None:
        """The one suggestion that is clearly meant (a typo like "infosis"), else None (ask instead)."""
        if self.exact is not None:
            return self.exact
        if not self.suggestions or self.scores[0] < CONFIDENT:
            return None
        if len(self.scores) > 1 and self.scores[0] - self.scores[1] < CONFIDENT_GAP:
            return None
        return self.suggestions[0]


def strip_suffixes(key: str) -> str:
    """Drop legal suffixes and country words ("ltd", "pvt", "india") so "infosys ltd" finds Infosys."""
    return fold_words(key)


class CompanyMatcher:
    """An in-memory index of company names and aliases, refreshed when a company is added."""

    def __init__(self, repo: CompanyRepository, cutoff: float = 72.0) -> None:
        self._repo = repo
        self._cutoff = cutoff
        self._keys: dict[str, CompanyName] = {}  # exact names and aliases first, then folded keys
        self._exact: dict[str, CompanyName] = {}
        self._folded: dict[str, list[CompanyName]] = {}
        self._loaded = False
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        """Reload names and aliases from storage."""
        companies = await self._repo.all_names()
        names = {normalise_name(company.name): company for company in reversed(companies)}
        exact: dict[str, CompanyName] = {}
        for company in companies:  # a name always opens its own company, even if another has it as alias
            for key in (normalise_name(company.name), *company.aliases):
                if names.get(key, company) is company:
                    exact.setdefault(key, company)
        folded: dict[str, list[CompanyName]] = {}
        for key, company in exact.items():
            group = folded.setdefault(fold_words(key), [])
            if company not in group:
                group.append(company)
        keys = dict(exact)
        for key, group in folded.items():
            keys.setdefault(key, group[0])
        self._exact, self._folded, self._keys = exact, folded, keys
        self._loaded = True

    async def match(self, text: str, limit: int = 5) -> CompanyMatch:
        """Find the company a student means; exact on names/aliases, else fuzzy suggestions."""
        async with self._lock:
            if not self._loaded:
                await self.refresh()
        key = normalise_name(text)
        if not key:
            return CompanyMatch(None)
        if key in self._exact:
            return CompanyMatch(self._exact[key])
        variants = self._folded.get(fold_words(key), [])
        if len(variants) == 1:
            return CompanyMatch(variants[0])
        if variants:  # distinct companies share this folded name: offer them side by side
            ranked = sorted(variants, key=lambda c: (-fuzz.ratio(key, normalise_name(c.name)), c.name))
            shown = tuple(ranked[:limit])
            return CompanyMatch(None, shown, tuple(100.0 for _ in shown))
        found = process.extract(
            strip_suffixes(key),
            list(self._keys),
            scorer=fuzz.WRatio,
            limit=limit * 3,
            score_cutoff=self._cutoff,
        )
        suggestions: list[CompanyName] = []
        scores: list[float] = []
        for choice, score, _index in found:
            company = self._keys[choice]
            if company not in suggestions:
                suggestions.append(company)
                scores.append(float(score))
        return CompanyMatch(None, tuple(suggestions[:limit]), tuple(scores[:limit]))

    async def closest(self, text: str, limit: int = 3, cutoff: float = 55.0) -> list[CompanyName]:
        """The companies whose names look most like `text`, even when not close enough to suggest."""
        async with self._lock:
            if not self._loaded:
                await self.refresh()
        key = strip_suffixes(normalise_name(text))
        if not key:
            return []
        found = process.extract(
            key, list(self._keys), scorer=fuzz.ratio, limit=limit * 4, score_cutoff=cutoff
        )
        out: list[CompanyName] = []
        for choice, _score, _index in found:
            if self._keys[choice] not in out:
                out.append(self._keys[choice])
        return out[:limit]

    async def complete(self, prefix: str, limit: int = 25) -> list[str]:
        """Names for autocomplete: name or alias starting with the prefix first, then containing it."""
        async with self._lock:
            if not self._loaded:
                await self.refresh()
        needle = normalise_name(prefix)
        starts: dict[str, None] = {}
        contains: dict[str, None] = {}
        for key, company in sorted(self._keys.items(), key=lambda item: item[1].name):
            if key.startswith(needle):
                starts.setdefault(company.name)
            elif needle in key:
                contains.setdefault(company.name)
        ordered = list(starts) + [name for name in contains if name not in starts]
        return ordered[:limit]

    async def names(self) -> list[str]:
        """Every company's display name (for autocomplete)."""
        async with self._lock:
            if not self._loaded:
                await self.refresh()
        return sorted({company.name for company in self._keys.values()})
