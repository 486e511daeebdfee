"""What real people did that went wrong, each kept as the test that shows it fixed: strangers and
codes typed on Zalo (a typo, a capital, a label, "start" without its slash), people moved or removed
mid-form, commands typed with diacritics or a huge argument, help asked in words mid-form, and
numbered menus read back oddly (invisible characters, a typo, a copied line, a single choice)."""

from __future__ import annotations

from datetime import date

from bot.channels.numbered import read
from bot.channels.terminal import TerminalChat
from domain.conversation import Action
from handlers.router import MAX_ARGUMENT
from messages_vi import t
from storage.menus import OpenMenu
from tests.support import START, Chat, joined, make_invite
from tests.support.fake_zalo import FakeZalo
from tests.test_zalo_channel import LAN, meetings_of, running, say


async def terminal_as(services, chat) -> TerminalChat:
    """The terminal chat (numbered menus, as on Zalo) speaking as the person of a handlers' Chat."""
    terminal = TerminalChat(services)
    terminal.user_id, terminal.name = chat.user_id, chat.name
    return terminal


async def test_a_secretary_moved_to_another_branch_mid_form_does_not_report_for_the_new_one(services):
    lan = await joined(services, "lan", "B1")
    await lan.say("/sinhhoat")
    await lan.say("hom qua")
    await lan.say("sinh hoat chi doan")
    assert "20 đoàn viên" in lan.text                      # Chi đoàn ấp Một's question
    code = await make_invite(services, "B5")
    await lan.say(f"/start {code}")
    await lan.say("12")
    assert "Báo cáo sinh hoạt bạn điền dở cho Chi đoàn ấp Một đã được bỏ" in lan.text
    await lan.say("luu")
    for code in ("B1", "B5"):
        unit = await services.storage.units.by_code(code)
        assert await services.storage.reports.meetings(unit.id, date(2026, 1, 1)) == []
    await lan.say("sinh hoat chi doan hom qua 12 nguoi truc tiep")   # a new report is the new branch's
    assert "Chi đoàn khu phố Năm" in lan.text and "điền dở" not in lan.text


async def test_a_menu_number_with_an_invisible_character_around_it_still_picks_on_zalo_and_terminal(services):
    # Zalo and phone keyboards paste zero-width spaces, direction marks and byte-order marks
    lan = await joined(services, "lan", "B1")
    terminal = await terminal_as(services, lan)
    await terminal.say("/sinhhoat")
    assert "Đó là buổi gì?" in await terminal.say("\u200f2\u200b")           # Hôm qua
    assert "Có bao nhiêu đoàn viên" in await terminal.say("\ufeffsinh hoat chi doan\u200b")
    assert "• Số tham dự: 12" in await terminal.say("12\u200b")
    assert "Đã lưu" in await terminal.say("1\u200b")


async def test_a_command_word_with_a_zero_width_space_still_runs_the_command(services):
    lan = await joined(services, "lan", "B1")
    await lan.say("\u200bsinh hoat\u200b")
    assert "Buổi sinh hoạt diễn ra ngày nào?" in lan.text
    await lan.say("huy\u200b")
    assert "Đã hủy" in lan.text


async def test_a_number_typed_where_only_one_choice_is_offered_is_answered_in_plain_vietnamese(services):
    officer = await joined(services, "ha", "G1", "officer")
    terminal = await terminal_as(services, officer)
    shown = await terminal.say("/bachudong")                 # the plan: items typed, "✖ Hủy" alone
    assert "1. ✖ Hủy" in shown and "2. " not in shown
    answer = await terminal.say("2")
    assert "từ 1 đến 1" not in answer
    assert answer == t("numbered.out_of_range_one")


async def removed_by_an_officer(services, secretary_name: str) -> None:
    officer = await joined(services, "officer", "G1", role="officer")
    unit = await services.storage.units.by_code("B1")
    await officer.tap_data(f"u:{unit.id}")
    await officer.tap(f"Gỡ {secretary_name}")
    await officer.tap("Gỡ")
    assert f"Đã gỡ {secretary_name}" in officer.text


async def test_a_removed_secretary_typing_a_new_code_alone_on_zalo_joins_again(services):
    # Zalo has no deep links: the invite says to type the code into the chat, and that is all
    lan = await joined(services, "lan", "B1", name="Chị Lan")
    await removed_by_an_officer(services, "Chị Lan")
    code = await make_invite(services, "B1")
    await lan.say(code)
    assert "Chào mừng" in lan.text and "Chi đoàn ấp Một" in lan.text
    assert (await services.storage.people.identify("terminal", "lan")).role is not None


async def test_a_secretary_typing_the_code_of_another_branch_alone_moves_there(services):
    lan = await joined(services, "lan", "B1")
    code = await make_invite(services, "B5")
    await lan.say(code)
    assert "Chi đoàn khu phố Năm" in lan.text
    assert (await services.storage.people.identify("terminal", "lan")).unit.code == "B5"


