-- The level a person reads of a unit ("commune", "ward", "school", ...: domain.rules.LEVEL_NAMES),
-- beside its structural level (province, district, grassroots, branch), which the code counts on.
-- Since 2025 a Đoàn xã/phường reports straight to the Tỉnh đoàn: structurally a grassroots unit,
-- read as a commune. Empty for a unit imported before: its level is its name ("district" is one).
ALTER TABLE units ADD COLUMN level_name TEXT NOT NULL DEFAULT '';
