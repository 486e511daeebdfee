"""The levels of the Union's units as people read them (domain.rules.LEVEL_NAMES), by key.

A unit's name already says its level ("Đoàn xã Tân Phú", "Tỉnh đoàn Vĩnh Long") and every
sentence names the unit by its name; these words are for where a level stands alone: a column of
the spreadsheet, the levels an import file may name, the kind of units under an officer.
"""

MESSAGES: dict[str, str] = {
    "level.province": "Tỉnh đoàn",
    "level.district": "Huyện đoàn",
    "level.commune": "Đoàn xã",
    "level.ward": "Đoàn phường",
    "level.special_zone": "Đoàn đặc khu",
    "level.school": "Đoàn trường",
    "level.grassroots": "Đoàn cơ sở",
    "level.branch": "Chi đoàn",
    # several level names at one depth of a tree, joined: "Đoàn xã / Đoàn phường"
    "level.join": " / ",
}
