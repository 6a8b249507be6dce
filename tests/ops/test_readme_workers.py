"""README's "Several workers on PostgreSQL" makes each worker's config with `sed` over config.yaml.

A `sed` expression that no longer matches config.yaml (a comment moved, two spaces became one) changes
nothing and says nothing: the worker would start polling, on the default port, sending at the full
rate. This runs README's own `sed` lines, exactly as written, on the shipped config.yaml and reads the
files they make with the project's config loader.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from core.config import load_config

ROOT = Path(__file__).resolve().parents[2]
ENV = {"TELEGRAM_BOT_TOKEN": "123456:readme-test", "TELEGRAM_WEBHOOK_SECRET": "s3cret"}


def sed_commands() -> list[str]:
    """The `sed ... > FILE` commands (continuation lines joined) of README's several-workers block."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Several workers on PostgreSQL", 1)[1]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    joined = re.sub(r"\\\n\s*", " ", block)
    return [line.strip() for line in joined.splitlines() if line.strip().startswith("sed ")]


@pytest.mark.skipif(shutil.which("sed") is None, reason="needs sed")
def test_readme_sed_lines_make_webhook_workers_and_a_sender_sharing_the_token(tmp_path):
    commands = sed_commands()
    assert len(commands) == 2  # one per worker (in the loop) and the digest sender's
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    for command in commands:
        subprocess.run(["bash", "-c", f"port=8001; {command}"], cwd=tmp_path, check=True)

    worker = load_config(tmp_path / "worker-8001.yaml", environ=ENV)
    assert worker.telegram.mode == "webhook"
    assert worker.telegram.webhook.url == "https://bot.example.edu/telegram"
    assert (worker.telegram.webhook.listen, worker.telegram.webhook.port) == ("127.0.0.1", 8001)
    assert worker.digest.enabled is False  # the digest goes out from one place
    sender = load_config(tmp_path / "sender.yaml", environ=ENV)
    assert sender.telegram.mode == "polling" and sender.digest.enabled is True
    shipped = load_config(ROOT / "config.yaml", environ=ENV)
    assert shipped.telegram.send_limits.processes == 1
    for config in (worker, sender):  # two workers + the sender share the token's 30 messages/s
        assert config.telegram.send_limits.processes == 3
        assert config.telegram.send_limits.per_process == pytest.approx(10.0)
