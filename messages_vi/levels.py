"""The levels of the Union's units as people read them (domain.rules.LEVEL_NAMES), by key.

A unit's name already says its level ("Đoàn xã Tân Phú", "Tỉnh đoàn Vĩnh Long") and every
sentence names the unit by its name; these words are for where a level stands alone: a column of
the spreadsheet, the levels an import file may name, the kind of units under an officer; and the
unit file's refusals added since: a level that no longer fits the units below it, a file of no
unit, a value in a column with no header, a code that differs from another only in capitals.
"""

MESSAGES: dict[str, str] = {
    "level.province": "Tỉnh đoàn",
    "level.city": "Thành đoàn",
    "level.district": "Huyện đoàn",
    "level.affiliated": "Đoàn trực thuộc",
    "level.commune": "Đoàn xã",
    "level.ward": "Đoàn phường",
    "level.special_zone": "Đoàn đặc khu",
    "level.school": "Đoàn trường",
    "level.grassroots": "Đoàn cơ sở",
    "level.branch": "Chi đoàn",
    # several level names at one depth of a tree, joined: "Đoàn xã / Đoàn phường"
    "level.join": " / ",
    # python -m bot units import: a row's new level with stored units under it that cannot stay there
    "import.children_misfit": (
        "{count} đơn vị đang trực thuộc {code} ({children}) không thể ở dưới một đơn vị cấp {level}; "
        "hãy ghi cả các đơn vị đó vào tệp, với mã cấp trên mới"
    ),
    "import.no_rows": "tệp không có dòng đơn vị nào dưới dòng tiêu đề",
    "import.code_case": "mã {code} chỉ khác mã {other} ở chữ hoa, chữ thường; nếu là một đơn vị, dùng đúng {other}",
    "import.unnamed_cells": "có ô ở cột không có tiêu đề ({values}); thêm tiêu đề cho cột đó hoặc xoá ô",
}
