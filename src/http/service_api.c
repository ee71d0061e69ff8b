/* service_api.c — GET /v1/health, /v1/models, /v1/models/{kind}, /v1/openapi.yaml. */
#include <pthread.h>
#include <string.h>

#include "routes.h"
#include "util/clock.h"
#include "util/json_text.h"

/* Health answers from a snapshot of the queue while this process has committed nothing
 * since it was taken, and for at most this long (other processes may share the file):
 * probes poll health often and counting a deep queue costs O(queued rows), while a
 * failing database is still reported within this time. */
#define HEALTH_FRESH_MS 250

typedef struct queue_snapshot {
    const store *of;
    uint64_t commits; /* store_commits() when taken */
    int rc;
    int64_t queued, running;
    int64_t taken_ms; /* clock_mono_ms(); 0: never */
} queue_snapshot;

static pthread_mutex_t snapshot_lock = PTHREAD_MUTEX_INITIALIZER;
static queue_snapshot snapshot;

static queue_snapshot queue_now(store *s)
{
    int64_t now = clock_mono_ms();
    uint64_t commits = store_commits(s);
    pthread_mutex_lock(&snapshot_lock);
    queue_snapshot q = snapshot;
    pthread_mutex_unlock(&snapshot_lock);
    if (q.of == s && q.commits == commits && q.taken_ms && now - q.taken_ms < HEALTH_FRESH_MS)
        return q;
    q.of = s;
    q.commits = commits;
    q.queued = q.running = 0;
    q.rc = store_queue_depth(s, &q.queued, &q.running);
    q.taken_ms = now;
    pthread_mutex_lock(&snapshot_lock);
    snapshot = q;
    pthread_mutex_unlock(&snapshot_lock);
    return q;
}

extern const char basin_openapi_yaml[];

int api_health(const http_request *req, http_response *res)
{
    app *a = req->app;
    if (atomic_load(&a->stopping)) {
        http_problem(res, 503, "unavailable", NULL, "the service is shutting down");
        res->retry_after_s = 5;
        return 0;
    }
    queue_snapshot q = queue_now(a->store);
    int rc = q.rc;
    if (rc) {
        http_problem(res, 503, "unavailable", NULL, "the database is unusable: %s",
                     basin_strerror(rc));
        res->retry_after_s = 5;
        return 0;
    }
    int total = 0, busy = 0;
    if (a->pool)
        worker_pool_counts(a->pool, &total, &busy);
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:{s:i, s:i}, s:{s:I, s:I}}", "status",
                  atomic_load(&a->stopping) ? "stopping" : "ok", "version", BASIN_VERSION, "db",
                  "ok", "workers", "total", total, "busy", busy, "queue", "queued",
                  (json_int_t)q.queued, "running", (json_int_t)q.running);
    http_json(res, 200, body);
    return 0;
}

/* {"kind","version","summary","params_schema"}: the schema is what parse() describes
 * while normalising an empty params object (so defaults are the real ones). */
static json_t *describe_model(const basin_model *m)
{
    json_t *schema = json_object();
    json_t *normalized = NULL;
    void *config = NULL;
    basin_problems problems = {0};
    if (m->parse(NULL, "/params", &basin_default_limits, &problems, schema, &normalized, &config) ==
        0)
        m->free_config(config);
    json_decref(normalized);
    json_object_set_new(schema, "$schema",
                        json_string("https://json-schema.org/draft/2020-12/schema"));
    return json_pack("{s:s, s:s, s:s, s:o}", "kind", m->kind, "version", m->version, "summary",
                     m->summary, "params_schema", schema);
}

/* The models and their schemas never change while the process runs, and describing them
 * runs every model's parse (milliseconds in all): the texts are made once. */
static pthread_once_t described_once = PTHREAD_ONCE_INIT;
static char *models_text;  /* GET /v1/models */
static char **model_texts; /* GET /v1/models/{kind}, by index in basin_models */

static void describe_all(void)
{
    json_t *list = json_array();
    model_texts = calloc(basin_n_models, sizeof *model_texts);
    for (size_t i = 0; i < basin_n_models; i++) {
        json_t *one = describe_model(basin_models[i]);
        if (model_texts)
            model_texts[i] = json_text(one, NULL);
        json_array_append_new(list, one);
    }
    json_t *all = json_pack("{s:o}", "models", list);
    models_text = json_text(all, NULL);
    json_decref(all);
}

/* A copy of a described text as the answer (500 when it could not be made). */
static void send_described(http_response *res, const char *text)
{
    char *copy = text ? strdup(text) : NULL;
    if (copy)
        http_json_text(res, 200, copy, strlen(copy));
    else
        http_problem(res, 500, "internal", NULL, "internal error");
}

int api_models(const http_request *req, http_response *res)
{
    (void)req;
    pthread_once(&described_once, describe_all);
    send_described(res, models_text);
    return 0;
}

int api_model(const http_request *req, http_response *res)
{
    const basin_model *m = basin_model_find(req->path_params[0]);
    if (!m) {
        http_problem(res, 404, "not_found", NULL, "no model of kind '%s'", req->path_params[0]);
        return 0;
    }
    pthread_once(&described_once, describe_all);
    size_t i = 0;
    while (basin_models[i] != m)
        i++;
    send_described(res, model_texts ? model_texts[i] : NULL);
    return 0;
}

int api_openapi(const http_request *req, http_response *res)
{
    (void)req;
    http_raw(res, 200, "application/yaml", basin_openapi_yaml, strlen(basin_openapi_yaml));
    return 0;
}
