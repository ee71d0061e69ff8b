/*
 * store.h — the only code that speaks SQL: jobs, the queue, results, series, artifacts.
 *
 * Connections: one writer connection behind a mutex (every write is a short
 * BEGIN IMMEDIATE transaction) and a pool of reader connections, all in WAL mode with a
 * busy timeout. Submits from many threads are committed together (group commit).
 *
 * Queue invariants: a job is written by a run only while it is `running` with the fence
 * token that run's claim returned; every claim and requeue bumps the fence, so a run whose
 * lease was taken over cannot write (BASIN_EFENCED). A job's output is stored by one
 * fenced transaction together with its final status: exactly once.
 *
 * Thread safety: every function may be called from any thread.
 */
#ifndef BASIN_STORE_STORE_H
#define BASIN_STORE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/run_ctx.h"
#include "util/ulid.h"
#include "util/where.h"

typedef struct store store;

typedef struct store_options {
    const char *path;     /* SQLite file; created if missing */
    bool sync_full;       /* synchronous=FULL (default) or NORMAL */
    int busy_timeout_ms;  /* 0 → 5000 */
    bool migrate;         /* apply pending migrations on open */
    int64_t max_db_bytes; /* size quota (4 KiB pages); writes beyond it fail BASIN_EFULL */
} store_options;

/* Opens (and with opt->migrate, migrates) the database. Returns 0 and *out, or
 * BASIN_EDB / BASIN_ESCHEMA (message in errbuf). */
int store_open(const store_options *opt, store **out, char *errbuf, size_t errcap);
/* Closes every connection; accepts NULL. */
void store_close(store *s);

/* Applies pending migrations in one transaction. *from and *to (may be NULL) receive the
 * schema versions before and after. BASIN_ESCHEMA when the file is newer than this build. */
int store_migrate(store *s, int *from, int *to, char *errbuf, size_t errcap);
/* The number of migrations this build knows (the schema version it writes). */
int store_schema_latest(void);

/* Probes the database with a trivial read; 0 when usable. */
int store_ping(store *s);

/* ---- jobs ------------------------------------------------------------------------------ */

typedef enum job_status {
    JOB_QUEUED,
    JOB_RUNNING,
    JOB_SUCCEEDED,
    JOB_FAILED,
    JOB_CANCELLED,
} job_status;

#define JOB_N_STATUS 5

const char *job_status_name(job_status st);
/* 0 and *out, or BASIN_EINVAL for an unknown name. */
int job_status_parse(const char *name, job_status *out);
/* True for succeeded, failed and cancelled. */
bool job_status_final(job_status st);

typedef struct job_new {
    const char *kind;
    const char *model_version;
    const json_t *params;    /* normalised params (borrowed) */
    const char *params_text; /* the same as JSON text (borrowed), or NULL: written then */
    const json_t *labels;    /* object of strings (borrowed), or NULL */
    int priority;
    int max_attempts;
    double timeout_s;     /* 0: none */
    int64_t run_after_ms; /* 0: now */
    int64_t created_ms;   /* when the request was accepted; 0: when it is committed */
} job_new;

/* Inserts a queued job and returns once it is durably committed, writing its id into
 * id_out. Concurrent callers share one transaction. */
int store_submit(store *s, const job_new *job, char id_out[ULID_LEN + 1]);

/* The same without waiting: chooses the id (id_out) and queues the job for the store's
 * committer thread, which commits it with whatever else is queued and then calls
 * done(cls, rc) on its own thread — rc 0 once the job is durable. *job and what it points
 * to must stay valid until then. Returns 0 when queued (done will be called exactly
 * once), else an error (done is not called). */
typedef void (*store_submit_done)(void *cls, int rc);
int store_submit_start(store *s, const job_new *job, char id_out[ULID_LEN + 1],
                       store_submit_done done, void *cls);

/* A snapshot of a job row. json fields are owned references; free with job_row_clear. */
typedef struct job_row {
    char id[ULID_LEN + 1];
    char kind[64];
    char model_version[32];
    job_status status;
    json_t *params;
    json_t *labels;
    json_t *summary; /* NULL until the job has a result */
    int priority, attempts, max_attempts;
    double timeout_s; /* 0: none */
    double progress;
    bool cancel_requested;
    int64_t created_at, started_at, finished_at, run_after, updated_at; /* 0: null */
    char error_code[32];                                                /* "": no error */
    char error_message[256];
    int64_t error_step;
    bool has_error_step;
} job_row;

