"""The webhooks' inbox: updates written in order before their 200, one row per key, removed by the
claim's transaction or once handled, and found again by a start until then."""

from __future__ import annotations

import asyncio

from storage.inbox import Pushed


def pushed(n: int, channel: str = "telegram", key: str | None = "") -> Pushed:
    return Pushed(channel, f"{channel}:{n}" if key == "" else key, f'{{"update_id": {n}}}')


async def test_added_updates_wait_in_order_per_channel_with_their_body_and_time(storage, clock):
    ids = await storage.inbox.add([pushed(3), pushed(1, "zalo"), pushed(2)], clock())
    assert all(isinstance(i, int) for i in ids) and ids == sorted(ids)
    more = await storage.inbox.add([pushed(9, key=None), pushed(4)], clock())
    waiting = await storage.inbox.waiting("telegram")
    assert [(w.key, w.body) for w in waiting] == [("telegram:3", '{"update_id": 3}'), ("telegram:2", '{"update_id": 2}'),
                                                  (None, '{"update_id": 9}'), ("telegram:4", '{"update_id": 4}')]
    assert [w.id for w in waiting] == [ids[0], ids[2], *more]
    assert {w.channel for w in waiting} == {"telegram"} and {w.received_at for w in waiting} == {clock()}
    assert [w.key for w in await storage.inbox.waiting("zalo")] == ["zalo:1"]
    assert await storage.inbox.waiting("terminal") == []


async def test_a_key_already_waiting_is_not_added_again_even_in_the_same_batch(storage, clock):
    first = await storage.inbox.add([pushed(1)], clock())
    again = await storage.inbox.add([pushed(1), pushed(2), pushed(2)], clock())
    assert first[0] is not None and again[0] is None and again[1] is not None and again[2] is None
    assert [w.key for w in await storage.inbox.waiting("telegram")] == ["telegram:1", "telegram:2"]
    # without a key there is nothing to recognise: each is its own row
    assert None not in await storage.inbox.add([pushed(5, key=None), pushed(5, key=None)], clock())


async def test_done_removes_the_row_in_the_claims_transaction_and_not_when_it_rolls_back(storage, clock):
    await storage.inbox.add([pushed(1), pushed(2)], clock())

    def claim_and_fail(tx):
        assert tx.inbox.done("telegram:1") is True
        assert tx.forms.claim("telegram:1", clock()) is True
        raise RuntimeError("the answer could not be stored")

    try:
        await storage.atomic(claim_and_fail)
    except RuntimeError:
        pass
    assert [w.key for w in await storage.inbox.waiting("telegram")] == ["telegram:1", "telegram:2"]

    def claim(tx):
        return tx.inbox.done("telegram:1"), tx.forms.claim("telegram:1", clock())

    assert await storage.atomic(claim) == (True, True)
    assert [w.key for w in await storage.inbox.waiting("telegram")] == ["telegram:2"]
    assert await storage.inbox.done("telegram:1") is False          # gone already
    assert await storage.inbox.done("telegram:777") is False         # never pushed (polling, the terminal)
    # handled once: pushed again later it is a new row, and the claim (not the inbox) answers it once
    assert (await storage.inbox.add([pushed(1)], clock()))[0] is not None


async def test_forget_removes_handled_rows_by_id_many_at_once(storage, clock):
    ids = await storage.inbox.add([pushed(n) for n in range(1200)], clock())
    assert await storage.inbox.forget(ids[:1100]) == 1100
    assert await storage.inbox.forget(ids[:1100]) == 0                # twice is harmless
    assert await storage.inbox.forget([]) == 0
    assert [w.id for w in await storage.inbox.waiting("telegram")] == ids[1100:]


async def test_rows_survive_closing_and_opening_the_database(backend, clock):
    storage = await backend.open()
    await storage.inbox.add([pushed(1), pushed(2, "zalo")], clock())
    await storage.close()
    backend.closed_by_test(storage)
    again = await backend.open()
    assert [w.key for w in await again.inbox.waiting("telegram")] == ["telegram:1"]
    assert [w.key for w in await again.inbox.waiting("zalo")] == ["zalo:2"]


async def test_concurrent_batches_keep_each_key_once(storage, clock):
    batches = [[pushed(n % 50) for n in range(start, start + 20)] for start in range(0, 200, 20)]
    results = await asyncio.gather(*(storage.inbox.add(batch, clock()) for batch in batches))
    assert sum(1 for ids in results for i in ids if i is not None) == 50
    assert len(await storage.inbox.waiting("telegram")) == 50


async def test_an_id_is_never_given_again_once_its_row_is_gone(storage, clock):
    first = await storage.inbox.add([pushed(1), pushed(2)], clock())
    await storage.inbox.forget(first)
    again = await storage.inbox.add([pushed(3)], clock())
    assert again[0] > max(first)                 # forgetting an old id never removes a newer update


async def test_an_update_is_claimed_after_the_earlier_ones_of_its_chat_a_live_worker_holds(backend, storage, clock):
    """Two workers, each received one update of a chat: the later one's turn comes once the earlier
    one is claimed; an earlier one of another chat, or received by a worker that is gone, is not
    waited for; and impatient, it is claimed all the same. SQLite (one worker, its channels order
    each chat): the turn is always now."""
    other = await backend.open()
    postgres = backend.name == "postgres"
    first = await storage.inbox.add([Pushed("telegram", "telegram:1", "{}", "42")], clock())
    await other.inbox.add([Pushed("telegram", "telegram:2", "{}", "42"), Pushed("telegram", "telegram:3", "{}", "7")],
                          clock())
    assert await other.inbox.turn("telegram:3") is True                    # another chat
    assert await other.inbox.turn("telegram:2") is (not postgres)
    # what a worker starting finds to handle: not what another worker alive is handling
    assert [w.key for w in await storage.inbox.waiting("telegram")] == ["telegram:1"]
    assert [w.key for w in await other.inbox.waiting("telegram")] == ["telegram:2" if postgres else "telegram:1"]
    assert await storage.inbox.turn("telegram:1") is True
    assert await other.inbox.turn("telegram:2") is True
    assert await storage.inbox.waiting("telegram") == [] and first[0] is not None
    assert await storage.inbox.turn("telegram:9") is True                  # not in the inbox

    await storage.inbox.add([Pushed("zalo", "zalo:a", "{}", "u1")], clock())
    await other.inbox.add([Pushed("zalo", "zalo:b", "{}", "u1"), Pushed("zalo", "zalo:c", "{}", "u1")], clock())
    assert await other.inbox.turn("zalo:c", patient=False) is True           # waited long enough
    await storage.close()                                                    # the worker holding zalo:a is gone
    backend.closed_by_test(storage)
    for _ in range(100):                        # the server ends the closed session a moment later
        if await other.inbox.turn("zalo:b"):
            break
        await asyncio.sleep(0.02)
    assert [w.key for w in await other.inbox.waiting("zalo")] == ["zalo:a"]     # the gone worker's: handled now
