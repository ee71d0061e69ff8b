/*
 * test_spaces.c — memory spaces in the store (store.h "memory spaces"), the in-memory view
 * that retrieval scans (include/basin/space.h), and the memory.retrieve and
 * memory.complete models run against it exactly as a worker runs them (parse, then run
 * with the store's provider on the run context).
 *
 * Every test runs on a fresh database (fixture as in test_store.c). References: the
 * contracts of store.h (all-or-nothing batches, return codes, cursor paging), SQL itself
 * (counts read back with sqlite3 directly), brute force over the inserted data (which rows
 * a filter must keep), FTS5's own MATCH (what BM25 may return), and the Gaussian product
 * for observations.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basin/embed.h"
#include "basin/fast_scan.h"
#include "basin/space.h"
#include "models/run_ctx.h"
#include "store/store.h"
#include "util/clock.h"

static char base_dir[256];
static char test_dir[512];
static char db_path[1024];
static store *S;

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[2048];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static void setup(void)
{
    snprintf(test_dir, sizeof test_dir, "%s/t.XXXXXX", base_dir);
    ck_assert_ptr_nonnull(mkdtemp(test_dir));
    snprintf(db_path, sizeof db_path, "%s/basin.db", test_dir);
    store_options opt = {.path = db_path, .sync_full = false, .migrate = true};
    char err[512] = "";
    int rc = store_open(&opt, &S, err, sizeof err);
    ck_assert_msg(rc == 0, "store_open: %s", err);
}

static void teardown(void)
{
    store_close(S);
    S = NULL;
    remove_dir(test_dir);
}

/* ---- helpers ------------------------------------------------------------------------------- */

static int64_t sql_count(const char *sql)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void make_space(const char *name, int dim, const char *embedder)
{
    space_row sp = {.dim = dim};
    snprintf(sp.name, sizeof sp.name, "%s", name);
    snprintf(sp.embedder, sizeof sp.embedder, "%s", embedder);
    snprintf(sp.metric, sizeof sp.metric, "fisher_rao");
    ck_assert_int_eq(store_space_create(S, &sp), 0);
}

/* Inserts n memories with vectors vec[i*dim..] (derived variance), optional texts/meta. */
static void insert(const char *space, int dim, size_t n, const float *vec, const char *const *text,
                   json_t *const *meta, json_t *const *tags, const int64_t *times,
                   char (*ids)[ULID_LEN + 1])
{
    memory_new *m = calloc(n, sizeof *m);
    float *var = malloc(n * dim * sizeof *var);
    for (size_t i = 0; i < n; i++) {
        basin_variance_from_mean(dim, vec + i * dim, var + i * dim);
        m[i] = (memory_new){.text = text ? text[i] : NULL,
                            .mu = vec + i * dim,
                            .var = var + i * dim,
                            .meta = meta ? meta[i] : NULL,
                            .tags = tags ? tags[i] : NULL,
                            .event_time = times ? times[i] : 0,
                            .importance = 0.5};
    }
    ck_assert_int_eq(store_memories_insert(S, space, dim, m, n, ids), 0);
    free(m);
    free(var);
}

static const basin_space *acquire(const char *name, basin_space_provider *p)
{
    store_space_provider(S, p);
    const basin_space *sp = NULL;
    ck_assert_int_eq(p->acquire(p->user, name, &sp), 0);
    return sp;
}

static long row_of(const basin_space *sp, const char *id)
{
    for (size_t i = 0; i < sp->n; i++)
        if (strcmp(sp->ids[i], id) == 0)
            return (long)i;
    return -1;
}

/* Runs a memory.* model with params `text` against the store; returns its values (new
 * reference), or NULL with *fail_code set. */
static json_t *run_model(const char *kind, const char *text, char *fail_code)
{
    const basin_model *model = basin_model_find(kind);
    ck_assert_ptr_nonnull(model);
    json_error_t jerr;
    json_t *params = json_loads(text, 0, &jerr);
    ck_assert_msg(params != NULL, "bad JSON: %s", jerr.text);
    basin_problems pr = {0};
    json_t *norm = NULL;
    void *config = NULL;
    int rc = model->parse(params, "/params", &basin_default_limits, &pr, NULL, &norm, &config);
    ck_assert_msg(rc == 0, "parse %s: %s %s", text, pr.count ? pr.items[0].pointer : "",
                  pr.count ? pr.items[0].message : "");
    json_decref(params);
    json_decref(norm);
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    basin_space_provider prov;
    store_space_provider(S, &prov);
    basin_ctx_set_spaces(ctx, &prov);
    rc = model->run(config, ctx);
    model->free_config(config);
    json_t *values = NULL;
    if (rc == 0)
        values = json_incref(ctx->values);
    else if (fail_code)
        snprintf(fail_code, 32, "%s", ctx->fail_code);
    run_ctx_free(ctx);
    return values;
}

static bool result_has(const json_t *values, const char *id)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(values, "results"), i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "id")), id) == 0)
            return true;
    }
    return false;
}

/* ---- spaces ---------------------------------------------------------------------------------- */

