/* error.c — messages and names for the codes of include/basin/error.h. */
#include "basin/error.h"

static const struct {
    int code;
    const char *name;
    const char *message;
} error_table[] = {
    {BASIN_OK, "ok", "success"},
    {BASIN_ENOMEM, "out_of_memory", "out of memory"},
    {BASIN_EINVAL, "invalid", "invalid argument"},
    {BASIN_ENOTFOUND, "not_found", "not found"},
    {BASIN_ECONFLICT, "conflict", "conflicting state"},
    {BASIN_EFENCED, "fenced", "lease lost: the run was taken over"},
    {BASIN_EDB, "database", "database error"},
    {BASIN_EBUSY, "busy", "database busy"},
    {BASIN_ECANCELLED, "cancelled", "cancelled"},
    {BASIN_EDIVERGED, "diverged", "numerical divergence"},
    {BASIN_ETIMEOUT, "timeout", "timed out"},
    {BASIN_EIO, "io", "input/output error"},
    {BASIN_ELIMIT, "resource_limit", "resource limit exceeded"},
    {BASIN_ESCHEMA, "schema_too_new", "database schema is newer than this basin"},
    {BASIN_ESHUTDOWN, "shutdown", "the service is shutting down"},
    {BASIN_EFULL, "storage_full", "the database is full"},
};

#define N_ERRORS (sizeof error_table / sizeof error_table[0])

const char *basin_strerror(int code)
{
    for (unsigned i = 0; i < N_ERRORS; i++)
        if (error_table[i].code == code)
            return error_table[i].message;
    return "unknown error";
}

const char *basin_errname(int code)
{
    for (unsigned i = 0; i < N_ERRORS; i++)
        if (error_table[i].code == code)
            return error_table[i].name;
    return "internal";
}
