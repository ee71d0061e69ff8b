/* admin.c — `basin models` and `basin migrate`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "store/store.h"

int cli_models(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: basin models [KIND]\n\nWithout KIND: one line per job kind. With "
               "KIND: its params as JSON Schema,\nwith every default.\n");
        return 0;
    }
    if (argc == 1) {
        for (size_t i = 0; i < basin_n_models; i++)
            printf("%-22s %-6s %s\n", basin_models[i]->kind, basin_models[i]->version,
                   basin_models[i]->summary);
        return 0;
    }
    const basin_model *m = basin_model_find(argv[1]);
    if (!m) {
        fprintf(stderr, "basin models: unknown kind '%s'\n", argv[1]);
        return 2;
    }
    json_t *schema = json_object(), *normalized = NULL;
    void *config = NULL;
    basin_problems problems = {0};
    if (m->parse(NULL, "/params", &basin_default_limits, &problems, schema, &normalized, &config) ==
        0)
        m->free_config(config);
    json_t *out = json_pack("{s:s, s:s, s:s, s:o, s:o}", "kind", m->kind, "version", m->version,
                            "summary", m->summary, "params_schema", schema, "defaults",
                            normalized ? normalized : json_null());
    json_dumpf(out, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(out);
    return 0;
}

int cli_migrate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *db = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
        if (c == 'h') {
            printf("usage: basin migrate [--db PATH]\n\nCreates the database or applies "
                   "pending schema migrations\n(BASIN_DB; default ./basin.db). 'serve' "
                   "does this by itself.\n");
            return 0;
        }
        if (c != 'd')
            return 2;
        db = optarg;
    }
    db = cli_setting(db, "BASIN_DB", "./basin.db");
    char err[512] = "";
    store *s = NULL;
    store_options so = {.path = db, .sync_full = true, .migrate = false};
    int rc = store_open(&so, &s, err, sizeof err);
    int from = 0, to = 0;
    if (rc == 0)
        rc = store_migrate(s, &from, &to, err, sizeof err);
    store_close(s);
    if (rc) {
        fprintf(stderr, "basin migrate: %s\n", err[0] ? err : basin_strerror(rc));
        return 1;
    }
    printf("%s: schema version %d -> %d\n", db, from, to);
    return 0;
}
