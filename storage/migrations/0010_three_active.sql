-- "3 chủ động" (seed 004): each year a grassroots unit registers a plan in three parts, each with
-- concrete items; the level above reviews every item (achieved or not) and decides whether the
-- unit is recognised. A plan can be corrected until its first item is reviewed.
CREATE TABLE three_active_plans (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    year          INTEGER NOT NULL,               -- the year the plan is for (registered the year before)
    number        TEXT NOT NULL DEFAULT '',       -- the plan's document number as typed ("05"); '' if none
    person_id     INTEGER NOT NULL REFERENCES people(id),   -- who sent it (or its last correction)
    submitted_at  TEXT NOT NULL,                  -- first sent
    updated_at    TEXT NOT NULL,                  -- last corrected
    recognised    INTEGER CHECK (recognised IN (0, 1)),     -- NULL: not decided yet
    decided_by    INTEGER REFERENCES people(id),
    decided_unit  INTEGER REFERENCES units(id),   -- the unit above in whose name it was decided
    decided_at    TEXT,
    UNIQUE (unit_id, year)
);
CREATE INDEX three_active_plans_year ON three_active_plans(year, unit_id);

-- A plan's items, in its parts 1-3 ("Chủ động ..."), numbered 1, 2, ... within their part.
CREATE TABLE three_active_items (
    id           INTEGER PRIMARY KEY,
    plan_id      INTEGER NOT NULL REFERENCES three_active_plans(id),
    part         INTEGER NOT NULL CHECK (part BETWEEN 1 AND 3),
    position     INTEGER NOT NULL CHECK (position >= 1),
    text         TEXT NOT NULL,
    achieved     INTEGER CHECK (achieved IN (0, 1)),       -- NULL: not reviewed yet
    reviewed_by  INTEGER REFERENCES people(id),
    reviewed_at  TEXT,
    UNIQUE (plan_id, part, position)
);

-- The "3 chủ động" conversations a person has open, one of each kind (a plan being typed, a
-- review, a decision's number asked), kept here so that they go on after a restart; typed text
-- goes to the one touched last. Buttons carry the id: ids are never reused, so an old button
-- never acts on a newer conversation.
CREATE TABLE three_active_sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    kind        TEXT NOT NULL,                    -- plan, review, decision
    state       TEXT NOT NULL,                    -- JSON
    version     INTEGER NOT NULL DEFAULT 0,       -- bumped by every change
    updated_at  TEXT NOT NULL,
    UNIQUE (person_id, kind)
);
