/* gc.c — `basin gc --older-than AGE`: delete finished jobs older than AGE, then VACUUM. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "store/store.h"
#include "util/clock.h"

int cli_parse_duration(const char *text, int64_t *ms)
{
    char *end;
    double v = strtod(text, &end);
    double unit = 1000.0;
    if (*end == 'd')
        unit = 86400e3, end++;
    else if (*end == 'h')
        unit = 3600e3, end++;
    else if (*end == 'm')
        unit = 60e3, end++;
    else if (*end == 's')
        end++;
    if (end == text || *end || !(v >= 0) || v * unit > 3.2e12)
        return -1;
    *ms = (int64_t)(v * unit);
    return 0;
}

int cli_gc(int argc, char **argv)
{
    static const struct option opts[] = {
        {"older-than", required_argument, 0, 'o'},
        {"db", required_argument, 0, 'd'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *older = NULL, *db = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:d:h", opts, NULL)) != -1) {
        if (c == 'h') {
            printf("usage: basin gc --older-than AGE [--db PATH]\n\n"
                   "Deletes jobs that finished more than AGE ago (30d, 12h, 45m, 90s) with\n"
                   "their results, series and artifacts, then compacts the database file.\n"
                   "'basin serve --retention AGE' does the deleting every hour by itself.\n");
            return 0;
        }
        if (c == 'o')
            older = optarg;
        else if (c == 'd')
            db = optarg;
        else
            return 2;
    }
    int64_t age;
    if (!older || cli_parse_duration(older, &age)) {
        fprintf(stderr, "basin gc: --older-than AGE is required (e.g. 30d)\n");
        return 2;
    }
    char err[512] = "";
    store *s = NULL;
    store_options so = {
        .path = cli_setting(db, "BASIN_DB", "./basin.db"), .sync_full = true, .migrate = true};
    if (store_open(&so, &s, err, sizeof err)) {
        fprintf(stderr, "basin gc: %s\n", err);
        return 1;
    }
    int64_t deleted = 0;
    int rc = store_gc(s, clock_wall_ms() - age, 1000, &deleted);
    if (rc == 0)
        rc = store_vacuum(s);
    store_close(s);
    if (rc) {
        fprintf(stderr, "basin gc: %s\n", basin_strerror(rc));
        return 1;
    }
    printf("deleted %lld finished job(s) older than %s\n", (long long)deleted, older);
    return 0;
}
