"""A messenger's pace shared by every worker: each reserved slot is one interval after the one
before, whoever reserves it and however many reserve at once; a pause holds back every slot;
channels keep their own pace.

The intervals and pauses here are seconds long, and nothing waits for them: `reserve` says how
long to wait, and a loaded machine's milliseconds between two calls do not blur the answers."""

from __future__ import annotations

import asyncio

SLACK = 0.5            # seconds that may pass between calls on a loaded machine


async def test_slots_reserved_at_once_are_one_interval_apart(storage):
    waits = sorted(await asyncio.gather(*(storage.rates.reserve("telegram", 1.0) for _ in range(8))))
    assert waits[0] == 0                                          # the first starts now
    for number, wait in enumerate(waits):
        # each later by one interval (less the time that passed between the calls)
        assert number - SLACK <= wait <= number + 0.001, waits


async def test_workers_sharing_the_database_share_the_pace(backend, storage):
    other = await backend.open()                                  # a second worker on the same database
    waits = sorted(await asyncio.gather(*(s.rates.reserve("zalo", 1.0) for s in [storage, other] * 4)))
    assert all(later - earlier >= 1.0 - SLACK for earlier, later in zip(waits, waits[1:])), waits
    assert waits[-1] <= 7.001


async def test_a_slot_after_a_lull_starts_now_without_a_burst_to_catch_up(storage):
    assert await storage.rates.reserve("telegram", 0.05) == 0
    await asyncio.sleep(0.1)                                      # its next slot passed unused
    assert await storage.rates.reserve("telegram", 1.0) == 0       # now, not then
    assert 1.0 - SLACK <= await storage.rates.reserve("telegram", 1.0) <= 1.0


async def test_a_pause_holds_back_every_slot_of_its_channel_only(storage):
    await storage.rates.reserve("telegram", 0.01)
    await storage.rates.pause("telegram", 10.0)
    assert 10.0 - SLACK <= await storage.rates.reserve("telegram", 0.01) <= 10.0
    assert await storage.rates.reserve("zalo", 0.01) == 0         # another messenger goes on
    await storage.rates.pause("telegram", 0.1)                    # a shorter pause shortens nothing
    assert 10.0 - SLACK <= await storage.rates.reserve("telegram", 0.01) <= 10.02


async def test_a_pause_before_any_slot_holds_back_the_first(storage):
    await storage.rates.pause("zalo:b1", 5.0)
    assert 5.0 - SLACK <= await storage.rates.reserve("zalo:b1", 0.01) <= 5.0
