/*
 * spaces.c — memory spaces: their SQL (spaces, memories, the FTS5 index, the history) and
 * the in-memory view of each space that retrieval scans (store.h "memory spaces",
 * include/basin/space.h).
 *
 * DESIGN. Each store has a registry of space caches. A cache holds one space's memories
 * in contiguous arrays (μ, σ, their norms and compact copies — basin_scan_data — and the
 * fields filters read), plus an id → row hash table. The arrays scans read are 64-byte
 * aligned and, when large, on transparent huge pages (scan_alloc). It is loaded on the
 * first acquire and
 * then kept in step with SQL: every write of this file commits, then applies the same
 * change to the cache (if loaded) before it releases the writer mutex, so caches see
 * writes in commit order. If applying fails (out of memory) the cache is dropped and
 * reloaded on next use. Lock order: writer mutex → cache lock (a pthread rwlock that
 * prefers writers); readers (retrievals) take only the cache's read lock; the registry
 * mutex guards the list of caches and their reference counts and is never held while
 * waiting for another lock.
 *
 * The registry is the store's (store.spaces): store_open creates it empty and store_close
 * frees it with every cache. This assumes that only this process writes the spaces of its
 * database.
 *
 * Deleting a memory moves the last row into its place (rows are not stable across
 * writes; a view is stable while held, because writers wait for it).
 *
 * Access counts (memory.md): a retrieval counts the memories it returns in the cache
 * (space_touch, atomics under the read lock); they reach SQL in one transaction every few
 * seconds and when the store closes (see "access counts" below).
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "basin/embed.h"
#include "basin/fast_scan.h"
#include "store_internal.h"
#include "util/clock.h"

/* ---- the cache of one space ------------------------------------------------------------- */

/* Bytes of one row's fast-scan codes at the largest dimension (basin_fs_row_bytes). */
#define FS_ROW_MAX ((SPACE_DIM_MAX + 3) / 4)

typedef struct space_cache space_cache;
struct space_cache {
    basin_space view; /* first member: a view pointer is its cache */
    pthread_rwlock_t lock;
    int refs; /* guarded by the registry mutex; the registry holds one while listed */
    bool loaded, dead;
    int64_t space_id;
    char name[SPACE_NAME_MAX + 1], embedder[8], metric[16];
    int dim;
    size_t n, cap;
    /* What scans read (see basin_scan_data), in arrays from scan_alloc. */
    float *mu, *sigma, *inv_norm, *sq_norm, *q4_scale, *q8_scale, *fl_scale;
    uint8_t *mu_q4;
    int8_t *mu_q8, *fl_q8;
    uint8_t *cos_fs; /* in blocks of 64 rows (fast_scan.h): cap is a multiple of 64 */
    float *importance;
    char (*ids)[ULID_LEN + 1];
    char **text;
    json_t **meta, **tags;
    int64_t *event_time, *created_at;
    uint8_t *archived;
    /* Accesses (rows a retrieval returned) not yet added to memories.access_count: counted
     * by readers under the read lock, written to SQL by accesses_flush. */
    atomic_uint *accessed;
    atomic_ullong pending;      /* Σ accessed */
    atomic_llong last_flush_ms; /* clock_mono_ms of the last flush (or of the load) */
    uint32_t *slots;            /* id → row + 1 (0: empty), linear probing */
    size_t n_slots;             /* a power of two ≥ 2 · cap */
    space_cache *next;
};

/* The caches of one store (store.spaces), created by store_spaces_open and freed by
 * store_spaces_close. */
typedef struct space_registry space_registry;
struct space_registry {
    pthread_mutex_t mutex; /* guards caches and every cache's refs */
    space_cache *caches;
};

static void cache_clear_rows(space_cache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->text[i]);
        json_decref(c->meta[i]);
        json_decref(c->tags[i]);
    }
    c->n = 0;
}

static void cache_free_arrays(space_cache *c)
{
    cache_clear_rows(c);
    void *arrays[] = {
        c->mu,    c->sigma, c->inv_norm,   c->sq_norm,    c->q4_scale,   c->q8_scale, c->fl_scale,
        c->mu_q4, c->mu_q8, c->fl_q8,      c->cos_fs,     c->importance, c->ids,      c->text,
        c->meta,  c->tags,  c->event_time, c->created_at, c->archived,   c->accessed, c->slots};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        free(arrays[k]);
    c->mu = c->sigma = c->inv_norm = c->sq_norm = c->q4_scale = c->q8_scale = c->fl_scale = NULL;
    c->mu_q4 = c->cos_fs = NULL;
    c->mu_q8 = c->fl_q8 = NULL;
    c->importance = NULL;
    c->ids = NULL;
    c->text = NULL;
    c->meta = c->tags = NULL;
    c->event_time = c->created_at = NULL;
    c->archived = NULL;
    c->accessed = NULL;
    atomic_store(&c->pending, 0);
    c->slots = NULL;
    c->cap = c->n_slots = 0;
    c->loaded = false;
}

static void cache_free(space_cache *c)
{
    if (!c)
        return;
    cache_free_arrays(c);
    pthread_rwlock_destroy(&c->lock);
    free(c);
}

/* Points the view at the current arrays (after any reallocation). */
static void cache_refresh_view(space_cache *c)
{
    basin_space *v = &c->view;
    v->name = c->name;
    v->dim = c->dim;
    v->embedder = c->embedder;
    v->metric = c->metric;
    v->n = c->n;
    v->scan = (basin_scan_data){.d = c->dim,
                                .n = c->n,
                                .mu = c->mu,
                                .sigma = c->sigma,
                                .inv_norm = c->inv_norm,
                                .sq_norm = c->sq_norm,
                                .mu_q4 = c->mu_q4,
                                .q4_scale = c->q4_scale,
                                .mu_q8 = c->mu_q8,
                                .q8_scale = c->q8_scale,
                                .fl_q8 = c->fl_q8,
                                .fl_scale = c->fl_scale,
                                .cos_fs = c->cos_fs};
    v->ids = (const char(*)[BASIN_SPACE_ID_LEN + 1]) c->ids;
    v->text = c->text;
    v->meta = c->meta;
    v->tags = c->tags;
    v->event_time = c->event_time;
    v->created_at = c->created_at;
    v->importance = c->importance;
    v->archived = c->archived;
}

static uint64_t id_hash(const char *id)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = id; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* The slot holding id, or the empty slot where it would go. */
static size_t slot_of(const space_cache *c, const char *id)
{
    size_t mask = c->n_slots - 1, k = (size_t)id_hash(id) & mask;
    while (c->slots[k] && strcmp(c->ids[c->slots[k] - 1], id) != 0)
        k = (k + 1) & mask;
    return k;
}

static long cache_find(const space_cache *c, const char *id)
{
    if (!c->n_slots)
        return -1;
    size_t k = slot_of(c, id);
    return c->slots[k] ? (long)c->slots[k] - 1 : -1;
}

