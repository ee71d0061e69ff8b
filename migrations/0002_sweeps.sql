-- Parameter sweeps: one request, many child jobs (ordinary jobs labelled with the sweep).
CREATE TABLE sweeps (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    request    TEXT NOT NULL,          -- the sweep request, normalised (seed chosen)
    varied     TEXT NOT NULL,          -- JSON array of the dotted param paths that vary
    labels     TEXT NOT NULL DEFAULT '{}',
    children   INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

ALTER TABLE jobs ADD COLUMN sweep_id TEXT;
ALTER TABLE jobs ADD COLUMN sweep_index INTEGER;
CREATE INDEX jobs_sweep ON jobs (sweep_id, sweep_index) WHERE sweep_id IS NOT NULL;
