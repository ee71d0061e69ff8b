/*
 * query.c — listing jobs with filters, a where= expression and an order, paged by an
 * opaque keyset cursor.
 *
 * The SQL is assembled from fixed fragments chosen by the parsed expression (where.h);
 * every value a client gave — keys, paths, strings, numbers — is bound as a parameter.
 * Order: (key IS NULL), key [DESC], id [DESC] — nulls last in both directions, ties broken
 * by id, so a page boundary is one point of a total order and the cursor (the last row's
 * null flag, key and id) continues exactly after it, whatever was inserted meanwhile.
 *
 * Two plans give that order. When the order field is indexed (values.h), the page is
 * walked from the index and stops once it is full, checking the filters row by row:
 *
 *   with a value:  SELECT … FROM job_values o CROSS JOIN jobs j LEFT JOIN results r
 *                  WHERE o.field = F AND j.id = o.job_id [AND (o.value, o.job_id) > cursor]
 *                        AND filters ORDER BY o.value, o.job_id LIMIT n
 *   then, nulls:   SELECT … FROM jobs j LEFT JOIN results r WHERE no row (j, F)
 *                        [AND j.id > cursor id] AND filters ORDER BY j.id LIMIT n - got
 *
 * (both descending for -field, in one read transaction). A comparison of the order field
 * that is a top-level conjunct of where becomes a range of the index (o.value > ?), and
 * since it is false without a value it also rules out the second query. Otherwise — a job
 * column, or a field that is not indexed — one query orders by the expression itself and
 * SQLite sorts every match; the walk also hands over to that sorted plan, after its last
 * row, when its filters match so few jobs that it has not filled the page within a budget.
 * All plans give the same rows in the same order, and each reads a cursor of the others.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_internal.h"
#include "util/base64url.h"
#include "util/json_text.h"
#include "values.h"

#define MAX_BINDS 256

typedef struct bind {
    enum { B_INT, B_REAL, B_TEXT } type;
    int64_t i;
    double r;
    char text[WHERE_MAX_PATH + 300];
} bind;

typedef struct sql_builder {
    char sql[16384];
    size_t len;
    bool overflow;
    bind binds[MAX_BINDS];
    int n;
} sql_builder;

static void emit(sql_builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(sql_builder *b, const char *fmt, ...)
{
    if (b->overflow)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->sql + b->len, sizeof b->sql - b->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof b->sql - b->len)
        b->overflow = true;
    else
        b->len += (size_t)n;
}

/* Adds a binding and emits its placeholder "?N". */
static void emit_bind(sql_builder *b, const bind *v)
{
    if (b->n >= MAX_BINDS) {
        b->overflow = true;
        return;
    }
    b->binds[b->n++] = *v;
    emit(b, "?%d", b->n);
}

static void emit_text(sql_builder *b, const char *text)
{
    bind v = {.type = B_TEXT};
    snprintf(v.text, sizeof v.text, "%s", text);
    emit_bind(b, &v);
}

static void emit_int(sql_builder *b, int64_t i)
{
    bind v = {.type = B_INT, .i = i};
    emit_bind(b, &v);
}

static const char *const column_sql[] = {
    [COL_CREATED_AT] = "j.created_at",   [COL_STARTED_AT] = "j.started_at",
    [COL_FINISHED_AT] = "j.finished_at", [COL_KIND] = "j.kind",
    [COL_STATUS] = "j.status",           [COL_PRIORITY] = "j.priority",
    [COL_ATTEMPTS] = "j.attempts",       [COL_PROGRESS] = "j.progress",
};

static bool same_field(const where_field *a, const where_field *b)
{
    if (a->source != b->source)
        return false;
    switch (a->source) {
    case WHERE_COLUMN:
        return a->column == b->column;
    case WHERE_SERIES:
        return a->stat == b->stat && strcmp(a->path, b->path) == 0;
    default:
        return strcmp(a->path, b->path) == 0;
    }
}

/* The SQL expression of a field's value for row j (with results r). With `indexed` (the
 * walk's order field), its value is the index row's: o.value. */