/* Removes the slot of id by backward-shift deletion (linear probing stays valid). */
static void slot_remove(space_cache *c, const char *id)
{
    size_t mask = c->n_slots - 1, k = slot_of(c, id);
    if (!c->slots[k])
        return;
    c->slots[k] = 0;
    for (size_t j = (k + 1) & mask; c->slots[j]; j = (j + 1) & mask) {
        uint32_t row = c->slots[j];
        size_t home = (size_t)id_hash(c->ids[row - 1]) & mask;
        /* Move row back into the hole unless its home lies cyclically in (k, j]. */
        bool stays = k <= j ? (home > k && home <= j) : (home > k || home <= j);
        if (!stays) {
            c->slots[k] = row;
            c->slots[j] = 0;
            k = j;
        }
    }
}

static int rebuild_slots(space_cache *c, size_t want)
{
    size_t n_slots = 16;
    while (n_slots < 2 * want)
        n_slots *= 2;
    uint32_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots)
        return BASIN_ENOMEM;
    free(c->slots);
    c->slots = slots;
    c->n_slots = n_slots;
    for (size_t i = 0; i < c->n; i++)
        c->slots[slot_of(c, c->ids[i])] = (uint32_t)(i + 1);
    return 0;
}

#define GROW(field, count)                                                                         \
    do {                                                                                           \
        void *p_ = realloc(c->field, (count) * sizeof *c->field);                                  \
        if (!p_)                                                                                   \
            return BASIN_ENOMEM;                                                                   \
        c->field = p_;                                                                             \
    } while (0)

/* A scan array of `bytes` holding a copy of the first `used` bytes of old (then freed):
 * 64-byte aligned, so that vector loads of rows do not straddle cache lines, and from 2 MiB
 * up aligned to 2 MiB and advised to the kernel as huge pages, so that a scan does not
 * spend its time on TLB misses (NumPy does the same for its large arrays). NULL when out
 * of memory (old is then kept). */
