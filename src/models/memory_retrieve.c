/*
 * memory_retrieve.c — job kind `memory.retrieve` (memory.md, "Retrieval"): ranked lists
 * from up to seven channels over one memory space, fused by weighted reciprocal rank.
 *
 * Channels (each a list of at most `depth` memories, best first; by default max(4k, 50),
 * or k when a single channel other than hopfield is asked for — nothing to fuse):
 *   fisher_rao, fisher_local, cosine, euclidean   the query vector (given, or the text
 *       embedded by the space's hash embedder) with its variance (given, or derived by the
 *       rule of embed.h) against every memory that passes the filter — an exact float32
 *       scan, or for large sets (stage "candidates+rerank") a scan of the compact copies
 *       (retrieval.h: 4-bit means for cosine, 8-bit means for euclidean, the 8-bit
 *       features of the local Fisher form for both Fisher metrics) that keeps `candidates`
 *       memories (default max(10·depth, m) with m = 2000 for fisher_rao, 400 for cosine,
 *       500 for the others), reranked by the float32 scan of the metric itself; the kept
 *       ones get their value in double. Cosine over a large space without a filter first
 *       narrows the 4-bit scan to 4·C memories by the 2-bit fast scan (fast_scan.h);
 *   bm25       FTS5 over the memory texts (the provider's text search);
 *   temporal   |event time − query time|, nearest first;
 *   hopfield   one or more modern-Hopfield steps ξ ← X softmax(β Xᵀ ξ) from the query over
 *       the union of the other channels' lists (or, alone, over the filtered memories, or
 *       their 2000 nearest by cosine above 20 000), ranked by the final attention weights.
 * Fusion: score = Σ_c w_c / (rrf_k + rank_c) over the channels that list the memory.
 * Each result carries each channel's value ("score": the distance, similarity, −bm25,
 * |Δt| in seconds or attention weight) and 1-based rank.
 *
 * The space is read through the run context's provider (include/basin/space.h): the model
 * holds a read view for the duration of the run. Large scans (about a million row
 * components, fewer for the float32 Fisher–Rao scan and for reranks) are split over up to
 * four threads (one per online CPU; the caller and kept helpers, basin/helpers.h, since a
 * new thread costs about as much as a scan of the compact codes): unlike most models, this
 * one uses more than one core for one job, because a search is a latency-bound read of
 * memory.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basin/embed.h"
#include "basin/fast_scan.h"
#include "basin/helpers.h"
#include "basin/retrieval.h"
#include "basin/space.h"
#include "memory_query.h"
#include "util/clock.h"

/* Above this many filtered memories, stage "auto" scans the quantised copies first. */
#define STAGE_THRESHOLD 20000
/* From this many memories, with no filter and where the look-up kernel runs, cosine's
 * candidate stage starts with the 2-bit fast scan (fast_scan.h), which keeps FAST_FACTOR
 * times the 4-bit stage's candidates for it: half the bytes of the 4-bit copy, scored by
 * table look-ups, and the 4-bit stage then reads only the rows kept. */
#define FAST_THRESHOLD     50000
#define FAST_FACTOR        4
#define HOPFIELD_ALONE_MAX 20000

enum {
    CH_FISHER_RAO,
    CH_FISHER_LOCAL,
    CH_COSINE,
    CH_EUCLIDEAN,
    CH_BM25,
    CH_TEMPORAL,
    CH_HOPFIELD,
    N_CHANNELS
};

typedef struct retrieve_config {
    char space[65];
    float *vector, *variance; /* variances, as given */
    size_t dim, var_dim;
    char *text;
    int64_t time_ms;
    bool has_time;
    int k, depth;
    bool use[N_CHANNELS];
    double weight[N_CHANNELS];
    bool channels_default; /* no "channels": decided by the space and the query */
    double rrf_k;
    memory_filter filter;
    int stage; /* 0 auto, 1 exact, 2 candidates */
    int candidates;
    double hop_beta;
    int hop_steps;
} retrieve_config;

static const char *const channel_names[N_CHANNELS] = {
    "fisher_rao", "fisher_local", "cosine", "euclidean", "bm25", "temporal", "hopfield",
};

static const basin_metric channel_metric[4] = {
    BASIN_METRIC_FISHER_RAO,
    BASIN_METRIC_FISHER_LOCAL,
    BASIN_METRIC_COSINE,
    BASIN_METRIC_EUCLIDEAN,
};

static const char *const stage_names[] = {"auto", "exact", "candidates", NULL};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int channel_parse(const char *name)
{
    for (int c = 0; c < N_CHANNELS; c++)
        if (strcmp(channel_names[c], name) == 0)
            return c;
    return -1;
}

static void free_config(void *p)
{
    retrieve_config *c = p;
    if (!c)
        return;
    free(c->vector);
    free(c->variance);
    free(c->text);
    memory_filter_clear(&c->filter);
    free(c);
}

