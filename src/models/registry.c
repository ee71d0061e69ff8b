/*
 * registry.c — the table of every job kind basin runs. Adding a model is one line here
 * plus its file in src/models/ (see include/basin/model.h for the interface).
 */
#include <string.h>

#include "basin/model.h"

extern const basin_model model_hopfield;
extern const basin_model model_langevin;

const basin_model *const basin_models[] = {
    &model_hopfield,
    &model_langevin,
};

const size_t basin_n_models = sizeof basin_models / sizeof basin_models[0];

const basin_model *basin_model_find(const char *kind)
{
    for (size_t i = 0; i < basin_n_models; i++)
        if (strcmp(basin_models[i]->kind, kind) == 0)
            return basin_models[i];
    return NULL;
}
