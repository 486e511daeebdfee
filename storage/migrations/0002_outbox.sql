-- The outbox (every message the bot sends on its own is a row here first) and deadline
-- confirmations.  Times are UTC ISO-8601, except outbox.not_before (milliseconds, for the
-- one-second spacing per chat).

-- A reminder's text is the same for thousands of units: kept once, referenced by each row.
CREATE TABLE outbox_bodies (
    id          INTEGER PRIMARY KEY,
    digest      TEXT NOT NULL UNIQUE,      -- sha1 of payload
    payload     TEXT NOT NULL              -- Reply.to_dict() as JSON
);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    -- what makes this message unique, e.g. "r:12:so-ket-bao-cao:2026:before-3:7" (unit, item,
    -- occurrence, step, person); a tick that derives the same reminder again inserts nothing
    dedup_key   TEXT NOT NULL UNIQUE,
    -- the chat is the person's current one, read when sending; one person, one queue in id order
    -- no REFERENCES: a busy tick inserts 200,000 rows and each foreign key is a look-up per row;
    -- rows are written only by storage/outbox.py, with ids it has just read
    person_id   INTEGER NOT NULL,
    body_id     INTEGER NOT NULL,
    status      TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'dropped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  INTEGER NOT NULL,          -- milliseconds since 1970 UTC
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    message_id  TEXT,
    error       TEXT
);
-- Few, narrow indexes: a busy tick inserts a row per reminder, and each index costs per row.
CREATE INDEX outbox_queued ON outbox(id) WHERE status = 'queued';
CREATE INDEX outbox_person ON outbox(person_id, id) WHERE status IN ('queued', 'sending');

-- A unit saying it sent an item's occurrence ("Đã nộp"); deleting the row undoes it.
CREATE TABLE confirmations (
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    item_id       TEXT NOT NULL,
    occurrence    TEXT NOT NULL,           -- "2026", "2026-Q2", ... (bot.deadlines.schedule.Occurrence.key)
    person_id     INTEGER REFERENCES people(id),
    confirmed_at  TEXT NOT NULL,
    PRIMARY KEY (unit_id, item_id, occurrence)
);
CREATE INDEX confirmations_item ON confirmations(item_id, occurrence);
