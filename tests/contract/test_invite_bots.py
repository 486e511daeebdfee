"""Invites redeemed through one of several bots of a messenger: `redeem(takes=...)` asks whether
the bot answers the code's unit, given its codes from the root down, before anything is used or
told (several Zalo bots, one a commune)."""

from __future__ import annotations

from datetime import timedelta

from storage.people import Redeemed


async def test_a_code_the_bot_does_not_take_is_neither_used_nor_told_about(storage, clock, tree):
    now = clock()
    await storage.invites.create("code-b1", "code", tree["B1"].id, "secretary", now, now + timedelta(days=30))
    await storage.invites.create("code-old", "code", tree["B1"].id, "secretary", now, now - timedelta(days=1))
    asked: list[list[str]] = []

    def elsewhere(chain: list[str]) -> bool:
        asked.append(chain)
        return False

    refused = await storage.invites.redeem("code-b1", "zalo:hai", "u1", "chat-u1", "Lan", now, takes=elsewhere)
    assert refused == Redeemed("other_bot")
    assert asked == [[unit.code for unit in await storage.units.chain(tree["B1"].id)]]
    assert asked[0][-1] == "B1" and len(asked[0]) > 1                          # root first, the unit last
    assert await storage.people.identify("zalo:hai", "u1") is None             # nobody stored
    # an expired code typed to the wrong bot says no more than an unknown one
    assert (await storage.invites.redeem("code-old", "zalo:hai", "u1", "c", "Lan", now, takes=elsewhere)).status \
        == "other_bot"
    joined = await storage.invites.redeem("code-b1", "zalo:mot", "u1", "chat-u1", "Lan", now,
                                          takes=lambda chain: "B1" in chain)
    assert joined == Redeemed("joined", "secretary", tree["B1"], None)          # still unused: it worked
    assert (await storage.people.identify("zalo:mot", "u1")).unit == tree["B1"]
    assert (await storage.invites.redeem("nope", "zalo:mot", "u2", "c", "X", now, takes=elsewhere)).status == "unknown"
