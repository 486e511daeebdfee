-- A form's buttons carry (session id, version). Without AUTOINCREMENT SQLite hands the id of the
-- newest ended form to the next one, and an old button could then act on the new form.
CREATE TABLE form_sessions_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id   INTEGER NOT NULL UNIQUE REFERENCES people(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    form        TEXT NOT NULL,
    state       TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0,   -- bumped by every step; buttons carry it
    started_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
INSERT INTO form_sessions_new SELECT id, person_id, unit_id, form, state, version, started_at, updated_at
    FROM form_sessions;
DROP TABLE form_sessions;
ALTER TABLE form_sessions_new RENAME TO form_sessions;
