/*
 * serve.c — `basin serve`: opens (and migrates) the database, starts the worker pool and
 * the HTTP server, and on SIGTERM/SIGINT shuts down in order: stop accepting, let running
 * jobs finish within the grace period (then requeue them), stop HTTP, close the store.
 */
#include <cblas.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "http/job_cache.h"
#include "http/ratelimit.h"
#include "http/server.h"
#include "util/log.h"

const char *cli_setting(const char *flag_value, const char *env, const char *def)
{
    if (flag_value)
        return flag_value;
    const char *e = getenv(env);
    return e && *e ? e : def;
}

static void serve_usage(FILE *out)
{
    fprintf(out, "usage: basin serve [OPTIONS]\n\n"
                 "Runs the HTTP API and the job workers. Each option falls back to the\n"
                 "environment variable named beside it.\n\n"
                 "  --listen HOST:PORT  address to listen on (BASIN_LISTEN; default "
                 "127.0.0.1:8080)\n"
                 "  --db PATH           SQLite database file (BASIN_DB; default ./basin.db)\n"
                 "  --workers N         worker threads (BASIN_WORKERS; default: number of cores)\n"
                 "  --sync full|normal  SQLite synchronous mode (BASIN_SYNC; default full:\n"
                 "                      an accepted job survives power loss; normal: it survives\n"
                 "                      a crash of the process but maybe not of the machine)\n"
                 "  --grace SECONDS     on SIGTERM, time running jobs get to finish before they\n"
                 "                      are requeued (BASIN_GRACE; default 30)\n"
                 "  --lease SECONDS     job lease; a job whose process died is requeued after\n"
                 "                      it (BASIN_LEASE; default 30)\n"
                 "  --max-body BYTES    largest request body (BASIN_MAX_BODY; default 8388608)\n"
                 "  --log-level LEVEL   debug, info, warn, error (BASIN_LOG_LEVEL; default info)\n"
                 "  --retention AGE     delete jobs finished more than AGE ago (30d, 12h, ...),\n"
                 "                      checked hourly (BASIN_RETENTION; default: keep all)\n"
                 "  --cors-origin ORIGIN  allow browser pages from ORIGIN (BASIN_CORS_ORIGIN)\n"
                 "  --rate-limit N      requests per second per API token, bursts of 2N; 0: off\n"
                 "                      (BASIN_RATE_LIMIT; default 200)\n"
                 "  --max-db-size BYTES cap the database file; submits beyond it get 503\n"
                 "                      (BASIN_MAX_DB_SIZE; default: no cap)\n"
                 "  --allow-anonymous   serve a non-loopback address without any API token\n"
                 "                      (BASIN_ALLOW_ANONYMOUS=1); see 'basin token --help'\n");
}

/* True for 127.0.0.0/8, ::1 and localhost listen addresses. */
static bool is_loopback(const char *listen)
{
    char host[256];
    uint16_t port;
    if (http_parse_listen(listen, host, sizeof host, &port))
        return false;
    return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
           strcmp(host, "localhost") == 0;
}

