"""The fake Telegram Bot API of tests/telegram, for the two-college Telegram tests."""

from tests.telegram.conftest import fake  # noqa: F401 - pytest fixture