static void *scan_alloc(void *old, size_t used, size_t bytes)
{
    size_t huge = (size_t)2 << 20;
    void *p = NULL;
    if (posix_memalign(&p, bytes >= huge ? huge : 64, bytes ? bytes : 1) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    if (bytes >= huge)
        madvise(p, bytes / huge * huge, MADV_HUGEPAGE); /* advice only: failure is harmless */
#endif
    if (used)
        memcpy(p, old, used);
    free(old);
    return p;
}

/* The scan arrays: field and bytes per row (d: the space's dimension). */
#define SCAN_ARRAYS(X, d)                                                                          \
    X(mu, (d) * sizeof(float))                                                                     \
    X(sigma, (d) * sizeof(float))                                                                  \
    X(inv_norm, sizeof(float))                                                                     \
    X(sq_norm, sizeof(float))                                                                      \
    X(mu_q4, basin_q4_row_bytes((int)(d)))                                                         \
    X(q4_scale, sizeof(float))                                                                     \
    X(mu_q8, (d))                                                                                  \
    X(q8_scale, sizeof(float))                                                                     \
    X(fl_q8, 3 * (d))                                                                              \
    X(fl_scale, 3 * sizeof(float))

/* Makes room for `need` rows. */
static int cache_reserve(space_cache *c, size_t need)
{
    if (need <= c->cap && c->n_slots)
        return 0;
    size_t cap = c->cap ? c->cap : 64;
    while (cap < need)
        cap *= 2;
    size_t d = (size_t)c->dim;
    if (cap != c->cap) {
#define SCAN_GROW(field, row_bytes)                                                                \
    {                                                                                              \
        void *p_ = scan_alloc(c->field, c->n * (row_bytes), cap * (row_bytes));                    \
        if (!p_)                                                                                   \
            return BASIN_ENOMEM;                                                                   \
        c->field = p_;                                                                             \
    }
        SCAN_ARRAYS(SCAN_GROW, d)
#undef SCAN_GROW
        /* blocked: the rows of a partly filled block are spread over the whole block */
        size_t fs_row = basin_fs_row_bytes(c->dim);
        size_t used = (c->n + BASIN_FS_BLOCK - 1) / BASIN_FS_BLOCK * BASIN_FS_BLOCK * fs_row;
        void *fs = scan_alloc(c->cos_fs, used, cap * fs_row);
        if (!fs)
            return BASIN_ENOMEM;
        c->cos_fs = fs;
    }
    GROW(importance, cap);
    GROW(ids, cap);
    GROW(text, cap);
    GROW(meta, cap);
    GROW(tags, cap);
    GROW(event_time, cap);
    GROW(created_at, cap);
    GROW(archived, cap);
    GROW(accessed, cap);
    c->cap = cap;
    if (c->n_slots < 2 * cap)
        return rebuild_slots(c, cap);
    return 0;
}

/* Writes the vector columns of row i from μ and σ² (float32, dim each): σ = √σ², the
 * norms and the compact copies (basin_scan_row_derive). */
static void cache_set_vectors(space_cache *c, size_t i, const float *mu, const float *var)
{
    size_t d = (size_t)c->dim;
    float *m = c->mu + i * d, *s = c->sigma + i * d;
    for (size_t j = 0; j < d; j++) {
        m[j] = mu[j];
        s[j] = sqrtf(var[j]);
    }
    uint8_t fs[FS_ROW_MAX];
    basin_scan_row row = {.mu_q4 = c->mu_q4 + i * basin_q4_row_bytes(c->dim),
                          .mu_q8 = c->mu_q8 + i * d,
                          .fl_q8 = c->fl_q8 + i * 3 * d,
                          .cos_fs = fs};
    basin_scan_row_derive(c->dim, m, s, &row);
    basin_fs_put_row(c->cos_fs, c->dim, i, fs);
    c->inv_norm[i] = row.inv_norm;
    c->sq_norm[i] = row.sq_norm;
    c->q4_scale[i] = row.q4_scale;
    c->q8_scale[i] = row.q8_scale;
    memcpy(c->fl_scale + 3 * i, row.fl_scale, sizeof row.fl_scale);
}

/* The scalar and JSON columns of row i; text is copied, the references to meta and tags
 * are taken (pass copies: the cache never shares objects with callers). */
static int cache_set_fields(space_cache *c, size_t i, const char *text, json_t *meta, json_t *tags,
                            int64_t event_time, int64_t created_at, double importance,
                            bool archived)
{
    char *t = text ? strdup(text) : NULL;
    c->text[i] = t;
    c->meta[i] = meta;
    c->tags[i] = tags;
    c->event_time[i] = event_time;
    c->created_at[i] = created_at;
    c->importance[i] = (float)importance;
    c->archived[i] = archived;
    return (text && !t) || !meta || !tags ? BASIN_ENOMEM : 0;
}

/* Appends a row (the caller reserved room); takes meta and tags like cache_set_fields. */
static int cache_append(space_cache *c, const char *id, const char *text, const float *mu,
                        const float *var, json_t *meta, json_t *tags, int64_t event_time,
                        int64_t created_at, double importance, bool archived)
{
    size_t i = c->n;
    memcpy(c->ids[i], id, ULID_LEN + 1);
    cache_set_vectors(c, i, mu, var);
    int rc = cache_set_fields(c, i, text, meta, tags, event_time, created_at, importance, archived);
    atomic_init(&c->accessed[i], 0);
    c->slots[slot_of(c, id)] = (uint32_t)(i + 1);
    c->n++; /* even on failure: the row's references are released with the others */
    return rc;
}

/* Removes row i, moving the last row into its place. */
static void cache_remove(space_cache *c, size_t i)
{
    size_t last = c->n - 1, d = (size_t)c->dim;
    atomic_fetch_sub(&c->pending, atomic_load(&c->accessed[i])); /* a deleted memory's */
    slot_remove(c, c->ids[i]);
    free(c->text[i]);
    json_decref(c->meta[i]);
    json_decref(c->tags[i]);
    if (i != last) {
        slot_remove(c, c->ids[last]);
#define SCAN_MOVE(field, row_bytes)                                                                \
    memcpy((char *)c->field + i * (row_bytes), (char *)c->field + last * (row_bytes), (row_bytes));
        SCAN_ARRAYS(SCAN_MOVE, d)
#undef SCAN_MOVE
        uint8_t fs[FS_ROW_MAX];
        basin_fs_get_row(c->cos_fs, c->dim, last, fs);
        basin_fs_put_row(c->cos_fs, c->dim, i, fs);
        c->importance[i] = c->importance[last];
        memcpy(c->ids[i], c->ids[last], ULID_LEN + 1);
        c->text[i] = c->text[last];
        c->meta[i] = c->meta[last];
        c->tags[i] = c->tags[last];
        c->event_time[i] = c->event_time[last];
        c->created_at[i] = c->created_at[last];
        c->archived[i] = c->archived[last];
        atomic_store(&c->accessed[i], atomic_load(&c->accessed[last]));
        c->slots[slot_of(c, c->ids[i])] = (uint32_t)(i + 1);
    }
    c->n--;
}

/* ---- the registry ------------------------------------------------------------------------ */

/* The registry of s (NULL only for a store that failed to open). */
static space_registry *registry_of(store *s)
{
    return s->spaces;
}

/* The cache of `name` with a reference taken; created (unloaded) when `create`. */
static space_cache *cache_get(space_registry *r, const char *name, bool create)
{
    pthread_mutex_lock(&r->mutex);
    space_cache *c = r->caches;
    while (c && strcmp(c->name, name) != 0)
        c = c->next;
    if (!c && create && (c = calloc(1, sizeof *c)) != NULL) {
        pthread_rwlockattr_t attr;
        pthread_rwlockattr_init(&attr);
        pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
        pthread_rwlock_init(&c->lock, &attr);
        pthread_rwlockattr_destroy(&attr);
        snprintf(c->name, sizeof c->name, "%s", name);
        c->refs = 1;
        c->next = r->caches;
        r->caches = c;
    }
    if (c)
        c->refs++;
    pthread_mutex_unlock(&r->mutex);
    return c;
}

static void cache_put(space_registry *r, space_cache *c)
{
    pthread_mutex_lock(&r->mutex);
    bool last = --c->refs == 0;
    pthread_mutex_unlock(&r->mutex);
    if (last)
        cache_free(c);
}

/* Unlists a cache (its space is gone, or it must be reloaded): later gets make a new one. */
static void cache_unlist(space_registry *r, space_cache *c)
{
    pthread_mutex_lock(&r->mutex);
    bool listed = false;
    for (space_cache **pp = &r->caches; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            listed = true;
            break;
        }
    c->dead = true;
    bool last = listed && --c->refs == 0;
    pthread_mutex_unlock(&r->mutex);
    if (last)
        cache_free(c);
}

/* ---- SQL helpers ---------------------------------------------------------------------------- */

/* Ends a write like store_write_end but keeps the writer mutex, so that the cache update
 * that follows happens before the next write; release it with write_unlock. */
static int write_end_locked(store *s, bool ok)
{
    int rc = sqlite3_exec(s->writer, ok ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
    if (rc != SQLITE_OK && ok)
        sqlite3_exec(s->writer, "ROLLBACK", NULL, NULL, NULL);
    return store_rc(rc);
}

static void write_unlock(store *s)
{
    pthread_mutex_unlock(&s->writer_mutex);
}

typedef struct space_key {
    int64_t id;
    int dim;
    char embedder[8];
} space_key;

static int space_lookup(sqlite3 *db, const char *name, space_key *out)
{
    sqlite3_stmt *st = store_prepare(db, "SELECT id, dim, embedder FROM spaces WHERE name = ?1");
    if (!st)
        return BASIN_EDB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int step = sqlite3_step(st), rc;
    if (step == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->dim = sqlite3_column_int(st, 1);
        const char *e = (const char *)sqlite3_column_text(st, 2);
        snprintf(out->embedder, sizeof out->embedder, "%s", e ? e : "none");
        rc = 0;
    } else {
        rc = step == SQLITE_DONE ? BASIN_ENOTFOUND : store_rc(step);
    }
    sqlite3_finalize(st);
    return rc;
}

/* A float32 blob of exactly n values into out (malloc'd); NULL on a size mismatch. */
static float *blob_floats(sqlite3_stmt *st, int col, int n)
{
    const void *b = sqlite3_column_blob(st, col);
    int bytes = sqlite3_column_bytes(st, col);
    if (!b || bytes != n * (int)sizeof(float))
        return NULL;
    float *out = malloc((size_t)bytes);
    if (out)
        memcpy(out, b, (size_t)bytes);
    return out;
}

/* Mean of a vector, for history summaries. */
static double mean_of(const float *x, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += x[i];
    return n ? s / n : 0.0;
}

static int history_add(sqlite3 *db, const char *memory_id, int64_t space_id, int64_t at,
                       const char *op, const json_t *changes)
{
    sqlite3_stmt *st = store_prepare(db, "INSERT INTO memory_history (memory_id, space_id, at, "
                                         "op, changes) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (st) {
        sqlite3_bind_text(st, 1, memory_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, space_id);
        sqlite3_bind_int64(st, 3, at);
        sqlite3_bind_text(st, 4, op, -1, SQLITE_STATIC);
        store_bind_json(st, 5, changes);
    }
    return store_step_done(st);
}

/* ---- loading a cache ------------------------------------------------------------------------ */

/* Loads c from SQL. The caller holds the writer mutex (no write can interleave) and c's
 * write lock. BASIN_ENOTFOUND when the space does not exist. */
static int cache_load(store *s, space_cache *c)
{
    sqlite3 *db = s->writer; /* idle: we hold its mutex and no transaction is open */
    space_key key;
    int rc = space_lookup(db, c->name, &key);
    if (rc)
        return rc;
    sqlite3_stmt *st = store_prepare(db, "SELECT metric, (SELECT count(*) FROM memories WHERE "
                                         "space_id = ?1) FROM spaces WHERE id = ?1");
    if (!st)
        return BASIN_EDB;
    sqlite3_bind_int64(st, 1, key.id);
    size_t count = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *metric = (const char *)sqlite3_column_text(st, 0);
        snprintf(c->metric, sizeof c->metric, "%s", metric ? metric : "cosine");
        count = (size_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    cache_free_arrays(c);
    c->space_id = key.id;
    c->dim = key.dim;
    snprintf(c->embedder, sizeof c->embedder, "%s", key.embedder);
    rc = cache_reserve(c, count ? count : 1);
    st = rc ? NULL
            : store_prepare(db, "SELECT id, text, mu, var, meta, tags, event_time, created_at, "
                                "importance, archived FROM memories WHERE space_id = ?1 "
                                "ORDER BY rowid");
    if (!rc && !st)
        rc = BASIN_EDB;
    if (st)
        sqlite3_bind_int64(st, 1, key.id);
    int step = SQLITE_DONE;
    size_t blob_bytes = (size_t)key.dim * sizeof(float);
    float *mu_buf = malloc(blob_bytes), *var_buf = malloc(blob_bytes); /* aligned copies */
    if (!mu_buf || !var_buf)
        rc = BASIN_ENOMEM;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const void *mu = sqlite3_column_blob(st, 2), *var = sqlite3_column_blob(st, 3);
        if (!id || strlen(id) != ULID_LEN || !mu || !var ||
            (size_t)sqlite3_column_bytes(st, 2) != blob_bytes ||
            (size_t)sqlite3_column_bytes(st, 3) != blob_bytes) {
            rc = BASIN_EDB;
            break;
        }
        if ((rc = cache_reserve(c, c->n + 1)) != 0)
            break;
        memcpy(mu_buf, mu, blob_bytes);
        memcpy(var_buf, var, blob_bytes);
        rc = cache_append(c, id, (const char *)sqlite3_column_text(st, 1), mu_buf, var_buf,
                          store_column_json(st, 4, json_object()),
                          store_column_json(st, 5, json_array()), sqlite3_column_int64(st, 6),
                          sqlite3_column_int64(st, 7), sqlite3_column_double(st, 8),
                          sqlite3_column_int(st, 9) != 0);
    }
    free(mu_buf);
    free(var_buf);
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_rc(step);
    sqlite3_finalize(st);
    if (rc) {
        cache_free_arrays(c);
        return rc;
    }
    c->loaded = true;
    atomic_store(&c->last_flush_ms, clock_mono_ms());
    cache_refresh_view(c);
    return 0;
}

/* ---- the provider: acquire, release, text search ---------------------------------------- */

static int space_acquire(store *s, const char *name, const basin_space **out)
{
    space_registry *r = registry_of(s);
    if (!r)
        return BASIN_ENOMEM;
    for (int attempt = 0; attempt < 8; attempt++) {
        space_cache *c = cache_get(r, name, true);
        if (!c)
            return BASIN_ENOMEM;
        pthread_rwlock_rdlock(&c->lock);
        if (c->loaded && !c->dead) {
            *out = &c->view;
            return 0;
        }
        pthread_rwlock_unlock(&c->lock);
        int rc = 0;
        pthread_mutex_lock(&s->writer_mutex);
        pthread_rwlock_wrlock(&c->lock);
        if (!c->loaded && !c->dead)
            rc = cache_load(s, c);
        pthread_rwlock_unlock(&c->lock);
        pthread_mutex_unlock(&s->writer_mutex);
        if (rc) {
            if (rc == BASIN_ENOTFOUND)
                cache_unlist(r, c);
            cache_put(r, c);
            return rc;
        }
        cache_put(r, c); /* loaded (or unlisted meanwhile): take it again under the read lock */
    }
    return BASIN_EBUSY;
}

/* ---- access counts ------------------------------------------------------------------------ */

/* Accesses are counted in the cache (space_touch) and added to memories.access_count at
 * most every ACCESS_FLUSH_MS per space, by the release that finds them due, and when the
 * store closes — one write transaction for many searches, instead of one per search.
 * Reads of a memory add the counts not yet written (pending_accesses), so they are exact;
 * a crash loses at most the last ACCESS_FLUSH_MS of counts. */
#define ACCESS_FLUSH_MS 5000

/* Adds the pending accesses of c to SQL. The caller holds the writer mutex (so no write
 * moves rows meanwhile) and no transaction is open; readers may go on counting. On failure
 * the counts stay pending. */
static void accesses_flush(store *s, space_cache *c)
{
    atomic_store(&c->last_flush_ms, clock_mono_ms());
    if (!c->loaded || c->dead || atomic_load(&c->pending) == 0)
        return;
    size_t cap = 0, m = 0;
    for (size_t i = 0; i < c->n; i++)
        cap += atomic_load_explicit(&c->accessed[i], memory_order_relaxed) != 0;
    uint32_t *row = malloc((cap ? cap : 1) * sizeof *row);
    uint32_t *count = malloc((cap ? cap : 1) * sizeof *count);
    int rc = row && count ? 0 : BASIN_ENOMEM;
    for (size_t i = 0; rc == 0 && i < c->n && m < cap; i++) {
        /* Rows first counted since the pass above wait for the next flush. */
        uint32_t a = atomic_load_explicit(&c->accessed[i], memory_order_relaxed);
        if (a) {
            row[m] = (uint32_t)i;
            count[m++] = a;
        }
    }
    bool began = false;
    if (rc == 0) {
        rc = store_rc(sqlite3_exec(s->writer, "BEGIN IMMEDIATE", NULL, NULL, NULL));
        began = rc == 0;
    }
    sqlite3_stmt *st =
        rc ? NULL
           : store_prepare(s->writer, "UPDATE memories SET access_count = access_count + ?1 "
                                      "WHERE id = ?2 AND space_id = ?3");
    if (rc == 0 && !st)
        rc = BASIN_EDB;
    for (size_t k = 0; rc == 0 && k < m; k++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, count[k]);
        sqlite3_bind_text(st, 2, c->ids[row[k]], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, c->space_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = BASIN_EDB;
    }
    sqlite3_finalize(st);
    if (began) {
        int end = write_end_locked(s, rc == 0);
        if (rc == 0)
            rc = end;
    }
    if (rc == 0) /* written: what readers added meanwhile stays pending */
        for (size_t k = 0; k < m; k++) {
            atomic_fetch_sub(&c->accessed[row[k]], count[k]);
            atomic_fetch_sub(&c->pending, count[k]);
        }
    free(row);
    free(count);
}

int store_spaces_open(store *s)
{
    space_registry *r = calloc(1, sizeof *r);
    if (!r)
        return BASIN_ENOMEM;
    pthread_mutex_init(&r->mutex, NULL);
    s->spaces = r;
    return 0;
}

void store_spaces_close(store *s)
{
    space_registry *r = s->spaces;
    if (!r)
        return;
    for (space_cache *c = r->caches, *next; c; c = next) {
        next = c->next;
        if (s->writer) {
            pthread_mutex_lock(&s->writer_mutex);
            accesses_flush(s, c);
            pthread_mutex_unlock(&s->writer_mutex);
        }
        cache_free(c);
    }
    pthread_mutex_destroy(&r->mutex);
    free(r);
    s->spaces = NULL;
}

static void space_touch(store *s, const basin_space *sp, const uint32_t *rows, size_t n)
{
    (void)s;
    space_cache *c = (space_cache *)sp; /* read-locked by the caller: rows are stable */
    size_t counted = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i] < c->n) {
            atomic_fetch_add_explicit(&c->accessed[rows[i]], 1, memory_order_relaxed);
            counted++;
        }
    atomic_fetch_add(&c->pending, counted);
}

