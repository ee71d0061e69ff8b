/*
 * cli.h — the subcommands of the basin executable. Each takes argc/argv from its own
 * name on and returns the process exit status.
 */
#ifndef BASIN_CLI_CLI_H
#define BASIN_CLI_CLI_H

#include <stdint.h>

int cli_serve(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_models(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_gc(int argc, char **argv);

/* Parses a duration "30d", "12h", "45m", "90s" (or plain seconds) into ms; 0 or -1. */
int cli_parse_duration(const char *text, int64_t *ms);

/* The value of flag/env: `flag_value` when set, else getenv(env), else `def`. */
const char *cli_setting(const char *flag_value, const char *env, const char *def);

#endif