static void emit_field(sql_builder *b, const where_field *f, const where_field *indexed)
{
    if (indexed && same_field(f, indexed)) {
        emit(b, "o.value");
        return;
    }
    char path[WHERE_MAX_PATH * 2 + 8];
    switch (f->source) {
    case WHERE_SUMMARY:
    case WHERE_PARAMS:
    case WHERE_LABELS:
        store_json_path(f->path, path, sizeof path);
        emit(b, "json_extract(%s, ",
             f->source == WHERE_SUMMARY  ? "r.summary"
             : f->source == WHERE_PARAMS ? "j.params"
                                         : "j.labels");
        emit_text(b, path);
        emit(b, ")");
        break;
    case WHERE_SERIES:
        emit(b, "(SELECT s.%s FROM series s WHERE s.job_id = j.id AND s.name = ",
             store_series_column(f->stat));
        emit_text(b, f->path);
        emit(b, ")");
        break;
    case WHERE_COLUMN:
        emit(b, "%s", column_sql[f->column]);
        break;
    }
}

static const char *const op_sql[] = {
    [OP_EQ] = "=", [OP_NE] = "!=", [OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=",
};

static void emit_value(sql_builder *b, const where_value *value)
{
    bind v = {0};
    switch (value->type) {
    case WV_NUMBER:
        v.type = B_REAL, v.r = value->number;
        break;
    case WV_BOOL:
        v.type = B_INT, v.i = value->boolean;
        break;
    case WV_TIME:
        v.type = B_INT, v.i = value->time_ms;
        break;
    case WV_STRING:
        v.type = B_TEXT;
        snprintf(v.text, sizeof v.text, "%s", value->string);
        break;
    }
    emit_bind(b, &v);
}

/* Node i as SQL that is 0 or 1, never NULL (two-valued logic). */
static void emit_where(sql_builder *b, const where_expr *e, int i, const where_field *indexed)
{
    const where_node *n = &e->nodes[i];
    switch (n->kind) {
    case WHERE_AND:
    case WHERE_OR:
        emit(b, "(");
        emit_where(b, e, n->left, indexed);
        emit(b, n->kind == WHERE_AND ? " AND " : " OR ");
        emit_where(b, e, n->right, indexed);
        emit(b, ")");
        break;
    case WHERE_NOT: /* two-valued: unknown (a missing value) counts as false */
        emit(b, "(NOT coalesce(");
        emit_where(b, e, n->left, indexed);
        emit(b, ", 0))");
        break;
    case WHERE_CMP:
        emit(b, "coalesce(");
        emit_field(b, &n->field, indexed);
        emit(b, " %s ", op_sql[n->op]);
        emit_value(b, &n->value);
        emit(b, ", 0)");
        break;
    }
}

/* The where expression as top-level conjuncts, each " AND …". A comparison of the indexed
 * field is emitted bare, "o.value > ?", so that SQLite makes it a range of the index;
 * coalesce is not needed there: o.value is never NULL, and the conjunction of two-valued
 * terms equals the two-valued conjunction. */
static void emit_conjuncts(sql_builder *b, const where_expr *e, int i, const where_field *indexed)
{
    const where_node *n = &e->nodes[i];
    if (n->kind == WHERE_AND) {
        emit_conjuncts(b, e, n->left, indexed);
        emit_conjuncts(b, e, n->right, indexed);
    } else if (n->kind == WHERE_CMP && indexed && same_field(&n->field, indexed)) {
        emit(b, " AND o.value %s ", op_sql[n->op]);
        emit_value(b, &n->value);
    } else {
        emit(b, " AND ");
        emit_where(b, e, i, indexed);
    }
}

/* Whether node i is false for every job without a value of `field`: some top-level
 * conjunct compares that field (a comparison with a missing value is false). */
static bool needs_value(const where_expr *e, int i, const where_field *field)
{
    const where_node *n = &e->nodes[i];
    if (n->kind == WHERE_AND)
        return needs_value(e, n->left, field) || needs_value(e, n->right, field);
    return n->kind == WHERE_CMP && same_field(&n->field, field);
}

/* ---- cursors: base64url of [signature, is_null, key, id] ------------------------------ */

static void order_signature(const job_filter *f, char *out, size_t cap)
{
    if (!f->order) {
        snprintf(out, cap, "id");
        return;
    }
    snprintf(out, cap, "%d:%d:%d:%d:%s:%d", f->order->source, f->order->column, f->order->stat,
             f->order_desc, f->order->path, 0);
}

typedef struct cursor {
    bool is_null;
    json_t *key; /* number or string, or NULL */
    char id[ULID_LEN + 1];
} cursor;

static int decode_cursor(const job_filter *f, cursor *c)
{
    char raw[STORE_CURSOR_MAX];
    long len = base64url_decode(f->cursor, raw, sizeof raw - 1);
    if (len <= 0)
        return BASIN_EINVAL;
    raw[len] = '\0';
    json_t *a = json_loads(raw, 0, NULL);
    char sig[WHERE_MAX_PATH + 64];
    order_signature(f, sig, sizeof sig);
    const char *id = json_string_value(json_array_get(a, 3));
    json_t *key = json_array_get(a, 2);
    bool ok = json_is_array(a) && json_array_size(a) == 4 && json_is_string(json_array_get(a, 0)) &&
              strcmp(json_string_value(json_array_get(a, 0)), sig) == 0 &&
              json_is_boolean(json_array_get(a, 1)) && id && ulid_valid(id) &&
              (json_is_number(key) || json_is_string(key) || json_is_null(key)) &&
              json_is_true(json_array_get(a, 1)) == json_is_null(key);
    if (ok) {
        c->is_null = json_is_true(json_array_get(a, 1));
        c->key = json_is_null(key) ? NULL : json_incref(key);
        snprintf(c->id, sizeof c->id, "%s", id);
    }
    json_decref(a);
    return ok ? 0 : BASIN_EINVAL;
}

/* The sort key of the current row as JSON (NULL when SQL NULL). */
static json_t *row_key(sqlite3_stmt *st, int col)
{
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER:
        return json_integer(sqlite3_column_int64(st, col));
    case SQLITE_FLOAT:
        return json_real(sqlite3_column_double(st, col));
    case SQLITE_TEXT:
        return json_string((const char *)sqlite3_column_text(st, col));
    default:
        return NULL;
    }
}