/* Adds to rows[0..n) of space `name` the accesses not yet in SQL (none when its cache is
 * not loaded). */
static void add_pending_accesses(store *s, const char *name, memory_row *rows, size_t n)
{
    space_registry *r = registry_of(s);
    space_cache *c = r && n ? cache_get(r, name, false) : NULL;
    if (!c)
        return;
    pthread_rwlock_rdlock(&c->lock);
    for (size_t k = 0; c->loaded && atomic_load(&c->pending) && k < n; k++) {
        long i = cache_find(c, rows[k].id);
        if (i >= 0)
            rows[k].access_count += atomic_load(&c->accessed[i]);
    }
    pthread_rwlock_unlock(&c->lock);
    cache_put(r, c);
}

static void space_release(store *s, const basin_space *sp)
{
    if (!sp)
        return;
    space_cache *c = (space_cache *)sp;
    pthread_rwlock_unlock(&c->lock);
    if (atomic_load(&c->pending) &&
        clock_mono_ms() - atomic_load(&c->last_flush_ms) >= ACCESS_FLUSH_MS) {
        pthread_mutex_lock(&s->writer_mutex);
        if (clock_mono_ms() - atomic_load(&c->last_flush_ms) >= ACCESS_FLUSH_MS)
            accesses_flush(s, c); /* still due: no other release flushed meanwhile */
        pthread_mutex_unlock(&s->writer_mutex);
    }
    space_registry *r = registry_of(s);
    if (r)
        cache_put(r, c);
}

