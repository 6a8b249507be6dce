"""/mydata's JSON file through the real discord.py client and the fake Discord."""

from __future__ import annotations

import json

from tests.discord.conftest import ASHA, CHANNEL_A, bots, fake  # noqa: F401 (bots, fake are fixtures)
from tests.discord.fake_discord import EPHEMERAL
from tests.privacy.platform_data import ROLL, app_with_experience


async def test_mydata_file_on_discord(tmp_path, bots, fake):  # noqa: F811 (fixtures)
    app = await app_with_experience(tmp_path, "discord", str(ASHA.id))
    try:
        bot = await bots(app)
        interaction = await bot.slash(ASHA, CHANNEL_A, "mydata")
        [message] = [m for m in interaction.messages if m.get("attachments")]
        assert message["flags"] & EPHEMERAL  # only Asha sees her data
        assert "Here is everything I store about you" in "\n".join(m["content"] for m in interaction.messages)
        [(name, payload)] = fake.files[int(message["id"])].items()
        assert name == "my-interview-insights-data.json"
        data = json.loads(payload)
        assert data["identities"][0]["platform_user_id"] == str(ASHA.id)
        assert data["experiences"][0]["roll_number"] == ROLL
        await bot.stop()
    finally:
        await app.close()