static void encode_cursor(const job_filter *f, const char *id, const json_t *key,
                          char out[STORE_CURSOR_MAX])
{
    char sig[WHERE_MAX_PATH + 64];
    order_signature(f, sig, sizeof sig);
    json_t *a = json_pack("[s, b, O, s]", sig, key == NULL, key ? (json_t *)key : json_null(), id);
    char *text = a ? json_text(a, NULL) : NULL;
    json_decref(a);
    out[0] = '\0';
    if (text && !base64url_encode(text, strlen(text), out, STORE_CURSOR_MAX))
        out[0] = '\0';
    free(text);
}

static void emit_key_bind(sql_builder *b, const json_t *key)
{
    bind v = {0};
    if (json_is_integer(key)) {
        v.type = B_INT;
        v.i = json_integer_value(key);
    } else if (json_is_real(key)) {
        v.type = B_REAL;
        v.r = json_real_value(key);
    } else {
        v.type = B_TEXT;
        snprintf(v.text, sizeof v.text, "%s", json_string_value(key));
    }
    emit_bind(b, &v);
}

/* Keyset condition of the sorted plan: the row comes after the cursor in the listing's
 * order. */
static void emit_after(sql_builder *b, const job_filter *f, const cursor *c)
{
    if (!f->order) {
        emit(b, " AND j.id < ");
        emit_text(b, c->id);
        return;
    }
    const char *cmp = f->order_desc ? "<" : ">";
    emit(b, " AND ((");
    emit_field(b, f->order, NULL);
    emit(b, " IS NULL) > %d OR ((", c->is_null);
    emit_field(b, f->order, NULL);
    emit(b, " IS NULL) = %d AND ", c->is_null);
    if (c->is_null) {
        emit(b, "j.id %s ", cmp);
        emit_text(b, c->id);
    } else {
        emit(b, "(");
        emit_field(b, f->order, NULL);
        emit(b, " %s ", cmp);
        emit_key_bind(b, c->key);
        emit(b, " OR (");
        emit_field(b, f->order, NULL);
        emit(b, " = ");
        emit_key_bind(b, c->key);
        emit(b, " AND j.id %s ", cmp);
        emit_text(b, c->id);
        emit(b, "))");
    }
    emit(b, "))");
}