/* The words of a free-text query as an FTS5 expression "w1" OR "w2" …; words are runs of
 * letters, digits and non-ASCII bytes (so nothing in them needs escaping). */
static size_t fts_query(const char *text, char *out, size_t cap)
{
    size_t n = 0, words = 0;
    out[0] = '\0';
    for (const unsigned char *p = (const unsigned char *)text; *p && words < 64;) {
        while (*p && !((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
                       (*p >= 'A' && *p <= 'Z') || *p >= 0x80))
            p++;
        const unsigned char *w = p;
        while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
               *p >= 0x80)
            p++;
        size_t len = (size_t)(p - w);
        if (!len)
            break;
        if (n + len + 8 >= cap)
            break;
        n += (size_t)snprintf(out + n, cap - n, "%s\"%.*s\"", words ? " OR " : "", (int)len,
                              (const char *)w);
        words++;
    }
    return words;
}

static int space_text_search(store *s, const basin_space *sp, const char *query, size_t limit,
                             uint32_t *rows, double *score, size_t *n)
{
    const space_cache *c = (const space_cache *)sp;
    char expr[8192];
    *n = 0;
    if (!fts_query(query, expr, sizeof expr) || limit == 0)
        return 0;
    sqlite3 *db = store_reader_get(s);
    sqlite3_stmt *st =
        db ? store_prepare(db, "SELECT m.id, bm25(memories_fts) FROM memories_fts JOIN memories "
                               "m ON m.rowid = memories_fts.rowid WHERE memories_fts MATCH ?1 "
                               "AND m.space_id = ?2 ORDER BY bm25(memories_fts) LIMIT ?3")
           : NULL;
    if (!st) {
        store_reader_put(s, db);
        return BASIN_EDB;
    }
    sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, c->space_id);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
    size_t count = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && count < limit) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        long row = id ? cache_find(c, id) : -1;
        if (row < 0)
            continue; /* committed after the view was taken: not in this view */
        rows[count] = (uint32_t)row;
        score[count] = -sqlite3_column_double(st, 1);
        count++;
    }
    int rc = step == SQLITE_DONE || step == SQLITE_ROW ? 0 : store_rc(step);
    sqlite3_finalize(st);
    store_reader_put(s, db);
    if (rc == 0)
        *n = count;
    return rc;
}

static int provider_acquire(void *user, const char *name, const basin_space **out)
{
    return space_acquire(user, name, out);
}

static void provider_release(void *user, const basin_space *sp)
{
    space_release(user, sp);
}

static void provider_touch(void *user, const basin_space *sp, const uint32_t *rows, size_t n)
{
    space_touch(user, sp, rows, n);
}

static int provider_text_search(void *user, const basin_space *sp, const char *query, size_t limit,
                                uint32_t *rows, double *score, size_t *n)
{
    return space_text_search(user, sp, query, limit, rows, score, n);
}

void store_space_provider(store *s, basin_space_provider *out)
{
    *out = (basin_space_provider){.user = s,
                                  .acquire = provider_acquire,
                                  .release = provider_release,
                                  .touch = provider_touch,
                                  .text_search = provider_text_search};
}

/* ---- spaces ---------------------------------------------------------------------------------- */

int store_space_create(store *s, const space_row *sp)
{
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    space_key key;
    rc = space_lookup(db, sp->name, &key);
    if (rc == 0)
        rc = BASIN_ECONFLICT;
    else if (rc == BASIN_ENOTFOUND)
        rc = 0;
    if (rc == 0) {
        sqlite3_stmt *st = store_prepare(db, "INSERT INTO spaces (name, dim, embedder, metric, "
                                             "created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
        if (st) {
            sqlite3_bind_text(st, 1, sp->name, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 2, sp->dim);
            sqlite3_bind_text(st, 3, sp->embedder, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, sp->metric, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 5, sp->created_at ? sp->created_at : clock_wall_ms());
        }
        rc = store_step_done(st);
    }
    int end = store_write_end(s, rc == 0);
    return rc ? rc : end;
}

#define SPACE_SELECT                                                                               \
    "SELECT s.name, s.dim, s.embedder, s.metric, s.created_at, "                                   \
    "(SELECT count(*) FROM memories m WHERE m.space_id = s.id) FROM spaces s "

static void read_space_row(sqlite3_stmt *st, space_row *out)
{
    memset(out, 0, sizeof *out);
    const char *name = (const char *)sqlite3_column_text(st, 0);
    const char *emb = (const char *)sqlite3_column_text(st, 2);
    const char *metric = (const char *)sqlite3_column_text(st, 3);
    snprintf(out->name, sizeof out->name, "%s", name ? name : "");
    out->dim = sqlite3_column_int(st, 1);
    snprintf(out->embedder, sizeof out->embedder, "%s", emb ? emb : "none");
    snprintf(out->metric, sizeof out->metric, "%s", metric ? metric : "cosine");
    out->created_at = sqlite3_column_int64(st, 4);
    out->count = sqlite3_column_int64(st, 5);
}

static int space_get(store *s, const char *name, bool count, space_row *out)
{
    /* Without the count (every search asks): a cached statement, no parse per call. */
    sqlite3 *db = store_reader_get(s);
    sqlite3_stmt *st = !db     ? NULL
                       : count ? store_prepare(db, SPACE_SELECT "WHERE s.name = ?1")
                               : store_cached(db, "SELECT s.name, s.dim, s.embedder, s.metric, "
                                                  "s.created_at, -1 FROM spaces s WHERE "
                                                  "s.name = ?1");
    int rc = BASIN_EDB;
    if (st) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            read_space_row(st, out);
            rc = 0;
        } else {
            rc = step == SQLITE_DONE ? BASIN_ENOTFOUND : store_rc(step);
        }
        if (count)
            sqlite3_finalize(st);
        else
            store_done(st);
    }
    store_reader_put(s, db);
    return rc;
}

