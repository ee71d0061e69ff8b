/*
 * fuzz_request.c — libFuzzer target: the parsers a request goes through before any
 * handler logic — route matching, the where= language, order= fields, RFC 3339 times,
 * cursors (base64url) and sweep expansion. Property: no crash, no sanitizer report, no
 * leak; every result is either a clean error or a well-formed value.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/routes.h"
#include "http/sweep_plan.h"
#include "util/base64url.h"
#include "util/clock.h"
#include "util/where.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    static const char *const methods[] = {"GET", "POST", "DELETE", "HEAD", "PUT"};
    http_request req = {.method = methods[size % 5], .path = text};
    char allow[64];
    int status = 0;
    const route *r = http_match(&req, &status, allow, sizeof allow);
    if (!r && status != 404 && status != 405)
        abort();

    where_expr e;
    char err[512];
    if (where_parse(text, &e, err, sizeof err) == 0 && (e.root < 0 || e.root >= e.n_nodes))
        abort();
    where_field f;
    where_parse_field(text, &f, err, sizeof err);

    int64_t ms;
    clock_parse_rfc3339(text, &ms);
    char raw[512];
    base64url_decode(text, raw, sizeof raw);

    json_t *grid = json_loadb(text, size, 0, NULL);
    if (grid) {
        basin_problems problems = {0};
        sweep_plan plan;
        if (sweep_plan_build(NULL, json_object_get(grid, "grid"), json_object_get(grid, "random"),
                             1, 200, &problems, &plan) == 0)
            sweep_plan_clear(&plan);
        json_decref(grid);
    }
    free(text);
    return 0;
}