START_TEST(space_create_get_list_delete)
{
    make_space("alpha", 8, "none");
    make_space("beta", 16, "hash");
    space_row dup = {.dim = 8};
    snprintf(dup.name, sizeof dup.name, "alpha");
    snprintf(dup.embedder, sizeof dup.embedder, "none");
    snprintf(dup.metric, sizeof dup.metric, "cosine");
    ck_assert_int_eq(store_space_create(S, &dup), BASIN_ECONFLICT);
    space_row sp;
    ck_assert_int_eq(store_space_get(S, "beta", &sp), 0);
    ck_assert_int_eq(sp.dim, 16);
    ck_assert_str_eq(sp.embedder, "hash");
    ck_assert_int_eq(sp.count, 0);
    space_row *rows;
    size_t n;
    ck_assert_int_eq(store_space_list(S, &rows, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(rows[0].name, "alpha");
    free(rows);
    float v[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    char ids[1][ULID_LEN + 1];
    insert("alpha", 8, 1, v, NULL, NULL, NULL, NULL, ids);
    ck_assert_int_eq(store_space_delete(S, "alpha"), 0);
    ck_assert_int_eq(store_space_get(S, "alpha", &sp), BASIN_ENOTFOUND);
    ck_assert_int_eq(store_space_delete(S, "alpha"), BASIN_ENOTFOUND);
    ck_assert_int_eq(sql_count("SELECT count(*) FROM memories"), 0);
    ck_assert_int_eq(sql_count("SELECT count(*) FROM memory_history"), 0);
    basin_space_provider p;
    store_space_provider(S, &p);
    const basin_space *view;
    ck_assert_int_eq(p.acquire(p.user, "alpha", &view), BASIN_ENOTFOUND);
}
END_TEST

/* ---- memories ---------------------------------------------------------------------------------
 */

START_TEST(insert_get_list_round_trip)
{
    make_space("s", 5, "none");
    enum { N = 250 };
    float vec[N * 5];
    for (int i = 0; i < N * 5; i++)
        vec[i] = (float)sin(i * 0.37) * 3.0f;
    char ids[N][ULID_LEN + 1];
    insert("s", 5, N, vec, NULL, NULL, NULL, NULL, ids);
    for (int i = 1; i < N; i++)
        ck_assert(strcmp(ids[i - 1], ids[i]) < 0); /* input order = id order */
    memory_row row;
    ck_assert_int_eq(store_memory_get(S, "s", ids[17], true, &row), 0);
    for (int j = 0; j < 5; j++)
        ck_assert_float_eq(row.mu[j], vec[17 * 5 + j]); /* float32 blobs, bit for bit */
    ck_assert(!row.var_given && row.observations == 1);
    memory_row_clear(&row);
    /* Cursor paging visits each memory once, in id order. */
    char cursor[ULID_LEN + 1] = "";
    int seen = 0;
    for (;;) {
        memory_row *rows;
        size_t n;
        char next[ULID_LEN + 1];
        ck_assert_int_eq(
            store_memory_list(S, "s", cursor[0] ? cursor : NULL, 64, false, &rows, &n, next), 0);
        for (size_t i = 0; i < n; i++) {
            ck_assert_str_eq(rows[i].id, ids[seen++]);
            ck_assert_ptr_null(rows[i].mu);
            memory_row_clear(&rows[i]);
        }
        free(rows);
        if (!next[0])
            break;
        memcpy(cursor, next, sizeof cursor);
    }
    ck_assert_int_eq(seen, N);
    /* Wrong dimension, unknown space, unknown memory. */
    memory_new m = {.mu = vec, .var = vec, .importance = 0.5};
    char one[1][ULID_LEN + 1];
    ck_assert_int_eq(store_memories_insert(S, "s", 4, &m, 1, one), BASIN_EINVAL);
    ck_assert_int_eq(store_memories_insert(S, "nope", 5, &m, 1, one), BASIN_ENOTFOUND);
    ck_assert_int_eq(store_memory_get(S, "s", "01JAAAAAAAAAAAAAAAAAAAAAAA", false, &row),
                     BASIN_ENOTFOUND);
}
END_TEST

START_TEST(batch_of_ten_thousand_is_atomic)
{
    /* A failure at memory 5000 of 10 000 (importance 2 violates the table's CHECK, i.e.
     * SQLite refuses mid-transaction) stores nothing: no memory, no FTS row, no history.
     * Then the same batch, valid, stores all 10 000. */
    make_space("big", 4, "none");
    enum { N = 10000 };
    float *vec = malloc(N * 4 * sizeof *vec), *var = malloc(N * 4 * sizeof *var);
    memory_new *m = calloc(N, sizeof *m);
    char(*ids)[ULID_LEN + 1] = malloc(N * sizeof *ids);
    for (int i = 0; i < N * 4; i++) {
        vec[i] = (float)(i % 97) - 48.0f;
        var[i] = 1.0f;
    }
    for (int i = 0; i < N; i++)
        m[i] = (memory_new){.text = "a memory with words",
                            .mu = vec + 4 * i,
                            .var = var + 4 * i,
                            .var_given = true,
                            .importance = i == 5000 ? 2.0 : 0.5};
    ck_assert_int_ne(store_memories_insert(S, "big", 4, m, N, ids), 0);
    ck_assert_int_eq(sql_count("SELECT count(*) FROM memories"), 0);
    ck_assert_int_eq(
        sql_count("SELECT count(*) FROM memories_fts WHERE memories_fts MATCH 'words'"), 0);
    ck_assert_int_eq(sql_count("SELECT count(*) FROM memory_history"), 0);
    basin_space_provider p;
    const basin_space *view = acquire("big", &p);
    ck_assert_uint_eq(view->n, 0);
    p.release(p.user, view);

    m[5000].importance = 0.5;
    int64_t t0 = clock_mono_ms();
    ck_assert_int_eq(store_memories_insert(S, "big", 4, m, N, ids), 0);
    fprintf(stderr, "10000-memory batch stored in %lld ms\n", (long long)(clock_mono_ms() - t0));
    ck_assert_int_eq(sql_count("SELECT count(*) FROM memories"), N);
    ck_assert_int_eq(
        sql_count("SELECT count(*) FROM memories_fts WHERE memories_fts MATCH 'words'"), N);
    view = acquire("big", &p); /* the loaded cache was updated in place */
    ck_assert_uint_eq(view->n, N);
    ck_assert_str_eq(view->ids[N - 1], ids[N - 1]);
    p.release(p.user, view);
    free(vec);
    free(var);
    free(m);
    free(ids);
}
END_TEST

/* Row i's norms and compact copies are those basin_scan_row_derive computes from its μ and
 * σ now (reference: the function itself), byte for byte — after inserts, patches and the
 * move of the last row into a deleted one. */
static void assert_derived_row(const basin_scan_data *v, size_t i)
{
    size_t d = (size_t)v->d, q4b = basin_q4_row_bytes(v->d);
    uint8_t *q4 = malloc(q4b);
    int8_t *q8 = malloc(d), *fl = malloc(3 * d);
    size_t fsb = basin_fs_row_bytes(v->d);
    uint8_t *fs = malloc(fsb), *fs_got = malloc(fsb);
    basin_scan_row want = {.mu_q4 = q4, .mu_q8 = q8, .fl_q8 = fl, .cos_fs = fs};
    basin_scan_row_derive(v->d, v->mu + i * d, v->sigma + i * d, &want);
    ck_assert_float_eq(v->inv_norm[i], want.inv_norm);
    ck_assert_float_eq(v->sq_norm[i], want.sq_norm);
    ck_assert_float_eq(v->q4_scale[i], want.q4_scale);
    ck_assert_float_eq(v->q8_scale[i], want.q8_scale);
    for (int k = 0; k < 3; k++)
        ck_assert_float_eq(v->fl_scale[3 * i + k], want.fl_scale[k]);
    ck_assert_int_eq(memcmp(v->mu_q4 + i * q4b, q4, q4b), 0);
    ck_assert_int_eq(memcmp(v->mu_q8 + i * d, q8, d), 0);
    ck_assert_int_eq(memcmp(v->fl_q8 + i * 3 * d, fl, 3 * d), 0);
    basin_fs_get_row(v->cos_fs, v->d, i, fs_got);
    ck_assert_int_eq(memcmp(fs_got, fs, fsb), 0);
    free(fs);
    free(fs_got);
    free(q4);
    free(q8);
    free(fl);
}

START_TEST(view_follows_writes)
{
    /* Reference: the store's own rows (store_memory_get) after each write. */
    make_space("v", 3, "none");
    float vec[12] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1};
    char ids[4][ULID_LEN + 1];
    insert("v", 3, 2, vec, NULL, NULL, NULL, NULL, ids);
    basin_space_provider p;
    const basin_space *view = acquire("v", &p);
    ck_assert_uint_eq(view->n, 2);
    p.release(p.user, view);
    insert("v", 3, 2, vec + 6, NULL, NULL, NULL, NULL, ids + 2);
    view = acquire("v", &p);
    ck_assert_uint_eq(view->n, 4);
    p.release(p.user, view);
    /* Patch: new vector, meta merge, archived. */
    float nv[3] = {5, 6, 7}, nvar[3] = {0.5f, 0.5f, 0.5f};
    json_t *meta = json_pack("{s:i}", "k", 3);
    memory_patch patch = {.meta = meta,
                          .mu = nv,
                          .var = nvar,
                          .var_given = true,
                          .set_archived = true,
                          .archived = true};
    memory_row after;
    ck_assert_int_eq(store_memory_patch(S, "v", ids[1], 3, &patch, &after), 0);
    ck_assert(after.archived && after.var_given);
    memory_row_clear(&after);
    json_decref(meta);
    /* Delete the first: the last row moves into its place. */
    ck_assert_int_eq(store_memory_delete(S, "v", ids[0]), 0);
    ck_assert_int_eq(store_memory_delete(S, "v", ids[0]), BASIN_ENOTFOUND);
    view = acquire("v", &p);
    ck_assert_uint_eq(view->n, 3);
    ck_assert_int_eq(row_of(view, ids[0]), -1);
    for (int k = 1; k < 4; k++) {
        long i = row_of(view, ids[k]);
        ck_assert_int_ge(i, 0);
        memory_row row;
        ck_assert_int_eq(store_memory_get(S, "v", ids[k], true, &row), 0);
        for (int j = 0; j < 3; j++) {
            ck_assert_float_eq(view->scan.mu[i * 3 + j], row.mu[j]);
            ck_assert_float_eq_tol(view->scan.sigma[i * 3 + j], sqrtf(row.var[j]), 1e-6);
        }
        ck_assert_int_eq(view->archived[i], row.archived);
        ck_assert(json_equal(view->meta[i], row.meta));
        assert_derived_row(&view->scan, (size_t)i);
        memory_row_clear(&row);
    }
    ck_assert_int_eq(json_integer_value(json_object_get(view->meta[row_of(view, ids[1])], "k")), 3);
    /* Vector loads want aligned rows: every scan array starts on a 64-byte boundary. */
    const void *arrays[] = {view->scan.mu,      view->scan.sigma,    view->scan.inv_norm,
                            view->scan.sq_norm, view->scan.mu_q4,    view->scan.q4_scale,
                            view->scan.mu_q8,   view->scan.q8_scale, view->scan.fl_q8,
                            view->scan.fl_scale};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        ck_assert_uint_eq((uintptr_t)arrays[k] % 64, 0);
    p.release(p.user, view);
}
END_TEST

START_TEST(observation_tightens_by_precision)
{
    /* Gaussian product: variance v observed with variance v gives v/2, mean the average. */
    make_space("o", 2, "none");
    float mu[2] = {0, 4}, var[2] = {2, 2}, obs[2] = {2, 0}, ovar[2] = {2, 2};
    memory_new m = {.mu = mu, .var = var, .var_given = true, .importance = 0.5};
    char id[1][ULID_LEN + 1];
    ck_assert_int_eq(store_memories_insert(S, "o", 2, &m, 1, id), 0);
    memory_patch p = {.obs_mu = obs, .obs_var = ovar};
    memory_row row;
    ck_assert_int_eq(store_memory_patch(S, "o", id[0], 2, &p, &row), 0);
    ck_assert_float_eq_tol(row.var[0], 1.0f, 1e-6);
    ck_assert_float_eq_tol(row.mu[0], 1.0f, 1e-6);
    ck_assert_float_eq_tol(row.mu[1], 2.0f, 1e-6);
    ck_assert_int_eq(row.observations, 2);
    memory_row_clear(&row);
    json_t *hist;
    ck_assert_int_eq(store_memory_history(S, "o", id[0], &hist), 0);
    ck_assert_uint_eq(json_array_size(hist), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(hist, 0), "op")), "create");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(hist, 1), "op")), "observe");
    json_decref(hist);
    ck_assert_int_eq(store_memory_delete(S, "o", id[0]), 0);
    ck_assert_int_eq(store_memory_history(S, "o", id[0], &hist), 0);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(hist, 2), "op")), "delete");
    json_decref(hist);
}
END_TEST

