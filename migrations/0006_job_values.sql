-- Indexed values for listing jobs by where= and order= (src/store/values.c, query.c).
--
-- A value field is one of summary.<key>, params.<path>, labels.<key> or
-- series.<name>.<stat>. A field is registered the first time a listing orders by it, and
-- its values are then backfilled for every job that exists, in batches; `ready` turns 1
-- when that is done. From registration on, every write that gives a job a value of a
-- registered field writes its row here in the same transaction: the job's insert (params,
-- labels) and its output (summary, series). So for a ready field, job_values holds one row
-- per job whose value is not null, and that value is exactly what the listing's SQL
-- expression gives for the job (json_extract on the stored JSON, or the series column).
--
-- Only fields someone orders by cost anything at write time: indexing every params leaf
-- of every job would add tens of rows per job to each submit.
CREATE TABLE value_fields (
    id     INTEGER PRIMARY KEY,
    source TEXT NOT NULL CHECK (source IN ('summary', 'params', 'labels', 'series')),
    path   TEXT NOT NULL,             -- json_extract path ('$."a"."b"'); series: the name
    stat   TEXT NOT NULL DEFAULT '',  -- series: the column (vmin, vmax, vmean, vlast, n)
    ready  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source, path, stat)
);

-- `value` has no declared type, hence no affinity: it keeps the INTEGER, REAL or TEXT that
-- the expression gave, and compares and sorts as that expression does (numbers before
-- text, text by bytes). Deleting a job deletes its rows; dropping a field deletes its rows.
CREATE TABLE job_values (
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    field  INTEGER NOT NULL REFERENCES value_fields (id) ON DELETE CASCADE,
    value  NOT NULL,
    PRIMARY KEY (job_id, field)
) WITHOUT ROWID;

-- The listing order of one field: (value, id), walked from either end; ties by job id.
CREATE INDEX job_values_order ON job_values (field, value, job_id);
