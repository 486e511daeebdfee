"""Sentences of several Zalo bots in one deployment (ZALO_BOTS_FILE) and of files offered as links."""

MESSAGES = {
    # the bot's name in the monthly quota's warning ("… tin nhắn {channel} của tháng …")
    "zalo_bots.label": "Zalo (tài khoản {bot})",
    # python -m bot: one bot of the file refused by Zalo; the others go on
    "startup.zalo_bot_refused": (
        "Zalo không nhận token của bot {bot} (token sai hoặc đã bị thu hồi): bot {bot} dừng, các bot khác "
        "vẫn chạy. Lấy lại token của bot trên trang quản lý bot Zalo, ghi vào tệp ZALO_BOTS_FILE rồi "
        "khởi động lại trợ lý."
    ),
    "startup.zalo_no_bot_left": "Không còn bot Zalo nào chạy được (Zalo không nhận token của bot nào); trợ lý dừng.",
    # at start, a unit code of the file that is not in the database (yet)
    "startup.zalo_bot_unknown_unit": (
        "Bot Zalo {bot}: chưa có đơn vị mã {code} trong cơ sở dữ liệu, nên mã mời của đơn vị này chưa "
        "có bot nào trả lời. Kiểm tra mã trong tệp ZALO_BOTS_FILE hoặc nhập danh sách đơn vị."
    ),
    # bot/settings.py: the bots file, refused at start with one line naming the bot, never its token
    "settings.zalo_bots.missing": "Không tìm thấy tệp danh sách bot Zalo (ZALO_BOTS_FILE): {path}",
    "settings.zalo_bots.not_toml": (
        "Tệp danh sách bot Zalo {path} không đúng dạng TOML{where}. Xem ví dụ trong README (mục Zalo)."
    ),
    "settings.zalo_bots.where": " (dòng {line})",
    "settings.zalo_bots.empty": (
        "Tệp danh sách bot Zalo {path} chưa có bot nào: mỗi bot là một mục [[bot]] có key, token và units."
    ),
    "settings.zalo_bots.top": "Tệp danh sách bot Zalo {path} chỉ gồm các mục [[bot]]; không dùng được: {names}",
    "settings.zalo_bots.bad": "Tệp danh sách bot Zalo {path}, bot {bot}: {problem}",
    "settings.zalo_bots.nth": "thứ {number}",
    "settings.zalo_bots.key": (
        "key phải gồm 1 đến 40 chữ thường không dấu, chữ số, - hoặc _ (key nằm trong địa chỉ webhook "
        "/zalo/<key>, thay cho token)"
    ),
    "settings.zalo_bots.token": (
        "token không đúng dạng token của bot Zalo (chỉ gồm chữ không dấu, chữ số và các dấu : _ - . ~)"
    ),
    "settings.zalo_bots.units": 'units phải là danh sách mã đơn vị mà bot phụ trách, ví dụ units = ["XA-AB"]',
    "settings.zalo_bots.quota": "quota phải là một số nguyên dương: số tin nhắn bot được gửi mỗi tháng",
    "settings.zalo_bots.fields": "không có mục {names}; mỗi bot chỉ có key, token, units và quota",
    "settings.zalo_bots.same_key": "key {bot} đã dùng cho một bot khác trong tệp",
    "settings.zalo_bots.same_token": "token này đã dùng cho bot {other}; mỗi bot có token riêng",
    "settings.zalo_bots.token_of_env": (
        "token này cũng là ZALO_BOT_TOKEN; một bot chỉ khai một lần (để ZALO_BOT_TOKEN trống, hoặc bỏ bot "
        "này khỏi tệp)"
    ),
    "settings.zalo_bots.same_unit": "đơn vị {code} đã giao cho bot {other}; mỗi đơn vị do một bot phụ trách",
    # a file a handler returns, on Zalo (no documents there): the web app's signed link
    "zalo.file_link": "📎 Tải tệp {name} tại:\n{url}\n(Liên kết dùng được đến {expires}.)",
    # the page a browser shows for such a link that opens nothing (bot/web.py GET /export/…)
    "export_link.page_title": "Tải tệp — trợ lý chi đoàn",
    "export_link.expired": (
        "Liên kết tải tệp này đã hết hạn: mỗi liên kết chỉ dùng được trong 24 giờ. Hãy quay lại trò "
        "chuyện với trợ lý và xin lại tệp (ví dụ gõ xuat để xuất lại bảng tổng hợp); trợ lý sẽ gửi "
        "liên kết mới."
    ),
    "export_link.not_found": (
        "Liên kết này không mở được tệp nào: có thể liên kết bị chép thiếu hoặc sai. Hãy mở lại đúng "
        "liên kết trợ lý đã gửi, hoặc xin lại tệp trong trò chuyện với trợ lý để nhận liên kết mới."
    ),
}