START_TEST(bm25_from_fts5_follows_text)
{
    make_space("t", 2, "none");
    const char *texts[] = {"cats and more cats and cats", "a cat on a mat", "dogs in the park",
                           NULL};
    float vec[8] = {1, 0, 0, 1, 1, 1, 2, 2};
    char ids[4][ULID_LEN + 1];
    insert("t", 2, 4, vec, texts, NULL, NULL, NULL, ids);
    basin_space_provider p;
    const basin_space *view = acquire("t", &p);
    uint32_t rows[10];
    double score[10];
    size_t n;
    ck_assert_int_eq(p.text_search(p.user, view, "Cat!", 10, rows, score, &n), 0);
    ck_assert_uint_eq(n, 2);                      /* stemmed: "cats" matches "cat" */
    ck_assert_str_eq(view->ids[rows[0]], ids[0]); /* three occurrences beat one */
    ck_assert(score[0] > score[1]);
    ck_assert_int_eq(p.text_search(p.user, view, "   ", 10, rows, score, &n), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(p.text_search(p.user, view, "\"quoted\" OR NEAR(", 10, rows, score, &n), 0);
    p.release(p.user, view);
    /* Re-indexed on patch, gone on delete. */
    memory_patch patch = {.set_text = true, .text = "only birds here"};
    ck_assert_int_eq(store_memory_patch(S, "t", ids[1], 2, &patch, NULL), 0);
    ck_assert_int_eq(store_memory_delete(S, "t", ids[0]), 0);
    view = acquire("t", &p);
    ck_assert_int_eq(p.text_search(p.user, view, "cat", 10, rows, score, &n), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(p.text_search(p.user, view, "bird", 10, rows, score, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(view->ids[rows[0]], ids[1]);
    p.release(p.user, view);
}
END_TEST

/* ---- the models against the store --------------------------------------------------------------
 */

START_TEST(filters_exclude_what_they_should)
{
    /* 60 memories with meta {"i": i, "kind": "even"|"odd"}, tags {"t<i%3>"}, time
     * base + i hours, every tenth archived. Reference: the same conditions checked by
     * brute force over i. k = 60 so that every passing memory is returned. */
    make_space("f", 4, "none");
    enum { N = 60 };
    float vec[N * 4];
    json_t *meta[N], *tags[N];
    int64_t times[N], base = 1700000000000LL;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < 4; j++)
            vec[i * 4 + j] = (float)cos(i * 1.3 + j);
        meta[i] = json_pack("{s:i, s:s}", "i", i, "kind", i % 2 ? "odd" : "even");
        char t[8];
        snprintf(t, sizeof t, "t%d", i % 3);
        tags[i] = json_pack("[s, s]", t, i % 5 == 0 ? "five" : "other");
        times[i] = base + (int64_t)i * 3600000;
    }
    char ids[N][ULID_LEN + 1];
    insert("f", 4, N, vec, NULL, meta, tags, times, ids);
    for (int i = 0; i < N; i += 10) {
        memory_patch p = {.set_archived = true, .archived = true};
        ck_assert_int_eq(store_memory_patch(S, "f", ids[i], 4, &p, NULL), 0);
    }
    const char *cases[] = {
        "{}",
        "{\"include_archived\": true}",
        "{\"meta\": {\"kind\": \"odd\"}}",
        "{\"meta\": {\"i\": {\"gte\": 20, \"lt\": 30}}}",
        "{\"tags_any\": [\"t1\", \"five\"]}",
        "{\"tags_all\": [\"t0\", \"five\"], \"include_archived\": true}",
        NULL, /* the time range, below */
    };
    char t1[40], t2[40];
    clock_format_rfc3339(base + 2 * 3600000, t1, sizeof t1);
    clock_format_rfc3339(base + 11 * 3600000, t2, sizeof t2);
    char time_filter[160];
    snprintf(time_filter, sizeof time_filter, "{\"since\": \"%s\", \"until\": \"%s\"}", t1, t2);
    cases[6] = time_filter;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char params[512];
        snprintf(params, sizeof params,
                 "{\"space\": \"f\", \"vector\": [1, 0, 0, 0], \"k\": 60, \"filter\": %s}",
                 cases[c]);
        json_t *v = run_model("memory.retrieve", params, NULL);
        ck_assert_ptr_nonnull(v);
        int expected = 0;
        for (int i = 0; i < N; i++) {
            bool archived = i % 10 == 0;
            bool keep;
            switch (c) {
            case 0:
                keep = !archived;
                break;
            case 1:
                keep = true;
                break;
            case 2:
                keep = !archived && i % 2 == 1;
                break;
            case 3:
                keep = !archived && i >= 20 && i < 30;
                break;
            case 4:
                keep = !archived && (i % 3 == 1 || i % 5 == 0);
                break;
            case 5:
                keep = i % 3 == 0 && i % 5 == 0;
                break;
            default:
                keep = !archived && i >= 2 && i <= 11;
                break;
            }
            expected += keep;
            ck_assert_msg(result_has(v, ids[i]) == keep, "filter %s: memory %d %s", cases[c], i,
                          keep ? "missing" : "not excluded");
        }
        ck_assert_int_eq(json_integer_value(json_object_get(v, "filtered")), expected);
        json_decref(v);
    }
    for (int i = 0; i < N; i++) {
        json_decref(meta[i]);
        json_decref(tags[i]);
    }
}
END_TEST

START_TEST(retrieve_channels_and_fusion)
{
    /* A hash space: the query text shares words with memory 0 only; vector channels and
     * bm25 rank it first; the fused list's first score is Σ w/(60 + 1). */
    make_space("h", 64, "hash");
    const char *texts[] = {"the quick brown fox jumps", "a lazy dog sleeps all day",
                           "stock markets fell sharply", "the fox and the hound"};
    float vec[4 * 64];
    for (int i = 0; i < 4; i++)
        basin_hash_embed(texts[i], strlen(texts[i]), 64, vec + 64 * i);
    char ids[4][ULID_LEN + 1];
    int64_t times[4] = {1000, 2000, 3000, 4000};
    insert("h", 64, 4, vec, texts, NULL, NULL, times, ids);
    json_t *v = run_model("memory.retrieve",
                          "{\"space\": \"h\", \"text\": \"quick brown fox\", \"k\": 3, "
                          "\"channels\": {\"fisher_rao\": 1, \"cosine\": 1, \"bm25\": 2, "
                          "\"hopfield\": 0.5, \"fisher_local\": 1, \"euclidean\": 1}}",
                          NULL);
    ck_assert_ptr_nonnull(v);
    json_t *first = json_array_get(json_object_get(v, "results"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "id")), ids[0]);
    json_t *ch = json_object_get(first, "channels");
    ck_assert_uint_eq(json_object_size(ch), 6);
    ck_assert_double_eq_tol(json_real_value(json_object_get(first, "score")),
                            (1 + 1 + 2 + 0.5 + 1 + 1) / 61.0, 1e-12);
    ck_assert_str_eq(json_string_value(json_object_get(v, "stage")), "exact");
    json_decref(v);
    /* Temporal alone: nearest event time first. */
    char params[200], tbuf[40];
    clock_format_rfc3339(2900, tbuf, sizeof tbuf);
    snprintf(params, sizeof params,
             "{\"space\": \"h\", \"time\": \"%s\", \"k\": 2, \"channels\": {\"temporal\": 1}}",
             tbuf);
    v = run_model("memory.retrieve", params, NULL);
    first = json_array_get(json_object_get(v, "results"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "id")), ids[2]);
    ck_assert_double_eq_tol(
        json_real_value(json_object_get(
            json_object_get(json_object_get(first, "channels"), "temporal"), "score")),
        0.1, 1e-12);
    json_decref(v);
    /* Forced candidate stage: the same top memory, reported as such. */
    v = run_model("memory.retrieve",
                  "{\"space\": \"h\", \"text\": \"quick brown fox\", \"k\": 1, \"stage\": "
                  "\"candidates\", \"channels\": {\"fisher_rao\": 1}}",
                  NULL);
    ck_assert_str_eq(json_string_value(json_object_get(v, "stage")), "candidates+rerank");
    first = json_array_get(json_object_get(v, "results"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "id")), ids[0]);
    json_decref(v);
    /* Unknown space, and a text query on a space without an embedder. */
    char code[32] = "";
    ck_assert_ptr_null(run_model("memory.retrieve", "{\"space\": \"zz\", \"text\": \"x\"}", code));
    ck_assert_str_eq(code, "not_found");
    make_space("plain", 2, "none");
    ck_assert_ptr_null(run_model("memory.retrieve",
                                 "{\"space\": \"plain\", \"text\": \"x\", \"channels\": "
                                 "{\"cosine\": 1}}",
                                 code));
    ck_assert_str_eq(code, "invalid_query");
}
END_TEST

