-- The numbered menu each chat was shown last, on messengers without buttons (Zalo, terminal):
-- a reply "2" means the second choice of that menu, after a restart too.
CREATE TABLE open_menus (
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    choices     TEXT NOT NULL,        -- JSON: [[label, payload], ...] in the order shown
    typed_numbers INTEGER NOT NULL DEFAULT 0,   -- 1: the question takes a number; digits answer it
    shown_at    TEXT NOT NULL,
    PRIMARY KEY (channel, chat_id)
);
