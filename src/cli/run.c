/*
 * run.c — `basin run KIND --params FILE|- [--out DIR]`: runs one model in-process through
 * the same parse → run path as a worker, prints the result as JSON on stdout, and with
 * --out writes each series as CSV and each artifact as NPY. A progress bar goes to stderr
 * when it is a terminal; Ctrl-C stops the run cleanly.
 */
#include <cblas.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "models/run_ctx.h"
#include "util/npy.h"

static basin_ctx *volatile running_ctx;

static void on_sigint(int sig)
{
    (void)sig;
    if (running_ctx)
        run_ctx_request_stop(running_ctx, BASIN_ECANCELLED); /* a lock-free atomic CAS */
}

static void progress_bar(void *user, double fraction)
{
    int *last = user;
    int pct = (int)(fraction * 100.0);
    if (pct == *last)
        return;
    *last = pct;
    int filled = pct * 30 / 100;
    fprintf(stderr, "\r[%.*s%*s] %3d%%", filled, "##############################", 30 - filled, "",
            pct);
    fflush(stderr);
}

static void run_usage(FILE *out)
{
    fprintf(out, "usage: basin run KIND --params FILE|- [--out DIR]\n\n"
                 "Runs one model in-process (the same code path as a worker) and prints\n"
                 "{kind, status, params, seed, summary, values, error} as JSON.\n\n"
                 "  --params FILE  params object as JSON ('-': standard input; default {})\n"
                 "  --out DIR      also write each series as DIR/<name>.csv and each\n"
                 "                 artifact as DIR/<name>.npy\n"
                 "exit status: 0 succeeded, 1 failed, 2 bad usage or params, 130 "
                 "interrupted\n");
}

static json_t *load_params(const char *path)
{
    json_error_t err;
    json_t *v = strcmp(path, "-") == 0 ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &err)
                                       : json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!v)
        fprintf(stderr, "basin run: %s: invalid JSON at line %d, column %d: %s\n", path, err.line,
                err.column, err.text);
    return v;
}

static int write_outputs(const basin_ctx *ctx, const char *dir)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "basin run: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char path[4096];
    for (size_t i = 0; i < ctx->n_series; i++) {
        const run_series *s = &ctx->series[i];
        snprintf(path, sizeof path, "%s/%s.csv", dir, s->name);
        FILE *f = fopen(path, "w");
        if (!f) {
            fprintf(stderr, "basin run: cannot write %s\n", path);
            return -1;
        }
        fprintf(f, "step,value\n");
        for (size_t k = 0; k < s->n; k++)
            fprintf(f, "%lld,%.17g\n", (long long)s->step[k], s->value[k]);
        fclose(f);
    }
    for (size_t i = 0; i < ctx->n_artifacts; i++) {
        const run_artifact *a = &ctx->artifacts[i];
        snprintf(path, sizeof path, "%s/%s.npy", dir, a->name);
        if (npy_write_file(path, basin_dtype_descr(a->dtype), a->ndim, a->shape, a->data,
                           a->nbytes)) {
            fprintf(stderr, "basin run: cannot write %s\n", path);
            return -1;
        }
    }
    return 0;
}

int cli_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"params", required_argument, 0, 'p'},
        {"out", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *params_path = NULL, *out_dir = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:o:h", opts, NULL)) != -1) {
        if (c == 'h') {
            run_usage(stdout);
            return 0;
        }
        if (c == 'p')
            params_path = optarg;
        else if (c == 'o')
            out_dir = optarg;
        else {
            run_usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        run_usage(stderr);
        return 2;
    }
    const basin_model *model = basin_model_find(argv[optind]);
    if (!model) {
        fprintf(stderr, "basin run: unknown kind '%s' (see 'basin models')\n", argv[optind]);
        return 2;
    }
    json_t *params = params_path ? load_params(params_path) : json_object();
    if (!params)
        return 2;
    openblas_set_num_threads(1);

    basin_problems problems = {0};
    json_t *normalized = NULL;
    void *config = NULL;
    int rc = model->parse(params, "/params", &basin_default_limits, &problems, NULL, &normalized,
                          &config);
    json_decref(params);
    if (rc) {
        for (size_t i = 0; i < problems.count; i++)
            fprintf(stderr, "basin run: %s: %s\n", problems.items[i].pointer,
                    problems.items[i].message);
        return 2;
    }
    basin_ctx *ctx = run_ctx_new(&basin_default_limits);
    if (!ctx) {
        model->free_config(config);
        json_decref(normalized);
        return 1;
    }
    int last_pct = -1;
    if (isatty(STDERR_FILENO)) {
        ctx->on_progress = progress_bar;
        ctx->on_progress_user = &last_pct;
    }
    running_ctx = ctx;
    signal(SIGINT, on_sigint);
    rc = model->run(config, ctx);
    signal(SIGINT, SIG_DFL);
    running_ctx = NULL;
    if (ctx->on_progress)
        fprintf(stderr, "\n");
    model->free_config(config);

    const char *status = rc == 0 ? "succeeded" : rc == BASIN_ECANCELLED ? "cancelled" : "failed";
    json_t *out = json_pack("{s:s, s:s, s:s, s:o, s:O, s:O}", "kind", model->kind, "model_version",
                            model->version, "status", status, "params", normalized, "summary",
                            ctx->summary, "values", ctx->values);
    json_object_set_new(out, "seed",
                        ctx->has_seed ? json_integer((json_int_t)ctx->seed) : json_null());
    if (rc) {
        json_t *err =
            json_pack("{s:s, s:s}", "code", ctx->failed ? ctx->fail_code : basin_errname(rc),
                      "message", ctx->failed ? ctx->fail_message : basin_strerror(rc));
        if (ctx->failed)
            json_object_set_new(err, "step", json_integer(ctx->fail_step));
        json_object_set_new(out, "error", err);
    }
    json_dumpf(out, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(out);
    int wrote = out_dir ? write_outputs(ctx, out_dir) : 0;
    run_ctx_free(ctx);
    if (rc == BASIN_ECANCELLED)
        return 130;
    return rc || wrote ? 1 : 0;
}
