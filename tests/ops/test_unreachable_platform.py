"""A platform API that cannot be reached at start-up, or a rejected token, is one clear line, not a traceback.

A newcomer who starts the Telegram or Discord bot on a machine without a route to the platform (or
behind a proxy) used to get a ~130-line chained traceback from httpx / aiohttp. Now main.py prints
"error: <platform>: cannot reach ..." and exits 1 (the network, not the code: a supervisor retries);
a rejected token is a configuration error (exit 2). The token never appears in either. Discord's
side: tests/discord/test_login_failures.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:telegram-secret-token-value"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_telegram_bot_api_unreachable_is_one_line_and_exit_1(tmp_path):
    port = closed_port()
    (tmp_path / "config.yaml").write_text(
        "telegram:\n"
        "  token: ${TELEGRAM_BOT_TOKEN}\n"
        f"  base_url: http://127.0.0.1:{port}/bot\n"
        f"  base_file_url: http://127.0.0.1:{port}/file/bot\n"
        "digest:\n  enabled: false\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN}
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--adapter",
            "telegram",
            "--db",
            f"sqlite+aiosqlite:///{tmp_path}/b.db",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: telegram: cannot reach the Bot API at 127.0.0.1:{port} (")
    assert last.endswith("check the network or proxy, or telegram.base_url")
    assert "Traceback" not in result.stderr
    assert "telegram-secret-token-value" not in result.stderr + result.stdout
