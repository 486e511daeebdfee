"""Sentences of the office's set-up commands added by its QA pass: revoking several invite codes
at once (typed, or every code of an invite file that went where it should not), an invite file
never written over, a restore pointed at the backups' folder instead of one backup, the terminal chat
asked to open the bot's own database before its units are imported."""

MESSAGES = {
    # python -m bot --help, units import --help, invites revoke --help
    "cli.help.about": (
        "Trợ lý Bí thư chi đoàn. Không có lệnh con: chạy bot (trên Zalo nếu có ZALO_BOT_TOKEN hoặc "
        "ZALO_BOTS_FILE, trên Telegram nếu có TELEGRAM_BOT_TOKEN; không có token nào thì trò chuyện thử "
        "trong cửa sổ này trên dữ liệu mẫu)."
    ),
    "cli.help.units_import_about": (
        "Nhập hoặc cập nhật đơn vị từ tệp CSV (UTF-8; dấu phẩy, chấm phẩy hoặc tab; cả \"Unicode Text\" "
        "của Excel). Dòng đầu là tiêu đề cột, tiếng Anh hoặc tiếng Việt, có dấu hay không đều được: "
        "code/ma_don_vi, name/ten_don_vi, level/cap, parent_code/ma_cap_tren, border/bien_gioi, "
        "members/so_doan_vien, và nếu muốn founded/ngay_thanh_lap (dd/mm/yyyy). Cấp: tỉnh đoàn, thành "
        "đoàn, đoàn xã, đoàn phường, đoàn đặc khu, đoàn trường, đoàn cơ sở (cả đoàn cơ sở trực thuộc), "
        "chi đoàn; ở giữa tỉnh đoàn và đoàn cơ sở: đoàn trực thuộc, đoàn khối, và huyện đoàn nếu dữ "
        "liệu còn cấp huyện. Biên giới: có hoặc không."
    ),
    "cli.help.invites_revoke_about": "thu hồi mã chưa dùng: một mã, nhiều mã, hoặc mọi mã của một tệp mã mời",
    # python -m bot invites revoke CODE… | --file FILE
    "invites.revoke_needs_code": (
        "Cần ít nhất một mã để thu hồi: python -m bot invites revoke MÃ [MÃ …], "
        "hoặc --file TỆP để thu hồi mọi mã trong một tệp mã mời."
    ),
    "cli.help.revoke_codes": (
        "mã mời cần thu hồi (chưa được dùng); nhiều mã cách nhau bằng dấu cách; "
        "mã chép theo nhóm 4 ký tự cũng được"
    ),
    "cli.help.revoke_file": (
        "thu hồi mọi mã trong tệp mã mời (tệp invites-….csv do lệnh create ghi, "
        "hoặc một tệp mỗi dòng một mã): khi tệp lọt ra ngoài"
    ),
    "invites.revoke_line": "{shown}: {status}",
    # python -m bot invites list --unit X
    "cli.help.invites_list": "liệt kê các mã mời còn dùng được của một đơn vị và các đơn vị trực thuộc",
    "cli.help.id_metavar": "SỐ",
    "cli.help.revoke_id": "thu hồi mã theo số #… in ở đầu dòng của lệnh invites list (dùng nhiều lần được)",
    "invites.list_title": "Mã mời còn dùng được của {unit} và các đơn vị trực thuộc: {count}",
    "invites.list_line": "  #{id}  {hint}…  {unit} ({code}) — {role}, tạo {created}, hết hạn {expires}",
    "invites.list_note": (
        "Chỉ in mấy ký tự đầu của mỗi mã: trợ lý chỉ giữ chừng đó (và dấu băm của mã), không giữ mã "
        "đầy đủ. Thu hồi một mã: python -m bot invites revoke --id SỐ"
    ),
    "invites.revoke_summary": "Đã thu hồi {revoked}/{total} mã.",
    "invites.revoke_file_empty": "Tệp {path} không có mã mời nào; chưa thu hồi gì.",
    "invites.revoke_file_unreadable": "Không đọc được tệp {path} (cần tệp CSV hoặc văn bản, UTF-8); chưa thu hồi gì.",
    "invites.revoke_no_file": "Không tìm thấy tệp {path}; chưa thu hồi gì.",
    # python -m bot chat --database: the bot's own database, before its units are imported
    "chat.no_units": (
        "{path} là cơ sở dữ liệu của trợ lý và chưa có đơn vị nào: trò chuyện thử sẽ ghi dữ liệu mẫu vào đó. "
        "Hãy nhập đơn vị trước (python -m bot units import TỆP.csv), hoặc trò chuyện thử trên dữ liệu mẫu: "
        "python -m bot chat"
    ),
    # python -m bot migrate-to-postgres, the bot still running on the SQLite file
    "migrate.bot_running": (
        "Trợ lý đang chạy trên {path} (một tiến trình khác đang mở tệp): những gì nó ghi sau khi chép sẽ "
        "không có trong PostgreSQL. Dừng trợ lý trước (sudo systemctl stop chidoan-bot, hoặc docker compose "
        "-f deploy/compose.yaml stop) rồi chạy lại lệnh này; chưa chép gì."
    ),
    # python -m bot restore FOLDER
    "restore.folder": (
        "{path} là một thư mục; hãy ghi tên một bản sao lưu trong đó, ví dụ bản mới nhất: "
        "python -m bot restore {newest}"
    ),
    "restore.empty_folder": "{path} là một thư mục và không có bản sao lưu nào (chidoan-….sqlite3) trong đó.",
}
