-- Jobs, their results, series and artifacts. Times are integer milliseconds since the
-- Unix epoch (UTC). A job's output is written once, by the fenced finish of its run.
CREATE TABLE jobs (
    id               TEXT PRIMARY KEY,          -- 26-char ULID: sortable by creation time
    kind             TEXT NOT NULL,
    model_version    TEXT NOT NULL,
    params           TEXT NOT NULL,             -- normalised JSON (defaults filled, seed set)
    priority         INTEGER NOT NULL DEFAULT 0,
    labels           TEXT NOT NULL DEFAULT '{}',
    status           TEXT NOT NULL CHECK (status IN
                         ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL DEFAULT 3,
    timeout_s        REAL,
    progress         REAL NOT NULL DEFAULT 0,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    run_after        INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    lease_owner      TEXT,                      -- "host:pid:instance" of the claiming process
    lease_expires    INTEGER,
    fence            INTEGER NOT NULL DEFAULT 0, -- bumped by every claim and requeue
    error_code       TEXT,
    error_message    TEXT,
    error_step       INTEGER
);

-- Claim order: highest priority, then oldest, among due queued jobs.
CREATE INDEX jobs_queue ON jobs (priority DESC, id) WHERE status = 'queued';
CREATE INDEX jobs_running ON jobs (lease_expires) WHERE status = 'running';
CREATE INDEX jobs_kind ON jobs (kind, id);
CREATE INDEX jobs_status ON jobs (status, id);

CREATE TABLE results (
    job_id   TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    seed     INTEGER,
    summary  TEXT NOT NULL DEFAULT '{}',
    "values" TEXT NOT NULL DEFAULT '{}'
);

-- One row per series: steps (int64) and values (float64) as little-endian blobs, with the
-- statistics that queries across jobs filter on.
CREATE TABLE series (
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    name   TEXT NOT NULL,
    n      INTEGER NOT NULL,
    steps  BLOB NOT NULL,
    vals   BLOB NOT NULL,
    vmin   REAL,
    vmax   REAL,
    vmean  REAL,
    vlast  REAL,
    PRIMARY KEY (job_id, name)
) WITHOUT ROWID;

-- Typed n-d arrays, row-major, little-endian.
CREATE TABLE artifacts (
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    name   TEXT NOT NULL,
    dtype  TEXT NOT NULL,
    shape  TEXT NOT NULL,                      -- JSON array of dimensions
    data   BLOB NOT NULL,
    PRIMARY KEY (job_id, name)
);