static int64_t access_count_of(const char *space, const char *id)
{
    memory_row row;
    ck_assert_int_eq(store_memory_get(S, space, id, false, &row), 0);
    int64_t n = row.access_count;
    memory_row_clear(&row);
    return n;
}

START_TEST(retrieval_counts_accesses)
{
    /* memory.md: a memory's access count grows when a retrieval returns it. Reference:
     * the results themselves — after two searches with k = 2 and one memory.complete with
     * k = 1, each memory's count is the number of result lists it was in, as a read shows
     * at once (pending counts included), as a page of the list shows, and as SQL holds
     * after the store closes (the counts are written then at the latest). */
    make_space("a", 2, "none");
    float vec[6] = {1, 0, 0.9f, 0.1f, -1, 0};
    char ids[3][ULID_LEN + 1];
    insert("a", 2, 3, vec, NULL, NULL, NULL, NULL, ids);
    int64_t want[3] = {0, 0, 0};
    const char *params[] = {
        "{\"space\": \"a\", \"vector\": [1, 0], \"k\": 2, \"channels\": {\"cosine\": 1}}",
        "{\"space\": \"a\", \"vector\": [1, 0.05], \"k\": 2}",
    };
    for (int t = 0; t < 2; t++) {
        json_t *v = run_model("memory.retrieve", params[t], NULL);
        ck_assert_ptr_nonnull(v);
        for (int i = 0; i < 3; i++)
            want[i] += result_has(v, ids[i]);
        json_decref(v);
    }
    json_t *v = run_model("memory.complete",
                          "{\"space\": \"a\", \"vector\": [-1, 0], \"beta\": 4, \"k\": 1}", NULL);
    ck_assert_ptr_nonnull(v);
    for (int i = 0; i < 3; i++)
        want[i] += result_has(v, ids[i]);
    json_decref(v);
    ck_assert_int_eq(want[0] + want[1] + want[2], 5);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(access_count_of("a", ids[i]), want[i]);
    memory_row *rows;
    size_t n;
    char next[ULID_LEN + 1];
    ck_assert_int_eq(store_memory_list(S, "a", NULL, 10, false, &rows, &n, next), 0);
    ck_assert_uint_eq(n, 3);
    for (size_t k = 0; k < n; k++)
        for (int i = 0; i < 3; i++)
            if (strcmp(rows[k].id, ids[i]) == 0)
                ck_assert_int_eq(rows[k].access_count, want[i]);
    for (size_t k = 0; k < n; k++)
        memory_row_clear(&rows[k]);
    free(rows);
    /* Closed and reopened: the counts are in SQL. */
    store_close(S);
    ck_assert_int_eq(sql_count("SELECT sum(access_count) FROM memories"), 5);
    store_options opt = {.path = db_path, .sync_full = false, .migrate = true};
    char err[512] = "";
    ck_assert_int_eq(store_open(&opt, &S, err, sizeof err), 0);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(access_count_of("a", ids[i]), want[i]);
}
END_TEST

