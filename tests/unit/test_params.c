/*
 * test_params.c — the strict params reader (src/models/params.c): defaults, bounds,
 * types, unknown keys, JSON pointers (RFC 6901 escaping), nested objects, arrays, the
 * described JSON Schema, and the resource-limit flag.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/params.h"

static basin_problems problems;

static void reset(void)
{
    memset(&problems, 0, sizeof problems);
}

static bool has_problem(const char *pointer)
{
    for (size_t i = 0; i < problems.count; i++)
        if (strcmp(problems.items[i].pointer, pointer) == 0)
            return true;
    return false;
}

/* Reference: params.h, params_random_patterns — the generated forms of `patterns` (absent,
 * a count, {count, bias}) are read and normalised to {count, bias}; an array is left to the
 * caller; a bad count or bias is reported at its pointer with the defaults kept. */
START_TEST(random_patterns_forms)
{
    const char *cases[] = {"{}",
                           "{\"patterns\": 7}",
                           "{\"patterns\": {\"count\": 9, \"bias\": 0.5}}",
                           "{\"patterns\": [[1, -1]]}",
                           "{\"patterns\": 2.5}",
                           "{\"patterns\": {\"bias\": 2}}"};
    const bool taken[] = {true, true, true, false, true, true};
    const long want_p[] = {5, 7, 9, -1, 5, 5};
    const double want_bias[] = {0.0, 0.0, 0.5, -1.0, 0.0, 0.0};
    const char *problem[] = {NULL, NULL, NULL, NULL, "/params/patterns", "/params/patterns/bias"};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        reset();
        json_t *in = json_loads(cases[k], 0, NULL);
        param_reader r;
        params_open(&r, in, "/params", &problems, NULL);
        long p = -1;
        double bias = -1.0;
        ck_assert_int_eq(
            params_random_patterns(&r, params_raw(&r, "patterns", NULL), 5, 100, &p, &bias),
            taken[k]);
        ck_assert_int_eq(p, want_p[k]);
        ck_assert_double_eq(bias, want_bias[k]);
        if (problem[k])
            ck_assert_msg(has_problem(problem[k]), "case %zu: no problem at %s", k, problem[k]);
        else
            ck_assert_uint_eq(problems.count, 0);
        json_t *out = NULL;
        params_close(&r, &out);
        if (taken[k] && !problem[k]) {
            json_t *want = json_pack("{s:{s:I, s:f}}", "patterns", "count", (json_int_t)want_p[k],
                                     "bias", want_bias[k]);
            ck_assert_msg(json_equal(out, want), "case %zu: not the normalised form", k);
            json_decref(want);
        }
        json_decref(out);
        json_decref(in);
    }
}
END_TEST

START_TEST(defaults_fill_the_normalised_object)
{
    param_reader r;
    params_open(&r, NULL, "/params", &problems, NULL);
    ck_assert_double_eq(params_real(&r, "dt", 0.5, 0.0, 1.0), 0.5);
    ck_assert_int_eq(params_int(&r, "n", 100, 1, 1000), 100);
    ck_assert(params_bool(&r, "flag", true));
    static const char *const rules[] = {"hebb", "storkey", NULL};
    ck_assert_str_eq(params_enum(&r, "rule", "hebb", rules), "hebb");
    json_t *out = NULL;
    ck_assert_int_eq(params_close(&r, &out), 0);
    json_t *want = json_pack("{s:f, s:I, s:b, s:s}", "dt", 0.5, "n", (json_int_t)100, "flag", 1,
                             "rule", "hebb");
    ck_assert(json_equal(out, want));
    json_decref(out);
    json_decref(want);
}
END_TEST