void job_row_clear(job_row *row);

/* 0 and *out, or BASIN_ENOTFOUND. */
int store_get_job(store *s, const char *id, job_row *out);
/* Status of a job, cheap (for waiting): 0 and *out, or BASIN_ENOTFOUND. */
int store_job_status(store *s, const char *id, job_status *out);

/* What changes whenever a job row or its result changes: every update of a row bumps
 * updated_at, and the ones that could fall in the same millisecond also change one of the
 * other fields (a claim or requeue bumps fence, a finish sets status). */
typedef struct job_version {
    char id[ULID_LEN + 1];
    job_status status;
    int attempts;
    bool cancel_requested;
    int64_t fence, updated_at;
} job_version;

/* The current version of job id, cheap: 0 and *out, or BASIN_ENOTFOUND. */
int store_job_version(store *s, const char *id, job_version *out);

#define STORE_CURSOR_MAX 512

typedef struct job_filter {
    unsigned status_mask; /* bit (1 << job_status); 0: any */
    const char *kind;     /* NULL: any */
    const char *label_keys[16];
    const char *label_values[16];
    int n_labels;
    int64_t since_ms, until_ms; /* on created_at; 0: open */
    const char *sweep_id;       /* NULL: any */
    const where_expr *where;    /* NULL: none */
    const where_field *order;   /* NULL: newest first */
    bool order_desc;            /* with order: descending (nulls last either way) */
    const char *cursor;         /* a next_cursor this function returned, or NULL */
    int limit;                  /* 1..1000 */
} job_filter;

/* Jobs matching f, newest first or by f->order (ties broken by id). Returns 0 with *rows
 * (malloc'd array of n rows; free each with job_row_clear, then free the array) and
 * next_cursor ("" when no more pages; opaque, URL-safe). BASIN_EINVAL for a cursor this
 * function did not make (or made for another order). The first listing ordered by a
 * summary, params, labels or series field indexes it (src/store/values.h): that one call
 * writes, and takes as long as a pass over every job. */
int store_list_jobs(store *s, const job_filter *f, job_row **rows, size_t *n,
                    char next_cursor[STORE_CURSOR_MAX]);

/* Jobs changed after position (after_ms, after_id) in (updated_at, id) order — only job
 * `id` when not NULL — at most `limit`, oldest change first. Same row ownership as
 * store_list_jobs. */
int store_jobs_changed(store *s, const char *id, int64_t after_ms, const char *after_id, int limit,
                       job_row **rows, size_t *n);

/* Cancels: a queued job becomes cancelled at once; a running one gets cancel_requested.
 * Writes the job after the change into *out (may be NULL). BASIN_ENOTFOUND, or
 * BASIN_ECONFLICT when the job has already finished. */
int store_cancel(store *s, const char *id, job_row *out);
/* Deletes a finished job and its data. BASIN_ENOTFOUND, BASIN_ECONFLICT if not finished. */
int store_delete_job(store *s, const char *id);

typedef struct queue_counts {
    int64_t by_status[JOB_N_STATUS];
} queue_counts;

int store_counts(store *s, queue_counts *out);
/* Only the queued and running counts (by their indexes: cheap at any table size). */
int store_queue_depth(store *s, int64_t *queued, int64_t *running);

/* How many write transactions this process has committed: a cheap way to tell that
 * nothing this process did has changed the database since an earlier reading. */
uint64_t store_commits(store *s);

/* Calls fn(user, kind, status, count) for every (kind, status) pair with jobs. */
int store_counts_by_kind(store *s,
                         void (*fn)(void *user, const char *kind, const char *status,
                                    int64_t count),
                         void *user);

/* ---- the queue: claim, heartbeat, finish, requeue ------------------------------------ */

typedef struct job_claim {
    char id[ULID_LEN + 1];
    char kind[64];
    json_t *params; /* owned reference */
    int64_t fence;
    int attempts; /* including this one */
    int max_attempts;
    double timeout_s;
    int64_t due_ms; /* when the job became claimable: max(run_after, created_at) */
} job_claim;

void job_claim_clear(job_claim *c);

/* Claims the best due queued job for `owner`, with a lease of lease_ms. 0 and *out, or
 * BASIN_ENOTFOUND when nothing is due. */
