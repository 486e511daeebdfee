"""Sentences of the database setting (DATABASE_URL: SQLite or PostgreSQL), of the copy from SQLite
to PostgreSQL (python -m bot migrate-to-postgres), of backups when the database is PostgreSQL, and
of the command line's other refusals: a settings file, data folder, database or other file it
cannot use, invite codes it cannot make as asked."""

URL_SHAPES = (
    "postgresql://người_dùng:mật_khẩu@máy_chủ:5432/tên_cơ_sở_dữ_liệu (PostgreSQL) "
    "hoặc sqlite:///đường/dẫn/tệp.sqlite3"
)

MESSAGES = {
    # bot/settings.py: one line, never the password
    "settings.bad_database_url": (
        "DATABASE_URL \"{value}\" không dùng được ({problem}). Dạng đúng: " + URL_SHAPES
        + "; để trống thì dùng tệp SQLite DATABASE_PATH."
    ),
    "settings.database_url.scheme": "chỉ nhận postgresql:// hoặc sqlite:///",
    "settings.database_url.no_file": "thiếu đường dẫn tệp sau sqlite:///",
    "settings.database_url.password_signs": (
        "mật khẩu có ký tự @, /, ? hoặc # phải viết dạng %XX: @ là %40, / là %2F, ? là %3F, # là %23"
    ),
    "settings.env_not_utf8": (
        "Tệp {path} không phải văn bản UTF-8 (dòng {line}); hãy lưu lại tệp với mã hoá UTF-8 "
        "(Notepad: Lưu thành…, Mã hoá: UTF-8)."
    ),
    "settings.env_line": (
        "Không đọc được dòng {line} của tệp {path}: mỗi dòng viết TÊN=giá trị (có dấu =; dấu ngoặc kép, "
        "nếu có, phải đóng lại trên cùng dòng), hoặc là dòng ghi chú bắt đầu bằng #."
    ),
    "settings.data_dir_not_folder": (
        "DATA_DIR={path} là một tệp, không phải thư mục; hãy ghi đường dẫn một thư mục (chưa có thì trợ lý tạo)."
    ),
    "settings.database_path_folder": (
        "DATABASE_PATH={path} là một thư mục; hãy ghi đường dẫn một tệp, ví dụ {example}."
    ),

    # python -m bot <command>: a path that is not what it should be, or a disk that refuses
    "cli.database_is_folder": (
        "{path} là một thư mục, không phải tệp dữ liệu; chưa làm gì. Hãy ghi đường dẫn một tệp, ví dụ {example}."
    ),
    "cli.db.unopened": "Không mở được cơ sở dữ liệu {database}: {reason}. Chưa làm gì.",
    "cli.db.cannot_open": "không tạo hay mở được tệp ở đó (thư mục không có, hoặc không cho ghi)",
    "cli.db.busy": "một tiến trình khác đang giữ cơ sở dữ liệu; thử lại sau",
    "cli.db.not_sqlite": "tệp này không phải cơ sở dữ liệu SQLite (kiểm tra lại --database, DATABASE_PATH)",
    "invites.branches_not_officers": (
        "--for-branches tạo mã Bí thư cho từng chi đoàn, không tạo mã cán bộ: bỏ --role officer, hoặc "
        "tạo mã cán bộ cho từng đơn vị: --unit MÃ --role officer."
    ),
    "cli.pg.no_database": (
        "cơ sở dữ liệu {name} chưa có trên máy chủ PostgreSQL; người quản trị PostgreSQL tạo nó trước, "
        "ví dụ: createdb {name} --owner TÊN_NGƯỜI_DÙNG"
    ),
    "cli.pg.refused_login": "máy chủ PostgreSQL không nhận người dùng {user} với mật khẩu trong địa chỉ",
    "cli.os_error": "Không ghi hoặc đọc được {path}: {reason}.",
    "cli.os_error_nameless": "Không ghi hoặc đọc được tệp: {reason}.",
    "cli.os.denied": "tài khoản đang chạy lệnh không có quyền",
    "cli.os.missing": "không có tệp hay thư mục này",
    "cli.os.not_folder": "một phần của đường dẫn là tệp, không phải thư mục",
    "cli.os.is_folder": "đây là một thư mục, không phải tệp",
    "cli.os.full": "ổ đĩa đã đầy",
    "cli.os.read_only": "ổ đĩa chỉ cho đọc",
    "cli.os.other": "lỗi hệ thống số {number}",

    # python -m bot backup / restore while the database is PostgreSQL
    "backup.postgres": (
        "Cơ sở dữ liệu đang dùng là PostgreSQL ({database}); lệnh backup chỉ sao lưu tệp SQLite. "
        "Hãy sao lưu bằng pg_dump, ví dụ: pg_dump --format=custom --file=chidoan.dump \"$DATABASE_URL\" "
        "(khôi phục bằng pg_restore)."
    ),
    "restore.postgres": (
        "Cơ sở dữ liệu đang dùng là PostgreSQL ({database}); lệnh restore chỉ khôi phục tệp SQLite. "
        "Hãy khôi phục bản sao lưu pg_dump bằng pg_restore, ví dụ: "
        "pg_restore --clean --if-exists --dbname=\"$DATABASE_URL\" chidoan.dump"
    ),

    # python -m bot migrate-to-postgres
    "cli.help.migrate_to_postgres": (
        "chép toàn bộ dữ liệu từ tệp SQLite sang PostgreSQL, giữ nguyên mã số; chạy lại được (dừng trợ lý trước)"
    ),
    "cli.help.migrate_from": "tệp SQLite nguồn (mặc định: DATABASE_PATH)",
    "cli.help.migrate_to": (
        "địa chỉ PostgreSQL đích, postgresql://người_dùng:mật_khẩu@máy_chủ:5432/tên (mặc định: DATABASE_URL)"
    ),
    "cli.help.url_metavar": "ĐỊA_CHỈ",
    "migrate.needs_url": (
        "Cần địa chỉ PostgreSQL đích: --to postgresql://người_dùng:mật_khẩu@máy_chủ:5432/tên_cơ_sở_dữ_liệu "
        "(hoặc đặt DATABASE_URL trong .env)."
    ),
    "migrate.bad_url": "Địa chỉ PostgreSQL \"{value}\" không dùng được ({problem}).",
    "migrate.start": "Đang chép {source} sang {target}…",
    "migrate.table": "  {table}: {source} dòng trong tệp SQLite, {target} dòng trong PostgreSQL",
    "migrate.done": (
        "Xong: {tables} bảng, {rows} dòng; số dòng của mọi bảng khớp nhau. Chạy lại lệnh này lúc nào cũng được "
        "(khi trợ lý dừng): những gì đổi trong tệp SQLite được chép lại, không dòng nào bị nhân đôi. "
        "Để trợ lý dùng PostgreSQL: đặt DATABASE_URL trong .env rồi khởi động lại trợ lý."
    ),
    "migrate.mismatch": (
        "Số dòng không khớp ở bảng {tables}: PostgreSQL có dòng mà tệp SQLite không có (có lẽ trợ lý đã chạy "
        "trên PostgreSQL). Kiểm tra lại trước khi chuyển hẳn sang PostgreSQL."
    ),
    "migrate.failed": "Không chép được: {error}. Chưa có gì được ghi vào PostgreSQL.",
    "migrate.cycle": "Không xếp được thứ tự chép các bảng {tables} (khoá ngoại trỏ vòng quanh nhau).",
    "migrate.columns_differ": "Bảng {table} trong PostgreSQL không khớp với tệp SQLite (cột {columns}).",
    # the source file refused (storage.backup.check_database)
    "migrate.not_sqlite": "Tệp {path} không phải một cơ sở dữ liệu SQLite; không chép.",
    "migrate.damaged": "Tệp {path} bị hỏng ({problem}); không chép. Hãy chép từ một bản sao lưu còn tốt.",
    "migrate.not_ours": "Tệp {path} không phải dữ liệu của trợ lý này (thiếu bảng {tables}); không chép.",
    "migrate.too_new": (
        "Tệp {path} do một phiên bản mới hơn của trợ lý tạo ra (lược đồ {version}, bản này chỉ biết đến {known}); "
        "hãy cập nhật trợ lý trước khi chép."
    ),
}