static const char *const status_sql[JOB_N_STATUS] = {
    "'queued'", "'running'", "'succeeded'", "'failed'", "'cancelled'",
};

/* The filters of every plan, each " AND …". `indexed`: the walk's order field (NULL in
 * the other queries), whose comparisons in where read the index row. */
static void emit_filters(sql_builder *b, const job_filter *f, const where_field *indexed)
{
    if (f->status_mask) {
        emit(b, " AND j.status IN (");
        const char *sep = "";
        for (int i = 0; i < JOB_N_STATUS; i++)
            if (f->status_mask & (1u << i)) {
                emit(b, "%s%s", sep, status_sql[i]);
                sep = ",";
            }
        emit(b, ")");
    }
    if (f->kind) {
        emit(b, " AND j.kind = ");
        emit_text(b, f->kind);
    }
    if (f->sweep_id) {
        emit(b, " AND j.sweep_id = ");
        emit_text(b, f->sweep_id);
    }
    if (f->since_ms) {
        emit(b, " AND j.created_at >= ");
        emit_int(b, f->since_ms);
    }
    if (f->until_ms) {
        emit(b, " AND j.created_at < ");
        emit_int(b, f->until_ms);
    }
    for (int i = 0; i < f->n_labels; i++) {
        emit(b, " AND EXISTS (SELECT 1 FROM json_each(j.labels) WHERE key = ");
        emit_text(b, f->label_keys[i]);
        emit(b, " AND value = ");
        emit_text(b, f->label_values[i]);
        emit(b, ")");
    }
    if (f->where && f->where->n_nodes) {
        if (indexed) {
            emit_conjuncts(b, f->where, f->where->root, indexed);
        } else {
            emit(b, " AND coalesce(");
            emit_where(b, f->where, f->where->root, NULL);
            emit(b, ", 0)");
        }
    }
}

/* The sorted plan: SQLite orders every match by the order expression. Rows after cursor c
 * (NULL: from the start), at most `limit`. */
static void build_sorted(sql_builder *b, const job_filter *f, const cursor *c, int limit)
{
    emit(b, "SELECT " JOB_COLUMNS ", ");
    if (f->order)
        emit_field(b, f->order, NULL);
    else
        emit(b, "NULL");
    emit(b, JOB_FROM "WHERE 1");
    emit_filters(b, f, NULL);
    if (c)
        emit_after(b, f, c);
    if (f->order) {
        emit(b, " ORDER BY (");
        emit_field(b, f->order, NULL);
        emit(b, " IS NULL), ");
        emit_field(b, f->order, NULL);
        emit(b, f->order_desc ? " DESC, j.id DESC" : ", j.id");
    } else {
        emit(b, " ORDER BY j.id DESC");
    }
    emit(b, " LIMIT ");
    emit_int(b, limit);
}

/* The walk, first part: jobs with a value of order field `field`, in index order from the
 * cursor (a cursor here is never in the nulls). CROSS JOIN keeps the index outermost. */
static void build_walk(sql_builder *b, const job_filter *f, const cursor *c, int64_t field,
                       int limit)
{
    const char *dir = f->order_desc ? " DESC" : "";
    emit(b, "SELECT " JOB_COLUMNS ", o.value FROM job_values o INDEXED BY job_values_order "
            "CROSS JOIN jobs j LEFT JOIN results r ON r.job_id = j.id WHERE o.field = ");
    emit_int(b, field);
    emit(b, " AND j.id = o.job_id");
    if (f->cursor) {
        emit(b, " AND (o.value, o.job_id) %s (", f->order_desc ? "<" : ">");
        emit_key_bind(b, c->key);
        emit(b, ", ");
        emit_text(b, c->id);
        emit(b, ")");
    }
    emit_filters(b, f, f->order);
    emit(b, " ORDER BY o.value%s, o.job_id%s LIMIT ", dir, dir);
    emit_int(b, limit);
}