/* n floats uniform in [−1, 1) by xorshift from seed (non-zero); the caller frees them. */
static float *uniform_vectors(size_t n, uint64_t seed)
{
    float *v = malloc(n * sizeof *v);
    ck_assert_ptr_nonnull(v);
    uint64_t x = seed;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v[i] = (float)((double)(x >> 11) * 0x1.0p-52 - 1.0);
    }
    return v;
}

START_TEST(large_scans_split_over_threads_match_the_reference)
{
    /* 4096 memories × 256 dims: every scan here is large enough to be split over threads
     * (memory_retrieve.c, SCAN_SPLIT_MIN) on a machine with more than one CPU. Reference:
     * every memory's value in double (basin_metric_exact), sorted — the exact stage must
     * return its first ten, in order; the candidate stage the same ten on this random
     * data. Under ThreadSanitizer this is also the race check of the split. */
    enum { N = 4096, D = 256 };
    make_space("big", D, "none");
    float *vec = uniform_vectors((size_t)N * D, 0x9E3779B97F4A7C15ULL);
    char(*ids)[ULID_LEN + 1] = malloc(N * sizeof *ids);
    insert("big", D, N, vec, NULL, NULL, NULL, NULL, ids);
    basin_space_provider p;
    const basin_space *view = acquire("big", &p);
    float q[D], qvar[D], qs[D];
    for (int j = 0; j < D; j++)
        q[j] = vec[17 * D + j] + 0.5f * vec[(size_t)(N - 1 - j) * D + j];
    basin_variance_from_mean(D, q, qvar);
    for (int j = 0; j < D; j++)
        qs[j] = sqrtf(qvar[j]);
    char *params = malloc(64 * D + 512);
    const char *channels[] = {"fisher_rao", "fisher_local", "cosine", "euclidean"};
    char want[4][10][ULID_LEN + 1];
    for (int c = 0; c < 4; c++) {
        basin_metric m = (basin_metric)c;
        struct {
            double v;
            long row;
        } best[10];
        for (int i = 0; i < 10; i++)
            best[i].v = INFINITY, best[i].row = -1;
        for (size_t i = 0; i < view->n; i++) { /* the ten smallest (−cos for cosine) */
            double v =
                basin_metric_exact(m, D, view->scan.mu + i * D, view->scan.sigma + i * D, q, qs);
            v = m == BASIN_METRIC_COSINE ? -v : v;
            int at = 10;
            while (at > 0 && v < best[at - 1].v)
                at--;
            if (at < 10) {
                memmove(&best[at + 1], &best[at], (size_t)(9 - at) * sizeof best[0]);
                best[at].v = v;
                best[at].row = (long)i;
            }
        }
        for (int i = 0; i < 10; i++)
            memcpy(want[c][i], view->ids[best[i].row], ULID_LEN + 1);
    }
    p.release(p.user, view); /* before the runs: they take their own views */
    for (int c = 0; c < 4; c++)
        for (int stage = 0; stage < 2; stage++) {
            size_t len = (size_t)snprintf(params, 512,
                                          "{\"space\": \"big\", \"k\": 10, \"stage\": \"%s\", "
                                          "\"channels\": {\"%s\": 1}, \"vector\": [",
                                          stage ? "candidates" : "exact", channels[c]);
            for (int j = 0; j < D; j++)
                len += (size_t)snprintf(params + len, 64, "%s%.9g", j ? "," : "", q[j]);
            len += (size_t)snprintf(params + len, 64, "], \"variance\": [");
            for (int j = 0; j < D; j++)
                len += (size_t)snprintf(params + len, 64, "%s%.9g", j ? "," : "", qvar[j]);
            snprintf(params + len, 64, "]}");
            json_t *v = run_model("memory.retrieve", params, NULL);
            ck_assert_ptr_nonnull(v);
            json_t *results = json_object_get(v, "results");
            ck_assert_uint_eq(json_array_size(results), 10);
            for (size_t i = 0; i < 10; i++) {
                const char *id =
                    json_string_value(json_object_get(json_array_get(results, i), "id"));
                ck_assert_msg(strcmp(id, want[c][i]) == 0, "%s %s rank %zu", channels[c],
                              stage ? "candidates" : "exact", i);
            }
            json_decref(v);
        }
    free(params);
    free(vec);
    free(ids);
}
END_TEST