int store_claim(store *s, const char *owner, int64_t lease_ms, job_claim *out);

/* Extends the lease and records progress; *cancel_requested (may be NULL) reports a
 * cancel asked through the database. BASIN_EFENCED when the run no longer owns the job. */
int store_heartbeat(store *s, const char *id, int64_t fence, double progress, int64_t lease_ms,
                    bool *cancel_requested);

typedef struct job_outcome {
    job_status status;      /* SUCCEEDED, FAILED or CANCELLED */
    const char *error_code; /* NULL when none */
    const char *error_message;
    int64_t error_step;
    bool has_error_step;
    const basin_ctx *output; /* summary, values, series, artifacts; may be NULL */
} job_outcome;

/* Ends a run: stores its output and final status in one fenced transaction.
 * BASIN_EFENCED when the run no longer owns the job (nothing is written). */
int store_finish(store *s, const char *id, int64_t fence, const job_outcome *o);
/* store_finish, and in the same transaction (one commit, one sync instead of two) the
 * claim of the next due job for owner: next->id is "" when none was claimed. */
int store_finish_then_claim(store *s, const char *id, int64_t fence, const job_outcome *o,
                            const char *owner, int64_t lease_ms, job_claim *next);

/* Ends a run without a final status: the job goes back to the queue to run at
 * run_after_ms, keeping `error` as its last error (may be NULL). With count_attempt false
 * the attempt is given back (shutdown). Fenced like store_finish. */
int store_requeue(store *s, const char *id, int64_t fence, int64_t run_after_ms, bool count_attempt,
                  const char *error_code, const char *error_message);

/* Requeues running jobs whose lease expired before now_ms, or whose owner is
 * `dead_owner` (may be NULL); jobs out of attempts fail with code worker_lost.
 * *n (may be NULL) receives how many jobs were touched. */
int store_recover(store *s, int64_t now_ms, const char *dead_owner, int *n);

/* Distinct lease owners of running jobs, as a JSON array of strings (new reference). */
int store_running_owners(store *s, json_t **out);

/* The earliest run_after among queued jobs: 0 and *ms, or BASIN_ENOTFOUND. */
int store_next_due(store *s, int64_t *ms);

/* ---- sweeps: one request, many child jobs ------------------------------------------ */

typedef struct sweep_new {
    const char *kind;
    const char *model_version;
    const json_t *request; /* normalised sweep request (borrowed) */
    const json_t *varied;  /* array of varied param paths (borrowed) */
    const json_t *labels;  /* object (borrowed); children also get {"sweep": id} */
    int priority;
    int max_attempts;
    double timeout_s;
    const json_t *children; /* array of normalised params, one per child (borrowed) */
} sweep_new;

/* Stores the sweep and all its children (queued, sweep_index = position) in one
 * transaction. Writes the sweep id; child ids are the sweep's children in index order
 * (read them back with store_sweep_children). */
int store_create_sweep(store *s, const sweep_new *sw, char id_out[ULID_LEN + 1]);

typedef struct sweep_row {
    char id[ULID_LEN + 1];
    char kind[64];
    json_t *request, *varied, *labels; /* owned */
    int64_t children;
    int64_t created_at;
    int64_t counts[JOB_N_STATUS];
    double progress; /* mean over children; finished children count as 1 */
} sweep_row;

void sweep_row_clear(sweep_row *row);
/* 0 and *out, or BASIN_ENOTFOUND. */
int store_get_sweep(store *s, const char *id, sweep_row *out);
/* Newest first, after `cursor` (a sweep id) when not NULL; next_cursor "" at the end. */
int store_list_sweeps(store *s, const char *cursor, int limit, sweep_row **rows, size_t *n,
                      char next_cursor[ULID_LEN + 1]);
/* Cancels every queued child and flags every running one; *running (may be NULL) gets a
 * new JSON array of the flagged ids. BASIN_ENOTFOUND for an unknown sweep. */
int store_cancel_sweep(store *s, const char *id, json_t **running);
/* Deletes the sweep and its children and their data; BASIN_ECONFLICT while a child is
 * queued or running. */
int store_delete_sweep(store *s, const char *id);

typedef struct sweep_child {
    char id[ULID_LEN + 1];
    job_status status;
    json_t *params;  /* owned */
    json_t *summary; /* owned; NULL without a result */
} sweep_child;

