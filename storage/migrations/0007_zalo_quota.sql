-- A messenger's monthly message quota (Zalo's free plan: 3,000 messages a month per bot), counted
-- per bot and Vietnam month, and the messages held back when it was spent (storage/quota.py).

-- Every message a bot sent in a month, replies included: one upsert per send.
CREATE TABLE quota_counts (
    channel     TEXT NOT NULL,             -- zalo
    bot         TEXT NOT NULL,             -- the bot's id (getMe), or a hash of its token; never the token
    month       TEXT NOT NULL,             -- "2026-11", in Vietnam's time
    sent        INTEGER NOT NULL DEFAULT 0,
    warned_at   TEXT,                      -- when the officers were told the quota is nearly spent
    PRIMARY KEY (channel, bot, month)
) WITHOUT ROWID;

-- An outbox row the quota held back (deferred to the next month): what the next digest reports.
CREATE TABLE quota_unsent (
    outbox_id   INTEGER NOT NULL,          -- no REFERENCES: the outbox forgets its old rows
    month       TEXT NOT NULL,             -- the month whose quota was spent
    channel     TEXT NOT NULL,
    bot         TEXT NOT NULL,
    person_id   INTEGER NOT NULL,          -- who did not get it
    quota       INTEGER NOT NULL,          -- the monthly quota then
    at          TEXT NOT NULL,             -- when it was held back
    PRIMARY KEY (outbox_id, month)
) WITHOUT ROWID;
CREATE INDEX quota_unsent_at ON quota_unsent(at);