int store_space_get(store *s, const char *name, space_row *out)
{
    return space_get(s, name, true, out);
}

int store_space_info(store *s, const char *name, space_row *out)
{
    return space_get(s, name, false, out);
}

int store_space_list(store *s, space_row **rows, size_t *n)
{
    sqlite3 *db = store_reader_get(s);
    sqlite3_stmt *st = db ? store_prepare(db, SPACE_SELECT "ORDER BY s.name") : NULL;
    if (!st) {
        store_reader_put(s, db);
        return BASIN_EDB;
    }
    space_row *out = NULL;
    size_t count = 0, cap = 0;
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? 2 * cap : 16;
            space_row *p = realloc(out, cap * sizeof *p);
            if (!p) {
                rc = BASIN_ENOMEM;
                break;
            }
            out = p;
        }
        read_space_row(st, &out[count++]);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_rc(step);
    sqlite3_finalize(st);
    store_reader_put(s, db);
    if (rc) {
        free(out);
        return rc;
    }
    *rows = out;
    *n = count;
    return 0;
}

int store_space_delete(store *s, const char *name)
{
    space_registry *r = registry_of(s);
    if (!r)
        return BASIN_ENOMEM;
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    space_key key;
    rc = space_lookup(db, name, &key);
    /* Memories first (their FTS rows go by trigger), then history and the space. */
    static const char *const sql[] = {
        "DELETE FROM memories WHERE space_id = ?1",
        "DELETE FROM memory_history WHERE space_id = ?1",
        "DELETE FROM spaces WHERE id = ?1",
    };
    for (int i = 0; rc == 0 && i < 3; i++) {
        sqlite3_stmt *st = store_prepare(db, sql[i]);
        if (st)
            sqlite3_bind_int64(st, 1, key.id);
        rc = store_step_done(st);
    }
    int end = write_end_locked(s, rc == 0);
    if (rc == 0 && end == 0) {
        space_cache *c = cache_get(r, name, false);
        if (c) {
            pthread_rwlock_wrlock(&c->lock);
            cache_free_arrays(c);
            c->dead = true;
            pthread_rwlock_unlock(&c->lock);
            cache_unlist(r, c);
            cache_put(r, c);
        }
    }
    write_unlock(s);
    return rc ? rc : end;
}

/* ---- memories: insert --------------------------------------------------------------------- */

static int bind_floats(sqlite3_stmt *st, int idx, const float *x, int n)
{
    return sqlite3_bind_blob(st, idx, x, n * (int)sizeof(float), SQLITE_STATIC) == SQLITE_OK
               ? 0
               : BASIN_EDB;
}

