-- Each officer's choice for the weekly digest; no row means the default (Monday, on).
CREATE TABLE digest_prefs (
    person_id   INTEGER PRIMARY KEY REFERENCES people(id),
    weekday     INTEGER NOT NULL DEFAULT 0 CHECK (weekday BETWEEN 0 AND 6),   -- 0 = Monday
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    -- the ISO week ("2026-W48") of the last weekly digest queued: a tick skips building it again
    last_week   TEXT,
    updated_at  TEXT NOT NULL
);

-- Corrections and deletions are what the digest looks for in the audit trail: found by unit among
-- the few changes (not among every report sent), then each report's whole trail by subject.
CREATE INDEX audit_changes ON audit(unit_id) WHERE action != 'create';
CREATE INDEX audit_subject ON audit(subject, subject_id);
