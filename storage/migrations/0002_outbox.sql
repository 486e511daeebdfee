-- The outbox (every message the bot sends on its own is a row here first), the reminder steps
-- already queued, and deadline confirmations.  Times are UTC ISO-8601, except outbox.not_before
-- (milliseconds, for the one-second spacing per chat).

-- A reminder's text is the same for thousands of units: kept once, referenced by each row.
CREATE TABLE outbox_bodies (
    id          INTEGER PRIMARY KEY,
    digest      TEXT NOT NULL UNIQUE,      -- sha1 of payload
    payload     TEXT NOT NULL              -- Reply.to_dict() as JSON
);

-- One step of one deadline occurrence queued by a tick for some units: a tick queues a step for
-- a unit only if no batch of the same occurrence covers the unit at that step or a later one, so
-- each step goes once and never after a later one.  The units are a packed array (the sorted ids'
-- differences as int64 little-endian, zlib-compressed) rather than a row each: a busy tick covers
-- 200,000 units in a handful of rows of a few KB, and the next tick reads them back in milliseconds.
CREATE TABLE reminder_batches (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('remind', 'escalate')),
    item_id     TEXT NOT NULL,
    occurrence  TEXT NOT NULL,             -- "2026", "2026-Q2", ... (bot.deadlines.schedule.Occurrence.key)
    step        TEXT NOT NULL,             -- "before-7", "due", "late-2", "nudge"; "late" for an escalation
    rank        INTEGER NOT NULL,          -- the step's place in the ladder: later steps rank higher
    units       BLOB NOT NULL,
    queued_at   TEXT NOT NULL
);
CREATE INDEX reminder_batches_occurrence ON reminder_batches(item_id, occurrence, kind);

-- The reminders one tick queues for one person, in sending order: JSON [[batch id, body id], ...].
-- One outbox row carries them all and the sender delivers them one message at a time: a busy tick
-- writes a row per person (100,000), not a row per reminder (200,000).
CREATE TABLE outbox_bundles (
    id          INTEGER PRIMARY KEY,
    parts       TEXT NOT NULL
);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    -- the chat is the person's current one, read when sending; one person, one queue in id order
    -- no REFERENCES: a busy tick inserts 100,000 rows and each foreign key is a look-up per row;
    -- rows are written only by storage/outbox.py, with ids just read
    person_id   INTEGER NOT NULL,
    -- one message (body_id), or the reminders of a bundle (bundle_id), of which `part` goes next
    body_id     INTEGER,
    bundle_id   INTEGER,
    part        INTEGER NOT NULL DEFAULT 0,
    unit_id     INTEGER,                   -- a bundle's: the unit its reminders are about
    -- what makes a message unique, e.g. "digest:7:2026-W23": a key is queued once.  NULL for a
    -- bundle, which reminder_batches deduplicates; outbox.sent_to shows its parts' keys as
    -- "r:unit:item:occurrence:step:person" (an escalation: "e:district:item:occurrence:person").
    dedup_key   TEXT,
    -- ORs, not "status IN (...)": SQLite 3.40 evaluates an IN list in a CHECK at twice the cost of
    -- the whole insert (measured on 100,000 rows: 0.14 s against 0.07 s)
    status      TEXT NOT NULL DEFAULT 'queued'
                CHECK (status = 'queued' OR status = 'sending' OR status = 'sent' OR status = 'failed'
                       OR status = 'dropped'),
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  INTEGER NOT NULL DEFAULT 0,    -- milliseconds since 1970 UTC; 0: at once
    created_at  TEXT,                      -- NULL for a bundle: its batches' queued_at (a narrower row)
    sent_at     TEXT,
    message_id  TEXT,                      -- a bundle's: its parts' ids, space-separated
    error       TEXT,
    CHECK ((body_id IS NULL) != (bundle_id IS NULL))
);
-- Few, narrow, partial indexes: a busy tick inserts a row per person, and each index costs per
-- row; bundles (dedup_key NULL) stay out of the key index, sent rows out of the queue indexes.
CREATE UNIQUE INDEX outbox_key ON outbox(dedup_key) WHERE dedup_key IS NOT NULL;
CREATE INDEX outbox_queued ON outbox(id) WHERE status = 'queued';
CREATE INDEX outbox_person ON outbox(person_id, id) WHERE status IN ('queued', 'sending');

-- The few people who blocked the bot, left out of a tick's recipients without reading them all.
CREATE INDEX people_unreachable ON people(id) WHERE unreachable_at IS NOT NULL;

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

-- What a reminder tick reads, versioned: 'tree' (units, roles, who is reachable) and 'answers'
-- (confirmations, meetings, 1+1 reports).  The triggers below bump a version on every change
-- that can alter a tick's result, so a tick with the same versions at the same moment of the
-- day knows there is nothing new without reading anything, and the tree is read again only
-- when it changed.  A later migration that rebuilds one of these tables must create its
-- triggers again.
CREATE TABLE tick_inputs (
    name        TEXT PRIMARY KEY,
    version     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO tick_inputs (name) VALUES ('tree'), ('answers');

CREATE TRIGGER tick_units_insert AFTER INSERT ON units
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'tree'; END;
CREATE TRIGGER tick_units_update AFTER UPDATE OF parent_id, level, border, name ON units
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'tree'; END;
CREATE TRIGGER tick_units_delete AFTER DELETE ON units
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'tree'; END;

CREATE TRIGGER tick_roles_insert AFTER INSERT ON roles
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'tree'; END;
CREATE TRIGGER tick_roles_update AFTER UPDATE ON roles
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'tree'; END;
CREATE TRIGGER tick_roles_delete AFTER DELETE ON roles
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'tree'; END;

CREATE TRIGGER tick_people_update AFTER UPDATE OF unreachable_at ON people
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'tree'; END;
CREATE TRIGGER tick_people_delete AFTER DELETE ON people
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'tree'; END;

CREATE TRIGGER tick_confirmations_insert AFTER INSERT ON confirmations
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'answers'; END;
CREATE TRIGGER tick_confirmations_update AFTER UPDATE ON confirmations
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'answers'; END;
CREATE TRIGGER tick_confirmations_delete AFTER DELETE ON confirmations
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'answers'; END;

CREATE TRIGGER tick_meetings_insert AFTER INSERT ON meetings
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'answers'; END;
CREATE TRIGGER tick_meetings_update AFTER UPDATE OF unit_id, held_on, kind, deleted_at ON meetings
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'answers'; END;
CREATE TRIGGER tick_meetings_delete AFTER DELETE ON meetings
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'answers'; END;

CREATE TRIGGER tick_recruitment_insert AFTER INSERT ON recruitment
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'answers'; END;
CREATE TRIGGER tick_recruitment_update AFTER UPDATE OF unit_id, period, deleted_at ON recruitment
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'answers'; END;
CREATE TRIGGER tick_recruitment_delete AFTER DELETE ON recruitment
BEGIN UPDATE tick_inputs SET version = version + 1 WHERE name = 'answers'; END;