int store_memories_insert(store *s, const char *space, int dim, const memory_new *m, size_t n,
                          char (*ids)[ULID_LEN + 1])
{
    space_registry *r = registry_of(s);
    if (!r)
        return BASIN_ENOMEM;
    char(*new_ids)[ULID_LEN + 1] = malloc((n ? n : 1) * sizeof *new_ids);
    if (!new_ids)
        return BASIN_ENOMEM;
    for (size_t i = 0; i < n; i++)
        ulid_new(new_ids[i]);
    json_t *empty_obj = json_object(), *empty_arr = json_array();
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc) {
        free(new_ids);
        json_decref(empty_obj);
        json_decref(empty_arr);
        return rc;
    }
    space_key key;
    rc = space_lookup(db, space, &key);
    if (rc == 0 && key.dim != dim)
        rc = BASIN_EINVAL;
    int64_t now = clock_wall_ms();
    sqlite3_stmt *ins = NULL, *hist = NULL;
    if (rc == 0) {
        ins = store_prepare(db, "INSERT INTO memories (id, space_id, text, mu, var, var_given, "
                                "meta, tags, event_time, created_at, updated_at, importance) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)");
        hist = store_prepare(db, "INSERT INTO memory_history (memory_id, space_id, at, op, "
                                 "changes) VALUES (?1, ?2, ?3, 'create', '{}')");
        if (!ins || !hist)
            rc = BASIN_EDB;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const memory_new *x = &m[i];
        sqlite3_reset(ins);
        sqlite3_clear_bindings(ins);
        sqlite3_bind_text(ins, 1, new_ids[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 2, key.id);
        if (x->text)
            sqlite3_bind_text(ins, 3, x->text, -1, SQLITE_STATIC);
        bind_floats(ins, 4, x->mu, dim);
        bind_floats(ins, 5, x->var, dim);
        sqlite3_bind_int(ins, 6, x->var_given);
        store_bind_json(ins, 7, x->meta ? x->meta : empty_obj);
        store_bind_json(ins, 8, x->tags ? x->tags : empty_arr);
        sqlite3_bind_int64(ins, 9, x->event_time ? x->event_time : now);
        sqlite3_bind_int64(ins, 10, now);
        sqlite3_bind_double(ins, 11, x->importance);
        int step = sqlite3_step(ins);
        if (step != SQLITE_DONE) {
            rc = store_rc(step);
            break;
        }
        sqlite3_reset(hist);
        sqlite3_bind_text(hist, 1, new_ids[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(hist, 2, key.id);
        sqlite3_bind_int64(hist, 3, now);
        step = sqlite3_step(hist);
        if (step != SQLITE_DONE)
            rc = store_rc(step);
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(hist);
    int end = write_end_locked(s, rc == 0);
    if (rc == 0 && end == 0) {
        space_cache *c = cache_get(r, space, false);
        if (c) {
            pthread_rwlock_wrlock(&c->lock);
            if (c->loaded) {
                int crc = cache_reserve(c, c->n + n);
                for (size_t i = 0; crc == 0 && i < n; i++)
                    crc = cache_append(c, new_ids[i], m[i].text, m[i].mu, m[i].var,
                                       json_deep_copy(m[i].meta ? m[i].meta : empty_obj),
                                       json_deep_copy(m[i].tags ? m[i].tags : empty_arr),
                                       m[i].event_time ? m[i].event_time : now, now,
                                       m[i].importance, false);
                if (crc)
                    cache_free_arrays(c); /* reloaded on next use */
                else
                    cache_refresh_view(c);
            }
            pthread_rwlock_unlock(&c->lock);
            cache_put(r, c);
        }
        memcpy(ids, new_ids, n * sizeof *new_ids);
    }
    write_unlock(s);
    free(new_ids);
    json_decref(empty_obj);
    json_decref(empty_arr);
    return rc ? rc : end;
}

/* ---- memories: read ----------------------------------------------------------------------- */

#define MEMORY_COLUMNS                                                                             \
    "m.id, m.text, m.mu, m.var, m.var_given, m.observations, m.meta, m.tags, m.event_time, "       \
    "m.created_at, m.updated_at, m.access_count, m.importance, m.salience, m.archived, "           \
    "m.supersedes, m.superseded_by, m.rowid"

void memory_row_clear(memory_row *row)
{
    if (!row)
        return;
    free(row->text);
    free(row->mu);
    free(row->var);
    json_decref(row->meta);
    json_decref(row->tags);
    row->text = NULL;
    row->mu = row->var = NULL;
    row->meta = row->tags = NULL;
}

static int read_memory_row(sqlite3_stmt *st, int dim, bool vectors, memory_row *out)
{
    memset(out, 0, sizeof *out);
    const char *id = (const char *)sqlite3_column_text(st, 0);
    snprintf(out->id, sizeof out->id, "%s", id ? id : "");
    const char *text = (const char *)sqlite3_column_text(st, 1);
    out->dim = dim;
    if (text && !(out->text = strdup(text)))
        return BASIN_ENOMEM;
    if (vectors) {
        out->mu = blob_floats(st, 2, dim);
        out->var = blob_floats(st, 3, dim);
        if (!out->mu || !out->var) {
            memory_row_clear(out);
            return BASIN_EDB;
        }
    }
    out->var_given = sqlite3_column_int(st, 4) != 0;
    out->observations = sqlite3_column_int64(st, 5);
    out->meta = store_column_json(st, 6, json_object());
    out->tags = store_column_json(st, 7, json_array());
    out->event_time = sqlite3_column_int64(st, 8);
    out->created_at = sqlite3_column_int64(st, 9);
    out->updated_at = sqlite3_column_int64(st, 10);
    out->access_count = sqlite3_column_int64(st, 11);
    out->importance = sqlite3_column_double(st, 12);
    const char *sal = (const char *)sqlite3_column_text(st, 13);
    snprintf(out->salience, sizeof out->salience, "%s", sal ? sal : "active");
    out->archived = sqlite3_column_int(st, 14) != 0;
    const char *sup = (const char *)sqlite3_column_text(st, 15);
    const char *supby = (const char *)sqlite3_column_text(st, 16);
    snprintf(out->supersedes, sizeof out->supersedes, "%s", sup ? sup : "");
    snprintf(out->superseded_by, sizeof out->superseded_by, "%s", supby ? supby : "");
    return 0;
}

/* One memory by id on db (reader or writer). */
static int memory_select(sqlite3 *db, const space_key *key, const char *id, bool vectors,
                         memory_row *out, int64_t *rowid)
{
    sqlite3_stmt *st = store_prepare(db, "SELECT " MEMORY_COLUMNS " FROM memories m WHERE m.id "
                                         "= ?1 AND m.space_id = ?2");
    if (!st)
        return BASIN_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, key->id);
    int step = sqlite3_step(st), rc;
    if (step == SQLITE_ROW) {
        rc = read_memory_row(st, key->dim, vectors, out);
        if (rc == 0 && rowid)
            *rowid = sqlite3_column_int64(st, 17);
    } else {
        rc = step == SQLITE_DONE ? BASIN_ENOTFOUND : store_rc(step);
    }
    sqlite3_finalize(st);
    return rc;
}

int store_memory_get(store *s, const char *space, const char *id, bool vectors, memory_row *out)
{
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    space_key key;
    int rc = space_lookup(db, space, &key);
    if (rc == 0)
        rc = memory_select(db, &key, id, vectors, out, NULL);
    store_reader_put(s, db);
    if (rc == 0)
        add_pending_accesses(s, space, out, 1);
    return rc;
}

int store_memory_list(store *s, const char *space, const char *cursor, int limit, bool vectors,
                      memory_row **rows, size_t *n, char next_cursor[ULID_LEN + 1])
{
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    space_key key;
    int rc = space_lookup(db, space, &key);
    sqlite3_stmt *st =
        rc ? NULL
           : store_prepare(db, "SELECT " MEMORY_COLUMNS " FROM memories m WHERE m.space_id = ?1 "
                               "AND (?2 IS NULL OR m.id > ?2) ORDER BY m.id LIMIT ?3");
    if (!rc && !st)
        rc = BASIN_EDB;
    memory_row *out = NULL;
    size_t count = 0;
    if (rc == 0) {
        sqlite3_bind_int64(st, 1, key.id);
        if (cursor)
            sqlite3_bind_text(st, 2, cursor, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, limit + 1);
        out = calloc((size_t)limit + 1, sizeof *out);
        if (!out)
            rc = BASIN_ENOMEM;
        int step = SQLITE_DONE;
        while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
            if ((rc = read_memory_row(st, key.dim, vectors, &out[count])) == 0)
                count++;
        if (rc == 0 && step != SQLITE_DONE)
            rc = store_rc(step);
    }
    sqlite3_finalize(st);
    store_reader_put(s, db);
    if (rc) {
        for (size_t i = 0; i < count; i++)
            memory_row_clear(&out[i]);
        free(out);
        return rc;
    }
    next_cursor[0] = '\0';
    if (count > (size_t)limit) {
        memory_row_clear(&out[--count]);
        memcpy(next_cursor, out[count - 1].id, ULID_LEN + 1);
    }
    add_pending_accesses(s, space, out, count);
    *rows = out;
    *n = count;
    return 0;
}

/* ---- memories: patch, delete, history ----------------------------------------------------------
 */

/* RFC 7396 JSON merge patch of `patch` onto the object `target` (modified in place). */
static void merge_patch(json_t *target, const json_t *patch)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)patch, key, value)
    {
        if (json_is_null(value)) {
            json_object_del(target, key);
        } else if (json_is_object(value)) {
            json_t *cur = json_object_get(target, key);
            if (!json_is_object(cur)) {
                cur = json_object();
                json_object_set_new(target, key, cur);
            }
            merge_patch(cur, value);
        } else {
            json_object_set(target, key, value);
        }
    }
}

static void change(json_t *changes, const char *field, json_t *from, json_t *to)
{
    json_object_set_new(changes, field, json_pack("{s:o, s:o}", "from", from, "to", to));
}

static json_t *text_or_null(const char *t)
{
    return t ? json_string(t) : json_null();
}

