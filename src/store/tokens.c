/*
 * tokens.c — API tokens (stored as SHA-256 hashes, never in clear) and Idempotency-Key
 * records.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "store_internal.h"
#include "util/base64url.h"
#include "util/clock.h"
#include "util/sha256.h"

static const char *const scope_names[] = {"read", "write", "admin"};

const char *token_scope_name(token_scope sc)
{
    return scope_names[sc];
}

int token_scope_parse(const char *name, token_scope *out)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(scope_names[i], name) == 0) {
            *out = (token_scope)i;
            return 0;
        }
    return BASIN_EINVAL;
}

int store_token_create(store *s, const char *name, token_scope scope,
                       char token_out[TOKEN_TEXT_MAX], char id_out[ULID_LEN + 1])
{
    uint8_t secret[32];
    if (getrandom(secret, sizeof secret, 0) != (ssize_t)sizeof secret)
        return BASIN_EIO;
    char token[TOKEN_TEXT_MAX];
    memcpy(token, "bsn_", 4);
    base64url_encode(secret, sizeof secret, token + 4, sizeof token - 4);
    char hash[65], id[ULID_LEN + 1];
    sha256_hex(token, strlen(token), hash);
    ulid_new(id);
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    sqlite3_stmt *st = store_prepare(db, "INSERT INTO tokens (id, name, scope, hash, created_at) "
                                         "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (st) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, scope_names[scope], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, clock_wall_ms());
    }
    rc = store_step_done(st);
    int end = store_write_end(s, rc == 0);
    if (rc == 0 && end == 0) {
        memcpy(token_out, token, strlen(token) + 1);
        memcpy(id_out, id, sizeof id);
    }
    return rc ? rc : end;
}

int store_token_list(store *s, json_t **out)
{
    sqlite3 *db = store_reader_get(s);
    sqlite3_stmt *st = db ? store_prepare(db, "SELECT id, name, scope, created_at, revoked_at "
                                              "FROM tokens ORDER BY id")
                          : NULL;
    if (!st) {
        store_reader_put(s, db);
        return BASIN_EDB;
    }
    json_t *list = json_array();
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        char created[32], revoked[32];
        clock_format_rfc3339(sqlite3_column_int64(st, 3), created, sizeof created);
        bool is_revoked = sqlite3_column_type(st, 4) != SQLITE_NULL;
        if (is_revoked)
            clock_format_rfc3339(sqlite3_column_int64(st, 4), revoked, sizeof revoked);
        json_array_append_new(
            list,
            json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", sqlite3_column_text(st, 0), "name",
                      sqlite3_column_text(st, 1), "scope", sqlite3_column_text(st, 2), "created_at",
                      created, "revoked_at", is_revoked ? json_string(revoked) : json_null()));
    }
    sqlite3_finalize(st);
    store_reader_put(s, db);
    if (step != SQLITE_DONE) {
        json_decref(list);
        return store_rc(step);
    }
    *out = list;
    return 0;
}

int store_token_revoke(store *s, const char *id)
{
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    sqlite3_stmt *st =
        store_prepare(db, "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
    if (st) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, clock_wall_ms());
    }
    rc = store_step_done(st);
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = BASIN_ENOTFOUND;
    int end = store_write_end(s, rc == 0);
    return rc ? rc : end;
}

int store_token_lookup(store *s, const char *token, token_scope *scope, char id_out[ULID_LEN + 1])
{
    char hash[65];
    sha256_hex(token, strlen(token), hash);
    sqlite3 *db = store_reader_get(s);
    sqlite3_stmt *st = db ? store_prepare(db, "SELECT id, scope FROM tokens WHERE hash = ?1 AND "
                                              "revoked_at IS NULL")
                          : NULL;
    int rc = BASIN_EDB;
    if (st) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW &&
            token_scope_parse((const char *)sqlite3_column_text(st, 1), scope) == 0) {
            snprintf(id_out, ULID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
            rc = 0;
        } else {
            rc = step == SQLITE_DONE || step == SQLITE_ROW ? BASIN_ENOTFOUND : store_rc(step);
        }
        sqlite3_finalize(st);
    }
    store_reader_put(s, db);
    return rc;
}

int store_token_count(store *s, int64_t *n)
{
    sqlite3 *db = store_reader_get(s);
    sqlite3_stmt *st =
        db ? store_prepare(db, "SELECT count(*) FROM tokens WHERE revoked_at IS NULL") : NULL;
    int rc = BASIN_EDB;
    if (st) {
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            *n = sqlite3_column_int64(st, 0);
            rc = 0;
        } else {
            rc = store_rc(step);
        }
        sqlite3_finalize(st);
    }
    store_reader_put(s, db);
    return rc;
}

int store_idem_begin(store *s, const char *owner, const char *key, const char *request_hash,
                     int64_t ttl_ms, idem_state *state, char job_id[ULID_LEN + 1])
{
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    int64_t now = clock_wall_ms();
    sqlite3_stmt *st = store_prepare(db, "SELECT request_hash, job_id, created_at FROM "
                                         "idempotency WHERE owner = ?1 AND key = ?2");
    idem_state result = IDEM_NEW;
    bool expired_row = false;
    if (!st) {
        rc = BASIN_EDB;
    } else {
        sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            if (now - sqlite3_column_int64(st, 2) >= ttl_ms) {
                expired_row = true;
            } else if (strcmp((const char *)sqlite3_column_text(st, 0), request_hash) != 0) {
                result = IDEM_MISMATCH;
            } else if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
                result = IDEM_INFLIGHT;
            } else {
                result = IDEM_REPLAY;
                snprintf(job_id, ULID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 1));
            }
        } else if (step != SQLITE_DONE) {
            rc = store_rc(step);
        }
        sqlite3_finalize(st);
    }
    if (rc == 0 && result == IDEM_NEW) {
        st = store_prepare(db, expired_row
                                   ? "UPDATE idempotency SET request_hash = ?3, job_id = NULL, "
                                     "created_at = ?4 WHERE owner = ?1 AND key = ?2"
                                   : "INSERT INTO idempotency (owner, key, request_hash, "
                                     "created_at) VALUES (?1, ?2, ?3, ?4)");
        if (st) {
            sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, request_hash, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, now);
        }
        rc = store_step_done(st);
        /* Forget records past their time while we hold the writer anyway. */
        sqlite3_stmt *gc = store_prepare(db, "DELETE FROM idempotency WHERE created_at < ?1");
        if (gc)
            sqlite3_bind_int64(gc, 1, now - ttl_ms);
        if (rc == 0)
            rc = store_step_done(gc);
        else
            sqlite3_finalize(gc);
    }
    int end = store_write_end(s, rc == 0);
    if (rc == 0 && end == 0)
        *state = result;
    return rc ? rc : end;
}

static int idem_update(store *s, const char *sql, const char *owner, const char *key,
                       const char *job_id)
{
    sqlite3 *db;
    int rc = store_write_begin(s, &db);
    if (rc)
        return rc;
    sqlite3_stmt *st = store_prepare(db, sql);
    if (st) {
        sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        if (job_id)
            sqlite3_bind_text(st, 3, job_id, -1, SQLITE_STATIC);
    }
    rc = store_step_done(st);
    int end = store_write_end(s, rc == 0);
    return rc ? rc : end;
}

int store_idem_finish(store *s, const char *owner, const char *key, const char *job_id)
{
    return idem_update(s, "UPDATE idempotency SET job_id = ?3 WHERE owner = ?1 AND key = ?2", owner,
                       key, job_id);
}

int store_idem_abort(store *s, const char *owner, const char *key)
{
    return idem_update(s, "DELETE FROM idempotency WHERE owner = ?1 AND key = ?2", owner, key,
                       NULL);
}