/* The walk, second part: jobs without a value (the nulls, last), by id. */
static void build_tail(sql_builder *b, const job_filter *f, const cursor *c, int64_t field,
                       int limit)
{
    emit(b, "SELECT " JOB_COLUMNS ", NULL" JOB_FROM "WHERE NOT EXISTS (SELECT 1 FROM job_values "
            "v WHERE v.job_id = j.id AND v.field = ");
    emit_int(b, field);
    emit(b, ")");
    if (f->cursor && c->is_null) {
        emit(b, " AND j.id %s ", f->order_desc ? "<" : ">");
        emit_text(b, c->id);
    }
    emit_filters(b, f, NULL);
    emit(b, " ORDER BY j.id%s LIMIT ", f->order_desc ? " DESC" : "");
    emit_int(b, limit);
}

/* A page being filled: at most limit rows, and the cursor once a further row shows up. */
typedef struct page {
    const job_filter *f;
    job_row *rows;
    size_t count;
    json_t *last_key; /* sort key of rows[count - 1] */
    char *next_cursor;
    bool full; /* a row after the page was seen */
} page;

/* The walk's budget of CPU time. Filters that match few of the jobs along the index (a
 * small sweep's label, a rare value) make the walk read most of the index, row by row,
 * and then the jobs without a value: several times what the sorted plan costs. So a walk
 * that has not filled its page within the budget stops, and the sorted plan lists the
 * rest of the page after the last row the walk found — at worst the sorted plan's cost
 * plus the budget. CPU time of this thread: the machine's load does not shorten it. */
int64_t store_walk_budget_ns = 20000000; /* not static: tests shrink it to exercise the fallback */
#define WALK_CHECK_OPS 4000              /* virtual machine steps between two looks at the clock */

static int64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int over_budget(void *deadline_ns)
{
    return thread_cpu_ns() > *(const int64_t *)deadline_ns;
}

/* Runs the statement built in b on db and appends its rows to the page. With budget_ns >
 * 0, stops after that much CPU time and returns BASIN_ETIMEOUT, keeping the rows it got. */
static int run_part(sqlite3 *db, const sql_builder *b, page *pg, int64_t budget_ns)
{
    if (b->overflow)
        return BASIN_ELIMIT;
    sqlite3_stmt *st = store_prepare(db, b->sql);
    if (!st)
        return BASIN_EDB;
    for (int i = 0; i < b->n; i++) {
        const bind *v = &b->binds[i];
        if (v->type == B_INT)
            sqlite3_bind_int64(st, i + 1, v->i);
        else if (v->type == B_REAL)
            sqlite3_bind_double(st, i + 1, v->r);
        else
            sqlite3_bind_text(st, i + 1, v->text, -1, SQLITE_TRANSIENT);
    }
    int64_t deadline = thread_cpu_ns() + budget_ns;
    if (budget_ns > 0)
        sqlite3_progress_handler(db, WALK_CHECK_OPS, over_budget, &deadline);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (pg->count == (size_t)pg->f->limit) { /* a further page exists: cursor after the last */
            encode_cursor(pg->f, pg->rows[pg->count - 1].id, pg->last_key, pg->next_cursor);
            pg->full = true;
            break;
        }
        store_read_job_row(st, &pg->rows[pg->count++]);
        json_decref(pg->last_key);
        pg->last_key = pg->f->order ? row_key(st, 21) : NULL;
    }
    sqlite3_finalize(st);
    if (budget_ns > 0)
        sqlite3_progress_handler(db, 0, NULL, NULL);
    if (step == SQLITE_INTERRUPT && budget_ns > 0)
        return BASIN_ETIMEOUT;
    return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : store_rc(step);
}

static void builder_reset(sql_builder *b)
{
    b->len = 0;
    b->sql[0] = '\0';
    b->n = 0;
    b->overflow = false;
}

