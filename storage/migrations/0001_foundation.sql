-- Units, people, roles, invites, member counts, open forms, reports and their audit trail.
-- All times are UTC ISO-8601 strings ("2026-06-15T01:00:00+00:00"); dates are "YYYY-MM-DD".

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'district', 'grassroots', 'branch')),
    parent_id   INTEGER REFERENCES units(id),
    -- ids from the root down to this unit, "/1/4/9/": a subtree is a prefix match.
    path        TEXT NOT NULL DEFAULT '',
    border      INTEGER NOT NULL DEFAULT 0 CHECK (border IN (0, 1)),
    members     INTEGER NOT NULL DEFAULT 0 CHECK (members >= 0),
    founded_on  TEXT,                      -- when the unit was set up, if the import said so
    created_at  TEXT NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);
CREATE INDEX units_path ON units(path);

CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    channel       TEXT NOT NULL,           -- telegram, terminal, zalo
    external_id   TEXT NOT NULL,           -- the user's id on that channel
    chat_id       TEXT NOT NULL,           -- where the bot writes to them
    display_name  TEXT NOT NULL DEFAULT '',
    unreachable_at TEXT,                   -- set when the chat blocked the bot
    created_at    TEXT NOT NULL,
    UNIQUE (channel, external_id)
);

CREATE TABLE invites (
    id          INTEGER PRIMARY KEY,
    -- only a hash of the code is kept: a copy of the database gives no working link
    code_hash   TEXT NOT NULL UNIQUE,
    hint        TEXT NOT NULL,             -- the first characters, to tell codes apart
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    role        TEXT NOT NULL CHECK (role IN ('secretary', 'officer')),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    used_by     INTEGER REFERENCES people(id),
    revoked_at  TEXT
);

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    role        TEXT NOT NULL CHECK (role IN ('secretary', 'deputy', 'officer')),
    invite_id   INTEGER REFERENCES invites(id),
    granted_at  TEXT NOT NULL,
    revoked_at  TEXT,
    revoked_by  INTEGER REFERENCES people(id)
);
-- A person holds one role at a time; a branch has at most one secretary at a time.
CREATE UNIQUE INDEX roles_one_per_person ON roles(person_id) WHERE revoked_at IS NULL;
CREATE UNIQUE INDEX roles_one_secretary ON roles(unit_id) WHERE revoked_at IS NULL AND role = 'secretary';
CREATE INDEX roles_unit ON roles(unit_id) WHERE revoked_at IS NULL;

CREATE TABLE member_changes (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    person_id   INTEGER REFERENCES people(id),  -- NULL: an import by the officer
    old_count   INTEGER NOT NULL,
    new_count   INTEGER NOT NULL,
    reason      TEXT NOT NULL,   -- admitted, moved_in, moved_away, grown_out, struck_off, import, other
    note        TEXT NOT NULL DEFAULT '',
    changed_at  TEXT NOT NULL
);
CREATE INDEX member_changes_unit ON member_changes(unit_id, changed_at);

-- One open form per person; its answers so far and where it stands, as JSON.
CREATE TABLE form_sessions (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL UNIQUE REFERENCES people(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    form        TEXT NOT NULL,
    state       TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0,   -- bumped by every step; buttons carry it
    started_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE meetings (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    held_on      TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('branch', 'committee')),
    mode         TEXT NOT NULL CHECK (mode IN ('in_person', 'online', 'hybrid')),
    attended     INTEGER NOT NULL CHECK (attended >= 0),
    members_then INTEGER NOT NULL,            -- the branch's members when reported
    over_members INTEGER NOT NULL DEFAULT 0,  -- attendance above members, confirmed: the district looks
    note         TEXT NOT NULL DEFAULT '',
    reported_by  INTEGER REFERENCES people(id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT
);
CREATE INDEX meetings_unit_date ON meetings(unit_id, held_on) WHERE deleted_at IS NULL;

-- 1+1 and recruitment, one row per branch and period ("2026-H1", "2026").
CREATE TABLE recruitment (
    id               INTEGER PRIMARY KEY,
    unit_id          INTEGER NOT NULL REFERENCES units(id),
    period           TEXT NOT NULL,
    participants     INTEGER NOT NULL CHECK (participants >= 0),
    youth_reached    INTEGER NOT NULL CHECK (youth_reached >= 0),
    new_members      INTEGER NOT NULL CHECK (new_members >= 0),
    party_introduced INTEGER NOT NULL CHECK (party_introduced >= 0),
    members_then     INTEGER NOT NULL,
    reported_by      INTEGER REFERENCES people(id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT
);
CREATE UNIQUE INDEX recruitment_one_per_period ON recruitment(unit_id, period) WHERE deleted_at IS NULL;

-- Who changed which report, when, from what to what.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    subject     TEXT NOT NULL,        -- meeting, recruitment
    subject_id  INTEGER NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    field       TEXT NOT NULL DEFAULT '',
    old_value   TEXT,
    new_value   TEXT,
    person_id   INTEGER REFERENCES people(id),
    at          TEXT NOT NULL
);
CREATE INDEX audit_unit ON audit(unit_id, at);

-- Updates already handled, so a redelivered one is not handled twice.
CREATE TABLE processed_updates (
    key         TEXT PRIMARY KEY,     -- "telegram:123456"
    at          TEXT NOT NULL
);
