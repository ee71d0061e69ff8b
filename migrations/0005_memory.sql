-- Memory spaces (memory.md): spaces, their memories (float32 vectors as little-endian blobs),
-- the full-text index of memory texts (FTS5, BM25), and the history of every change.
CREATE TABLE spaces (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    dim        INTEGER NOT NULL CHECK (dim BETWEEN 1 AND 4096),
    embedder   TEXT NOT NULL CHECK (embedder IN ('none', 'hash')),
    metric     TEXT NOT NULL,              -- the default retrieval channel
    created_at INTEGER NOT NULL
);

CREATE TABLE memories (
    rowid         INTEGER PRIMARY KEY,     -- the FTS5 content rowid
    id            TEXT NOT NULL UNIQUE,    -- ULID
    space_id      INTEGER NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    text          TEXT,
    mu            BLOB NOT NULL,           -- dim float32, little-endian
    var           BLOB NOT NULL,           -- dim float32 variances σ²
    var_given     INTEGER NOT NULL,        -- 1: the client's; 0: derived from mu (embed.h)
    observations  INTEGER NOT NULL DEFAULT 1,
    meta          TEXT NOT NULL DEFAULT '{}',
    tags          TEXT NOT NULL DEFAULT '[]',
    event_time    INTEGER NOT NULL,        -- ms; the creation time unless given
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    access_count  INTEGER NOT NULL DEFAULT 0,
    importance    REAL NOT NULL DEFAULT 0.5 CHECK (importance BETWEEN 0 AND 1),
    salience      TEXT NOT NULL DEFAULT 'active',
    archived      INTEGER NOT NULL DEFAULT 0,
    supersedes    TEXT,
    superseded_by TEXT
);
CREATE INDEX memories_space ON memories (space_id, id);

-- External-content FTS5 over memories.text, kept in step by triggers. BM25 term statistics
-- are those of the whole table (every space together). Words are stemmed (Porter), so
-- "cats" matches "cat".
CREATE VIRTUAL TABLE memories_fts USING fts5 (
    text, content = 'memories', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories WHEN new.text IS NOT NULL BEGIN
    INSERT INTO memories_fts (rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories WHEN old.text IS NOT NULL BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
CREATE TRIGGER memories_fts_update AFTER UPDATE OF text ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, text)
        SELECT 'delete', old.rowid, old.text WHERE old.text IS NOT NULL;
    INSERT INTO memories_fts (rowid, text) SELECT new.rowid, new.text WHERE new.text IS NOT NULL;
END;

-- Every change of a memory, oldest first: op is create, update, observe or delete; changes
-- is a JSON object of the fields that changed ({"field": {"from": .., "to": ..}}; vectors
-- are summarised, not copied).
CREATE TABLE memory_history (
    seq       INTEGER PRIMARY KEY,
    memory_id TEXT NOT NULL,
    space_id  INTEGER NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    at        INTEGER NOT NULL,
    op        TEXT NOT NULL CHECK (op IN ('create', 'update', 'observe', 'delete')),
    changes   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX memory_history_memory ON memory_history (memory_id, seq);
CREATE INDEX memory_history_space ON memory_history (space_id);
