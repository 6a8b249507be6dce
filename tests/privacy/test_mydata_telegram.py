"""/mydata's JSON file through the real PTB Application and the fake Bot API."""

from __future__ import annotations

import json

from tests.privacy.platform_data import ROLL, app_with_experience
from tests.telegram.conftest import Harness, fake, start_adapter, texts  # noqa: F401 (fake is a fixture)


async def test_mydata_file_on_telegram(tmp_path, fake):  # noqa: F811 (fixture)
    app = await app_with_experience(tmp_path, "telegram", "1001")
    adapter = await start_adapter(app, fake)
    try:
        sent = await Harness(fake, adapter).say("/mydata")
    finally:
        await adapter.stop()
        await app.close()
    assert "Here is everything I store about you (1 experience(s))" in texts(sent)
    [document] = [m for m in sent if "document" in m]
    assert document["chat"]["id"] == 1001 and document["caption"] == "Your data (JSON)"
    [call] = [c for c in fake.calls if c.method == "sendDocument"]
    data = json.loads(call.files["document"])
    assert data["identities"][0]["platform_user_id"] == "1001"
    assert data["experiences"][0]["roll_number"] == ROLL and data["experiences"][0]["anonymous"] is True
