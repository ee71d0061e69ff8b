/*
 * registry.c — the table of every job kind basin runs. Adding a model is one line here
 * plus its file in src/models/ (see include/basin/model.h for the interface).
 */
#include <string.h>

#include "basin/model.h"

extern const basin_model model_hopfield;
extern const basin_model model_langevin;
/* extern: associative memory (dense, continuous) */
extern const basin_model model_dense_memory;
extern const basin_model model_continuous_hopfield;
/* extern: fields (harmonic, rsvp) */
extern const basin_model model_harmonic;
extern const basin_model model_rsvp;
/* extern: relaxation and diffusion */
extern const basin_model model_fokker_planck;
extern const basin_model model_diffusion;
/* extern: sparse coding, denoising, state space */
extern const basin_model model_sparse_code;
extern const basin_model model_denoise;
extern const basin_model model_ssm;
/* extern: statistical physics and plasticity */
extern const basin_model model_ising;
extern const basin_model model_normnet;
extern const basin_model model_model_collapse;
/* extern: memory */
extern const basin_model model_memory_retrieve;
extern const basin_model model_memory_complete;

const basin_model *const basin_models[] = {
    &model_hopfield,
    &model_langevin,
    /* registry: associative memory (dense, continuous) */
    &model_dense_memory,
    &model_continuous_hopfield,
    /* registry: fields (harmonic, rsvp) */
    &model_harmonic,
    &model_rsvp,
    /* registry: relaxation and diffusion */
    &model_fokker_planck,
    &model_diffusion,
    /* registry: sparse coding, denoising, state space */
    &model_sparse_code,
    &model_denoise,
    &model_ssm,
    /* registry: statistical physics and plasticity */
    &model_ising,
    &model_normnet,
    &model_model_collapse,
    /* registry: memory */
    &model_memory_retrieve,
    &model_memory_complete,
};

const size_t basin_n_models = sizeof basin_models / sizeof basin_models[0];

const basin_model *basin_model_find(const char *kind)
{
    for (size_t i = 0; i < basin_n_models; i++)
        if (strcmp(basin_models[i]->kind, kind) == 0)
            return basin_models[i];
    return NULL;
}