/* The children in index order: malloc'd array (*out, *n); free with sweep_children_free. */
int store_sweep_children(store *s, const char *id, sweep_child **out, size_t *n);
void sweep_children_free(sweep_child *c, size_t n);

/* ---- tokens ------------------------------------------------------------------------ */

typedef enum token_scope { TOKEN_READ, TOKEN_WRITE, TOKEN_ADMIN } token_scope;

/* "read" / "write" / "admin"; parse returns 0 or BASIN_EINVAL. */
const char *token_scope_name(token_scope sc);
int token_scope_parse(const char *name, token_scope *out);

#define TOKEN_TEXT_MAX 64

/* Creates a token: writes its secret text (shown once; only its hash is stored) and id. */
int store_token_create(store *s, const char *name, token_scope scope,
                       char token_out[TOKEN_TEXT_MAX], char id_out[ULID_LEN + 1]);
/* Every token as a JSON array of {id, name, scope, created_at, revoked_at} (no secrets). */
int store_token_list(store *s, json_t **out);
/* Revokes a token: BASIN_ENOTFOUND for an unknown or already revoked id. */
int store_token_revoke(store *s, const char *id);
/* The active token whose secret is `token`: 0 with its scope and id, or BASIN_ENOTFOUND. */
int store_token_lookup(store *s, const char *token, token_scope *scope, char id_out[ULID_LEN + 1]);
/* How many tokens are active. */
int store_token_count(store *s, int64_t *n);

/* ---- idempotency keys -------------------------------------------------------------- */

typedef enum idem_state {
    IDEM_NEW,      /* recorded: go on, then store_idem_finish or store_idem_abort */
    IDEM_REPLAY,   /* the same request finished before: answer with job_id */
    IDEM_INFLIGHT, /* the same key is being processed right now */
    IDEM_MISMATCH, /* the key was used with a different request */
} idem_state;

/* Records (owner, key) for request_hash unless a record younger than ttl_ms exists;
 * *job_id receives the stored job id for IDEM_REPLAY. */
int store_idem_begin(store *s, const char *owner, const char *key, const char *request_hash,
                     int64_t ttl_ms, idem_state *state, char job_id[ULID_LEN + 1]);
int store_idem_finish(store *s, const char *owner, const char *key, const char *job_id);
int store_idem_abort(store *s, const char *owner, const char *key);

/* ---- retention ----------------------------------------------------------------------- */

/* Deletes jobs that finished before `before_ms` with their data (and sweeps left without
 * children), at most `batch` jobs per transaction so writers are never held long.
 * *deleted (may be NULL) receives how many jobs went. */
int store_gc(store *s, int64_t before_ms, int batch, int64_t *deleted);
/* Rewrites the file to give the freed pages back to the file system (VACUUM). */
int store_vacuum(store *s);

/* ---- results ----------------------------------------------------------------------- */

typedef struct result_row {
    bool has_seed;
    uint64_t seed;
    json_t *summary; /* owned */
    json_t *values;  /* owned */
} result_row;

void result_row_clear(result_row *r);
/* 0 and *out, or BASIN_ENOTFOUND when the job has no stored result. */
int store_get_result(store *s, const char *id, result_row *out);

typedef struct artifact_info {
    char name[64];
    char dtype[16];
    int ndim;
    int64_t shape[BASIN_MAX_NDIM];
} artifact_info;

/* Artifacts of a job, without data: malloc'd array (*out, *n). */
int store_list_artifacts(store *s, const char *id, artifact_info **out, size_t *n);
/* One artifact with its data (malloc'd, *data of *nbytes). BASIN_ENOTFOUND. */
int store_get_artifact(store *s, const char *id, const char *name, artifact_info *info, void **data,
                       size_t *nbytes);

typedef struct series_data {
    char name[64];
    size_t n;
    int64_t *step; /* malloc'd */
    double *value; /* malloc'd */
} series_data;

/* Every series of a job (or those named in names[0..n_names)), by name. Free with
 * series_data_free. */
int store_get_series(store *s, const char *id, const char *const *names, size_t n_names,
                     series_data **out, size_t *n);
void series_data_free(series_data *sd, size_t n);

