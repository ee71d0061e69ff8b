/*
 * energy_params.h — params readers shared by the stochastic-relaxation models (`langevin`,
 * `fokker_planck`, `diffusion`): tagged energies, mobility, initial laws, Gaussian
 * mixtures, fixed-length vectors and matrices.
 *
 * Each reader follows params.h: it records one problem per offending value with its exact
 * JSON pointer, writes the normalised value it settled on, and describes itself in the
 * schema when one is being built. They return true when the value they read is valid (a
 * caller uses that to skip checks that depend on it). Bounds: coordinates and matrix
 * entries in [−1e6, 1e6]; positive scalars in [1e-6, 1e6].
 */
#ifndef BASIN_MODELS_ENERGY_PARAMS_H
#define BASIN_MODELS_ENERGY_PARAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "basin/langevin.h"
#include "params.h"

#define EP_COORD_MAX 1e6
#define EP_PARAM_MAX 1e6
#define EP_PARAM_MIN 1e-6

/* Problems recorded so far (counted and dropped). */
size_t ep_problems(const basin_problems *p);

/* The schema property of `key` of r (borrowed), or NULL when no schema is being built. */
json_t *ep_schema_prop(param_reader *r, const char *key);

/* `key`: an array of exactly d numbers in [−1e6, 1e6] into out[0..d) (absent: `def`, or
 * zeros when def is NULL). Length checks only when check_len (d itself valid); the pointer
 * of a missing element is key/len, of the first extra one key/d. */
bool ep_vector(param_reader *r, const char *key, int d, bool check_len, const double *def,
               double *out);

/* A d×d matrix (rows of numbers in [−1e6, 1e6]) at value v, reported under `key` (may be
 * a sub-path such as "covs/2"), into out (row-major). When spd, it must also be symmetric
 * (1e-12 relative; stored symmetrised) and positive definite (Cholesky), reported at key.
 * Writes nothing to the normalised object (the caller puts ep_matrix_json). */
bool ep_matrix(param_reader *r, const json_t *v, const char *key, int d, bool spd, double *out);
json_t *ep_matrix_json(int d, const double *m);

/* `key`: mobility, a number κ (K = κ I, default 1) or a d×d SPD matrix. */
bool ep_mobility(param_reader *r, const char *key, int d, bool dim_ok, basin_mobility *K);

/* Gaussian mixture fields of object reader r: "weights" (n ≤ max_n positive numbers summing
 * to 1 within 1e-9), "means" (n vectors of d), "covs" (n entries, each a variance v > 0,
 * meaning v·I, or a d×d SPD matrix; normalised to matrices). Defaults: one standard normal
 * at the origin. Writes *n, w[n], mean[n·d], cov[n·d·d]. */
bool ep_mixture(param_reader *r, int d, bool dim_ok, int max_n, int *n, double *w, double *mean,
                double *cov);

/* The energy object at `key` of r: {"type": "harmonic", "k", "center"} |
 * {"type": "double_well", "barrier", "a"} | {"type": "polynomial", "coefficients"} |
 * {"type": "gaussian_mixture", "weights", "means", "covs"}; default harmonic k = 1 at the
 * origin. E is prepared on success. */
bool ep_energy(param_reader *r, const char *key, int d, bool dim_ok, basin_energy *E);

/* Initial laws. */
typedef enum ep_init_type { EP_INIT_POINT, EP_INIT_GAUSSIAN, EP_INIT_UNIFORM } ep_init_type;

typedef struct ep_init {
    ep_init_type type;
    double x0[BASIN_LANGEVIN_MAX_DIM]; /* point, or the gaussian's mean */
    double std;                        /* gaussian (0 for the others) */
    double low[BASIN_LANGEVIN_MAX_DIM], high[BASIN_LANGEVIN_MAX_DIM]; /* uniform box */
} ep_init;

/* The init object at `key`: {"type": "point", "x"} (default: the origin) |
 * {"type": "gaussian", "mean", "std"} (std in [0, 1e6], default 1) |
 * {"type": "uniform", "low", "high"} (default [−1, 1] per axis; low_a < high_a, reported
 * at high/a). */
bool ep_init_read(param_reader *r, const char *key, int d, bool dim_ok, ep_init *init);

/* The box [lo, hi] that holds the initial law: the point, mean ± 5 std, or the uniform box. */
void ep_init_box(const ep_init *init, int d, double *lo, double *hi);

#endif