int store_memory_patch(store *s, const char *space, const char *id, int dim, const memory_patch *p,
                       memory_row *out)
{
    space_registry *r = registry_of(s);
    if (!r)
        return BASIN_ENOMEM;
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    space_key key;
    memory_row row = {0};
    int64_t rowid = 0;
    rc = space_lookup(db, space, &key);
    if (rc == 0 && key.dim != dim)
        rc = BASIN_EINVAL;
    if (rc == 0)
        rc = memory_select(db, &key, id, true, &row, &rowid);
    json_t *changes = json_object();
    const char *op = "update";
    int64_t now = clock_wall_ms();
    if (rc == 0) {
        if (p->meta) {
            json_t *meta = json_deep_copy(row.meta);
            merge_patch(meta, p->meta);
            if (!json_equal(meta, row.meta))
                change(changes, "meta", json_incref(row.meta), json_incref(meta));
            json_decref(row.meta);
            row.meta = meta;
        }
        if (p->tags && !json_equal(p->tags, row.tags)) {
            change(changes, "tags", json_incref(row.tags), json_deep_copy(p->tags));
            json_decref(row.tags);
            row.tags = json_deep_copy(p->tags);
        }
        if (p->set_importance && p->importance != row.importance) {
            change(changes, "importance", json_real(row.importance), json_real(p->importance));
            row.importance = p->importance;
        }
        if (p->set_archived && p->archived != row.archived) {
            change(changes, "archived", json_boolean(row.archived), json_boolean(p->archived));
            row.archived = p->archived;
        }
        if (p->set_time && p->event_time != row.event_time) {
            change(changes, "time", json_integer(row.event_time), json_integer(p->event_time));
            row.event_time = p->event_time;
        }
        if (p->set_text && !(p->text && row.text && strcmp(p->text, row.text) == 0) &&
            (p->text || row.text)) {
            change(changes, "text", text_or_null(row.text), text_or_null(p->text));
            free(row.text);
            row.text = p->text ? strdup(p->text) : NULL;
        }
        if (p->mu) {
            change(changes, "vector",
                   json_pack("{s:f, s:f}", "mean", mean_of(row.mu, dim), "variance_mean",
                             mean_of(row.var, dim)),
                   json_pack("{s:f, s:f}", "mean", mean_of(p->mu, dim), "variance_mean",
                             mean_of(p->var, dim)));
            memcpy(row.mu, p->mu, (size_t)dim * sizeof *row.mu);
            memcpy(row.var, p->var, (size_t)dim * sizeof *row.var);
            row.var_given = p->var_given;
            row.observations = 1;
        }
        if (p->obs_mu) {
            double before = mean_of(row.var, dim);
            basin_precision_add(dim, row.mu, row.var, p->obs_mu, p->obs_var);
            change(changes, "observations", json_integer(row.observations),
                   json_integer(row.observations + 1));
            change(changes, "variance_mean", json_real(before), json_real(mean_of(row.var, dim)));
            row.observations++;
            if (json_object_size(changes) == 2)
                op = "observe";
        }
        row.updated_at = now;
        if (p->set_text) {
            sqlite3_stmt *st = store_prepare(db, "UPDATE memories SET text = ?1 WHERE rowid = ?2");
            if (st) {
                if (row.text)
                    sqlite3_bind_text(st, 1, row.text, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 2, rowid);
            }
            rc = store_step_done(st);
        }
    }
    if (rc == 0) {
        sqlite3_stmt *st = store_prepare(
            db, "UPDATE memories SET mu = ?1, var = ?2, var_given = ?3, observations = ?4, meta "
                "= ?5, tags = ?6, event_time = ?7, importance = ?8, archived = ?9, updated_at = "
                "?10 WHERE rowid = ?11");
        if (st) {
            bind_floats(st, 1, row.mu, dim);
            bind_floats(st, 2, row.var, dim);
            sqlite3_bind_int(st, 3, row.var_given);
            sqlite3_bind_int64(st, 4, row.observations);
            store_bind_json(st, 5, row.meta);
            store_bind_json(st, 6, row.tags);
            sqlite3_bind_int64(st, 7, row.event_time);
            sqlite3_bind_double(st, 8, row.importance);
            sqlite3_bind_int(st, 9, row.archived);
            sqlite3_bind_int64(st, 10, now);
            sqlite3_bind_int64(st, 11, rowid);
        }
        rc = store_step_done(st);
    }
    if (rc == 0)
        rc = history_add(db, id, key.id, now, op, changes);
    json_decref(changes);
    int end = write_end_locked(s, rc == 0);
    if (rc == 0 && end == 0) {
        space_cache *c = cache_get(r, space, false);
        if (c) {
            pthread_rwlock_wrlock(&c->lock);
            long i = c->loaded ? cache_find(c, id) : -1;
            if (i >= 0) {
                free(c->text[i]);
                json_decref(c->meta[i]);
                json_decref(c->tags[i]);
                cache_set_vectors(c, (size_t)i, row.mu, row.var);
                if (cache_set_fields(c, (size_t)i, row.text, json_deep_copy(row.meta),
                                     json_deep_copy(row.tags), row.event_time, row.created_at,
                                     row.importance, row.archived))
                    cache_free_arrays(c); /* reloaded on next use */
            } else if (c->loaded) {
                cache_free_arrays(c); /* out of step: reload */
            }
            pthread_rwlock_unlock(&c->lock);
            cache_put(r, c);
        }
    }
    write_unlock(s);
    if (rc == 0 && end == 0 && out)
        *out = row;
    else
        memory_row_clear(&row);
    return rc ? rc : end;
}

int store_memory_delete(store *s, const char *space, const char *id)
{
    space_registry *r = registry_of(s);
    if (!r)
        return BASIN_ENOMEM;
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    space_key key;
    memory_row row = {0};
    int64_t rowid = 0;
    rc = space_lookup(db, space, &key);
    if (rc == 0)
        rc = memory_select(db, &key, id, false, &row, &rowid);
    if (rc == 0) {
        sqlite3_stmt *st = store_prepare(db, "DELETE FROM memories WHERE rowid = ?1");
        if (st)
            sqlite3_bind_int64(st, 1, rowid);
        rc = store_step_done(st);
    }
    if (rc == 0) {
        json_t *changes = json_pack("{s:o}", "text", text_or_null(row.text));
        rc = history_add(db, id, key.id, clock_wall_ms(), "delete", changes);
        json_decref(changes);
    }
    memory_row_clear(&row);
    int end = write_end_locked(s, rc == 0);
    if (rc == 0 && end == 0) {
        space_cache *c = cache_get(r, space, false);
        if (c) {
            pthread_rwlock_wrlock(&c->lock);
            long i = c->loaded ? cache_find(c, id) : -1;
            if (i >= 0) {
                cache_remove(c, (size_t)i);
                cache_refresh_view(c);
            }
            pthread_rwlock_unlock(&c->lock);
            cache_put(r, c);
        }
    }
    write_unlock(s);
    return rc ? rc : end;
}

int store_memory_history(store *s, const char *space, const char *id, json_t **out)
{
    sqlite3 *db = store_reader_get(s);
    if (!db)
        return BASIN_EDB;
    space_key key;
    int rc = space_lookup(db, space, &key);
    sqlite3_stmt *st = rc ? NULL
                          : store_prepare(db, "SELECT seq, at, op, changes FROM memory_history "
                                              "WHERE memory_id = ?1 AND space_id = ?2 ORDER BY "
                                              "seq");
    if (!rc && !st)
        rc = BASIN_EDB;
    json_t *items = json_array();
    if (rc == 0) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, key.id);
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            const char *op = (const char *)sqlite3_column_text(st, 2);
            json_array_append_new(items, json_pack("{s:I, s:I, s:s, s:o}", "seq",
                                                   (json_int_t)sqlite3_column_int64(st, 0), "at",
                                                   (json_int_t)sqlite3_column_int64(st, 1), "op",
                                                   op ? op : "", "changes",
                                                   store_column_json(st, 3, json_object())));
        }
        if (step != SQLITE_DONE)
            rc = store_rc(step);
        else if (json_array_size(items) == 0)
            rc = BASIN_ENOTFOUND;
    }
    sqlite3_finalize(st);
    store_reader_put(s, db);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}