/* The ids of memory.retrieve's results for a cosine query over space `name` at `stage`,
 * into ids[0..10); returns bytes_scanned. */
static long cosine_top10(const char *name, const float *q, int d, const char *stage,
                         char ids[10][ULID_LEN + 1])
{
    char *params = malloc(32 * (size_t)d + 256);
    size_t len = (size_t)sprintf(params,
                                 "{\"space\": \"%s\", \"k\": 10, \"stage\": \"%s\", "
                                 "\"channels\": {\"cosine\": 1}, \"vector\": [",
                                 name, stage);
    for (int j = 0; j < d; j++)
        len += (size_t)sprintf(params + len, "%s%.9g", j ? "," : "", q[j]);
    sprintf(params + len, "]}");
    json_t *v = run_model("memory.retrieve", params, NULL);
    ck_assert_ptr_nonnull(v);
    json_t *results = json_object_get(v, "results");
    ck_assert_uint_eq(json_array_size(results), 10);
    for (size_t i = 0; i < 10; i++)
        snprintf(ids[i], ULID_LEN + 1, "%s",
                 json_string_value(json_object_get(json_array_get(results, i), "id")));
    long bytes = (long)json_integer_value(json_object_get(v, "bytes_scanned"));
    json_decref(v);
    free(params);
    return bytes;
}

