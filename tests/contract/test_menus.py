"""Menus: the numbered menu each chat saw last, so that "2" means the same after a restart."""

from __future__ import annotations

from datetime import timedelta

CHOICES = [("Hôm nay", "c:day:0"), ("Hôm qua", "c:day:1"), ("Ngày khác", "c:day:other")]


async def test_a_chat_without_a_menu_has_none(storage):
    assert await storage.menus.last("terminal", "chat-1") is None


async def test_remember_keeps_the_last_menu_of_each_chat(storage, clock):
    assert await storage.menus.remember("terminal", "chat-1", CHOICES, False, clock()) is None
    menu = await storage.menus.last("terminal", "chat-1")
    assert (menu.choices, menu.number_answer, menu.shown_at) == (tuple(CHOICES), False, clock())
    assert await storage.menus.last("terminal", "chat-2") is None
    assert await storage.menus.last("zalo", "chat-1") is None                  # per channel
    clock.advance(minutes=1)
    await storage.menus.remember("terminal", "chat-1", [("1 người", "n:1")], True, clock())
    menu = await storage.menus.last("terminal", "chat-1")
    assert (menu.choices, menu.number_answer, menu.shown_at) == ((("1 người", "n:1"),), True, clock())


async def test_no_choices_forgets_the_menu(storage, clock):
    await storage.menus.remember("zalo", "chat-1", CHOICES, False, clock())
    await storage.menus.remember("zalo", "chat-2", CHOICES, False, clock())
    await storage.menus.remember("zalo", "chat-1", [], False, clock() + timedelta(seconds=5))
    assert await storage.menus.last("zalo", "chat-1") is None
    assert (await storage.menus.last("zalo", "chat-2")).choices == tuple(CHOICES)
    await storage.menus.remember("zalo", "chat-3", [], True, clock())           # nothing to forget
    assert await storage.menus.last("zalo", "chat-3") is None


async def test_a_menu_survives_closing_and_opening_again(backend, storage, clock):
    await storage.menus.remember("terminal", "chat-1", CHOICES, False, clock())
    await storage.close()
    backend.closed_by_test(storage)
    again = await backend.open()
    assert (await again.menus.last("terminal", "chat-1")).choices == tuple(CHOICES)
