"""Nudges: one a day per unit and occurrence, whoever asks; what was nudged on a day, by unit."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from storage.outbox import NewMessage
from tests.contract.helpers import body, join, text_of

ITEM, OCC = "sinh-hoat", "2026-11"
TODAY = date(2026, 11, 23)


async def test_a_unit_is_nudged_once_a_day_per_occurrence(storage, clock, tree):
    officer = await join(storage, clock(), "o", tree["G1"], role="officer")
    province = await join(storage, clock(), "p", tree["P"], role="officer")
    nudges = storage.nudges
    b1, b2, g1 = tree["B1"].id, tree["B2"].id, tree["G1"].id
    first = await nudges.claim(b1, ITEM, OCC, TODAY, g1, officer.person.id, 2, clock())
    assert isinstance(first, int)
    # again that day: refused, whoever asks
    assert await nudges.claim(b1, ITEM, OCC, TODAY, g1, officer.person.id, 2, clock()) is None
    assert await nudges.claim(b1, ITEM, OCC, TODAY, tree["P"].id, province.person.id, 1, clock()) is None
    # another unit, another occurrence, another item, the next day: each its own
    assert await nudges.claim(b2, ITEM, OCC, TODAY, g1, officer.person.id, 1, clock()) is not None
    assert await nudges.claim(b1, ITEM, "2026-12", TODAY, g1, officer.person.id, 1, clock()) is not None
    assert await nudges.claim(b1, "mot-cong-mot", OCC, TODAY, g1, officer.person.id, 1, clock()) is not None
    tomorrow = TODAY + timedelta(days=1)
    assert await nudges.claim(b1, ITEM, OCC, tomorrow, g1, officer.person.id, 2, clock()) is not None

    day = await nudges.of_day(ITEM, OCC, TODAY)
    assert set(day) == {b1, b2}
    assert (day[b1].id, day[b1].unit_id, day[b1].from_unit_id, day[b1].person_id, day[b1].recipients,
            day[b1].at) == (first, b1, g1, officer.person.id, 2, clock())
    assert set(await nudges.of_day(ITEM, OCC, tomorrow)) == {b1}
    assert await nudges.of_day(ITEM, "2027-01", TODAY) == {}


async def test_concurrent_claims_of_one_unit_and_day_give_one_nudge(storage, clock, tree):
    officer = await join(storage, clock(), "o", tree["G1"], role="officer")
    claims = await asyncio.gather(*(storage.nudges.claim(tree["B1"].id, ITEM, OCC, TODAY, tree["G1"].id,
                                                         officer.person.id, 1, clock()) for _ in range(10)))
    assert len([c for c in claims if c is not None]) == 1


async def test_a_nudge_and_its_messages_commit_together_or_not_at_all(storage, clock, tree):
    officer = await join(storage, clock(), "o", tree["G1"], role="officer")
    lan = await join(storage, clock(), "s1", tree["B1"])

    def nudge(tx, fail: bool):
        nudge_id = tx.nudges.claim(tree["B1"].id, ITEM, OCC, TODAY, tree["G1"].id, officer.person.id, 1, clock())
        tx.outbox.enqueue([NewMessage(f"nudge:{nudge_id}:{lan.person.id}", lan.person.id, body("Nhắc"))], clock())
        if fail:
            raise RuntimeError("the transaction fails after queuing")
        return nudge_id

    try:
        await storage.atomic(nudge, True)
    except RuntimeError:
        pass
    assert await storage.nudges.of_day(ITEM, OCC, TODAY) == {}
    assert await storage.outbox.sent_to(lan.person.chat_id) == []
    nudge_id = await storage.atomic(nudge, False)
    [(key, status, payload)] = await storage.outbox.sent_to(lan.person.chat_id)
    assert (key, status, text_of(payload)) == (f"nudge:{nudge_id}:{lan.person.id}", "queued", "Nhắc")