START_TEST(fast_first_stage_agrees_with_exact)
{
    /* 50 000 memories × 32 dims and no filter: cosine's candidate stage starts with the
     * 2-bit fast scan where its kernel runs (memory_retrieve.c, FAST_THRESHOLD), and then
     * reads fewer bytes than a 4-bit scan of every row. Reference: the exact stage on the
     * same queries — the same ten memories in the same order; and with the portable
     * kernels (no fast stage) the same again. */
    enum { N = 50000, D = 32, BATCH = 10000 };
    make_space("fast", D, "none");
    float *vec = uniform_vectors((size_t)N * D, 0x853C49E6748FEA9BULL), q[D];
    char(*ids)[ULID_LEN + 1] = malloc(BATCH * sizeof *ids);
    for (size_t b = 0; b < N; b += BATCH)
        insert("fast", D, BATCH, vec + b * D, NULL, NULL, NULL, NULL, ids);
    long q4_every_row = (long)N * (64 / 2 + 2 * (long)sizeof(float)); /* basin_scan's count */
    char exact[10][ULID_LEN + 1], cand[10][ULID_LEN + 1];
    for (int t = 0; t < 3; t++) {
        for (int j = 0; j < D; j++)
            q[j] = vec[(size_t)(101 * t + 7) * D + j] + 0.7f * vec[(size_t)(N - 1 - t) * D + j];
        cosine_top10("fast", q, D, "exact", exact);
        for (int portable = 0; portable < 2; portable++) {
            basin_scan_portable(portable);
            long bytes = cosine_top10("fast", q, D, "candidates", cand);
            for (int i = 0; i < 10; i++)
                ck_assert_msg(strcmp(cand[i], exact[i]) == 0, "query %d portable %d rank %d", t,
                              portable, i);
            if (!portable && basin_fs_available())
                ck_assert_int_lt(bytes, q4_every_row);
            else
                ck_assert_int_ge(bytes, q4_every_row);
        }
        basin_scan_portable(false);
    }
    free(vec);
    free(ids);
}
END_TEST