int store_list_jobs(store *s, const job_filter *f, job_row **rows, size_t *n,
                    char next_cursor[STORE_CURSOR_MAX])
{
    if (f->limit < 1)
        return BASIN_EINVAL;
    cursor cur = {0};
    if (f->cursor && decode_cursor(f, &cur))
        return BASIN_EINVAL;
    /* Any failure to get the index (a busy writer during registration, …) leaves the
     * sorted plan, which gives the same page. */
    int64_t field = 0;
    bool walk = f->order && store_values_field(s, f->order, &field) == 0;
    bool has_where = f->where && f->where->n_nodes;

    next_cursor[0] = '\0';
    page pg = {.f = f, .next_cursor = next_cursor};
    sql_builder *b = calloc(1, sizeof *b);
    pg.rows = calloc((size_t)f->limit + 1, sizeof *pg.rows);
    sqlite3 *db = NULL;
    int rc = b && pg.rows ? 0 : BASIN_ENOMEM;
    if (rc == 0) {
        db = store_reader_get(s);
        rc = db ? 0 : BASIN_EDB;
    }
    if (rc == 0 && !walk) {
        build_sorted(b, f, f->cursor ? &cur : NULL, f->limit + 1); /* +1: is there more? */
        rc = run_part(db, b, &pg, 0);
    } else if (rc == 0) {
        /* All parts read one snapshot: a job that gains its value in between is listed
         * once, in the part that snapshot puts it. */
        rc = store_rc(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL));
        bool gave_up = false;
        if (rc == 0 && !(f->cursor && cur.is_null)) {
            build_walk(b, f, &cur, field, f->limit + 1);
            rc = run_part(db, b, &pg, store_walk_budget_ns);
            gave_up = rc == BASIN_ETIMEOUT;
            rc = gave_up ? 0 : rc;
        }
        if (rc == 0 && gave_up) { /* the sorted plan, after the walk's last row */
            cursor last = {.key = pg.last_key};
            if (pg.count)
                memcpy(last.id, pg.rows[pg.count - 1].id, sizeof last.id);
            const cursor *after = pg.count ? &last : f->cursor ? &cur : NULL;
            builder_reset(b);
            build_sorted(b, f, after, f->limit + 1 - (int)pg.count);
            rc = run_part(db, b, &pg, 0);
        } else if (rc == 0 && !pg.full &&
                   !(has_where && needs_value(f->where, f->where->root, f->order))) {
            builder_reset(b);
            build_tail(b, f, &cur, field, f->limit + 1 - (int)pg.count);
            rc = run_part(db, b, &pg, 0);
        }
        if (!sqlite3_get_autocommit(db))
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL); /* read-only: nothing to lose */
    }
    store_reader_put(s, db);
    json_decref(pg.last_key);
    json_decref(cur.key);
    free(b);
    if (rc) {
        for (size_t i = 0; pg.rows && i < pg.count; i++)
            job_row_clear(&pg.rows[i]);
        free(pg.rows);
        next_cursor[0] = '\0';
        return rc;
    }
    *rows = pg.rows;
    *n = pg.count;
    return 0;
}

int store_jobs_changed(store *s, const char *id, int64_t after_ms, const char *after_id, int limit,
                       job_row **rows, size_t *n)
{
    sqlite3 *db = store_reader_get(s);
    sqlite3_stmt *st =
        db ? store_prepare(db, "SELECT " JOB_COLUMNS ", NULL" JOB_FROM
                               "WHERE (?1 IS NULL OR j.id = ?1) AND (j.updated_at > ?2 OR "
                               "(j.updated_at = ?2 AND j.id > ?3)) ORDER BY j.updated_at, j.id "
                               "LIMIT ?4")
           : NULL;
    if (!st) {
        store_reader_put(s, db);
        return BASIN_EDB;
    }
    if (id)
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, after_ms);
    sqlite3_bind_text(st, 3, after_id ? after_id : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, limit);
    job_row *out = calloc((size_t)limit, sizeof *out);
    size_t count = 0;
    int step = SQLITE_DONE;
    while (out && count < (size_t)limit && (step = sqlite3_step(st)) == SQLITE_ROW)
        store_read_job_row(st, &out[count++]);
    int rc = !out ? BASIN_ENOMEM : (step == SQLITE_DONE || step == SQLITE_ROW) ? 0 : store_rc(step);
    sqlite3_finalize(st);
    store_reader_put(s, db);
    if (rc) {
        for (size_t i = 0; out && i < count; i++)
            job_row_clear(&out[i]);
        free(out);
        return rc;
    }
    *rows = out;
    *n = count;
    return 0;
}
