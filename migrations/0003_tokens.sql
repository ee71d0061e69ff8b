-- API tokens (only their SHA-256 is stored), Idempotency-Key records, and an index
-- for the scheduler.
CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    scope      TEXT NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
    hash       TEXT NOT NULL UNIQUE,   -- hex SHA-256 of the token
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE idempotency (
    owner        TEXT NOT NULL,        -- token id, or '' without tokens
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,        -- hex SHA-256 of method, path and body
    job_id       TEXT,                 -- NULL while the first request is in flight
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (owner, key)
) WITHOUT ROWID;

-- The scheduler asks for the earliest run_after among queued jobs after every claim
-- round: without this index that is a scan of the whole queue.
CREATE INDEX jobs_due ON jobs (run_after) WHERE status = 'queued';