START_TEST(each_bad_value_is_reported_at_its_pointer)
{
    json_t *in = json_pack("{s:f, s:s, s:f, s:i, s:s, s:i, s:i}", "dt", 2.0, "n", "many", "k", 1.5,
                           "gt", 0, "rule", "x", "a/b", 1, "m~n", 2);
    param_reader r;
    params_open(&r, in, "/params", &problems, NULL);
    static const char *const rules[] = {"hebb", NULL};
    ck_assert_double_eq(params_real(&r, "dt", 0.5, 0.0, 1.0), 0.5); /* out of range */
    params_int(&r, "n", 1, 1, 10);                                  /* wrong type */
    params_int(&r, "k", 1, 1, 10);                                  /* not integral */
    params_real_gt(&r, "gt", 1.0, 0.0, 1.0);                        /* open bound */
    params_enum(&r, "rule", "hebb", rules);
    json_t *out = NULL;
    ck_assert_int_eq(params_close(&r, &out), BASIN_EINVAL);
    ck_assert_ptr_null(out);
    ck_assert(has_problem("/params/dt"));
    ck_assert(has_problem("/params/n"));
    ck_assert(has_problem("/params/k"));
    ck_assert(has_problem("/params/gt"));
    ck_assert(has_problem("/params/rule"));
    /* Unknown keys, with "/" and "~" escaped as RFC 6901 requires. */
    ck_assert(has_problem("/params/a~1b"));
    ck_assert(has_problem("/params/m~0n"));
    ck_assert_uint_eq(problems.count, 7);
    json_decref(in);
}
END_TEST

/* A default derived from other parameters (rsvp's dt = 0.9 dt_max grows as h²) can fall
 * outside the key's range. Above the range the bound is used, and the normalised object
 * holds it, so it re-parses; below it (or not finite) there is no value to choose and the
 * key is named. Reference: params.c, read_real and params_int. */
START_TEST(derived_defaults_out_of_range)
{
    param_reader r;
    params_open(&r, NULL, "/params", &problems, NULL);
    ck_assert_double_eq(params_real_gt(&r, "dt", 1e11, 0.0, 1e6), 1e6);
    ck_assert_double_eq(params_real(&r, "rate", 1e300, -1.0, 1.0), 1.0);
    json_t *out = NULL;
    ck_assert_int_eq(params_close(&r, &out), 0);
    ck_assert_double_eq(json_real_value(json_object_get(out, "dt")), 1e6);
    json_decref(out);

    const double below[] = {0.0, -1.0, NAN};
    for (size_t k = 0; k < sizeof below / sizeof below[0]; k++) {
        reset();
        params_open(&r, NULL, "/params", &problems, NULL);
        params_real_gt(&r, "dt", below[k], 0.0, 1e6);
        ck_assert_int_eq(params_close(&r, NULL), BASIN_EINVAL);
        ck_assert_msg(has_problem("/params/dt"), "default %g: dt not named", below[k]);
    }
    reset();
    params_open(&r, NULL, "/params", &problems, NULL);
    params_int(&r, "n", 5000, 1, 1000);
    ck_assert_int_eq(params_close(&r, NULL), BASIN_EINVAL);
    ck_assert(has_problem("/params/n"));
}
END_TEST

START_TEST(integral_reals_are_integers)
{
    json_t *in = json_pack("{s:f}", "n", 12.0);
    param_reader r;
    params_open(&r, in, "", &problems, NULL);
    ck_assert_int_eq(params_int(&r, "n", 1, 1, 100), 12);
    ck_assert_int_eq(params_close(&r, NULL), 0);
    json_decref(in);
}
END_TEST

START_TEST(nested_objects_and_arrays)
{
    json_t *in = json_pack("{s:{s:f, s:i}, s:[f, s, f]}", "cue", "flip", 0.2, "zzz", 1, "mean", 1.0,
                           "x", 3.0);
    param_reader r, child;
    params_open(&r, in, "/params", &problems, NULL);
    params_child(&r, "cue", &child);
    ck_assert_double_eq(params_real(&child, "flip", 0.1, 0.0, 1.0), 0.2);
    params_child_end(&r, "cue", &child);
    double *mean = NULL;
    size_t len = 0;
    ck_assert_int_eq(params_real_array(&r, "mean", 1, 3, -10, 10, &mean, &len), BASIN_EINVAL);
    ck_assert_ptr_null(mean);
    ck_assert_int_eq(params_close(&r, NULL), BASIN_EINVAL);
    ck_assert(has_problem("/params/cue/zzz"));
    ck_assert(has_problem("/params/mean/1"));
    ck_assert_uint_eq(problems.count, 2);
    json_decref(in);
}
END_TEST

