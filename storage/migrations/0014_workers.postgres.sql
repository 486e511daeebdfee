-- PostgreSQL's text of 0014_workers.sql (storage/schema.py): the same column and table, and the
-- trigger that stamps a claimed outbox row with its worker. Every claim (storage/outbox.py, and
-- storage/quota.py's for a spent quota) marks rows "sending"; the trigger names the worker from
-- the setting `chidoan.worker` of the connection (storage/postgres.py sets it on each pooled
-- connection), so no claim has to pass it.

ALTER TABLE outbox ADD COLUMN claimed_by BIGINT;

CREATE FUNCTION outbox_claimed_by() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.claimed_by := NULLIF(current_setting('chidoan.worker', true), '')::bigint;
    RETURN NEW;
END
$$;

CREATE TRIGGER outbox_claimed_by BEFORE UPDATE OF status ON outbox FOR EACH ROW
    WHEN (NEW.status = 'sending' AND OLD.status <> 'sending') EXECUTE FUNCTION outbox_claimed_by();

CREATE TABLE send_rates (
    channel TEXT COLLATE "C" PRIMARY KEY,
    next_at BIGINT NOT NULL,
    granted_at BIGINT NOT NULL
);

ALTER TABLE inbox ADD COLUMN chat TEXT COLLATE "C";
ALTER TABLE inbox ADD COLUMN received_by BIGINT DEFAULT NULLIF(current_setting('chidoan.worker', true), '')::bigint;
CREATE INDEX inbox_chat ON inbox(channel, chat, id);
