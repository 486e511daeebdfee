"""Sentences of the officer's tools (issue 13, item 3), by key (merged into messages_vi.t): who has
not sent a deadline and the nudge (handlers/nudges.py, domain/nudges.py), a branch's history of
activity (handlers/history.py, domain/history.py)."""

MESSAGES: dict[str, str] = {
    # two units of one name, offered to pick from: told apart by their codes
    "units.twin": "{name} · {code}",
    # --- who has not sent it (/chuanop, the list under a unit) ---------------------------------
    "ot.items.title": "👥 Việc các đơn vị dưới {unit} chưa nộp (hôm nay {today}):",
    "ot.items.line": "{number}. {title}: {count} đơn vị chưa nộp{late}, hạn từ {date}",
    "ot.items.late": " ({count} đã quá hạn)",
    "ot.items.hint": "Chọn số để xem đơn vị nào chưa nộp và nhắc họ.",
    "units.none": "Dưới {unit} chưa có đơn vị nào.",
    # a unit named after /chidoan or /lichsu (handlers/units.py)
    "units.not_found": (
        "Không thấy đơn vị nào tên hay mã “{arg}” trong các đơn vị của {unit}. "
        "Gõ tên hay mã khác, hoặc gõ lệnh không kèm gì để chọn từ danh sách."
    ),
    "ot.items.branch": (
        "Chi đoàn không có đơn vị trực thuộc để nhắc. Các hạn nộp của chi đoàn, và báo đã nộp, ở mục Lịch nộp (/lich)."
    ),
    "ot.items.none": "✅ Các đơn vị dưới {unit} không còn việc nào chưa nộp trong lịch hạn. 🎉",
    "ot.unknown": "Việc này không còn trong lịch hạn. Gõ /chuanop để xem các việc còn chưa nộp.",
    "ot.unknown_under": (
        "«{title}» không phải việc của đơn vị nào dưới {unit} trong lịch hạn hiện nay. "
        "Gõ /chuanop để xem các việc còn chưa nộp."
    ),
    "ot.list.title": "👥 {title}\nDưới {unit}: {count} đơn vị chưa nộp, {late} đã quá hạn.",
    "ot.list.line": "{number}. {name} — {what}{marks}",
    "ot.list.own": "chưa nộp, hạn {date}",
    "ot.list.own_late": "chưa nộp, hạn {date}, quá hạn {days} ngày",
    "ot.list.below": "{count} đơn vị trực thuộc chưa nộp: {names}",
    "ot.list.mark.nudged": " · 📣 đã nhắc hôm nay",
    "ot.list.mark.nobody": " · chưa có ai dùng trợ lý",
    "ot.list.page": "Trang {page}/{pages}",
    "ot.list.hint": (
        "Chọn số để nhắc một đơn vị, hoặc «Nhắc tất cả». "
        "Mỗi đơn vị được nhắc nhiều nhất một lần mỗi ngày cho mỗi việc."
    ),
    "ot.list.border": (
        "{count} chi đoàn xã biên giới không tính tháng này: các chi đoàn đó sinh hoạt ít nhất 1 lần mỗi quý "
        "(Hướng dẫn 002), hạn vào tháng cuối quý."
    ),
    "ot.list.none": "✅ {title}: các đơn vị dưới {unit} đã nộp đủ.",
    "ot.names_more": "{names} và {count} đơn vị khác",
    "ot.button.all": "📣 Nhắc tất cả",
    "ot.button.open": "🔎 Xem {name}",
    "ot.button.items": "👥 Các việc chưa nộp",
    # /lich (handlers/deadlines.py), for an officer
    "ot.lich.owing_below": "   Đơn vị cấp dưới chưa nộp, chưa đến hạn: {count}",
    "ot.lich.button.who": "👥 Mục {number}: ai chưa nộp",

    # --- nudging ----------------------------------------------------------------------------
    "ot.sent_one": "📣 Đã nhắc {unit} ({people} người) về «{title}».",
    "ot.already_one": (
        "{unit} đã được nhắc «{title}» hôm nay rồi, nên trợ lý không gửi thêm tin nào. "
        "Từ ngày mai có thể nhắc lại."
    ),
    "ot.nobody_one": (
        "{unit} chưa có ai dùng trợ lý (hoặc đã chặn trợ lý), nên không nhắc được. "
        "Nhờ đồng chí liên hệ trực tiếp."
    ),
    "ot.nobody_one_below": (
        "{unit} chưa có cán bộ nào dùng trợ lý, nên không nhắc được. "
        "Chọn «Xem {unit}» để nhắc từng đơn vị trực thuộc."
    ),
    "ot.sent_all": "📣 «{title}»: đã nhắc {count} đơn vị ({people} người).",
    "ot.sent_none": "📣 «{title}»: không gửi tin nhắc nào.",
    "ot.skipped_nobody_open": "Đơn vị chưa có cán bộ dùng trợ lý thì chọn «Xem …» để nhắc từng đơn vị trực thuộc.",
    "ot.skipped_already": "Bỏ qua {count} đơn vị đã được nhắc hôm nay.",
    "ot.skipped_nobody": "Bỏ qua {count} đơn vị chưa có ai dùng trợ lý để nhắc: {names}.",
    "ot.quiet": "Đang giờ nghỉ ({start}–{end}): tin nhắc sẽ được gửi từ {end}.",
    "ot.not_self": "{unit} là đơn vị của chính bạn; trợ lý chỉ nhắc các đơn vị trực thuộc.",
    "ot.nothing_for": "{unit} không còn gì chưa nộp ở «{title}», nên không cần nhắc.",
    # the nudge itself, as the unit's secretary, deputies or officers read it
    "ot.nudge.head": "📣 {asker} nhắc:",
    "ot.nudge.own": "{unit} chưa nộp «{title}». Hạn của đơn vị: {date}.",
    "ot.nudge.below": (
        "{count} đơn vị trực thuộc {unit} chưa nộp «{title}» (hạn sớm nhất: {date}): {names}. "
        "Nhờ đồng chí đôn đốc."
    ),
    "ot.button.see_below": "👥 Xem đơn vị chưa nộp",

    # --- a branch's history of activity --------------------------------------------------------
    "hi.button.history": "📊 Lịch sử hoạt động",
    "hi.pick": "Chọn một chi đoàn, rồi chọn «Lịch sử hoạt động» trên thẻ chi đoàn.",
    "hi.branch_only": "{unit} không phải chi đoàn; lịch sử hoạt động chỉ có ở từng chi đoàn.",
    "hi.title": "📊 Lịch sử hoạt động — {unit}\n{start} – {end}",
    "hi.meetings": "Sinh hoạt theo tháng:",
    "hi.meetings.border": (
        "Sinh hoạt theo tháng (chi đoàn xã biên giới: sinh hoạt ít nhất 1 lần mỗi quý theo Hướng dẫn 002, "
        "nên tháng không có buổi nào chưa phải là thiếu; xét theo quý ở dưới):"
    ),
    "hi.month": "• {month}: {count} buổi — {meetings}{mark}",
    "hi.month.none": "• {month}: chưa có buổi nào{mark}",
    "hi.month.more": "và {count} buổi khác",
    "hi.meeting": "{kind} {mode} {attended}",
    "hi.kind.branch": "sinh hoạt",
    "hi.kind.committee": "họp BCH",
    "hi.attended_of": "{attended}/{members} người",
    "hi.attended": "{attended} người",
    "hi.mark.missed": " ⚠️ chưa sinh hoạt chi đoàn",
    "hi.mark.held": " ✅",
    "hi.mark.quarter_missed": " ⚠️",
    "hi.mark.open": " (chưa hết quý)",
    "hi.rule": "Tháng đã qua có sinh hoạt chi đoàn: {held}/{closed}.",
    "hi.rule.border": "Quý đã qua có sinh hoạt chi đoàn: {held}/{closed}.",
    "hi.rule.none": "Chưa có tháng nào đã qua để xét (chi đoàn mới thành lập).",
    "hi.rule.border.none": "Chưa có quý nào đã qua để xét (chi đoàn mới thành lập).",
    "hi.quarter": "• {quarter}: {held} buổi sinh hoạt chi đoàn{mark}",
    "hi.oneplusone": "1+1 (tham gia · thanh niên được vận động · kết nạp · giới thiệu cho Đảng):",
    "hi.oneplusone.line": "• {period}: {participants} · {youth} · {new} · {party}",
    "hi.oneplusone.none": "• {period}: chưa báo cáo",
    "hi.new_members.history": "Đoàn viên mới theo quý (theo các lần cập nhật số đoàn viên với lý do «Kết nạp mới»):",
    "hi.new_members.oneplusone": (
        "Đoàn viên mới (chi đoàn chưa ghi lần «Kết nạp mới» nào khi cập nhật số đoàn viên, "
        "nên lấy số kết nạp trong các báo cáo 1+1, theo kỳ báo cáo):"
    ),
    "hi.new_members.none": (
        "Đoàn viên mới: chưa có số liệu (chưa có lần cập nhật số đoàn viên nào ghi «Kết nạp mới», "
        "cũng chưa có báo cáo 1+1)."
    ),
    "hi.new_members.line": "• {period}: {count}",
    "hi.photos": "🖼 Ảnh minh chứng: {photos} ảnh của {meetings} buổi.",
    "hi.photos.none": "🖼 Chưa có ảnh minh chứng nào trong 12 tháng qua.",
    "hi.photos.title": "🖼 Các buổi có ảnh minh chứng của {unit} — chọn số để xem ảnh:",
    "hi.photos.line": "{number}. {meeting} — {count} ảnh",
    "hi.photo.caption": "🖼 {meeting} (ảnh {number}/{count})",
    "hi.photos.gone": "Ảnh của buổi {meeting} không còn trên máy chạy trợ lý.",
    "hi.photos.some_gone": "{count} ảnh của buổi này không còn trên máy chạy trợ lý.",
    "hi.button.photos": "🖼 Xem ảnh ({count})",
    "hi.button.card": "🏠 Thẻ chi đoàn",
    "hi.button.back": "📊 Lịch sử hoạt động",
    "hi.button.photo_list": "🖼 Các buổi có ảnh",
}