START_TEST(seed_is_drawn_once_and_kept)
{
    param_reader r;
    params_open(&r, NULL, "", &problems, NULL);
    uint64_t seed = params_seed(&r);
    json_t *out = NULL;
    ck_assert_int_eq(params_close(&r, &out), 0);
    ck_assert_uint_eq((uint64_t)json_integer_value(json_object_get(out, "seed")), seed);
    /* Re-reading the normalised object gives the same seed. */
    params_open(&r, out, "", &problems, NULL);
    ck_assert_uint_eq(params_seed(&r), seed);
    ck_assert_int_eq(params_close(&r, NULL), 0);
    json_decref(out);
    json_t *neg = json_pack("{s:i}", "seed", -1);
    params_open(&r, neg, "", &problems, NULL);
    params_seed(&r);
    ck_assert_int_eq(params_close(&r, NULL), BASIN_EINVAL);
    ck_assert(has_problem("/seed"));
    json_decref(neg);
}
END_TEST

START_TEST(schema_describes_types_bounds_and_defaults)
{
    json_t *schema = json_object();
    param_reader r;
    params_open(&r, NULL, "", &problems, schema);
    params_int(&r, "n", 100, 1, 1000);
    static const char *const rules[] = {"hebb", "storkey", NULL};
    params_enum(&r, "rule", "hebb", rules);
    ck_assert_int_eq(params_close(&r, NULL), 0);
    json_t *n = json_object_get(json_object_get(schema, "properties"), "n");
    ck_assert_str_eq(json_string_value(json_object_get(n, "type")), "integer");
    ck_assert_int_eq(json_integer_value(json_object_get(n, "default")), 100);
    ck_assert_int_eq(json_integer_value(json_object_get(n, "maximum")), 1000);
    json_t *rule = json_object_get(json_object_get(schema, "properties"), "rule");
    ck_assert_uint_eq(json_array_size(json_object_get(rule, "enum")), 2);
    ck_assert(json_is_false(json_object_get(schema, "additionalProperties")));
    json_decref(schema);
}
END_TEST

START_TEST(over_limit_is_flagged)
{
    param_reader r;
    params_open(&r, NULL, "/params", &problems, NULL);
    params_over_limit(&r, "steps", "the run", 1e13, 1e12);
    ck_assert_int_eq(params_close(&r, NULL), BASIN_EINVAL);
    ck_assert(problems.over_limit);
    ck_assert(has_problem("/params/steps"));
    ck_assert_ptr_nonnull(strstr(problems.items[0].message, "limit"));
}
END_TEST

START_TEST(non_object_is_reported)
{
    json_t *in = json_integer(3);
    param_reader r;
    params_open(&r, in, "/params", &problems, NULL);
    ck_assert_int_eq(params_close(&r, NULL), BASIN_EINVAL);
    ck_assert(has_problem("/params"));
    json_decref(in);
}
END_TEST

START_TEST(problem_list_is_bounded)
{
    json_t *in = json_object();
    char key[16];
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "k%d", i);
        json_object_set_new(in, key, json_integer(i));
    }
    param_reader r;
    params_open(&r, in, "", &problems, NULL);
    ck_assert_int_eq(params_close(&r, NULL), BASIN_EINVAL);
    ck_assert_uint_eq(problems.count, BASIN_PROBLEMS_MAX);
    ck_assert_uint_eq(problems.dropped, 100 - BASIN_PROBLEMS_MAX);
    json_decref(in);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("params");
    TCase *tc = tcase_create("reader");
    tcase_add_checked_fixture(tc, reset, NULL);
    tcase_add_test(tc, defaults_fill_the_normalised_object);
    tcase_add_test(tc, each_bad_value_is_reported_at_its_pointer);
    tcase_add_test(tc, derived_defaults_out_of_range);
    tcase_add_test(tc, integral_reals_are_integers);
    tcase_add_test(tc, nested_objects_and_arrays);
    tcase_add_test(tc, seed_is_drawn_once_and_kept);
    tcase_add_test(tc, schema_describes_types_bounds_and_defaults);
    tcase_add_test(tc, over_limit_is_flagged);
    tcase_add_test(tc, non_object_is_reported);
    tcase_add_test(tc, problem_list_is_bounded);
    tcase_add_test(tc, random_patterns_forms);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
