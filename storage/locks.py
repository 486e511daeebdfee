"""Several workers over one PostgreSQL database: each worker's own session, the locks it holds
there, and how the others tell that it is gone.

A worker (one `python -m bot serve`) opens, beside its pool, one connection of its own that it
keeps for as long as it runs: its `Session` (storage/postgres.py). On it the worker holds

- its worker lock, `pg_advisory_lock(WORKERS, id)`: the worker's id is a number no live worker
  holds. Every pooled connection of the worker names it (the setting `chidoan.worker`), and the
  trigger of migration 0014 stamps each outbox row the worker claims with it;
- its named locks (`Session.try_hold`): the scheduler's tick (bot/scheduler.py).

PostgreSQL frees a session's advisory locks when the session ends, however it ends: the worker
stopped, killed with SIGKILL (the kernel closes its socket at once), or its machine gone (once
TCP keepalive gives up: KEEPALIVE below). So "its lock is free" means "the worker is gone", with
no lease to renew, no heartbeat to write and no clocks to compare: `Outbox.requeue_orphans` reads
the live workers from `pg_locks` (storage/outbox.py). The price: a lock lives on one connection,
and a connection that breaks while the worker lives (a network blip) frees its locks too; the
session then connects again, takes its worker id back if it can, and the locks it held are
taken again at their next use.

SQLite has one worker, in one process: no session, and every lock is its own.
"""

from __future__ import annotations

# the first key of the two-key advisory locks, one space each ("work", "lock"): a worker's id,
# and a named lock (the second key: hashtext(name)); migrations use the one-key space
WORKERS = 0x776F726B
NAMED = 0x6C6F636B
# a chat's transaction lock while one of its updates is claimed (storage/inbox.py): ("chat",
# hashtext("channel:chat"))
CHATS = 0x63686174
# server-side TCP keepalive of the session (seconds): a worker whose machine vanished is seen
# gone, and its locks freed, after about IDLE + INTERVAL * COUNT (a unix socket needs none)
KEEPALIVE = {"tcp_keepalives_idle": 20, "tcp_keepalives_interval": 5, "tcp_keepalives_count": 4}

LIVE_WORKERS = (f"SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = {WORKERS}"
                " AND objsubid = 2 AND granted")
"""The ids of the workers alive now (a subquery for storage/ only)."""


def gone(column: str) -> str:
    """SQL: the worker named in `column` is gone (or none was named)."""
    return f"({column} IS NULL OR {column} NOT IN ({LIVE_WORKERS}))"


def ours_or_gone(column: str) -> str:
    """SQL: the worker named in `column` is this connection's worker, or gone (or none was named)."""
    return f"({column} = CAST(current_setting('chidoan.worker') AS BIGINT) OR {gone(column)})"
