/* auth.c — see auth.h. */
#include "auth.h"

#include <string.h>
#include <strings.h>

#include "ratelimit.h"
#include "util/clock.h"

/* Whether tokens are in force, re-read from the store at most once per AUTH_RECHECK_MS. */
static bool auth_required(app *a)
{
    int64_t now = clock_mono_ms();
    long long checked = atomic_load(&a->auth_checked_ms);
    if (checked == 0 || now - checked >= AUTH_RECHECK_MS) {
        int64_t n = 0;
        if (store_token_count(a->store, &n) == 0)
            atomic_store(&a->auth_required, n > 0);
        atomic_store(&a->auth_checked_ms, (long long)(now ? now : 1));
    }
    return atomic_load(&a->auth_required);
}

bool http_authorize(http_request *req, const route *r, http_response *res)
{
    req->token_id[0] = '\0';
    if (strcmp(r->pattern, "/v1/health") == 0 || !auth_required(req->app))
        return true;
    const char *h = req->header(req, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7]) {
        http_problem(res, 401, "unauthorized", NULL,
                     "this server requires a token: Authorization: Bearer <token>");
        res->bearer_challenge = true;
        return false;
    }
    const char *token = h + 7;
    while (*token == ' ')
        token++;
    token_scope scope;
    int rc = strlen(token) < TOKEN_TEXT_MAX
                 ? store_token_lookup(req->app->store, token, &scope, req->token_id)
                 : BASIN_ENOTFOUND;
    if (rc == BASIN_ENOTFOUND) {
        http_problem(res, 401, "unauthorized", NULL, "the token is unknown or revoked");
        res->bearer_challenge = true;
        return false;
    }
    if (rc) {
        http_store_problem(res, rc, "token");
        return false;
    }
    int retry_after = 1;
    if (!ratelimit_take(req->token_id, &retry_after)) {
        http_problem(res, 429, "rate_limited", NULL,
                     "this token sent more requests than its rate allows; retry later");
        res->retry_after_s = retry_after > 0 ? retry_after : 1;
        return false;
    }
    if ((int)scope < (int)r->scope) {
        static const char *const names[] = {"read", "write", "admin"};
        http_problem(res, 403, "forbidden", NULL, "this route needs a %s token; this one is %s",
                     names[r->scope], names[scope]);
        return false;
    }
    return true;
}
