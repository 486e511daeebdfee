-- An officer's nudge (handlers/nudges.py): a unit under them reminded by hand of one occurrence of
-- a deadline it has not answered, through the outbox. The unique key is the limit: one nudge a
-- Vietnam day per unit and occurrence, whoever asks.
CREATE TABLE nudges (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES units(id),     -- the unit nudged
    item_id       TEXT NOT NULL,                              -- the calendar item
    occurrence    TEXT NOT NULL,                              -- "2026-11", "2026-Q4", "2026", ...
    day           TEXT NOT NULL,                              -- the Vietnam day, "2026-11-23"
    from_unit_id  INTEGER NOT NULL REFERENCES units(id),     -- the asking officer's unit
    person_id     INTEGER NOT NULL REFERENCES people(id),    -- the officer who asked
    recipients    INTEGER NOT NULL CHECK (recipients > 0),   -- people the message was queued for
    at            TEXT NOT NULL,
    UNIQUE (unit_id, item_id, occurrence, day)
);
-- The list of who has not sent an occurrence marks the units nudged today.
CREATE INDEX nudges_of_day ON nudges(item_id, occurrence, day);
