-- The webhooks' inbox: an update a messenger pushed is written here before the messenger is
-- answered 200, and stays until it is handled.  The router's claim on the update removes its row
-- in the transaction that claims it; a row still here at start was answered 200 and never
-- handled (the process was killed, the machine lost power): it is handled then, in id order
-- (storage/inbox.py, bot/web.py's Intake).
CREATE TABLE inbox (
    -- AUTOINCREMENT: ids never reused (a handled row is forgotten by its id, which must not be a
    -- newer update's), and always increasing (the order rows are handled in at a start)
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    channel      TEXT NOT NULL,                  -- telegram, zalo
    update_key   TEXT UNIQUE,                    -- the router's claim key, "telegram:<update_id>"; NULL: none
    body         TEXT NOT NULL,                  -- the update as posted (JSON)
    received_at  TEXT NOT NULL
);
