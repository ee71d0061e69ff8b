/*
 * main.c — the basin executable: a table of subcommands.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static int cli_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("basin %s\n", BASIN_VERSION);
    return 0;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"serve", cli_serve, "run the HTTP service and its workers"},
    {"run", cli_run, "run one model in-process and print its result as JSON"},
    {"models", cli_models, "list the job kinds, or show one kind's params schema"},
    {"migrate", cli_migrate, "create or upgrade the database schema"},
    {"token", cli_token, "create, list or revoke API tokens"},
    {"gc", cli_gc, "delete old finished jobs and reclaim their space"},
    {"version", cli_version, "print the version"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: basin COMMAND [OPTIONS]\n\n"
                 "basin runs scientific simulations and memory retrieval as jobs over "
                 "HTTP/JSON.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'basin COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    /* Every command runs BLAS on one thread (openblas_set_num_threads in serve and run):
     * the pool already runs one job per core, and results must not depend on the thread
     * count. But OpenBLAS starts its own threads when it loads, before main, with every
     * signal unblocked — and `serve` takes SIGTERM with sigwait, which needs every thread
     * to block it. So `serve` sets OPENBLAS_NUM_THREADS=1 (then OpenBLAS starts no thread)
     * and starts again, once. Other commands skip that (about 6 ms of loading): their idle
     * BLAS threads sleep, and `run`'s Ctrl-C handler may run on any thread. */
    bool serve = argc >= 2 && strcmp(argv[1], "serve") == 0;
    if (serve && !getenv("OPENBLAS_NUM_THREADS") && setenv("OPENBLAS_NUM_THREADS", "1", 1) == 0)
        execv("/proc/self/exe", argv); /* on failure: go on with the library's default */
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cli_version(0, NULL);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "basin: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