START_TEST(complete_recovers_pattern)
{
    /* memory.complete over 30 ±1 patterns in d = 64: a cue with a quarter of the entries
     * zeroed and a few flipped converges to its pattern (see test_retrieval.c for the
     * separation argument). */
    make_space("c", 64, "none");
    enum { N = 30, D = 64 };
    float vec[N * D];
    uint64_t x = 12345;
    for (int i = 0; i < N * D; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        vec[i] = (x >> 63) ? 0.125f : -0.125f;
    }
    char ids[N][ULID_LEN + 1];
    insert("c", D, N, vec, NULL, NULL, NULL, NULL, ids);
    char params[4096];
    int n = snprintf(params, sizeof params,
                     "{\"space\": \"c\", \"beta\": 16, \"steps\": 20, \"k\": 3, \"vector\": [");
    for (int j = 0; j < D; j++) {
        float c = j % 4 == 0 ? 0.0f : (j % 13 == 1 ? -vec[11 * D + j] : vec[11 * D + j]);
        n += snprintf(params + n, sizeof params - n, "%s%g", j ? ", " : "", c);
    }
    snprintf(params + n, sizeof params - n, "]}");
    json_t *v = run_model("memory.complete", params, NULL);
    ck_assert_ptr_nonnull(v);
    json_t *first = json_array_get(json_object_get(v, "results"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "id")), ids[11]);
    ck_assert(json_real_value(json_object_get(first, "weight")) > 0.99);
    ck_assert(json_real_value(json_object_get(first, "cosine")) > 0.999);
    ck_assert(json_is_true(json_object_get(v, "converged")));
    json_t *state = json_object_get(v, "state");
    for (int j = 0; j < D; j++)
        ck_assert_double_eq_tol(json_real_value(json_array_get(state, j)), vec[11 * D + j], 1e-3);
    json_decref(v);
}
END_TEST

/* Readers scanning while a writer inserts: no crash, every view consistent (n rows with
 * ids that the hash table finds), and the final view has every memory. */
typedef struct stress {
    atomic_int stop;
    atomic_int errors;
} stress;

static void *reader_thread(void *arg)
{
    stress *st = arg;
    while (!atomic_load(&st->stop)) {
        char code[32] = "";
        json_t *v = run_model("memory.retrieve",
                              "{\"space\": \"r\", \"vector\": [1, 2, 3, 4], \"k\": 5}", code);
        if (!v)
            atomic_fetch_add(&st->errors, 1);
        json_decref(v);
    }
    return NULL;
}

START_TEST(concurrent_readers_and_writer)
{
    make_space("r", 4, "none");
    float vec[400];
    for (int i = 0; i < 400; i++)
        vec[i] = (float)(i % 7);
    char ids[100][ULID_LEN + 1];
    insert("r", 4, 100, vec, NULL, NULL, NULL, NULL, ids);
    stress st;
    atomic_init(&st.stop, 0);
    atomic_init(&st.errors, 0);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, reader_thread, &st);
    for (int b = 0; b < 30; b++)
        insert("r", 4, 100, vec, NULL, NULL, NULL, NULL, ids);
    atomic_store(&st.stop, 1);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_eq(atomic_load(&st.errors), 0);
    basin_space_provider p;
    const basin_space *view = acquire("r", &p);
    ck_assert_uint_eq(view->n, 3100);
    p.release(p.user, view);
}
END_TEST

static Suite *spaces_suite(void)
{
    Suite *s = suite_create("spaces");
    TCase *tc = tcase_create("spaces");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, space_create_get_list_delete);
    tcase_add_test(tc, insert_get_list_round_trip);
    tcase_add_test(tc, batch_of_ten_thousand_is_atomic);
    tcase_add_test(tc, view_follows_writes);
    tcase_add_test(tc, observation_tightens_by_precision);
    tcase_add_test(tc, bm25_from_fts5_follows_text);
    tcase_add_test(tc, filters_exclude_what_they_should);
    tcase_add_test(tc, retrieve_channels_and_fusion);
    tcase_add_test(tc, retrieval_counts_accesses);
    tcase_add_test(tc, large_scans_split_over_threads_match_the_reference);
    tcase_add_test(tc, fast_first_stage_agrees_with_exact);
    tcase_add_test(tc, complete_recovers_pattern);
    tcase_add_test(tc, concurrent_readers_and_writer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(base_dir, sizeof base_dir, "%s/basin-spaces-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(base_dir))
        return EXIT_FAILURE;
    SRunner *sr = srunner_create(spaces_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    rmdir(base_dir);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
