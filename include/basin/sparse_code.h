/*
 * sparse_code.h — sparse representation over a dictionary (numerical core of the
 * `sparse_code` model; Elad's sparse coding, rsvp-sparse-fields.txt §3–5).
 *
 * A dictionary D ∈ R^{n×m} has m atoms d_j ∈ R^n. It is stored column-major — atom j is
 * the contiguous D[j·n, (j+1)·n) — so that atoms can be read, added and selected one at a
 * time. Two problems:
 *
 *   Lasso (basis pursuit denoising)   min_z F(z) = ½‖a − Dz‖² + λ‖z‖₁,   λ > 0,
 *   solved by proximal gradient steps (f = ½‖a − Dz‖², S_τ(u) = sign(u)(|u| − τ)₊):
 *     ISTA   z_{k+1} = S_{λ/L}(z_k − ∇f(z_k)/L);
 *     FISTA  (Beck & Teboulle 2009) x_k = S_{λ/L}(y_k − ∇f(y_k)/L),
 *            t_{k+1} = (1 + √(1 + 4t_k²))/2, y_{k+1} = x_k + ((t_k − 1)/t_{k+1})(x_k − x_{k−1}),
 *            y_1 = x_0 = 0, t_1 = 1.
 *   Step size: L starts from a power-iteration estimate of λ_max(DᵀD) and is raised by
 *   backtracking (Beck & Teboulle §4) whenever a step violates the sufficient-decrease
 *   condition F(x) ≤ f(y) + ⟨∇f(y), x − y⟩ + (L/2)‖x − y‖² + λ‖x‖₁, which for this quadratic
 *   f reads ‖D(x − y)‖² ≤ L‖x − y‖² and costs no extra product. L never decreases, every
 *   step satisfies the condition, and so F(x_k) − F* ≤ 2L‖x_0 − z*‖²/(k + 1)² holds with the
 *   final L (Beck–Teboulle Theorem 4.4); L never exceeds max(L_0, η λ_max), η = 1.25.
 *   Both methods keep Dz_k and g_k = ∇f(z_k) = Dᵀ(Dz_k − a) of the iterates; since y_k is
 *   an affine combination of x_{k−1} and x_{k−2}, so are Dy_k and ∇f(y_k), and each
 *   iteration costs one product with D (over the nonzero atoms only) and one with Dᵀ, while
 *   the duality gap of every iterate comes for free:
 *     r = a − Dz,  θ = r·min(1, λ/‖Dᵀr‖_∞)  (dual feasible: ‖Dᵀθ‖_∞ ≤ λ),
 *     gap = F(z) − (⟨a, θ⟩ − ½‖θ‖²) ≥ F(z) − F* ≥ 0.
 *   z = 0 is optimal, with gap 0, exactly when λ ≥ ‖Dᵀa‖_∞.
 *   Working sets (optional; the strategy of celer, Massias et al. 2018, with FISTA
 *   as the inner solver): the steps run on a working set W of atoms, the others
 *   held at 0, with L restarted from a power-iteration estimate of λ_max(D_WᵀD_W)
 *   (kept while W does not change) and backtracking as above. When W's own duality
 *   gap falls below 0.05 × the last full gap (or below half the target), one full
 *   product Dᵀ(Dz − a) checks the whole problem: it gives the full duality gap, and
 *   W is rebuilt as the support of z plus the atoms of largest |d_jᵀ(a − Dz)|/‖d_j‖,
 *   twice the support's size (at least 100), with the momentum restarted. The
 *   reported gap is then F(z) − max_checks D(θ), a valid bound on F(z) − F* at every
 *   iteration (the best full dual value so far stays ≤ F*); it decreases only at
 *   checks. Iterations cost O(n·|W|) instead of O(n·m): W's atoms are copied into a
 *   contiguous n×|W| matrix whenever W changes (up to 2^22 entries), so that the two
 *   products of an iteration are two BLAS-2 calls.
 *
 *   The optional adaptive restart (O'Donoghue & Candès 2015, gradient scheme) resets
 *   t to 1 when ⟨y_k − x_k, x_k − x_{k−1}⟩ > 0; it too leaves the O(1/k²) proof, and
 *   usually converges much faster on problems strongly convex on the support.
 *
 *   Orthogonal matching pursuit   greedy ‖z‖₀ ≤ k: repeatedly add the atom most correlated
 *   with the residual, j = argmax_{j∉S} |d_jᵀr|/‖d_j‖ (the lowest index on ties), and
 *   refit z_S = argmin ‖a − D_S z_S‖ by an incrementally updated Cholesky factor of
 *   D_SᵀD_S (as scikit-learn's orthogonal_mp). It stops early when the residual is
 *   orthogonal to every atom or the next atom is numerically dependent on the chosen ones
 *   (its Cholesky pivot² ≤ 1e-12‖d_j‖²).
 *
 * Ownership: dictionaries and signals are the caller's (solvers borrow them); solver
 * structs own their workspaces (init/free, GSL style). No globals. BLAS (CBLAS) does the
 * products; with a single-threaded OpenBLAS results are bit-reproducible.
 */
