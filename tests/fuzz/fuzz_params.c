/*
 * fuzz_params.c — libFuzzer target: params validation of every model.
 *
 * Input: one byte choosing the model, then a JSON text. Property: parse() never crashes,
 * leaks or trips a sanitizer; it either returns problems or a normalised object that
 * parses again to the very same object (the worker re-parses stored params).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "basin/model.h"

/* A small work limit keeps accepted runs out of reach: only validation is fuzzed. */
static const basin_limits limits = {
    .max_work = 1000000000LL, .max_array_elements = 1 << 20, .max_series_points = 100000};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || basin_n_models == 0)
        return 0;
    const basin_model *m = basin_models[data[0] % basin_n_models];
    json_t *params = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
    if (!params)
        return 0;
    basin_problems problems = {0};
    json_t *normalized = NULL, *again = NULL;
    void *config = NULL, *config2 = NULL;
    if (m->parse(params, "/params", &limits, &problems, NULL, &normalized, &config) == 0) {
        basin_problems p2 = {0};
        if (m->parse(normalized, "/params", &limits, &p2, NULL, &again, &config2) != 0 ||
            !json_equal(normalized, again))
            abort(); /* normalised params must re-parse to themselves */
        m->free_config(config2);
        m->free_config(config);
    }
    json_decref(again);
    json_decref(normalized);
    json_decref(params);
    return 0;
}
