/*
 * tiles.c — connected components of {S < τ} by an explicit-stack flood fill, and their
 * recursive quadtree split (see basin/tiles.h). Deterministic: labels follow the
 * row-major order of first cells, and the split visits tiles breadth first.
 */
#include "basin/tiles.h"

#include <stdlib.h>
#include <string.h>

long basin_tiles_label(long nx, long ny, bool periodic, const double *S, double tau, int32_t *label,
                       int32_t *stack)
{
    size_t n = (size_t)nx * (size_t)ny;
    for (size_t k = 0; k < n; k++)
        label[k] = -1;
    long count = 0;
    for (size_t k0 = 0; k0 < n; k0++) {
        if (label[k0] >= 0 || !(S[k0] < tau))
            continue;
        int32_t id = (int32_t)count++;
        size_t top = 0;
        label[k0] = id;
        stack[top++] = (int32_t)k0;
        while (top > 0) {
            long k = stack[--top];
            long i = k % nx, j = k / nx;
            long nb[4][2] = {{i - 1, j}, {i + 1, j}, {i, j - 1}, {i, j + 1}};
            for (int e = 0; e < 4; e++) {
                long a = nb[e][0], b = nb[e][1];
                if (periodic) {
                    a = (a + nx) % nx;
                    b = (b + ny) % ny;
                } else if (a < 0 || a >= nx || b < 0 || b >= ny) {
                    continue;
                }
                size_t q = (size_t)b * (size_t)nx + (size_t)a;
                if (label[q] < 0 && S[q] < tau) {
                    label[q] = id;
                    stack[top++] = (int32_t)q;
                }
            }
        }
    }
    return count;
}

void basin_tiles_stats(long nx, long ny, const double *S, const int32_t *label, long n,
                       basin_tile *out)
{
    for (long t = 0; t < n; t++) {
        out[t] = (basin_tile){.id = t,
                              .parent = -1,
                              .depth = 0,
                              .cells = 0,
                              .mean_S = 0.0,
                              .i0 = nx,
                              .j0 = ny,
                              .i1 = -1,
                              .j1 = -1};
    }
    for (long j = 0; j < ny; j++)
        for (long i = 0; i < nx; i++) {
            size_t k = (size_t)j * (size_t)nx + (size_t)i;
            if (label[k] < 0)
                continue;
            basin_tile *t = &out[label[k]];
            t->cells++;
            t->mean_S += S[k];
            t->i0 = i < t->i0 ? i : t->i0;
            t->i1 = i > t->i1 ? i : t->i1;
            t->j0 = j < t->j0 ? j : t->j0;
            t->j1 = j > t->j1 ? j : t->j1;
        }
    for (long t = 0; t < n; t++)
        if (out[t].cells > 0)
            out[t].mean_S /= (double)out[t].cells;
}

/* Stats of the cells order[start .. start+len). */
static void part_stats(long nx, const double *S, const int32_t *order, size_t start, size_t len,
                       basin_tile *t)
{
    t->cells = (long)len;
    t->mean_S = 0.0;
    t->i0 = t->j0 = 1L << 62;
    t->i1 = t->j1 = -1;
    for (size_t k = start; k < start + len; k++) {
        long c = order[k], i = c % nx, j = c / nx;
        t->mean_S += S[c];
        t->i0 = i < t->i0 ? i : t->i0;
        t->i1 = i > t->i1 ? i : t->i1;
        t->j0 = j < t->j0 ? j : t->j0;
        t->j1 = j > t->j1 ? j : t->j1;
    }
    if (len > 0)
        t->mean_S /= (double)len;
}

long basin_tiles_split(long nx, long ny, const double *S, const int32_t *label,
                       const basin_tile *tiles, long n, int max_depth, double min_gain,
                       basin_tile *out, long cap, long *leaves)
{
    size_t cells = (size_t)nx * (size_t)ny;
    int32_t *order = malloc((cells ? cells : 1) * sizeof *order);
    size_t *start = malloc((size_t)(cap > 0 ? cap : 1) * sizeof *start);
    size_t *len = malloc((size_t)(cap > 0 ? cap : 1) * sizeof *len);
    size_t *fill = malloc((size_t)(n > 0 ? n : 1) * sizeof *fill);
    if (!order || !start || !len || !fill) {
        free(order);
        free(start);
        free(len);
        free(fill);
        return -1;
    }
    /* cells grouped by component (counting sort by label) */
    size_t acc = 0;
    for (long t = 0; t < n; t++) {
        fill[t] = acc;
        if (t < cap) {
            start[t] = acc;
            len[t] = (size_t)tiles[t].cells;
        }
        acc += (size_t)tiles[t].cells;
    }
    for (size_t k = 0; k < cells; k++)
        if (label[k] >= 0)
            order[fill[label[k]]++] = (int32_t)k;
    long m = n < cap ? n : cap;
    for (long t = 0; t < m; t++)
        out[t] = tiles[t];
    long nleaves = 0;
    /* breadth first: out[q] is processed after every node before it */
    for (long q = 0; q < m; q++) {
        basin_tile node = out[q];
        if (node.depth >= max_depth || node.cells <= 1) {
            nleaves++;
            continue;
        }
        long mi = (node.i0 + node.i1) / 2, mj = (node.j0 + node.j1) / 2;
        bool cut_x = node.i1 > node.i0, cut_y = node.j1 > node.j0;
        /* partition order[start .. start+len) into quadrants 0..3 (x half + 2·y half) */
        size_t s = start[q], L = len[q], bounds[5];
        size_t pos = s;
        for (int quad = 0; quad < 4; quad++) {
            bounds[quad] = pos;
            for (size_t k = pos; k < s + L; k++) {
                long c = order[k], i = c % nx, j = c / nx;
                int qd = (cut_x && i > mi ? 1 : 0) + (cut_y && j > mj ? 2 : 0);
                if (qd == quad) {
                    int32_t t = order[pos];
                    order[pos] = order[k];
                    order[k] = t;
                    pos++;
                }
            }
        }
        bounds[4] = s + L;
        basin_tile kids[4];
        int nk = 0;
        bool gain = false;
        for (int quad = 0; quad < 4; quad++) {
            size_t cl = bounds[quad + 1] - bounds[quad];
            if (cl == 0)
                continue;
            basin_tile *c = &kids[nk++];
            part_stats(nx, S, order, bounds[quad], cl, c);
            c->parent = node.id;
            c->depth = node.depth + 1;
            c->id = quad; /* quadrant, until placed */
            if (c->mean_S < (1.0 - min_gain) * node.mean_S)
                gain = true;
        }
        if (nk < 2 || !gain || m + nk > cap) {
            nleaves++;
            continue;
        }
        for (int c = 0; c < nk; c++) {
            int quad = (int)kids[c].id;
            kids[c].id = m;
            start[m] = bounds[quad];
            len[m] = bounds[quad + 1] - bounds[quad];
            out[m++] = kids[c];
        }
    }
    free(order);
    free(start);
    free(len);
    free(fill);
    *leaves = nleaves;
    return m;
}