static void read_channels(param_reader *r, retrieve_config *c)
{
    const json_t *v = params_raw(r, "channels", "object");
    json_t *norm = json_object();
    if (v && !json_is_object(v)) {
        params_problem(r, "channels",
                       "must be an object of channel: weight, e.g. "
                       "{\"fisher_rao\": 1, \"bm25\": 0.5}");
    } else if (v && json_object_size(v) > 0) {
        const char *name;
        json_t *w;
        json_object_foreach((json_t *)v, name, w)
        {
            char sub[200];
            snprintf(sub, sizeof sub, "channels/%.100s", name);
            int ch = channel_parse(name);
            if (ch < 0) {
                params_problem(r, sub,
                               "unknown channel; known: fisher_rao, fisher_local, cosine, "
                               "euclidean, bm25, temporal, hopfield");
            } else if (!json_is_number(w) || !(json_number_value(w) >= 0) ||
                       json_number_value(w) > 1000) {
                params_problem(r, sub, "must be a weight in [0, 1000]");
            } else {
                c->use[ch] = true;
                c->weight[ch] = json_number_value(w);
                json_object_set_new(norm, name, json_real(c->weight[ch]));
            }
        }
    } else {
        c->channels_default = true;
    }
    params_put(r, "channels", norm);
}

static int parse(const json_t *params, const char *pointer, const basin_limits *limits,
                 basin_problems *problems, json_t *schema, json_t **normalized, void **config)
{
    (void)limits;
    retrieve_config *c = calloc(1, sizeof *c);
    if (!c)
        return BASIN_ENOMEM;
    param_reader r;
    params_open(&r, params, pointer, problems, schema);
    memory_read_space(&r, c->space);
    memory_read_vector(&r, "vector", false, &c->vector, &c->dim);
    memory_read_vector(&r, "variance", true, &c->variance, &c->var_dim);
    const json_t *text = params_raw(&r, "text", "string");
    if (text && (!json_is_string(text) || strlen(json_string_value(text)) > MEMORY_QUERY_TEXT_MAX))
        params_problem(&r, "text", "must be a string of at most %d bytes", MEMORY_QUERY_TEXT_MAX);
    else if (text) {
        c->text = strdup(json_string_value(text));
        params_put(&r, "text", json_string(c->text));
    }
    const json_t *t = params_raw(&r, "time", "string");
    if (t && (!json_is_string(t) || clock_parse_rfc3339(json_string_value(t), &c->time_ms)))
        params_problem(&r, "time", "must be an RFC 3339 time, e.g. 2026-01-02T03:04:05Z");
    else if (t) {
        c->has_time = true;
        params_put(&r, "time", json_string(json_string_value(t)));
    }
    c->k = (int)params_int(&r, "k", 10, 1, 1000);
    c->depth = (int)params_int(&r, "depth", 0, 0, 1000);
    read_channels(&r, c);
    c->rrf_k = params_real_gt(&r, "rrf_k", 60.0, 0.0, 1e6);
    memory_filter_read(&r, &c->filter);
    const char *stage = params_enum(&r, "stage", "auto", stage_names);
    c->stage = strcmp(stage, "exact") == 0 ? 1 : strcmp(stage, "candidates") == 0 ? 2 : 0;
    c->candidates = (int)params_int(&r, "candidates", 0, 0, 100000);
    param_reader h;
    params_child(&r, "hopfield", &h);
    c->hop_beta = params_real_gt(&h, "beta", 8.0, 0.0, 1e4);
    c->hop_steps = (int)params_int(&h, "steps", 1, 1, 100);
    params_child_end(&r, "hopfield", &h);

    if (c->variance && !c->vector)
        params_problem(&r, "variance", "needs a vector");
    else if (c->variance && c->var_dim != c->dim)
        params_problem(&r, "variance", "must have as many entries as vector (%zu); got %zu", c->dim,
                       c->var_dim);
    bool vec_source = c->vector || c->text;
    for (int ch = 0; ch < N_CHANNELS; ch++) {
        if (!c->use[ch])
            continue;
        char sub[64];
        snprintf(sub, sizeof sub, "channels/%s", channel_names[ch]);
        if ((ch <= CH_EUCLIDEAN || ch == CH_HOPFIELD) && !vec_source)
            params_problem(&r, sub,
                           "needs a query vector (or a text, in a space with the hash "
                           "embedder)");
        if (ch == CH_BM25 && !c->text)
            params_problem(&r, sub, "needs a query text");
        if (ch == CH_TEMPORAL && !c->has_time)
            params_problem(&r, sub, "needs a query time");
    }
    if (c->channels_default && !vec_source && !c->has_time)
        params_problem(&r, NULL, "a query needs a vector, a text or a time");
    if (params_close(&r, normalized)) {
        free_config(c);
        return BASIN_EINVAL;
    }
    *config = c;
    return 0;
}

/* ---- channels ------------------------------------------------------------------------------ */

typedef struct ch_hit {
    uint32_t row;
    double value;
} ch_hit;

typedef struct ch_list {
    ch_hit *hits; /* best first */
    size_t n;
} ch_list;

