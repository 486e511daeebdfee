"""Sentences of the deadlines feature, by key (merged into messages_vi.t)."""

MESSAGES: dict[str, str] = {
    # reminders (bot/reminders.py)
    "dl.reminder.before": "⏰ Nhắc hạn: {title}\nHạn của đơn vị: {date} (còn {days} ngày).",
    "dl.reminder.due": "⏰ Hôm nay là hạn: {title}\nHạn của đơn vị: {date}.",
    # the button below is "Đã nộp", or the form that answers the item ("Báo cáo 1+1")
    "dl.reminder.late": (
        "⚠️ Đã quá hạn {days} ngày: {title}\nHạn của đơn vị: {date}.\n"
        "Chọn nút bên dưới để báo cáo hoặc báo đã nộp; trợ lý sẽ thôi nhắc."
    ),
    # {title} names the meeting already ("Sinh hoạt chi đoàn — tháng 11/2026"): not again here
    "dl.reminder.nudge": (
        "📅 {title}: trợ lý chưa thấy báo cáo nào.\n"
        "Hạn: {date} (còn {days} ngày). Chi đoàn đã sinh hoạt thì chọn bên dưới để báo cáo."
    ),
    "dl.escalation": "⚠️ {title} — {period}: {count} đơn vị chưa nộp, đã quá hạn {due}:\n{units}",
    "dl.escalation.line": "• {name}",
    "dl.blocked": (
        "🚫 {name} ({unit}) đã chặn trợ lý nên không nhận được tin nhắc hạn. "
        "Nhờ đồng chí liên hệ trực tiếp."
    ),
    # a dash, not brackets: a title may end in brackets of its own ("… (cuối năm)")
    "dl.title_with_period": "{title} — {period}",
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
    "dl.lich.button.confirm": "✅ Mục {number}: đã nộp",
    "dl.lich.button.undo": "↩️ Mục {number}: bỏ đánh dấu đã nộp",
    "dl.lich.button.form": "📝 Mục {number}: báo cáo",
    # after confirming a late item, which leaves the list: the way back from a mistaken tap
    "dl.button.undo_confirmed": "↩️ Bỏ đánh dấu đã nộp",
    "dl.confirmed": "✅ Đã ghi nhận: {unit} đã nộp «{title}» ({period}). Trợ lý sẽ thôi nhắc việc này.",
    "dl.confirmed_already": "Việc «{title}» ({period}) đã được ghi nhận là đã nộp rồi.",
    "dl.unconfirmed": "↩️ Đã bỏ ghi nhận «đã nộp» cho «{title}» ({period}). Trợ lý sẽ nhắc lại khi đến hạn.",
    "dl.unconfirmed_none": "Việc «{title}» ({period}) chưa được ghi nhận là đã nộp.",
    "dl.unknown_item": "Việc này không còn trong lịch hạn. Gõ /lich để xem lịch mới.",

    # start-up and the terminal
    "dl.calendar_error": "Lịch hạn trong tệp {path} có {count} lỗi, bot chưa chạy được. Sửa các dòng sau rồi chạy lại:",
    "dl.terminal.to": "[tin gửi tới {name}]",

    # problems in a calendar file (domain/deadlines/calendar.py): read by whoever edits the file
    "cal.at_file": "{file}: {problem}",
    "cal.at_line": "{file}, dòng {line}: {problem}",
    "cal.at_column": "{file}, dòng {line}, cột {column}: {problem}",
    "cal.in": "{where}: {problem}",
    "cal.in_settings": "[settings]",
    "cal.in_item": "[[item]] thứ {index}",
    "cal.in_item_id": "[[item]] thứ {index} (id {id})",
    "cal.missing": "không có tệp lịch này",
    "cal.unreadable": "không đọc được tệp lịch ({error})",
    "cal.not_utf8": "tệp không phải văn bản UTF-8; hãy lưu lại tệp với bảng mã UTF-8",
    "cal.toml": "sai cú pháp TOML: {what}",
    "cal.toml.statement": "dòng này không phải «khóa = giá trị», [bảng] hay [[item]]",
    "cal.toml.trailing": "sau giá trị còn thừa chữ; mỗi dòng chỉ ghi một «khóa = giá trị»",
    "cal.toml.equals": "thiếu dấu = sau tên khóa",
    "cal.toml.key": "tên khóa có ký tự không hợp lệ (chỉ dùng chữ không dấu, số, - và _)",
    "cal.toml.value": "giá trị không hợp lệ; chữ phải đặt trong ngoặc kép, ví dụ \"15/06\"",
    "cal.toml.unterminated": "chuỗi chữ chưa có ngoặc kép đóng",
    "cal.toml.illegal_character": "chuỗi chữ có ký tự không được phép (có thể thiếu ngoặc kép đóng)",
    "cal.toml.table_twice": "bảng này đã được khai báo ở trên rồi",
    "cal.toml.key_twice": "khóa này đã được ghi ở trên rồi",
    "cal.toml.namespace": "không ghi thêm được vào một bảng hay khóa đã có",
    "cal.toml.table_bracket": "thiếu dấu ] ở cuối tên bảng",
    "cal.toml.array_bracket": "thiếu ]] ở cuối, viết [[item]]",
    "cal.toml.unclosed_array": "danh sách chưa có dấu ] đóng",
    "cal.toml.unclosed_table": "bảng viết trên một dòng chưa có dấu } đóng",
    "cal.toml.datetime": "ngày giờ không hợp lệ; ngày hạn ghi dạng chữ, ví dụ due = \"15/06\"",
    "cal.toml.escape": "dấu \\ trong chuỗi chữ không hợp lệ",
    "cal.toml.other": "tệp không đúng định dạng TOML",
    "cal.unknown_top": "khóa lạ «{name}» (tệp chỉ có [settings] và các [[item]])",
    "cal.settings_not_table": "settings phải là một bảng, viết [settings]",
    "cal.item_not_array": "item phải là các bảng, mỗi việc bắt đầu bằng [[item]]",
    "cal.unknown_key": "khóa lạ «{name}»",
    "cal.whole_number": "{name} phải là số nguyên từ 0 trở lên, đang là {value}",
    "cal.nudge_day": "meeting_nudge_day phải là số nguyên từ 1 đến 28, đang là {value}",
    "cal.time": "{name} phải là giờ dạng \"HH:MM\", ví dụ \"08:00\", đang là {value}",
    "cal.send_in_quiet": "send_at {send_at} rơi vào giờ yên lặng {start}-{end}, nên không tin nào gửi được",
    "cal.lead_days_table": "lead_days phải là một bảng, ví dụ {{ grassroots = 5, branch = 5 }}, đang là {value}",
    "cal.lead_days_level": "lead_days: không có cấp «{level}» (các cấp: {levels})",
    "cal.ladder_list": "ladder_days_before phải là danh sách số nguyên, ví dụ [7, 3, 1, 0], đang là {value}",
    "cal.ladder_steps": "ladder_days_before: mỗi bước phải là số nguyên từ 0 trở lên, sai: {bad}",
    "cal.ladder_repeated": "ladder_days_before: có bước bị lặp trong {value}",
    "cal.item_not_table": "mỗi [[item]] phải là một bảng",
    "cal.duplicate_id": "id trùng với [[item]] thứ {first}",
    "cal.bad_id": "id chỉ gồm chữ thường không dấu a-z, số 0-9 và dấu -, đang là {value}",
    "cal.required_text": "cần có {name} là chữ, không để trống, đang là {value}",
    "cal.source_text": "source phải là chữ, đang là {value}",
    "cal.level": "level phải là một trong {levels}, đang là {value}",
    "cal.cascade": "cascade phải là true hoặc false, đang là {value}",
    "cal.collects": "collects phải là một trong {values}, hoặc bỏ dòng này, đang là {value}",
    "cal.due_and_recurrence": "chỉ ghi một trong hai: due (ngày dd/mm) hoặc recurrence, không ghi cả hai",
    "cal.no_due_or_recurrence": "cần ghi due (ngày dd/mm) hoặc recurrence; việc này chưa có cái nào",
    "cal.recurrence": "recurrence phải là một trong {values}, đang là {value}",
    "cal.due_shape": "due phải là ngày và tháng dạng \"dd/mm\", ví dụ \"15/06\", đang là {value}",
    "cal.due_not_real": "due {value} không phải một ngày có thật trong năm",
}
