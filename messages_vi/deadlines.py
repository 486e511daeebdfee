"""Sentences of the deadlines feature, by key (merged into messages_vi.t)."""

MESSAGES: dict[str, str] = {
    # reminders (bot/reminders.py)
    "dl.reminder.before": "⏰ Nhắc hạn: {title}\nHạn của đơn vị: {date} (còn {days} ngày).",
    "dl.reminder.due": "⏰ Hôm nay là hạn: {title}\nHạn của đơn vị: {date}.",
    "dl.reminder.late": (
        "⚠️ Đã quá hạn {days} ngày: {title}\nHạn của đơn vị: {date}.\n"
        "Nếu đơn vị đã nộp, bấm nút bên dưới để bot thôi nhắc."
    ),
    "dl.reminder.nudge": (
        "📅 Chưa thấy báo cáo sinh hoạt chi đoàn: {title}\n"
        "Hạn: {date} (còn {days} ngày). Đã sinh hoạt thì bấm nút bên dưới để báo cáo."
    ),
    "dl.escalation": "⚠️ {title} ({period}): {count} đơn vị chưa nộp, đã quá hạn:\n{units}",
    "dl.escalation.line": "• {name}",
    "dl.blocked": (
        "🚫 {name} ({unit}) đã chặn bot, nên không nhận được tin nhắc hạn. "
        "Nhờ đồng chí liên hệ trực tiếp."
    ),
    "dl.title_with_period": "{title} ({period})",
    "dl.button.confirm": "✅ Đã nộp",
    "dl.button.meeting": "📝 Báo cáo sinh hoạt",
    "dl.button.oneplusone": "📝 Báo cáo 1+1",

    # /lich (handlers/deadlines.py)
    "dl.lich.title": "📅 Lịch hạn của {unit} (hôm nay {today}):",
    "dl.lich.none": "📅 {unit} không có hạn nào trong {days} ngày tới. 🎉",
    "dl.lich.item": "{number}. {title}\n   Hạn: {date} — {left}",
    "dl.lich.item_below": "{number}. {title}\n   Hạn của đơn vị cấp dưới: {date}",
    "dl.lich.left.days": "còn {days} ngày",
    "dl.lich.left.today": "hôm nay là hạn",
    "dl.lich.left.late": "quá hạn {days} ngày",
    "dl.lich.done": "✅ đã nộp",
    "dl.lich.late_below": "   Đơn vị cấp dưới chưa nộp, đã quá hạn: {count}",
    "dl.lich.button.confirm": "✅ {number}. Đã nộp",
    "dl.lich.button.undo": "↩️ {number}. Bỏ «đã nộp»",
    "dl.lich.button.form": "📝 {number}. Báo cáo",
    "dl.lich.more": "… và {count} hạn nữa.",
    "dl.confirmed": "✅ Đã ghi nhận: {unit} đã nộp «{title}» ({period}). Bot sẽ thôi nhắc việc này.",
    "dl.confirmed_already": "Việc «{title}» ({period}) đã được ghi nhận là đã nộp rồi.",
    "dl.unconfirmed": "↩️ Đã bỏ ghi nhận «đã nộp» cho «{title}» ({period}). Bot sẽ nhắc lại khi đến hạn.",
    "dl.unconfirmed_none": "Việc «{title}» ({period}) chưa được ghi nhận là đã nộp.",
    "dl.unknown_item": "Việc này không còn trong lịch hạn. Gõ /lich để xem lịch mới.",
    "dl.button.lich": "📅 Xem lịch hạn",

    # start-up and the terminal
    "dl.calendar_error": "Lịch hạn trong tệp {path} có {count} lỗi, bot chưa chạy được. Sửa các dòng sau rồi chạy lại:",
    "dl.terminal.to": "[tin gửi tới {name}]",
}