/* Parses a positive number within [lo, hi]; 0 or -1. */
static int parse_num(const char *name, const char *text, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "basin serve: %s must be a number in [%g, %g]; got '%s'\n", name, lo, hi,
                text);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_serve(int argc, char **argv)
{
    enum {
        OPT_LISTEN = 1,
        OPT_DB,
        OPT_WORKERS,
        OPT_SYNC,
        OPT_GRACE,
        OPT_LEASE,
        OPT_BODY,
        OPT_LOG,
        OPT_RETENTION,
        OPT_CORS,
        OPT_RATE,
        OPT_MAXDB,
        OPT_ANON
    };
    static const struct option opts[] = {
        {"listen", required_argument, 0, OPT_LISTEN},
        {"db", required_argument, 0, OPT_DB},
        {"workers", required_argument, 0, OPT_WORKERS},
        {"sync", required_argument, 0, OPT_SYNC},
        {"grace", required_argument, 0, OPT_GRACE},
        {"lease", required_argument, 0, OPT_LEASE},
        {"max-body", required_argument, 0, OPT_BODY},
        {"log-level", required_argument, 0, OPT_LOG},
        {"allow-anonymous", no_argument, 0, OPT_ANON},
        {"retention", required_argument, 0, OPT_RETENTION},
        {"cors-origin", required_argument, 0, OPT_CORS},
        {"rate-limit", required_argument, 0, OPT_RATE},
        {"max-db-size", required_argument, 0, OPT_MAXDB},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *flag[OPT_ANON + 1] = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            serve_usage(stdout);
            return 0;
        }
        if (c <= 0 || c > OPT_ANON) {
            serve_usage(stderr);
            return 2;
        }
        flag[c] = c == OPT_ANON ? "1" : optarg;
    }
    if (optind < argc) {
        fprintf(stderr, "basin serve: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    const char *listen = cli_setting(flag[OPT_LISTEN], "BASIN_LISTEN", "127.0.0.1:8080");
    const char *db = cli_setting(flag[OPT_DB], "BASIN_DB", "./basin.db");
    const char *sync = cli_setting(flag[OPT_SYNC], "BASIN_SYNC", "full");
    const char *level = cli_setting(flag[OPT_LOG], "BASIN_LOG_LEVEL", "info");
    worker_options wo;
    worker_options_default(&wo);
    double workers = wo.n_workers, grace = 30, lease = 30, max_body = 8 << 20;
    const char *w = cli_setting(flag[OPT_WORKERS], "BASIN_WORKERS", NULL);
    const char *g = cli_setting(flag[OPT_GRACE], "BASIN_GRACE", NULL);
    const char *l = cli_setting(flag[OPT_LEASE], "BASIN_LEASE", NULL);
    const char *mb = cli_setting(flag[OPT_BODY], "BASIN_MAX_BODY", NULL);
    log_level ll;
    if ((w && parse_num("--workers", w, 1, 256, &workers)) ||
        (g && parse_num("--grace", g, 0, 3600, &grace)) ||
        (l && parse_num("--lease", l, 1, 3600, &lease)) ||
        (mb && parse_num("--max-body", mb, 1024, 1 << 30, &max_body)))
        return 2;
    if (strcmp(sync, "full") != 0 && strcmp(sync, "normal") != 0) {
        fprintf(stderr, "basin serve: --sync must be full or normal; got '%s'\n", sync);
        return 2;
    }
    if (log_parse_level(level, &ll)) {
        fprintf(stderr, "basin serve: --log-level must be debug, info, warn or error\n");
        return 2;
    }
    log_set_level(ll);
    const char *retention = cli_setting(flag[OPT_RETENTION], "BASIN_RETENTION", NULL);
    if (retention && (cli_parse_duration(retention, &wo.retention_ms) || !wo.retention_ms)) {
        fprintf(stderr, "basin serve: --retention must be an age such as 30d, 12h or 45m\n");
        return 2;
    }
    const char *cors = cli_setting(flag[OPT_CORS], "BASIN_CORS_ORIGIN", NULL);
    double rate = 200, max_db = 0;
    const char *rl = cli_setting(flag[OPT_RATE], "BASIN_RATE_LIMIT", NULL);
    const char *md = cli_setting(flag[OPT_MAXDB], "BASIN_MAX_DB_SIZE", NULL);
    if ((rl && parse_num("--rate-limit", rl, 0, 1e6, &rate)) ||
        (md && parse_num("--max-db-size", md, 65536, 1e15, &max_db)))
        return 2;
    ratelimit_configure(rate);
    wo.n_workers = (int)workers;
    wo.lease_ms = (int64_t)(lease * 1000);
    wo.heartbeat_ms = wo.lease_ms / 10 < 1000 ? wo.lease_ms / 10 : 1000;
    if (wo.heartbeat_ms < 100)
        wo.heartbeat_ms = 100;
    /* One BLAS thread per job: the pool already runs one job per core. */
    openblas_set_num_threads(1);

    /* Signals are taken by sigwait below; every thread started after this inherits the
     * mask. SIGPIPE from a client that went away must not kill the server. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[512] = "";
    store_options so = {.path = db,
                        .sync_full = strcmp(sync, "full") == 0,
                        .migrate = true,
                        .max_db_bytes = (int64_t)max_db};
    app a = {.limits = basin_default_limits, .max_body = (size_t)max_body, .cors_origin = cors};
    atomic_init(&a.stopping, false);
    int rc = store_open(&so, &a.store, err, sizeof err);
    if (rc) {
        fprintf(stderr, "basin serve: %s\n", err[0] ? err : basin_strerror(rc));
        return 1;
    }
    /* Without tokens anyone who can reach the port can run jobs: allow that on loopback
     * only, unless asked explicitly. */
    const char *anon = cli_setting(flag[OPT_ANON], "BASIN_ALLOW_ANONYMOUS", "0");
    int64_t n_tokens = 0;
    store_token_count(a.store, &n_tokens);
    if (n_tokens == 0 && !is_loopback(listen) && strcmp(anon, "1") != 0) {
        fprintf(stderr,
                "basin serve: %s is not a loopback address and no API token exists: "
                "create one with 'basin token create --name NAME --db %s', or pass "
                "--allow-anonymous to serve it without tokens\n",
                listen, db);
        store_close(a.store);
        return 1;
    }
    a.hub = hub_new();
    rc = a.hub ? worker_pool_start(a.store, a.hub, &wo, &a.pool) : BASIN_ENOMEM;
    if (rc) {
        fprintf(stderr, "basin serve: cannot start workers: %s\n", basin_strerror(rc));
        hub_free(a.hub);
        store_close(a.store);
        return 1;
    }
    http_server *server = NULL;
    http_options ho = {.listen = listen, .connections = 256};
    /* 1024 entries of at most 32 KiB: a bounded 32 MiB at worst. NULL only turns it off. */
    a.job_cache = job_cache_new(1024);
    rc = http_server_start(&a, &ho, &server, err, sizeof err);
    if (rc) {
        fprintf(stderr, "basin serve: %s\n", err);
        job_cache_free(a.job_cache);
        worker_pool_stop(a.pool, 0);
        hub_free(a.hub);
        store_close(a.store);
        return 1;
    }
    log_info("basin %s listening on %s (port %u), database %s, %d workers, sync=%s", BASIN_VERSION,
             listen, http_server_port(server), db, wo.n_workers, sync);

    int sig = 0;
    sigwait(&set, &sig);
    log_info("received %s: stopping (grace %g s)", sig == SIGTERM ? "SIGTERM" : "SIGINT", grace);
    /* HTTP first: requests waiting on jobs see `stopping` and answer within a second, so
     * no handler can touch the pool once it is stopped. */
    atomic_store(&a.stopping, true);
    hub_publish(a.hub, NULL);
    http_server_stop(server);
    job_cache_free(a.job_cache);
    worker_pool_stop(a.pool, (int64_t)(grace * 1000));
    hub_free(a.hub);
    store_close(a.store);
    log_info("stopped");
    return 0;
}
