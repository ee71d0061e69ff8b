/*
 * tiles.h — coherence tiles of a scalar field (rsvp-sparse-fields.txt §6, TARTAN): the
 * connected components of the sublevel set {S < τ}, and their recursive quadtree split.
 *
 * Components are 4-connected (edge neighbours), wrapping around a periodic grid. Labels
 * are numbered 0, 1, ... in the order of each component's first cell in row-major order,
 * so they are deterministic. A component's bounding box is the range of its cell indices
 * (on a periodic grid a wrapped component spans the range it touches, possibly the whole
 * axis).
 *
 * Recursive split: a tile (a set of cells with its box) is cut into the quadrants of its
 * box (halves along an axis of extent 1 are not cut); its children are the non-empty
 * parts. The split is kept when some child's mean S is below (1 − min_gain) times the
 * parent's mean S, and then each child is split in turn, down to max_depth. (With
 * min_gain = 0 any tile whose S is not uniform splits, since the children's means
 * average to the parent's: max_depth then bounds the tree.)
 *
 * Ownership: callers own every array; no allocation except basin_tiles_split's growth of
 * its output, bounded by `cap`.
 */
#ifndef BASIN_TILES_H
#define BASIN_TILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct basin_tile {
    long id;     /* index in its list */
    long parent; /* −1 for a component */
    int depth;   /* 0 for a component */
    long cells;
    double mean_S;
    long i0, j0, i1, j1; /* bounding box, inclusive */
} basin_tile;

/* Labels the components of {S < tau} of an nx × ny field S (row-major). label: nx·ny
 * (−1 outside the set); stack: nx·ny scratch. Returns the number of components. */
long basin_tiles_label(long nx, long ny, bool periodic, const double *S, double tau, int32_t *label,
                       int32_t *stack);

/* Cells, mean S and box of each of the n components of `label` into out[n]. */
void basin_tiles_stats(long nx, long ny, const double *S, const int32_t *label, long n,
                       basin_tile *out);

/* The recursive split of n components (their stats in tiles) into at most cap nodes
 * (components first, then the children, parents before children). order: nx·ny scratch
 * ints. Returns the number of nodes written to out (≥ n when cap ≥ n), or −1 on
 * allocation failure. *leaves receives the number of leaves of the tree. */
long basin_tiles_split(long nx, long ny, const double *S, const int32_t *label,
                       const basin_tile *tiles, long n, int max_depth, double min_gain,
                       basin_tile *out, long cap, long *leaves);

#endif