/* ==== memory spaces (memory.md, api.md "Memory spaces") ================================
 *
 * Spaces and memories live in SQL (migrations/0005_memory.sql); every write also updates
 * the in-memory view of the space that retrieval scans (include/basin/space.h), after its
 * commit and before the next write. Memory ids are ULIDs. Vectors are float32, `dim`
 * entries; every function that takes vectors is given dim and refuses (BASIN_EINVAL) a
 * dim that is not the space's. Unknown space or memory: BASIN_ENOTFOUND. */

#include "basin/space.h"

#define SPACE_NAME_MAX 64
#define SPACE_DIM_MAX  4096

typedef struct space_row {
    char name[SPACE_NAME_MAX + 1];
    int dim;
    char embedder[8]; /* "none" | "hash" */
    char metric[16];  /* default channel */
    int64_t created_at;
    int64_t count; /* memories (filled by get and list) */
} space_row;

/* Creates a space; BASIN_ECONFLICT when the name is taken. */
int store_space_create(store *s, const space_row *sp);
int store_space_get(store *s, const char *name, space_row *out);
/* Like store_space_get without counting the memories (count = -1): cheap. */
int store_space_info(store *s, const char *name, space_row *out);
/* Every space by name: malloc'd array (*rows, *n). */
int store_space_list(store *s, space_row **rows, size_t *n);
/* Deletes a space with its memories and their history. */
int store_space_delete(store *s, const char *name);

typedef struct memory_new {
    const char *text;      /* NULL: none */
    const float *mu, *var; /* dim each; var derived by the caller when not given */
    bool var_given;
    const json_t *meta; /* object (borrowed), NULL: {} */
    const json_t *tags; /* array of strings (borrowed), NULL: [] */
    int64_t event_time; /* ms; 0: the creation time */
    double importance;  /* [0, 1] */
} memory_new;

/* Inserts m[0..n) into space `space` in one transaction (all or none) and writes their ids
 * in input order into ids[0..n). */
int store_memories_insert(store *s, const char *space, int dim, const memory_new *m, size_t n,
                          char (*ids)[ULID_LEN + 1]);

typedef struct memory_row {
    char id[ULID_LEN + 1];
    char *text; /* malloc'd, NULL: none */
    int dim;
    float *mu, *var; /* malloc'd, only when asked for vectors; else NULL */
    bool var_given;
    int64_t observations;
    json_t *meta, *tags; /* owned */
    int64_t event_time, created_at, updated_at, access_count;
    double importance;
    char salience[16];
    bool archived;
    char supersedes[ULID_LEN + 1], superseded_by[ULID_LEN + 1]; /* "": none */
} memory_row;

void memory_row_clear(memory_row *row);

/* One memory of `space`, with its vectors when `vectors`. */
int store_memory_get(store *s, const char *space, const char *id, bool vectors, memory_row *out);
/* Memories of `space` in id (creation) order after `cursor` (an id, or NULL), at most
 * `limit`; next_cursor "" at the end. Rows: malloc'd array, clear each, free the array. */
int store_memory_list(store *s, const char *space, const char *cursor, int limit, bool vectors,
                      memory_row **rows, size_t *n, char next_cursor[ULID_LEN + 1]);

typedef struct memory_patch {
    const json_t *meta; /* JSON merge patch (RFC 7396) onto meta, or NULL */
    const json_t *tags; /* replaces the tags, or NULL */
    bool set_importance, set_archived, set_time, set_text;
    double importance;
    bool archived;
    int64_t event_time;
    const char *text;      /* with set_text: the new text (NULL removes it) */
    const float *mu, *var; /* a new vector and variance (e.g. the re-embedded text), or NULL */
    bool var_given;
    const float *obs_mu, *obs_var; /* an observation to fold in by precision addition, or NULL */
} memory_patch;

/* Applies p in one transaction, records it in the history, and writes the memory after the
 * change (with vectors) into *out (may be NULL). */
int store_memory_patch(store *s, const char *space, const char *id, int dim, const memory_patch *p,
                       memory_row *out);
/* Deletes a memory (its history keeps a delete entry). */
int store_memory_delete(store *s, const char *space, const char *id);
/* The history of a memory, oldest first: a JSON array of {seq, at, op, changes} (new
 * reference). BASIN_ENOTFOUND when the space has no such memory and no history of it. */
int store_memory_history(store *s, const char *space, const char *id, json_t **out);

/* The provider behind basin_ctx_space_acquire for runs against this store (see space.h):
 * fills *out with functions bound to s. */
void store_space_provider(store *s, basin_space_provider *out);

#endif