#ifndef BASIN_SPARSE_CODE_H
#define BASIN_SPARSE_CODE_H

#include <stdbool.h>

#include "basin/rng.h"

/* ---- dictionaries (column-major n×m) ------------------------------------------------- */

/* Each builder writes the columns j0 ≤ j < j1 of the dictionary into D (the whole n×m
 * matrix), so a large dictionary can be built in parts. */

/* Overcomplete DCT: d_j(i) = cos(π j (2i + 1)/(2m)), normalised to unit norm, i < n,
 * j < m (n, m ≥ 1). For m = n this is the orthonormal DCT-II basis (scipy.fft.dct's
 * norm="ortho" rows). */
void basin_dict_dct(long n, long m, long j0, long j1, double *D);

/* The orthonormal Haar basis of R^n (n a power of two, m = n): atom j is the inverse
 * periodic Haar transform (basin/wavelet.h, log2 n levels) of the j-th unit coefficient
 * vector, so Dᵀa are pywt.wavedec(a, "haar", "periodization") coefficients in wavedec
 * order. work: 2n doubles. Returns 0 or BASIN_EINVAL (n not a power of two). */
int basin_dict_haar(long n, long j0, long j1, double *D, double *work);

/* Gaussian atoms: the next n·(j1 − j0) standard normals of g, column by column, each
 * column then scaled to unit norm. Consecutive ranges draw the same numbers as one call
 * when n·(j1 − j0) is a multiple of BASIN_NORMAL_LANES in every call but the last
 * (basin_normal_gen_fill's rule). */
void basin_dict_gaussian(long n, long j0, long j1, basin_normal_gen *g, double *D);

/* norms[j] = ‖d_j‖₂, j < m. */
void basin_dict_norms(long n, long m, const double *D, double *norms);

/* Power iteration for λ_max(DᵀD) = ‖D‖₂², the Lipschitz constant of ∇f:
 * basin_power_start sets v[0, m) to a fixed pseudo-random unit vector (almost surely not
 * orthogonal to the top eigenvector); each basin_power_step returns the Rayleigh quotient
 * ρ = ‖Dv‖² of the current v and replaces v by DᵀDv/‖DᵀDv‖ (work: n + m doubles). ρ
 * increases to λ_max from below. */
void basin_power_start(long m, double *v);
double basin_power_step(long n, long m, const double *D, double *v, double *work);

/* The loop of the two above, until ρ changes by at most tol·ρ or after max_iter ≥ 1 steps;
 * returns the last ρ and writes the steps used to *iters (may be NULL). work: n + 2m. */
double basin_lipschitz(long n, long m, const double *D, long max_iter, double tol, double *work,
                       long *iters);

/* ---- Lasso by ISTA / FISTA ------------------------------------------------------------ */

typedef enum basin_lasso_method {
    BASIN_LASSO_FISTA = 0,
    BASIN_LASSO_ISTA,
} basin_lasso_method;

