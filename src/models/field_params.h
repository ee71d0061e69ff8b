/*
 * field_params.h — reading grid fields (η, c, f, initial Φ and v, boundary data) from a
 * model's params, for the field models `harmonic` and `rsvp`.
 *
 * A field is given as
 *   a number                    the constant field;
 *   an array                    nx·ny values row-major (flat), or ny rows of nx values
 *                               (normalised to the flat form);
 *   {"type": "constant", "value": c}
 *   {"type": "gaussian", "offset": c, "bumps": [{"x", "y", "amplitude", "width"}, ...]}
 *                               c + Σ_b A_b exp(−|p − p_b|²/(2 w_b²));
 *   {"type": "linear", "offset": c, "gradient": [gx, gy]}
 *                               c + gx·x + gy·y;
 *   {"type": "mode", "offset": c, "amplitude": A, "kx": k, "ky": l, "phase": φ}
 *                               c + A cos(2π(k·(i + ox)/nx + l·(j + oy)/ny) + φ) over the
 *                               sample index (i + ox, j + oy) — a Fourier mode of the
 *                               periodic grid;
 *   {"type": "noise", "mean": m, "std": s}
 *                               independent N(m, s²) values from the run's seed.
 * Positions p = (x, y) are those of the samples (the caller gives their offsets, e.g.
 * faces of a staggered grid). Values of constants, array entries, offsets, amplitudes are
 * bounded by ±bound; a field declared non-negative accepts only constants and arrays ≥ 0,
 * and gaussian fields with offset and amplitudes ≥ 0.
 *
 * Ownership: a field_spec owns its arrays; free with field_spec_free.
 */
#ifndef BASIN_MODELS_FIELD_PARAMS_H
#define BASIN_MODELS_FIELD_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#include "basin/rng.h"
#include "params.h"

typedef enum field_type {
    FIELD_CONSTANT,
    FIELD_ARRAY,
    FIELD_GAUSSIAN,
    FIELD_LINEAR,
    FIELD_MODE,
    FIELD_NOISE,
} field_type;

typedef struct field_bump {
    double x, y, amplitude, width;
} field_bump;

typedef struct field_spec {
    field_type type;
    double value;     /* constant; offset (gaussian, linear, mode); mean (noise) */
    double amplitude; /* mode amplitude; noise std */
    double gx, gy;    /* linear */
    double kx, ky, phase;
    field_bump *bumps;
    size_t n_bumps;
    double *data; /* array: nx·ny */
} field_spec;

#define FIELD_BUMPS_MAX 1024

/* Reads field `key` of r into *out. Default: the preset def_json when not NULL (borrowed;
 * read as if given), else the constant def. grid_ok: nx, ny are valid (array lengths are
 * checked against them). allow_array: arrays are accepted. Writes the normalised form and
 * the schema. Returns 0, or BASIN_ENOMEM; problems are recorded in r. */
int field_read(param_reader *r, const char *key, double def, const json_t *def_json, long nx,
               long ny, bool grid_ok, bool allow_array, double bound, bool nonneg,
               const char *description, field_spec *out);

/* Frees what a field_spec holds (not the struct); accepts a zeroed spec. */
void field_spec_free(field_spec *f);

/* Samples the field on nx × ny points at (x, y) = ((i + ox)·h, (j + oy)·h) into out
 * (nx·ny, row-major). rng: the generator of noise fields (may be NULL for other types). */
void field_fill(const field_spec *f, long nx, long ny, double h, double ox, double oy,
                basin_rng *rng, double *out);

/* A bound on |∇| of the field sampled on an nx × ny grid of spacing h: the largest
 * difference quotient between neighbours for arrays (and, per axis combined, for modes),
 * |gradient| for linear fields, Σ|A_b|/(w_b √e) for gaussian bumps, 8·std/h for noise
 * (neighbour differences beyond 4 standard deviations each are not bounded), 0 for
 * constants. */
double field_gradient_bound(const field_spec *f, long nx, long ny, double h);

/* True when the field is the constant 0. */
bool field_is_zero(const field_spec *f);

#endif
