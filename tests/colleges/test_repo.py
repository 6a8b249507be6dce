"""The college store: config sync, e-mail domains, joining rules, invites and placement (issue #15)."""

from __future__ import annotations

import pytest

from core.colleges import join_by_email_domain, sync_from_config
from storage.colleges import CollegeRepo
from storage.repos import UserRepo
from tests.colleges.two import COLLEGES
from tests.support.config import test_config

pytestmark = pytest.mark.asyncio


async def test_config_sync_domains_joining_invites_and_placement(sqlite_db, tmp_path):
    colleges = CollegeRepo(sqlite_db.sessions)
    assert [(c.code, c.is_default) for c in await colleges.all()] == [("default", True)]
    config = test_config(tmp_path, **COLLEGES)
    await sync_from_config(colleges, config)
    await sync_from_config(colleges, config)  # idempotent: still three colleges, the default renamed
    assert [(c.code, c.name, c.is_default) for c in await colleges.all()] == [
        ("alpha", "Alpha Institute", True),
        ("beta", "Beta College", False),
        ("gamma", "Gamma University", False),
    ]
    alpha, beta, gamma = [await colleges.by_code(code) for code in ("alpha", "BETA", "gamma")]
    assert alpha and beta and gamma and beta.share_across and not gamma.share_across

    assert (await colleges.by_email_domain("cse.beta.ac.in")) == beta  # subdomains count
    assert await colleges.by_email_domain("notbeta.ac.in") is None
    users = UserRepo(sqlite_db.sessions)
    asha = await users.ensure_user("telegram", "1001", "Asha")
    assert await join_by_email_domain(colleges, asha, "beta.ac.in") == "Beta College"
    assert await colleges.membership(asha) == (beta.id, "verified_email", True)
    with pytest.raises(PermissionError):  # a verified college is not changed by picking another
        await colleges.join(asha, gamma.id, "picked", verified=False)
    assert await colleges.membership(asha) == (beta.id, "verified_email", True)

    token = await colleges.create_invite(gamma.id, None)
    assert await colleges.redeem_invite("gamma", token) == gamma
    assert await colleges.redeem_invite("beta", token) is None  # a token works for its college only
    assert await colleges.redeem_invite("gamma", token + "x") is None

    placed = await colleges.place("telegram", "1001", asha, "", None)
    assert (placed.college_id, placed.moderator, placed.colleges) == (beta.id, False, 3)
    nobody = await colleges.place("telegram", "2002", None, "", None)
    assert nobody.college_id is None  # several colleges: nothing places a stranger
    moderator = await colleges.place("telegram", "777001", None, "", None)  # beta's configured moderator
    assert (moderator.college_id, moderator.moderator) == (beta.id, True)
    await colleges.link_community("discord", "42", gamma.id)
    in_guild = await colleges.place("discord", "9", None, "42", None)
    assert (in_guild.college_id, in_guild.via_community) == (gamma.id, True)
    assert (await colleges.place("console", "x", None, "", "alpha")).college_id == alpha.id
