-- Evidence photos (ảnh minh chứng) of meetings: the image files are kept under the data folder
-- (DATA_DIR/photos); here, which meeting each belongs to, where its file is, its size and when
-- it came. A photo sent while the meeting form is open waits on that form (session_id, no
-- meeting yet) and is given to the meeting the form saves, in the transaction that saves it.
CREATE TABLE meeting_photos (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),     -- who sent it
    meeting_id   INTEGER REFERENCES meetings(id),            -- NULL while its form is open
    session_id   INTEGER,             -- the open form it waits on (form ids are never reused: 0005)
    path         TEXT NOT NULL UNIQUE,                       -- relative to the photos folder
    size         INTEGER NOT NULL CHECK (size > 0),          -- bytes
    received_at  TEXT NOT NULL,
    CHECK ((meeting_id IS NULL) <> (session_id IS NULL))
);
CREATE INDEX meeting_photos_meeting ON meeting_photos(meeting_id) WHERE meeting_id IS NOT NULL;
CREATE INDEX meeting_photos_waiting ON meeting_photos(person_id, session_id) WHERE meeting_id IS NULL;

-- The meeting each person saved last, and when: a photo sent within minutes after goes to it.
CREATE TABLE photo_windows (
    person_id    INTEGER PRIMARY KEY REFERENCES people(id),
    meeting_id   INTEGER NOT NULL REFERENCES meetings(id),
    saved_at     TEXT NOT NULL
);
