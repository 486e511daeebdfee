-- Several bot workers over one PostgreSQL database (storage/locks.py, storage/rates.py).
--
-- outbox.claimed_by: the worker whose sender marked the row "sending" (on PostgreSQL, set by the
-- trigger of 0014_workers.postgres.sql from the worker's connection setting). A row "sending" by a
-- worker that is gone goes back to the queue; one by a live worker is its call in flight. SQLite
-- has one worker and leaves it NULL.
ALTER TABLE outbox ADD COLUMN claimed_by INTEGER;

-- Each messenger's pace, shared by every worker: the first moment (milliseconds since 1970 UTC,
-- the database's clock) at which the next call may start, and the start of the call last given.
CREATE TABLE send_rates (
    channel    TEXT PRIMARY KEY,                -- telegram, zalo, zalo:<bot key>
    next_at    INTEGER NOT NULL,
    granted_at INTEGER NOT NULL
);

-- The webhooks' inbox, for one chat's updates handled in order whichever worker received them
-- (storage/inbox.py, `Inbox.turn`): each row's chat, and the worker that received it (on
-- PostgreSQL, by default the worker of the connection; SQLite leaves it NULL).
ALTER TABLE inbox ADD COLUMN chat TEXT;
ALTER TABLE inbox ADD COLUMN received_by INTEGER;
CREATE INDEX inbox_chat ON inbox(channel, chat, id);