static int cmp_asc(const void *a, const void *b)
{
    const ch_hit *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static int cmp_desc(const void *a, const void *b)
{
    const ch_hit *x = a, *y = b;
    if (x->value != y->value)
        return x->value > y->value ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

typedef struct run_state {
    const retrieve_config *cfg;
    const basin_space *sp;
    const float *q, *qs; /* query vector and its standard deviations (NULL without vector) */
    const uint32_t *rows;
    size_t n_rows;
    size_t depth;
    size_t bytes;
    size_t candidates; /* > 0 when some channel used the candidate stage */
} run_state;

/* ---- the scan, split over threads for large sets -------------------------------------------- */

/* A scan of at least SCAN_SPLIT_MIN row components (rows × dim) is split over up to
 * SCAN_THREADS_MAX threads (one per online CPU) — from a quarter of that for the float32
 * Fisher–Rao scan, whose logarithm makes each component about ten times dearer, and for a
 * rerank of listed rows, each a memory latency away (a sixteenth for both): this model,
 * unlike most, uses more than one core for one job, because a search is a latency-bound
 * read. Below these sizes a thread costs about what it saves.
 *
 * The rows are cut into SCAN_CHUNKS chunks per thread, which the threads take in turn from
 * a shared counter: on a busy machine a thread that loses its core for a while leaves its
 * share to the others instead of holding up the answer. Each thread keeps its own top-k
 * and they are merged; since a row's key depends neither on the chunk nor on the thread
 * that scans it, and the top-k order is total (key, then row), neither does the result. */
#define SCAN_SPLIT_MIN   ((size_t)1 << 20)
#define SCAN_THREADS_MAX 4
#define SCAN_CHUNKS      4

typedef struct scan_job {
    basin_metric m;
    const basin_scan_data *S;
    const float *q, *qs;
    const uint32_t *rows; /* NULL: every row of S */
    const uint8_t *lut;   /* the fast scan's tables: scores of every row of S into score */
    uint16_t *score;
    size_t n, chunks;
    bool quantised;
    atomic_size_t next; /* the next chunk to take */
} scan_job;

typedef struct scan_part {
    scan_job *job;
    basin_topk top;
    size_t bytes;
    bool failed; /* a chunk ran out of memory */
} scan_part;

static void scan_part_run(void *arg)
{
    scan_part *p = arg;
    scan_job *j = p->job;
    for (;;) {
        size_t c = atomic_fetch_add(&j->next, 1);
        if (c >= j->chunks)
            break;
        size_t lo = j->n * c / j->chunks, hi = j->n * (c + 1) / j->chunks, bytes;
        if (j->lut) { /* whole blocks of the blocked copy */
            size_t blocks = (j->n + BASIN_FS_BLOCK - 1) / BASIN_FS_BLOCK;
            lo = blocks * c / j->chunks * BASIN_FS_BLOCK;
            hi = blocks * (c + 1) / j->chunks * BASIN_FS_BLOCK;
            hi = hi < j->n ? hi : j->n;
        }
        if (hi <= lo)
            continue;
        if (j->lut) {
            basin_fs_scores(j->S->d, j->S->cos_fs, j->lut, lo / BASIN_FS_BLOCK,
                            (hi + BASIN_FS_BLOCK - 1) / BASIN_FS_BLOCK, j->score + lo);
            bytes = (hi - lo) * basin_fs_row_bytes(j->S->d);
        } else if (j->rows) {
            p->top.base = 0;
            bytes =
                basin_scan(j->m, j->S, j->q, j->qs, j->rows + lo, hi - lo, j->quantised, &p->top);
        } else {
            basin_scan_data w = basin_scan_window(j->S, lo, hi);
            p->top.base = (uint32_t)lo;
            bytes = basin_scan(j->m, &w, j->q, j->qs, NULL, 0, j->quantised, &p->top);
        }
        p->bytes += bytes;
        p->failed = p->failed || !bytes;
    }
    p->top.base = 0;
}

static int scan_threads(basin_metric m, bool quantised, bool listed, size_t n, int d)
{
    size_t work = n * (size_t)d, unit = SCAN_SPLIT_MIN;
    if (m == BASIN_METRIC_FISHER_RAO && !quantised)
        unit /= 4;
    if (listed) /* rows scattered over the space: each costs a memory latency, not a stream */
        unit /= 4;
    if (work < unit)
        return 1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t t = cpus > 1 ? (size_t)cpus : 1;
    if (t > SCAN_THREADS_MAX)
        t = SCAN_THREADS_MAX;
    if (t > work / (unit / 2))
        t = work / (unit / 2);
    return t < 1 ? 1 : (int)t;
}

/* basin_scan over rows[0..n) (every row of S when rows is NULL) into top (base 0), split
 * over threads when large — or, given the tables lut, the fast-scan scores of every row of
 * S (rows NULL, n = S->n) into score[0..n rounded up to a block) instead; returns the bytes
 * read (0 when out of memory). The parts' top-k buffers live in `scratch` (room for
 * SCAN_THREADS_MAX · 2 · top->k hits; NULL: do not split). */
static size_t scan_split(basin_metric m, const basin_scan_data *S, const float *q, const float *qs,
                         const uint32_t *rows, size_t n, bool quantised, const uint8_t *lut,
                         uint16_t *score, basin_topk *top, basin_hit *scratch)
{
    int T = scratch ? scan_threads(m, quantised, rows != NULL, n, S->d) : 1;
    if (T == 1 && lut) {
        basin_fs_scores(S->d, S->cos_fs, lut, 0, (n + BASIN_FS_BLOCK - 1) / BASIN_FS_BLOCK, score);
        return n * basin_fs_row_bytes(S->d);
    }
    if (T == 1)
        return basin_scan(m, S, q, qs, rows, n, quantised, top);
    scan_job job = {.m = m,
                    .S = S,
                    .q = q,
                    .qs = qs,
                    .rows = rows,
                    .lut = lut,
                    .score = score,
                    .n = n,
                    .chunks = (size_t)T * SCAN_CHUNKS,
                    .quantised = quantised};
    atomic_init(&job.next, 0);
    scan_part parts[SCAN_THREADS_MAX];
    basin_helper_call call[SCAN_THREADS_MAX];
    bool started[SCAN_THREADS_MAX] = {false};
    for (int t = 0; t < T; t++) {
        parts[t] = (scan_part){.job = &job};
        if (top) /* scores go to job.score instead */
            basin_topk_init(&parts[t].top, scratch + (size_t)t * 2 * top->k, top->k);
        if (t > 0)
            started[t] = basin_helper_start(&call[t], scan_part_run, &parts[t]);
    }
    scan_part_run(&parts[0]); /* the caller takes chunks too (all of them if no helper was free) */
    size_t bytes = 0;
    bool failed = false;
    for (int t = 0; t < T; t++) {
        if (started[t])
            basin_helper_join(&call[t]);
        bytes += parts[t].bytes;
        failed = failed || parts[t].failed;
        for (size_t i = 0; top && i < parts[t].top.n; i++)
            basin_topk_push(top, parts[t].top.h[i].key, parts[t].top.h[i].row);
    }
    return failed ? 0 : bytes;
}

static int cmp_row(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Candidates a compact scan keeps at least, per metric: its keys approximate the metric
 * (retrieval.h), so it keeps more than the depth and the float32 scan reranks them. The
 * 4-bit cosine errs by ~1e-2 of a cosine at d = 384: on random unit vectors, the hardest
 * case for quantised keys (every cosine near 0), the true top 10 of 20 queries ranked at
 * worst 34th by these keys over 100 000 memories (a NumPy model of them), so 400 leaves a
 * factor of 10. The 8-bit Euclidean and local Fisher keys err by far less; the local form
 * only approximates Fisher–Rao itself, and ranks its top 50 within the first 2000 on the
 * data of bench/memory_search.py. */
static size_t candidates_min(basin_metric m)
{
    switch (m) {
    case BASIN_METRIC_FISHER_RAO:
        return 2000;
    case BASIN_METRIC_COSINE:
        return 400;
    case BASIN_METRIC_FISHER_LOCAL:
    case BASIN_METRIC_EUCLIDEAN:
        break;
    }
    return 500;
}

/* Sorts the rows of top's kept hits into rows[] (memory order, for the next stage's scan);
 * returns their count. */
static size_t kept_rows(basin_topk *top, uint32_t *rows)
{
    size_t n = basin_topk_finish(top);
    for (size_t i = 0; i < n; i++)
        rows[i] = top->h[i].row;
    qsort(rows, n, sizeof *rows, cmp_row);
    return n;
}

/* A vector channel. Exact stage: the float32 scan keeps `depth` memories. Candidate stage:
 * a scan of the compact copies (basin_scan quantised: 4-bit means for cosine, 8-bit means
 * for euclidean, the 8-bit features of the local form for the Fisher metrics, which need
 * no division or logarithm) keeps C memories, then the float32 scan of the channel's own
 * metric over those C keeps `depth`. For cosine over a large unfiltered space the 4-bit
 * scan reads only the FAST_FACTOR · C memories the 2-bit fast scan keeps. Either way the
 * kept ones get their value in double (basin_metric_exact) and are ordered by it. */
static int vector_channel(run_state *st, basin_metric m, ch_list *out)
{
    const retrieve_config *cfg = st->cfg;
    const basin_space *sp = st->sp;
    size_t n = st->n_rows, depth = st->depth < n ? st->depth : n;
    bool cand = n > 0 && (cfg->stage == 2 || (cfg->stage == 0 && n >= STAGE_THRESHOLD));
    size_t c_min = candidates_min(m);
    size_t c_keep = cfg->candidates ? (size_t)cfg->candidates : 10 * st->depth;
    if (c_keep < c_min)
        c_keep = c_min;
    if (c_keep > n)
        c_keep = n;
    if (c_keep < depth)
        c_keep = depth;
    size_t c_fast = FAST_FACTOR * c_keep;
    bool fast = cand && m == BASIN_METRIC_COSINE && !st->rows && n >= FAST_THRESHOLD &&
                c_fast < n && sp->scan.cos_fs && basin_fs_available();
    out->hits = NULL;
    out->n = 0;
    if (depth == 0)
        return 0;
    size_t cap = 2 * (cand ? c_keep : depth); /* top-k buffers hold 2k */
    basin_hit *buf = malloc(cap * sizeof *buf);
    basin_hit *scratch = malloc(SCAN_THREADS_MAX * cap * sizeof *scratch);
    uint32_t *crow = cand ? malloc((fast ? n : c_keep) * sizeof *crow) : NULL; /* n: select */
    uint8_t *lut = fast ? malloc(basin_fs_lut_bytes(sp->dim)) : NULL;
    uint16_t *score =
        fast ? malloc((n + BASIN_FS_BLOCK - 1) / BASIN_FS_BLOCK * BASIN_FS_BLOCK * sizeof *score)
             : NULL;
    ch_hit *hits = malloc(depth * sizeof *hits);
    int rc =
        buf && hits && scratch && (!cand || crow) && (!fast || (lut && score)) ? 0 : BASIN_ENOMEM;
    basin_topk top;
    const uint32_t *rows = st->rows;
    size_t n_scan = n, bytes;
    if (rc == 0 && fast) { /* the c_fast best by the fast scan, in row order */
        basin_fs_lut(sp->dim, st->q, lut);
        st->bytes +=
            scan_split(m, &sp->scan, st->q, st->qs, NULL, n, true, lut, score, NULL, scratch);
        n_scan = basin_fs_select(score, n, c_fast, crow);
        rows = crow;
    }
    if (rc == 0 && cand) {
        basin_topk_init(&top, buf, c_keep);
        bytes =
            scan_split(m, &sp->scan, st->q, st->qs, rows, n_scan, true, NULL, NULL, &top, scratch);
        st->bytes += bytes;
        rc = bytes ? 0 : BASIN_ENOMEM;
        n_scan = kept_rows(&top, crow);
        rows = crow;
        if (n_scan > st->candidates)
            st->candidates = n_scan;
    }
    size_t got = 0;
    if (rc == 0) {
        basin_topk_init(&top, buf, depth);
        bytes =
            scan_split(m, &sp->scan, st->q, st->qs, rows, n_scan, false, NULL, NULL, &top, scratch);
        st->bytes += bytes;
        rc = bytes || !n_scan ? 0 : BASIN_ENOMEM;
        got = basin_topk_sort(&top);
    }
    size_t d = (size_t)sp->dim;
    for (size_t i = 0; rc == 0 && i < got; i++) {
        uint32_t row = buf[i].row;
        hits[i].row = row;
        hits[i].value = basin_metric_exact(m, sp->dim, sp->scan.mu + row * d,
                                           sp->scan.sigma + row * d, st->q, st->qs);
    }
    free(buf);
    free(scratch);
    free(crow);
    free(lut);
    free(score);
    if (rc) {
        free(hits);
        return rc;
    }
    qsort(hits, got, sizeof *hits, m == BASIN_METRIC_COSINE ? cmp_desc : cmp_asc);
    out->hits = hits;
    out->n = got;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static bool row_allowed(const run_state *st, uint32_t row)
{
    return !st->rows || bsearch(&row, st->rows, st->n_rows, sizeof row, cmp_u32) != NULL;
}

static int bm25_channel(run_state *st, basin_ctx *ctx, ch_list *out)
{
    size_t limit = st->rows ? 10 * st->depth + 200 : st->depth;
    if (limit > 5000)
        limit = 5000;
    uint32_t *rows = malloc(limit * sizeof *rows);
    double *score = malloc(limit * sizeof *score);
    ch_hit *hits = malloc(limit * sizeof *hits);
    size_t n = 0;
    int rc = rows && score && hits ? 0 : BASIN_ENOMEM;
    if (rc == 0)
        rc = basin_ctx_text_search(ctx, st->sp, st->cfg->text, limit, rows, score, &n);
    size_t kept = 0;
    for (size_t i = 0; rc == 0 && i < n && kept < st->depth; i++)
        if (row_allowed(st, rows[i]))
            hits[kept++] = (ch_hit){rows[i], score[i]};
    free(rows);
    free(score);
    if (rc) {
        free(hits);
        return rc;
    }
    out->hits = hits;
    out->n = kept;
    return 0;
}

static int temporal_channel(run_state *st, ch_list *out)
{
    size_t n = st->n_rows, keep = st->depth < n ? st->depth : n;
    out->hits = NULL;
    out->n = 0;
    if (keep == 0)
        return 0;
    /* A float key is enough to select; the kept ones are then ordered by the exact |Δt|. */
    size_t sel = 4 * keep < n ? 4 * keep : n;
    basin_hit *buf = malloc(2 * sel * sizeof *buf);
    ch_hit *hits = malloc(sel * sizeof *hits);
    if (!buf || !hits) {
        free(buf);
        free(hits);
        return BASIN_ENOMEM;
    }
    basin_topk top;
    basin_topk_init(&top, buf, sel);
    for (size_t i = 0; i < n; i++) {
        uint32_t row = st->rows ? st->rows[i] : (uint32_t)i;
        basin_topk_push(&top, (float)llabs(st->sp->event_time[row] - st->cfg->time_ms), row);
    }
    size_t got = basin_topk_sort(&top);
    for (size_t i = 0; i < got; i++)
        hits[i] = (ch_hit){buf[i].row,
                           (double)llabs(st->sp->event_time[buf[i].row] - st->cfg->time_ms) / 1e3};
    free(buf);
    qsort(hits, got, sizeof *hits, cmp_asc);
    out->hits = hits;
    out->n = got < keep ? got : keep;
    return 0;
}

static int hopfield_channel(run_state *st, const ch_list *lists, ch_list *out)
{
    const retrieve_config *cfg = st->cfg;
    size_t total = 0;
    for (int c = 0; c < N_CHANNELS; c++)
        if (c != CH_HOPFIELD)
            total += lists[c].n;
    uint32_t *cand = NULL;
    size_t m = 0;
    if (total > 0) { /* the union of the other channels' lists */
        cand = malloc(total * sizeof *cand);
        if (!cand)
            return BASIN_ENOMEM;
        for (int c = 0; c < N_CHANNELS; c++)
            for (size_t i = 0; c != CH_HOPFIELD && i < lists[c].n; i++)
                cand[m++] = lists[c].hits[i].row;
        qsort(cand, m, sizeof *cand, cmp_u32);
        size_t u = 0;
        for (size_t i = 0; i < m; i++)
            if (u == 0 || cand[u - 1] != cand[i])
                cand[u++] = cand[i];
        m = u;
    } else if (st->n_rows <= HOPFIELD_ALONE_MAX) { /* every filtered memory */
        m = st->n_rows;
        cand = malloc((m ? m : 1) * sizeof *cand);
        if (!cand)
            return BASIN_ENOMEM;
        for (size_t i = 0; i < m; i++)
            cand[i] = st->rows ? st->rows[i] : (uint32_t)i;
    } else { /* the nearest 2000 by cosine on the compact (4-bit) copy */
        size_t keep = 2000;
        basin_hit *buf = malloc(2 * keep * sizeof *buf);
        basin_hit *scratch = malloc(SCAN_THREADS_MAX * 2 * keep * sizeof *scratch);
        cand = malloc(keep * sizeof *cand);
        if (!buf || !scratch || !cand) {
            free(buf);
            free(scratch);
            free(cand);
            return BASIN_ENOMEM;
        }
        basin_topk top;
        basin_topk_init(&top, buf, keep);
        size_t bytes = scan_split(BASIN_METRIC_COSINE, &st->sp->scan, st->q, st->qs, st->rows,
                                  st->n_rows, true, NULL, NULL, &top, scratch);
        st->bytes += bytes;
        m = basin_topk_sort(&top);
        for (size_t i = 0; i < m; i++)
            cand[i] = buf[i].row;
        free(buf);
        free(scratch);
        if (!bytes) {
            free(cand);
            return BASIN_ENOMEM;
        }
    }
    out->hits = NULL;
    out->n = 0;
    if (m == 0) {
        free(cand);
        return 0;
    }
    int d = st->sp->dim;
    float *xi = malloc((size_t)d * sizeof *xi);
    double *p = malloc(m * sizeof *p);
    ch_hit *hits = malloc(m * sizeof *hits);
    int rc = xi && p && hits ? 0 : BASIN_ENOMEM;
    if (rc == 0) {
        memcpy(xi, st->q, (size_t)d * sizeof *xi);
        int steps = basin_hopfield_complete(d, st->sp->scan.mu, cand, m, cfg->hop_beta,
                                            cfg->hop_steps, 0.0, xi, p);
        if (steps < 0)
            rc = steps;
        st->bytes += m * (size_t)d * 4 * (size_t)(2 * cfg->hop_steps + 1);
    }
    if (rc == 0) {
        for (size_t i = 0; i < m; i++)
            hits[i] = (ch_hit){cand[i], p[i]};
        qsort(hits, m, sizeof *hits, cmp_desc);
        out->hits = hits;
        out->n = m < st->depth ? m : st->depth;
    } else {
        free(hits);
    }
    free(xi);
    free(p);
    free(cand);
    return rc;
}

/* ---- fusion and output ------------------------------------------------------------------------
 */

typedef struct fused {
    uint32_t row;
    double score;
    int rank[N_CHANNELS]; /* 0: absent */
    double value[N_CHANNELS];
    int best_rank;
} fused;

typedef struct tuple {
    uint32_t row;
    int channel, rank;
    double value;
} tuple;

static int cmp_tuple(const void *a, const void *b)
{
    const tuple *x = a, *y = b;
    return x->row < y->row ? -1 : x->row > y->row;
}

static int cmp_fused(const void *a, const void *b)
{
    const fused *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->best_rank != y->best_rank)
        return x->best_rank < y->best_rank ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* Fuses the lists by weighted RRF into *out (malloc'd, best first), *n items. */
static int fuse(const retrieve_config *cfg, const double *w, const ch_list *lists, fused **out,
                size_t *n)
{
    size_t total = 0;
    for (int c = 0; c < N_CHANNELS; c++)
        total += lists[c].n;
    tuple *t = malloc((total ? total : 1) * sizeof *t);
    fused *f = malloc((total ? total : 1) * sizeof *f);
    if (!t || !f) {
        free(t);
        free(f);
        return BASIN_ENOMEM;
    }
    size_t m = 0;
    for (int c = 0; c < N_CHANNELS; c++)
        for (size_t i = 0; i < lists[c].n; i++)
            t[m++] = (tuple){lists[c].hits[i].row, c, (int)i + 1, lists[c].hits[i].value};
    qsort(t, m, sizeof *t, cmp_tuple);
    size_t count = 0;
    for (size_t i = 0; i < m;) {
        fused *it = &f[count++];
        memset(it, 0, sizeof *it);
        it->row = t[i].row;
        it->best_rank = 1 << 30;
        for (; i < m && t[i].row == it->row; i++) {
            it->rank[t[i].channel] = t[i].rank;
            it->value[t[i].channel] = t[i].value;
            if (t[i].rank < it->best_rank)
                it->best_rank = t[i].rank;
        }
        it->score = basin_rrf(N_CHANNELS, w, it->rank, cfg->rrf_k);
    }
    free(t);
    qsort(f, count, sizeof *f, cmp_fused);
    *out = f;
    *n = count;
    return 0;
}

static json_t *time_json(int64_t ms)
{
    char buf[40];
    clock_format_rfc3339(ms, buf, sizeof buf);
    return json_string(buf);
}

json_t *memory_result_json(const basin_space *sp, uint32_t row)
{
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:f, s:b}", "id", sp->ids[row], "text",
                     sp->text[row] ? json_string(sp->text[row]) : json_null(), "meta",
                     json_deep_copy(sp->meta[row]), "tags", json_deep_copy(sp->tags[row]), "time",
                     time_json(sp->event_time[row]), "importance", (double)sp->importance[row],
                     "archived", sp->archived[row] != 0);
}

void memory_touch_returned(basin_ctx *ctx, const basin_space *sp, const uint32_t *first_row,
                           size_t stride, size_t k)
{
    uint32_t *rows = malloc((k ? k : 1) * sizeof *rows);
    if (!rows)
        return;
    for (size_t i = 0; i < k; i++)
        memcpy(&rows[i], (const char *)first_row + i * stride, sizeof rows[i]);
    basin_ctx_space_touch(ctx, sp, rows, k);
    free(rows);
}

/* ---- run ------------------------------------------------------------------------------------ */

static int run(const void *config, basin_ctx *ctx)
{
    const retrieve_config *cfg = config;
    double t0 = now_ms();
    const basin_space *sp = NULL;
    int rc = basin_ctx_space_acquire(ctx, cfg->space, &sp);
    if (rc == BASIN_EINVAL) {
        basin_ctx_fail(ctx, "unavailable", 0,
                       "memory spaces are not available to this run "
                       "(run it on a server)");
        return BASIN_EDIVERGED;
    }
    if (rc == BASIN_ENOTFOUND) {
        basin_ctx_fail(ctx, "not_found", 0, "no memory space named %s", cfg->space);
        return BASIN_EDIVERGED;
    }
    if (rc)
        return rc;

    run_state st = {.cfg = cfg, .sp = sp};
    ch_list lists[N_CHANNELS] = {{0}};
    float *q = NULL, *qs = NULL;
    uint32_t *rows = NULL;
    fused *f = NULL;
    size_t n_fused = 0;
    bool use[N_CHANNELS];
    double w[N_CHANNELS];
    memcpy(use, cfg->use, sizeof use);
    memcpy(w, cfg->weight, sizeof w);
    size_t d = (size_t)sp->dim;

    /* The query vector: given, or the text through the hash embedder. */
    if (cfg->vector && cfg->dim != d) {
        basin_ctx_fail(ctx, "invalid_query", 0, "/vector: has %zu entries; space %s has dim %d",
                       cfg->dim, sp->name, sp->dim);
        rc = BASIN_EDIVERGED;
        goto done;
    }
    q = malloc(d * sizeof *q);
    qs = malloc(d * sizeof *qs);
    if (!q || !qs) {
        rc = BASIN_ENOMEM;
        goto done;
    }
    bool have_vector = true;
    if (cfg->vector)
        memcpy(q, cfg->vector, d * sizeof *q);
    else if (cfg->text && strcmp(sp->embedder, "hash") == 0)
        basin_hash_embed(cfg->text, strlen(cfg->text), sp->dim, q);
    else
        have_vector = false;
    if (have_vector) {
        if (cfg->variance)
            memcpy(qs, cfg->variance, d * sizeof *qs);
        else
            basin_variance_from_mean(sp->dim, q, qs);
        for (size_t j = 0; j < d; j++)
            qs[j] = sqrtf(qs[j]);
    }
    if (cfg->channels_default) {
        int metric = channel_parse(sp->metric);
        if (have_vector && metric >= 0) {
            use[metric] = true;
            w[metric] = 1.0;
        }
        if (cfg->text) {
            use[CH_BM25] = true;
            w[CH_BM25] = 1.0;
        }
        if (!have_vector && !cfg->text && cfg->has_time) {
            use[CH_TEMPORAL] = true;
            w[CH_TEMPORAL] = 1.0;
        }
    }
    for (int c = 0; c < N_CHANNELS; c++)
        if (use[c] && !have_vector && (c <= CH_EUCLIDEAN || c == CH_HOPFIELD)) {
            basin_ctx_fail(ctx, "invalid_query", 0,
                           "/channels/%s: needs a query vector; space %s has no text embedder "
                           "(embedder none), so a text is not enough",
                           channel_names[c], sp->name);
            rc = BASIN_EDIVERGED;
            goto done;
        }
    st.q = q;
    st.qs = qs;
    /* Lists deeper than k feed fusion; a single channel (without hopfield, which reads the
     * others' lists) has nothing to fuse, and its top k are the answer. */
    int n_used = 0;
    for (int c = 0; c < N_CHANNELS; c++)
        n_used += use[c];
    bool fusing = n_used > 1 || use[CH_HOPFIELD];
    st.depth = cfg->depth ? (size_t)cfg->depth
               : !fusing  ? (size_t)cfg->k
                          : (size_t)(4 * cfg->k < 50 ? 50 : 4 * cfg->k);
    if (st.depth < (size_t)cfg->k)
        st.depth = (size_t)cfg->k;
    if (st.depth > 1000)
        st.depth = 1000;
    rc = memory_filter_rows(&cfg->filter, sp, &rows, &st.n_rows);
    if (rc)
        goto done;
    st.rows = rows;

    for (int c = 0; c < N_CHANNELS && rc == 0; c++) {
        if (!use[c] || c == CH_HOPFIELD)
            continue;
        if (basin_ctx_should_stop(ctx)) {
            rc = BASIN_ECANCELLED;
            break;
        }
        if (c <= CH_EUCLIDEAN)
            rc = vector_channel(&st, channel_metric[c], &lists[c]);
        else if (c == CH_BM25)
            rc = bm25_channel(&st, ctx, &lists[c]);
        else if (c == CH_TEMPORAL)
            rc = temporal_channel(&st, &lists[c]);
    }
    if (rc == 0 && use[CH_HOPFIELD])
        rc = hopfield_channel(&st, lists, &lists[CH_HOPFIELD]);
    if (rc == 0)
        rc = fuse(cfg, w, lists, &f, &n_fused);
    if (rc)
        goto done;

    json_t *results = json_array();
    size_t k = n_fused < (size_t)cfg->k ? n_fused : (size_t)cfg->k;
    for (size_t i = 0; i < k; i++) {
        json_t *item = memory_result_json(sp, f[i].row);
        json_object_set_new(item, "score", json_real(f[i].score));
        json_t *chans = json_object();
        for (int c = 0; c < N_CHANNELS; c++)
            if (f[i].rank[c])
                json_object_set_new(
                    chans, channel_names[c],
                    json_pack("{s:f, s:i}", "score", f[i].value[c], "rank", f[i].rank[c]));
        json_object_set_new(item, "channels", chans);
        json_array_append_new(results, item);
    }
    if (k) /* f may be NULL when nothing was found */
        memory_touch_returned(ctx, sp, &f[0].row, sizeof *f, k);
    const char *stage = st.candidates ? "candidates+rerank" : "exact";
    json_t *used = json_object();
    for (int c = 0; c < N_CHANNELS; c++)
        if (use[c])
            json_object_set_new(used, channel_names[c], json_real(w[c]));
    basin_ctx_value(ctx, "results", results);
    basin_ctx_value(ctx, "stage", json_string(stage));
    basin_ctx_value(ctx, "channels", used);
    basin_ctx_value(ctx, "candidates", json_integer((json_int_t)st.candidates));
    basin_ctx_value(ctx, "filtered", json_integer((json_int_t)st.n_rows));
    basin_ctx_value(ctx, "space_size", json_integer((json_int_t)sp->n));
    basin_ctx_value(ctx, "bytes_scanned", json_integer((json_int_t)st.bytes));
    basin_ctx_value(ctx, "elapsed_ms", json_real(now_ms() - t0));
    basin_ctx_summary_int(ctx, "results", (int64_t)k);
    basin_ctx_summary_real(ctx, "best_score", k ? f[0].score : 0.0);
    basin_ctx_summary_int(ctx, "filtered", (int64_t)st.n_rows);
    basin_ctx_summary_string(ctx, "stage", stage);
    basin_ctx_progress(ctx, 1.0);

done:
    for (int c = 0; c < N_CHANNELS; c++)
        free(lists[c].hits);
    free(f);
    free(rows);
    free(q);
    free(qs);
    basin_ctx_space_release(ctx, sp);
    return rc;
}

const basin_model model_memory_retrieve = {
    .kind = "memory.retrieve",
    .version = "1",
    .summary = "Ranked memories of a space: Fisher-Rao, local Fisher, cosine, euclidean, BM25, "
               "temporal and Hopfield channels fused by weighted reciprocal rank",
    .parse = parse,
    .run = run,
    .free_config = free_config,
};
