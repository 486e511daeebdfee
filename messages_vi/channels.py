"""Sentences of the channels themselves (numbered menus where a messenger has no buttons, the
terminal) and of the router that every channel hands its messages to."""

MESSAGES = {
    "numbered.line": "{number}. {label}",
    "numbered.hint": "👉 Trả lời bằng số thứ tự hoặc gõ chữ.",
    # A count is being asked: digits are the count, so the choices are picked by their words.
    "numbered.word_line": "• {label}",
    "numbered.words_hint": "👉 Gõ số để trả lời câu hỏi; muốn chọn mục khác thì gõ chữ (ví dụ: {example}).",
    "numbered.out_of_range": "Chỉ có các lựa chọn từ 1 đến {last}. Trả lời bằng một số trong khoảng đó, hoặc gõ chữ.",
    "numbered.out_of_range_one": "Chỉ có một lựa chọn, số 1. Trả lời bằng số 1, hoặc gõ chữ.",
    # starting the bot (bot/app.py, the channels' run)
    "telegram.bad_token": (
        "Telegram từ chối TELEGRAM_BOT_TOKEN (mã sai hoặc đã bị thu hồi). "
        "Lấy lại mã ở @BotFather, sửa trong tệp .env rồi chạy lại."
    ),
    # handlers/router.py: the person moved to another unit while a form of the old one was open
    "form.left_behind": (
        "{title} bạn điền dở cho {unit} đã được bỏ, vì bạn không còn phụ trách đơn vị đó. "
        "Không có gì được lưu."
    ),
    "command.arg_too_long": (
        "Phần gõ sau /{command} dài quá (tối đa {most} ký tự) nên trợ lý không đọc. "
        "Bạn gõ lại ngắn hơn nhé, ví dụ /{command} hoặc /trogiup."
    ),
    # bot/channels/terminal.py: ":la" typed without the person's number
    "terminal.which_person": "Gõ :la và số của người muốn làm, ví dụ :la 2. Gõ :ai để xem danh sách.",
    "app.channel_failed": "Kênh {channel} dừng vì một lỗi ({error}); trợ lý dừng theo. Xem nhật ký để biết chi tiết.",
}

# --- Zalo (bot/channels/zalo.py, bot/settings.py) ---------------------------------------------
MESSAGES.update({
    # Zalo sends no files and takes a photo only as a link: the caption goes, with how to get the file.
    "zalo.no_document": (
        "📎 Zalo chưa cho trợ lý gửi tệp, nên tệp {name} chưa gửi được qua đây. Tệp đã được lưu trên "
        "máy chạy trợ lý: hãy nhờ người quản lý trợ lý gửi cho bạn (lệnh python -m bot export cũng "
        "xuất lại được tệp này)."
    ),
    "zalo.no_photo": (
        "🖼 Zalo chỉ nhận ảnh qua một đường link, nên ảnh {name} chưa gửi được qua đây. Số liệu có đủ "
        "trong tin nhắn; cần ảnh thì nhờ người quản lý trợ lý gửi cho bạn."
    ),
    # python -m bot prints this when Zalo answers 401 at start (ZaloTokenRejected)
    "zalo.token_rejected": (
        "Zalo không nhận ZALO_BOT_TOKEN: token sai hoặc đã bị thu hồi. Hãy lấy lại token của bot "
        "trên trang quản lý bot Zalo rồi ghi vào .env."
    ),
    "settings.bad_zalo_token": (
        "ZALO_BOT_TOKEN không đúng dạng token của bot Zalo (chỉ gồm chữ không dấu, chữ số và các dấu "
        ": _ - . ~, không có dấu cách)."
    ),
    "settings.bad_zalo_base_url": "ZALO_API_BASE_URL phải là một địa chỉ http(s), ví dụ {default}",
    "settings.bad_zalo_secret": (
        "ZALO_WEBHOOK_SECRET phải dài từ 8 đến 256 ký tự, chỉ gồm chữ không dấu, chữ số và dấu câu, "
        "không có dấu cách (đang có {length} ký tự)."
    ),
})

MESSAGES.update({
    # python -m bot: getMe refused at start for a reason other than the token (a wrong address)
    "zalo.cannot_start": (
        "Zalo từ chối khi trợ lý khởi động ({error}). Kiểm tra ZALO_API_BASE_URL trong .env "
        "(để trống là địa chỉ chính thức) rồi chạy lại."
    ),
})

MESSAGES.update({
    # domain.sender.MonthlyQuota: queued once a month to the root unit's officers at 80% of the quota
    "quota.warning": (
        "⚠️ Trợ lý đã gửi {count} trong hạn mức {limit} tin nhắn {channel} của tháng {month}. Khi hết "
        "hạn mức, trợ lý vẫn trả lời tin nhắn và vẫn gửi nhắc hạn (hạn gần nhất gửi trước); bản tin tuần "
        "và các thông báo khác sẽ chờ sang tháng sau mới gửi."
    ),
    # the weekly digest (domain/digests/text.py), when the quota held messages back in its week
    "weekly.quota_unsent": (
        "• {count} tin nhắn Zalo chưa gửi được vì trợ lý đã dùng hết hạn mức {limit} tin Zalo mỗi "
        "tháng; các tin này sẽ gửi khi sang tháng mới"
    ),
})