typedef struct basin_lasso {
    long n, m;
    const double *D, *a; /* borrowed: dictionary (column-major) and signal */
    double lambda;       /* penalty λ > 0 */
    double L;            /* current step 1/L; raised by backtracking (reset with W) */
    basin_lasso_method method;
    bool restart;     /* FISTA: adaptive gradient restart */
    bool working_set; /* iterate on a working set W, check the full problem now and then */
    long iter;        /* iterations done (z = x_iter) */
    long restarts, backtracks, checks;
    double t;                            /* FISTA: t_{iter+1} */
    double a_norm2;                      /* ‖a‖² */
    double *z, *z_prev;                  /* owned, m: the iterates x_iter, x_{iter−1} */
    double *Dz, *Dz_prev;                /* owned, n each */
    double *g, *g_prev;                  /* owned, m each: Dᵀ(Dz − a) on the iterated atoms */
    double *spare_m, *spare_n, *spare_g; /* owned: the buffers of the next iterate */
    double *work_n, *Dy;                 /* owned, n each */
    double *work_m;                      /* owned, 2m: power iteration and selection */
    long *active;                        /* owned, m: indices of the nonzero z_new */
    long *ws;                            /* owned, m: the iterated atoms (all, or W) */
    long n_ws;
    unsigned char *in_ws; /* owned, m (working sets only) */
    double *norms;        /* owned, m: ‖d_j‖ (working sets only) */
    const double *DW;     /* the atoms of W gathered contiguously (n×|W|, column-major) in
                             DW_store, or NULL (W is every atom, or n·|W| > 2^22): then
                             products over W go atom by atom */
    double *DW_store;     /* owned (working sets): grown on demand */
    long cap_DW;          /* doubles allocated in DW_store */
    double full_gap;      /* working sets: the full gap at the last check */
    double check_gap;     /* working sets: also check when W's gap ≤ this (caller-set; 0) */
    /* at the current iterate */
    double objective; /* F(z) */
    double dual;      /* the dual value of the certificate (see gap) */
    double gap;       /* objective − dual ≥ F(z) − F*: the duality gap at z (plain), or
                         against the best full dual value of the checks (working sets) */
    double ws_gap;    /* working sets: W's own duality gap at z */
    double residual;  /* ‖a − Dz‖ */
    double l1;        /* ‖z‖₁ */
    long nnz;         /* #{j : z_j ≠ 0} */
    double grad_inf; /* ‖Dᵀ(a − Dz)‖_∞ at the last full evaluation; at iteration 0, λ_max */
} basin_lasso;

/* Prepares s at z = 0 (iteration 0: objective, gradient and gap evaluated on all atoms)
 * with starting step 1/L0 (plain; with working sets each W computes its own). D (n×m,
 * column-major) and a (n) are borrowed for s's lifetime. Returns 0, BASIN_EINVAL (n, m < 1,
 * λ ≤ 0 or L0 ≤ 0, not finite), BASIN_ENOMEM; on failure s is freeable. */
int basin_lasso_init(basin_lasso *s, long n, long m, const double *D, const double *a,
                     double lambda, double L0, basin_lasso_method method, bool restart,
                     bool working_set);

/* One iteration (with as many backtracking trials as the step needs): z ← the next
 * iterate; objective, gap, nnz… updated; with working sets, then a full check when due. */
void basin_lasso_step(basin_lasso *s);

/* Frees the workspaces; accepts NULL and zeroed or failed-init structs. */
void basin_lasso_free(basin_lasso *s);

/* ---- orthogonal matching pursuit ---------------------------------------------------- */

typedef struct basin_omp {
    long n, m, kmax;
    const double *D, *a; /* borrowed */
    long k;              /* atoms chosen so far */
    long *support;       /* owned, kmax: chosen atoms in order */
    double *Lc;          /* owned, kmax×kmax: lower Cholesky factor of D_SᵀD_S, row-major */
    double *b;           /* owned, kmax: D_Sᵀa */
    double *x;           /* owned, kmax: coefficients of the support atoms */
    double *r;           /* owned, n: residual a − D_S x */
    double *c;           /* owned, m: Dᵀr */
    double *norms;       /* owned, m: ‖d_j‖ */
    unsigned char *in_s; /* owned, m */
    double *w;           /* owned, kmax: scratch */
    double residual2;    /* ‖r‖² */
    bool stopped;        /* no further atom can be added */
} basin_omp;

/* Prepares s at the empty support (r = a). kmax in [1, min(n, m)]. Returns 0,
 * BASIN_EINVAL, BASIN_ENOMEM; on failure s is freeable. */
int basin_omp_init(basin_omp *s, long n, long m, const double *D, const double *a, long kmax);

/* Adds one atom and refits. Returns 1 when an atom was added, 0 when none can be (k =
 * kmax, residual orthogonal to every atom, or a dependent atom); then s->stopped. */
int basin_omp_step(basin_omp *s);

/* The dense code z[0, m) of the current support. */
void basin_omp_code(const basin_omp *s, double *z);

/* Frees the workspaces; accepts NULL and zeroed or failed-init structs. */
void basin_omp_free(basin_omp *s);

#endif