async def test_a_code_after_start_with_a_capital_first_letter_and_spaces_joins(services):
    # phone keyboards capitalise the first letter; a code read aloud is typed in groups
    code = await make_invite(services, "B1")
    stranger = Chat(services, "x")
    spaced = " ".join(code[i:i + 4] for i in range(0, len(code), 4))
    await stranger.say(f"/start {spaced.capitalize()}")
    assert "Chào mừng" in stranger.text


async def test_a_command_with_five_thousand_digits_after_it_gets_a_short_vietnamese_answer(services):
    officer = await joined(services, "ha", "G1", "officer")
    for command in ("/lich", "/chuanop", "/bachudong", "/tonghop", "/xuat"):
        replies = await officer.say(f"{command} {'9' * 5000}")
        assert replies and all("Mã lỗi" not in r.text and len(r.text) < 600 for r in replies), command
        assert replies[0].text == t("command.arg_too_long", command=command[1:], most=MAX_ARGUMENT)


async def test_a_stranger_typing_a_code_with_a_typo_on_zalo_is_told_the_code_is_wrong(services):
    code = await make_invite(services, "B1")
    stranger = Chat(services, "x", channel="zalo")
    for typo in (code[:-1], code[:10] + "0" + code[11:], code + "7", code.upper()[:-1] + "l"):
        await stranger.say(typo)
        assert [r.text for r in stranger.replies] == [t("start.bad_code")], typo
    for chat in ("xin chao", "Chào anh, em là bí thư chi đoàn ấp 3", "0912345678", "abc123"):
        await stranger.say(chat)
        assert [r.text for r in stranger.replies] == [t("stranger")], chat
    await stranger.say(code)
    assert "Chào mừng" in stranger.text


def test_what_a_stranger_is_told_says_how_to_join_on_zalo_too():
    # Zalo has no links to tap: its invites are codes typed into the chat
    assert "gõ mã" in t("stranger") and "đơn vị cấp trên" in t("stranger")
    assert "mã" in t("start.bad_code") and "gõ nhầm" in t("start.bad_code")


async def test_the_terminal_la_without_a_number_says_how_and_capitals_are_understood(services):
    lan = await joined(services, "lan", "B1")
    terminal = await terminal_as(services, lan)
    answer = await terminal.say(":la")
    assert answer == t("terminal.which_person") and "số ." not in answer
    assert await terminal.say(":AI") == await terminal.say(":ai")
    assert await terminal.say(":La 1") == await terminal.say(":la 1")


async def test_typing_hom_qau_with_a_typo_on_zalo_picks_yesterday(services):
    lan = await joined(services, "lan", "B1")
    terminal = await terminal_as(services, lan)
    await terminal.say("/sinhhoat")
    assert "Đó là buổi gì?" in await terminal.say("hom qau")
    await terminal.say("/huy")
    await terminal.say("/sinhhoat")
    assert "Đó là buổi gì?" not in await terminal.say("hom xyz")     # another word, not a typo


async def test_an_officer_typing_a_branch_name_with_a_typo_opens_that_branch(services):
    officer = await joined(services, "ha", "G1", "officer")
    terminal = await terminal_as(services, officer)
    await terminal.say("/chidoan")
    opened = await terminal.say("chi doan ap mt")
    assert "Chi đoàn ấp Một" in opened and "Bạn muốn làm gì?" not in opened


async def test_typing_slash_huy_with_diacritics_mid_form_on_zalo_cancels_it(services):
    lan = await joined(services, "lan", "B1")
    await lan.say("/sinhhoat")
    await lan.say("hom qua")
    await lan.say("/hủy")
    assert "Đã hủy Báo cáo sinh hoạt" in lan.text


async def test_commands_typed_after_the_slash_as_words_or_with_diacritics_run(services):
    lan = await joined(services, "lan", "B1")
    await lan.say("/sinh hoạt")
    assert "Buổi sinh hoạt diễn ra ngày nào?" in lan.text
    await lan.say("/huy")
    await lan.say("/Tổng hợp tháng 10")
    assert "Tổng hợp tháng 10/2026" in lan.text
    await lan.say("/lịch")
    assert "không có lệnh này" not in lan.text
    await lan.say("/khong co lenh nay")
    assert lan.text == t("unknown_command")


async def test_typing_giup_mid_form_on_zalo_shows_help_and_the_form_goes_on_after(services):
    lan = await joined(services, "lan", "B1")
    terminal = await terminal_as(services, lan)
    await terminal.say("/sinhhoat")
    await terminal.say("hom qua")
    for word in ("giup", "Trợ giúp", "menu"):
        shown = await terminal.say(word)
        assert t("help.branch") in shown and "1. Điền tiếp Báo cáo sinh hoạt" in shown, word
    assert "Đó là buổi gì?" in await terminal.say("1")      # where it stood, yesterday kept
    await terminal.say("sinh hoat chi doan")
    assert "Ngày: Chủ Nhật, 22 tháng 11, 2026" in await terminal.say("12")


