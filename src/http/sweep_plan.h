/*
 * sweep_plan.h — expands a sweep request into its children's params (pure JSON; no I/O).
 *
 *   grid:   {"<path>": [v, …] | {"linspace": [a, b, n]} | {"logspace": [a, b, n]}, …}
 *           → the Cartesian product, first key varying slowest (like itertools.product);
 *             logspace gives 10^a … 10^b as numpy.logspace does.
 *   random: {"n": N, "params": {"<path>": {"uniform": [a, b]} | {"loguniform": [a, b]}
 *           | {"choice": [v, …]}, …}, "latin_hypercube": bool}
 *           → N draws from the sweep's seeded generator; with latin_hypercube each param's
 *             N draws fall one in each of N equal strata (of [a, b], or of log-space).
 *   Both → every grid point crossed with every random draw (grid slowest).
 *
 * A <path> is dotted (`energy.k`): it sets that key of the base params, creating
 * intermediate objects. Children = base params with each point's values set.
 */
#ifndef BASIN_HTTP_SWEEP_PLAN_H
#define BASIN_HTTP_SWEEP_PLAN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "basin/model.h"

typedef struct sweep_plan {
    json_t *varied;   /* array of paths, grid paths first, in request order */
    json_t *points;   /* array of objects {path: value} per child */
    json_t *children; /* array of params objects per child (base + point) */
} sweep_plan;

/* Expands grid/random over base (all borrowed; grid and random may be NULL, base NULL
 * reads as {}). Problems go to `problems` with pointers "/grid/<path>" or
 * "/random/params/<path>"; more than max_children children is a problem at "/grid" (and
 * flags over_limit). Returns 0 and fills *out, or BASIN_EINVAL. */
int sweep_plan_build(const json_t *base, const json_t *grid, const json_t *random, uint64_t seed,
                     size_t max_children, basin_problems *problems, sweep_plan *out);

void sweep_plan_clear(sweep_plan *plan);

/* Sets dotted `path` of object `obj` to value (stolen), creating objects on the way.
 * Returns 0, or BASIN_EINVAL when a step of the path is not an object. */
int sweep_set_path(json_t *obj, const char *path, json_t *value);

/* The value at dotted `path` of obj (borrowed), or NULL. */
json_t *sweep_get_path(const json_t *obj, const char *path);

#endif
