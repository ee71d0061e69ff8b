/*
 * values.h — indexed values of jobs, so that a listing ordered by a summary, params, labels
 * or series field walks an index instead of evaluating and sorting every job
 * (migrations/0006_job_values.sql holds the tables and the invariant).
 *
 * A field is registered on first use by a listing and backfilled; after that, the writes
 * that give jobs values (insert, output) call the store_values_* hooks below in their own
 * transaction, so a ready field's rows always match the jobs. Internal to src/store/.
 */
#ifndef BASIN_STORE_VALUES_H
#define BASIN_STORE_VALUES_H

#include "store_internal.h"

/* At most this many registered fields: each costs one expression per job write. */
#define VALUES_MAX_FIELDS 32
/* Jobs per backfill transaction: bounds how long registration holds the writer. */
#define VALUES_BATCH 10000

/* Writes the params and labels values of job `id` (borrowed) for every registered field.
 * Call on the writer, in the transaction that inserted the job, after the insert.
 * Returns 0 or a basin code. Nothing registered: one look-up, nothing written. */
int store_values_job(sqlite3 *db, const char *id);
/* Whether any registered field reads params or labels (else store_values_job writes
 * nothing and a batch of submits may skip it). Call on the writer, in the transaction. */
bool store_values_from_inputs(sqlite3 *db);

/* The same for every child of sweep `sweep_id`, after the children's inserts. */
int store_values_sweep(sqlite3 *db, const char *sweep_id);

/* Rewrites the summary and series values of job `id` for every registered field. Call in
 * the transaction that wrote its output, after the output. 0 or a basin code. */
int store_values_output(sqlite3 *db, const char *id);

/* The id of the ready indexed field for f: 0 and *id. When f is not registered yet, this
 * registers it and backfills every job first (writes, in batches of VALUES_BATCH jobs;
 * concurrent callers wait for one another). BASIN_ENOTFOUND when f is not indexed: a job
 * column, no job has a value for it, or VALUES_MAX_FIELDS fields are registered. Other
 * codes are database errors. *id is written only on success. */
int store_values_field(store *s, const where_field *f, int64_t *id);

/* The json_extract path of a dotted where path: a.b → $."a"."b" (keys are
 * [A-Za-z0-9_-], safe inside quotes). Truncated to cap - 1 characters. */
void store_json_path(const char *dotted, char *out, size_t cap);

/* The series column of a statistic: vmin, vmax, vmean, vlast or n. */
const char *store_series_column(where_stat stat);

#endif
