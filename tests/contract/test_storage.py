"""Storage itself: opening, closing, one transaction per `atomic` call, and errors that reach the
caller at once, whatever the unit of work raised."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest

from storage import Storage
from storage.forms import Stale
from tests.contract.helpers import join


async def test_a_fresh_storage_is_empty(storage):
    assert await storage.units.all() == []
    assert await storage.people.on_channel("terminal") == []
    assert await storage.outbox.counts() == {}
    assert isinstance(storage.path, str) and storage.path


async def test_what_was_written_is_there_after_closing_and_opening_again(backend, storage, clock, tree):
    await storage.units.set_members(tree["B1"].id, 21, "admitted", "", None, clock())
    assert await storage.forms.claim("telegram:1", clock())
    await storage.close()
    backend.closed_by_test(storage)
    again = await backend.open()
    assert (await again.units.by_code("B1")).members == 21
    assert [u.code for u in await again.units.all()] == [u.code for u in tree.values()]
    assert await again.forms.claim("telegram:1", clock()) is False


async def test_used_as_an_async_context_manager_it_closes(backend):
    async with await backend.open() as storage:
        assert await storage.units.all() == []
    backend.closed_by_test(storage)
    with pytest.raises(Exception) as raised:
        await asyncio.wait_for(storage.units.all(), 1)
    assert not isinstance(raised.value, TimeoutError), "a call after close must fail, not hang"


async def test_atomic_returns_what_the_function_returns_and_passes_its_arguments(storage, tree):
    def read(tx, code, extra):
        unit = tx.units.by_code(code)
        assert not inspect.isawaitable(unit), "inside a transaction, repository calls are synchronous"
        return unit.name, extra

    assert await storage.atomic(read, "B1", 7) == ("Branch One", 7)


async def test_inside_a_transaction_later_calls_see_earlier_writes(storage, clock, tree):
    person = await join(storage, clock(), "s1", tree["B1"])

    def start_and_read(tx):
        session = tx.forms.start(person.person.id, tree["B1"].id, "meeting", {"step": "held_on"}, clock())
        return session, tx.forms.conversation("terminal", "s1").session

    started, seen = await storage.atomic(start_and_read)
    assert seen == started


async def test_atomic_writes_all_or_nothing(storage, clock, tree):
    b1, b2 = tree["B1"].id, tree["B2"].id

    def both(tx, fail):
        tx.units.set_members(b1, 1, "other", "", None, clock())
        tx.deadlines.confirm(b2, "item", "2026", None, clock())
        if fail:
            raise LookupError("changed my mind")
        return "done"

    with pytest.raises(LookupError):
        await storage.atomic(both, True)
    assert (await storage.units.get(b1)).members == 20
    assert await storage.deadlines.unconfirm(b2, "item", "2026") is False        # nothing to undo
    assert await storage.atomic(both, False) == "done"
    assert (await storage.units.get(b1)).members == 1
    assert await storage.deadlines.unconfirm(b2, "item", "2026") is True


async def test_an_ordinary_exception_reaches_the_caller_as_itself(storage, tree):
    error = ValueError("bad answer")

    def fail(tx):
        tx.units.all()
        raise error

    with pytest.raises(ValueError) as raised:
        await asyncio.wait_for(storage.atomic(fail), 1)
    assert raised.value is error


async def test_a_stale_form_caught_inside_the_transaction_lets_the_rest_commit(storage, clock, tree):
    person = await join(storage, clock(), "s1", tree["B1"])
    session = await storage.forms.start(person.person.id, tree["B1"].id, "meeting", {}, clock())

    def answer(tx):
        try:
            tx.forms.save(session.id, session.version + 5, {"x": 1}, clock())
        except Stale:
            pass
        return tx.forms.save(session.id, session.version, {"x": 2}, clock())

    assert await storage.atomic(answer) == 1
    assert (await storage.forms.conversation("terminal", "s1")).session.state == {"x": 2}


async def test_a_missing_repository_method_inside_a_transaction_is_an_attribute_error(storage):
    with pytest.raises(AttributeError):
        await storage.atomic(lambda tx: tx.units.no_such_method())
    assert await storage.units.all() == []


class Interrupted(KeyboardInterrupt):
    """A BaseException that is not an Exception, as a signal handler might raise."""


class Halted(BaseException):
    pass


class Exiting(SystemExit):
    pass


def _stop_iteration(tx):
    raise StopIteration


def _bare_next(tx):
    return next(iter(()))                      # a form definition's step lookup gone wrong


def _interrupted(tx):
    raise Interrupted("stop")


def _halted(tx):
    raise Halted()


def _exiting(tx):
    raise Exiting(3)


def _cancelled(tx):
    raise asyncio.CancelledError()


@pytest.mark.parametrize("raiser, original", [
    (_stop_iteration, StopIteration),
    (_bare_next, StopIteration),
    (_interrupted, Interrupted),
    (_halted, Halted),
    (_exiting, Exiting),
    (_cancelled, asyncio.CancelledError),
], ids=["StopIteration", "next-on-empty", "KeyboardInterrupt-subclass", "BaseException-subclass",
        "SystemExit-subclass", "CancelledError"])
async def test_whatever_a_unit_of_work_raises_reaches_the_caller_within_a_second(storage, clock, tree,
                                                                                 raiser, original):
    b1 = tree["B1"].id

    def work(tx):
        tx.units.set_members(b1, 99, "other", "", None, clock())
        return raiser(tx)

    try:
        await asyncio.wait_for(storage.atomic(work), 1)
    except TimeoutError:
        pytest.fail(f"{original.__name__} in a unit of work left the caller waiting")
    except Exception as error:                  # an Exception: every `except Exception` above sees it
        chain, seen = [], error
        while seen is not None and len(chain) < 10:
            chain.append(seen)
            seen = seen.__cause__ or seen.__context__
        assert any(isinstance(e, original) for e in chain), f"{original.__name__} lost: {chain!r}"
    else:
        pytest.fail("the unit of work raised but the caller got a result")
    # rolled back, and the next calls work, one at a time and several at once
    assert (await asyncio.wait_for(storage.units.get(b1), 1)).members == 20
    assert await asyncio.wait_for(storage.atomic(lambda tx: tx.units.get(b1).members), 1) == 20
    results = await asyncio.wait_for(asyncio.gather(*(storage.units.get(b1) for _ in range(5))), 1)
    assert [u.members for u in results] == [20] * 5


async def test_a_database_error_does_not_break_the_next_call(storage, clock, tree):
    person = await join(storage, clock(), "s1", tree["B1"])
    await storage.forms.start(person.person.id, tree["B1"].id, "meeting", {}, clock())
    with pytest.raises(Exception):                # one open form per person
        await asyncio.wait_for(storage.forms.start(person.person.id, tree["B1"].id, "other", {}, clock()), 1)
    assert (await storage.forms.conversation("terminal", "s1")).session.form == "meeting"


async def test_the_same_update_claimed_many_times_at_once_is_claimed_once(storage, clock):
    results = await asyncio.gather(*(storage.forms.claim("telegram:42", clock()) for _ in range(20)))
    assert sorted(results) == [False] * 19 + [True]


async def test_every_repository_method_has_a_contract_test(storage):
    """A method added to a repository without a contract test fails here: each public unit of work
    of `storage.<repo>` must be called in tests/contract/test_<repo>.py."""
    folder = Path(__file__).parent
    missing = []
    for name in Storage.REPOSITORIES:
        repository = getattr(storage, name)
        methods = [m for m in dir(type(repository)) if not m.startswith("_")
                   and inspect.iscoroutinefunction(getattr(type(repository), m))]
        assert methods, name
        source = folder / f"test_{name}.py"
        text = source.read_text(encoding="utf-8") if source.exists() else ""
        missing += [f"{name}.{m}" for m in methods if f".{m}(" not in text]
    assert missing == []
