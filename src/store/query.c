/*
 * query.c — listing jobs with filters, a where= expression and an order, paged by an
 * opaque keyset cursor.
 *
 * The SQL is assembled from fixed fragments chosen by the parsed expression (where.h);
 * every value a client gave — keys, paths, strings, numbers — is bound as a parameter.
 * Order: (key IS NULL), key [DESC], id [DESC] — nulls last in both directions, ties broken
 * by id, so a page boundary is one point of a total order and the cursor (the last row's
 * null flag, key and id) continues exactly after it, whatever was inserted meanwhile.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "util/base64url.h"

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

/* A JSON path for json_extract: $."a"."b" (keys are [A-Za-z0-9_-], safe in quotes). */
static void json_path(const char *dotted, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "$");
    for (const char *seg = dotted; *seg && n < cap;) {
        const char *dot = strchr(seg, '.');
        size_t len = dot ? (size_t)(dot - seg) : strlen(seg);
        n += (size_t)snprintf(out + n, cap - n, ".\"%.*s\"", (int)len, seg);
        seg += len + (dot ? 1 : 0);
    }
}

static const char *const column_sql[] = {
    [COL_CREATED_AT] = "j.created_at",   [COL_STARTED_AT] = "j.started_at",
    [COL_FINISHED_AT] = "j.finished_at", [COL_KIND] = "j.kind",
    [COL_STATUS] = "j.status",           [COL_PRIORITY] = "j.priority",
    [COL_ATTEMPTS] = "j.attempts",       [COL_PROGRESS] = "j.progress",
};

static const char *const stat_sql[] = {
    [STAT_MIN] = "vmin",   [STAT_MAX] = "vmax", [STAT_MEAN] = "vmean",
    [STAT_LAST] = "vlast", [STAT_COUNT] = "n",
};

