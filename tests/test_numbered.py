"""Numbered menus, as Zalo and the terminal show choices: rendering, picking, and the count rule."""

from __future__ import annotations

from bot.channels.numbered import NumberedMenus, read, render
from domain.conversation import Action, Button, Reply, rows
from storage import Storage

TODAY, YESTERDAY, CANCEL = Action("f", (1, 0, "o0")), Action("f", (1, 0, "o1")), Action("f", (1, 0, "x"))
DATE_QUESTION = Reply("Buổi sinh hoạt diễn ra ngày nào?",
                      rows(Button("Hôm nay", TODAY), Button("Hôm qua", YESTERDAY)) + rows(Button("✖ Hủy", CANCEL)))
COUNT_QUESTION = Reply("Có bao nhiêu đoàn viên tham dự?", rows(Button("✖ Hủy", CANCEL)), number_answer=True)


def test_choices_print_as_numbered_lines_under_the_text():
    shown = render(DATE_QUESTION)
    assert shown.startswith("Buổi sinh hoạt diễn ra ngày nào?\n\n1. Hôm nay\n2. Hôm qua\n3. ✖ Hủy\n")


def test_a_choice_labelled_with_its_number_is_not_printed_twice():
    listing = Reply("1. ngày 5/11\n2. ngày 3/10", rows(Button("1", TODAY), Button("2", YESTERDAY),
                                                        Button("☰ Menu", Action.command("menu"))))
    shown = render(listing)
    assert "1. 1" not in shown and "3. ☰ Menu" in shown


async def test_a_number_or_the_words_pick_and_the_menu_survives_a_restart(tmp_path, clock):
    storage = await Storage.open(tmp_path / "m.sqlite3")
    menus = NumberedMenus(storage, "zalo", clock)
    await menus.shown("chat-1", DATE_QUESTION)
    assert (await menus.read("chat-1", "2")).action == YESTERDAY
    await storage.close()

    storage = await Storage.open(tmp_path / "m.sqlite3")          # the bot restarted
    menus = NumberedMenus(storage, "zalo", clock)
    assert (await menus.read("chat-1", " 1. ")).action == TODAY
    assert (await menus.read("chat-1", "hom qua")).action == YESTERDAY       # no diacritics
    assert (await menus.read("chat-1", "HỦY")).action == CANCEL               # the emoji is not needed
    typed_day = await menus.read("chat-1", "15")                             # the 15th: the form reads it
    assert typed_day.action is None and not typed_day.out_of_range
    assert (await menus.read("chat-1", "15/6")).action is None               # typed on: a date
    assert (await menus.read("chat-2", "1")).action is None                  # another chat's menu
    await storage.close()


async def test_a_digit_answering_a_count_question_is_the_count_not_a_pick(tmp_path, clock):
    storage = await Storage.open(tmp_path / "m.sqlite3")
    menus = NumberedMenus(storage, "zalo", clock)
    shown = await menus.shown("chat-1", COUNT_QUESTION)
    assert "• ✖ Hủy" in shown and "1. " not in shown
    for typed in ("1", "2", "12"):
        picked = await menus.read("chat-1", typed)
        assert picked.action is None and not picked.out_of_range
    assert (await menus.read("chat-1", "huy")).action == CANCEL
    await storage.close()


def test_without_a_menu_everything_is_text():
    assert read(None, "1").action is None


def test_the_payload_codec_refuses_what_this_bot_did_not_write():
    assert Action.decode("f:12:3:o1") == Action("f", ("12", "3", "o1"))
    assert Action.decode("f:12:3:o1").number(0) == 12
    for forged in ("", ":", "f:①", "f:²", "f:" + "9" * 70, "u:1 OR 1=1", "c:rmy:\n"):
        assert Action.decode(forged) is None
    assert Action.decode("u:" + "9" * 30).number(0) is None                  # no giant integers


async def test_a_number_beyond_a_menu_that_is_no_forms_question_is_answered_with_the_range(tmp_path, clock):
    storage = await Storage.open(tmp_path / "m.sqlite3")
    menus = NumberedMenus(storage, "zalo", clock)
    await menus.shown("chat-1", Reply("Chọn kỳ:", rows(Button("Tháng 11", Action("tg", (1, "2026-11"))),
                                                      Button("Tháng 10", Action("tg", (1, "2026-10"))))))
    assert (await menus.read("chat-1", "7")).out_of_range == 2
    await storage.close()