async def test_on_zalo_a_code_with_a_capital_then_a_pasted_zero_width_pick_a_typo_and_slash_huy(services):
    # the whole way through the Zalo channel (long poll against the fake platform)
    code = await make_invite(services, "B1")
    async with FakeZalo(poll_cap=0.2) as zalo, running(services, zalo) as channel:
        assert await say(channel, zalo, LAN, code[:-1]) == t("start.bad_code")
        assert "Chào mừng" in await say(channel, zalo, LAN, code.capitalize())
        assert "1. Hôm nay" in await say(channel, zalo, LAN, "sinh hoat")
        assert "Đó là buổi gì?" in await say(channel, zalo, LAN, "2\u200b")
        assert "Có bao nhiêu đoàn viên" in await say(channel, zalo, LAN, "sinh hoat chi doam")
        assert "Đã hủy Báo cáo sinh hoạt" in await say(channel, zalo, LAN, "/hủy")
    assert await meetings_of(services) == []


async def test_a_stranger_pasting_the_code_with_its_label_or_start_without_the_slash_joins(services):
    # the invite file's line reads "Mã: <code>"; on Zalo "start <code>" is typed without the slash
    for user, typed in (("a", "Mã: {code}"), ("b", "start {code}"), ("c", "ma {code}")):
        code = await make_invite(services, "B1")
        stranger = Chat(services, user, channel="zalo")
        await stranger.say(typed.format(code=code))
        assert "Chào mừng" in stranger.text or "Phó Bí thư" in stranger.text, typed


async def test_typing_truc_tiep_on_zalo_is_never_taken_as_the_online_choice(services):
    # "trực tiếp" (in person) and "trực tuyến" (online) are words of their own, not typos
    lan = await joined(services, "lan", "B1")
    terminal = await terminal_as(services, lan)
    await terminal.say("/sinhhoat")
    await terminal.say("hom qua")
    assert "Trực tuyến" not in await terminal.say("sinh hoat truc tiep")


def test_a_typo_never_changes_a_number_in_a_unit_name_on_a_numbered_menu():
    # only "khu phố 1" on this page: "khu pho 3" is another branch, not a typo of it
    menu = OpenMenu((("🏠 Chi đoàn khu phố 1", "u:1"), ("Chi đoàn ấp Tân Đông", "u:2")), False, START)
    assert read(menu, "chi doan khu pho 3").action is None
    assert read(menu, "chi doan khu pho").action is None
    assert read(menu, "chi doan khu po 1").action == Action("u", (1,))
    assert read(menu, "chi doan ap tan dog").action == Action("u", (2,))


def test_a_menu_line_copied_whole_picks_its_choice_and_a_mismatched_one_picks_nothing():
    # on Zalo a line of the menu is long-pressed, copied and sent back as it is
    menu = OpenMenu((("Hôm nay", "f:1:0:o0"), ("Hôm qua", "f:1:0:o1"), ("✖ Hủy", "f:1:0:x")), False, START)
    assert read(menu, "2. Hôm qua").action == Action.decode("f:1:0:o1")
    assert read(menu, "3. ✖ Hủy").action == Action.decode("f:1:0:x")
    assert read(menu, "1. Hôm qua").action is None                  # which one was meant?
    counted = OpenMenu((("↩ Quay lại", "f:1:0:b"), ("✖ Hủy", "f:1:0:x")), True, START)
    assert read(counted, "• ↩ Quay lại").action == Action.decode("f:1:0:b")
    assert read(counted, "-1").action is None


async def test_a_command_word_typed_with_a_small_typo_on_zalo_still_runs_it(services):
    lan = await joined(services, "lan", "B1")
    await lan.say("sinh hot")
    assert "Buổi sinh hoạt diễn ra ngày nào?" in lan.text
    await lan.say("huy")
    await lan.say("cap nhap")                                  # the usual misspelling of "cập nhật"
    assert "bao nhiêu đoàn viên" in lan.text
    await lan.say("huy")
    await lan.say("xin chao")
    assert lan.text == t("help.no_form")


async def test_typing_chon_2_or_so_2_on_zalo_picks_the_second_choice_and_records_no_count(services):
    lan = await joined(services, "lan", "B1")
    terminal = await terminal_as(services, lan)
    for typed in ("chọn 2", "so 2", "Số 2."):
        await terminal.say("/sinhhoat")
        assert "Đó là buổi gì?" in await terminal.say(typed), typed          # Hôm qua
        shown = await terminal.say("sinh hoat chi doan")
        assert "Có bao nhiêu đoàn viên tham dự?" in shown and "Số tham dự: 2" not in shown, typed
        await terminal.say("huy")


async def test_half_an_emoji_in_a_note_or_a_name_is_dropped_not_an_internal_error(services):
    """A message cut in the middle of an emoji leaves a lone surrogate: it could not be stored, and
    the note was lost behind "Mã lỗi"."""
    from domain.conversation import Incoming
    from handlers.router import handle

    chat = await joined(services, "b1-half", "B1")
    for typed in ("/sinhhoat", "hom qua", "sinh hoat chi doan", "12", "Thêm nội dung"):
        await chat.say(typed)
    [reply] = await chat.say("họp bàn kế hoạch \ud83d")
    assert "Mã lỗi" not in reply.text and "họp bàn kế hoạch" in reply.text
    named = await handle(services, Incoming("terminal", "b1-half", "b1-half", "Lan \ud83d", text="/baocao"))
    assert "Mã lỗi" not in named[0].text