/* The SQL expression of a field's value for row j (with results r). */
static void emit_field(sql_builder *b, const where_field *f)
{
    char path[WHERE_MAX_PATH + 200];
    switch (f->source) {
    case WHERE_SUMMARY:
    case WHERE_PARAMS:
    case WHERE_LABELS:
        json_path(f->path, path, sizeof path);
        emit(b, "json_extract(%s, ",
             f->source == WHERE_SUMMARY  ? "r.summary"
             : f->source == WHERE_PARAMS ? "j.params"
                                         : "j.labels");
        emit_text(b, path);
        emit(b, ")");
        break;
    case WHERE_SERIES:
        emit(b,
             "(SELECT s.%s FROM series s WHERE s.job_id = j.id AND s.name = ", stat_sql[f->stat]);
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

static void emit_where(sql_builder *b, const where_expr *e, int i)
{
    const where_node *n = &e->nodes[i];
    switch (n->kind) {
    case WHERE_AND:
    case WHERE_OR:
        emit(b, "(");
        emit_where(b, e, n->left);
        emit(b, n->kind == WHERE_AND ? " AND " : " OR ");
        emit_where(b, e, n->right);
        emit(b, ")");
        break;
    case WHERE_NOT: /* two-valued: unknown (a missing value) counts as false */
        emit(b, "(NOT coalesce(");
        emit_where(b, e, n->left);
        emit(b, ", 0))");
        break;
    case WHERE_CMP: {
        emit(b, "coalesce(");
        emit_field(b, &n->field);
        emit(b, " %s ", op_sql[n->op]);
        bind v = {0};
        switch (n->value.type) {
        case WV_NUMBER:
            v.type = B_REAL, v.r = n->value.number;
            break;
        case WV_BOOL:
            v.type = B_INT, v.i = n->value.boolean;
            break;
        case WV_TIME:
            v.type = B_INT, v.i = n->value.time_ms;
            break;
        case WV_STRING:
            v.type = B_TEXT;
            snprintf(v.text, sizeof v.text, "%s", n->value.string);
            break;
        }
        emit_bind(b, &v);
        emit(b, ", 0)");
        break;
    }
    }
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
              (json_is_number(key) || json_is_string(key) || json_is_null(key));
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
    char *text = a ? json_dumps(a, JSON_COMPACT) : NULL;
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

/* Keyset condition: the row comes after the cursor in the listing's order. */
static void emit_after(sql_builder *b, const job_filter *f, const cursor *c)
{
    if (!f->order) {
        emit(b, " AND j.id < ");
        emit_text(b, c->id);
        return;
    }
    const char *cmp = f->order_desc ? "<" : ">";
    emit(b, " AND ((");
    emit_field(b, f->order);
    emit(b, " IS NULL) > %d OR ((", c->is_null);
    emit_field(b, f->order);
    emit(b, " IS NULL) = %d AND ", c->is_null);
    if (c->is_null) {
        emit(b, "j.id %s ", cmp);
        emit_text(b, c->id);
    } else {
        emit(b, "(");
        emit_field(b, f->order);
        emit(b, " %s ", cmp);
        emit_key_bind(b, c->key);
        emit(b, " OR (");
        emit_field(b, f->order);
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

int store_list_jobs(store *s, const job_filter *f, job_row **rows, size_t *n,
                    char next_cursor[STORE_CURSOR_MAX])
{
    if (f->limit < 1)
        return BASIN_EINVAL;
    cursor cur = {0};
    if (f->cursor && decode_cursor(f, &cur))
        return BASIN_EINVAL;
    sql_builder *b = calloc(1, sizeof *b);
    if (!b) {
        json_decref(cur.key);
        return BASIN_ENOMEM;
    }
    emit(b, "SELECT " JOB_COLUMNS ", ");
    if (f->order)
        emit_field(b, f->order);
    else
        emit(b, "NULL");
    emit(b, JOB_FROM "WHERE 1");
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
        emit(b, " AND coalesce(");
        emit_where(b, f->where, f->where->root);
        emit(b, ", 0)");
    }
    if (f->cursor)
        emit_after(b, f, &cur);
    if (f->order) {
        emit(b, " ORDER BY (");
        emit_field(b, f->order);
        emit(b, " IS NULL), ");
        emit_field(b, f->order);
        emit(b, f->order_desc ? " DESC, j.id DESC" : ", j.id");
    } else {
        emit(b, " ORDER BY j.id DESC");
    }
    emit(b, " LIMIT ");
    emit_int(b, f->limit + 1); /* one extra row tells whether a page follows */
    json_decref(cur.key);
    if (b->overflow) {
        free(b);
        return BASIN_ELIMIT;
    }

    sqlite3 *db = store_reader_get(s);
    sqlite3_stmt *st = db ? store_prepare(db, b->sql) : NULL;
    if (!st) {
        store_reader_put(s, db);
        free(b);
        return BASIN_EDB;
    }
    for (int i = 0; i < b->n; i++) {
        const bind *v = &b->binds[i];
        if (v->type == B_INT)
            sqlite3_bind_int64(st, i + 1, v->i);
        else if (v->type == B_REAL)
            sqlite3_bind_double(st, i + 1, v->r);
        else
            sqlite3_bind_text(st, i + 1, v->text, -1, SQLITE_TRANSIENT);
    }
    free(b);
    job_row *out = calloc((size_t)f->limit + 1, sizeof *out);
    size_t count = 0;
    int rc = out ? 0 : BASIN_ENOMEM, step = SQLITE_DONE;
    next_cursor[0] = '\0';
    json_t *last_key = NULL;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == (size_t)f->limit) { /* a further page exists: cursor after the last */
            encode_cursor(f, out[count - 1].id, last_key, next_cursor);
            break;
        }
        store_read_job_row(st, &out[count++]);
        json_decref(last_key);
        last_key = f->order ? row_key(st, 21) : NULL;
    }
    json_decref(last_key);
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = store_rc(step);
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
