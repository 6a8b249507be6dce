"""The fake Discord and the bot harness of tests/discord, for the two-college Discord tests."""

from tests.discord.conftest import bots, fake  # noqa: F401 - pytest fixtures
