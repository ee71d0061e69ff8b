/*
 * token.c — `basin token create|list|revoke`: API tokens with scopes read < write < admin.
 * The secret is printed once at creation; the database keeps only its SHA-256.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "store/store.h"

static void token_usage(FILE *out)
{
    fprintf(out, "usage: basin token create --name NAME [--scope read|write|admin] [--db PATH]\n"
                 "       basin token list [--db PATH]\n"
                 "       basin token revoke ID [--db PATH]\n\n"
                 "Once any token exists, every route but GET /v1/health needs\n"
                 "'Authorization: Bearer <token>' with a scope that covers it\n"
                 "(read: GET routes; write: submit, cancel, delete; admin: everything).\n"
                 "The secret is shown once, at creation. The database is BASIN_DB or\n"
                 "./basin.db unless --db is given; a running server sees changes within a\n"
                 "second.\n");
}

int cli_token(int argc, char **argv)
{
    static const struct option opts[] = {
        {"name", required_argument, 0, 'n'},
        {"scope", required_argument, 0, 's'},
        {"db", required_argument, 0, 'd'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *name = NULL, *scope_name = "write", *db = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "n:s:d:h", opts, NULL)) != -1) {
        if (c == 'h') {
            token_usage(stdout);
            return 0;
        }
        if (c == 'n')
            name = optarg;
        else if (c == 's')
            scope_name = optarg;
        else if (c == 'd')
            db = optarg;
        else {
            token_usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        token_usage(stderr);
        return 2;
    }
    const char *action = argv[optind];
    token_scope scope;
    if (token_scope_parse(scope_name, &scope)) {
        fprintf(stderr, "basin token: --scope must be read, write or admin\n");
        return 2;
    }
    char err[512] = "";
    store *s = NULL;
    store_options so = {
        .path = cli_setting(db, "BASIN_DB", "./basin.db"), .sync_full = true, .migrate = true};
    if (store_open(&so, &s, err, sizeof err)) {
        fprintf(stderr, "basin token: %s\n", err);
        return 1;
    }
    int rc = 0;
    if (strcmp(action, "create") == 0 && optind + 1 == argc) {
        char token[TOKEN_TEXT_MAX], id[ULID_LEN + 1];
        if (!name || !*name || strlen(name) > 100) {
            fprintf(stderr, "basin token create: --name (1 to 100 characters) is required\n");
            rc = 2;
        } else if (store_token_create(s, name, scope, token, id)) {
            fprintf(stderr, "basin token create: cannot store the token\n");
            rc = 1;
        } else {
            printf("%s\n", token);
            fprintf(stderr,
                    "token %s (%s, scope %s) created; the secret above is not stored "
                    "and cannot be shown again\n",
                    id, name, token_scope_name(scope));
        }
    } else if (strcmp(action, "list") == 0 && optind + 1 == argc) {
        json_t *list = NULL;
        rc = store_token_list(s, &list) ? 1 : 0;
        if (!rc) {
            json_dumpf(list, stdout, JSON_INDENT(2));
            fputc('\n', stdout);
        }
        json_decref(list);
    } else if (strcmp(action, "revoke") == 0 && optind + 2 == argc) {
        int r = store_token_revoke(s, argv[optind + 1]);
        if (r == BASIN_ENOTFOUND)
            fprintf(stderr, "basin token revoke: no active token %s\n", argv[optind + 1]);
        rc = r == 0 ? 0 : 1;
    } else {
        token_usage(stderr);
        rc = 2;
    }
    store_close(s);
    return rc;
}
