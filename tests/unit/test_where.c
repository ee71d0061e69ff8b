/*
 * test_where.c — the where= language (src/util/where.c): precedence of or/and/not,
 * quoting, fields, typed job columns, and the exact error for each bad expression
 * (position and what was expected). The reference is the grammar in where.h.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basin/error.h"
#include "util/where.h"

/* Renders the tree in prefix form so structure (precedence) can be compared as text. */
static void render(const where_expr *e, int i, char *out, size_t cap)
{
    const where_node *n = &e->nodes[i];
    char a[512] = "", b[512] = "";
    switch (n->kind) {
    case WHERE_AND:
    case WHERE_OR:
        render(e, n->left, a, sizeof a);
        render(e, n->right, b, sizeof b);
        snprintf(out, cap, "%s(%s %s)", n->kind == WHERE_AND ? "and" : "or", a, b);
        break;
    case WHERE_NOT:
        render(e, n->left, a, sizeof a);
        snprintf(out, cap, "not(%s)", a);
        break;
    case WHERE_CMP: {
        static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">="};
        static const char *const src[] = {"summary", "params", "labels", "series", "column"};
        if (n->value.type == WV_NUMBER)
            snprintf(b, sizeof b, "%g", n->value.number);
        else if (n->value.type == WV_STRING)
            snprintf(b, sizeof b, "'%s'", n->value.string);
        else if (n->value.type == WV_BOOL)
            snprintf(b, sizeof b, "%s", n->value.boolean ? "true" : "false");
        else
            snprintf(b, sizeof b, "@%lld", (long long)n->value.time_ms);
        snprintf(out, cap, "%s:%s%s%s", src[n->field.source], n->field.path, ops[n->op], b);
        break;
    }
    }
}

static const struct {
    const char *text;
    const char *tree;
} good[] = {
    {"summary.final_overlap>0.9", "summary:final_overlap>0.9"},
    {"summary.a>1 and series.energy.min<-100", "and(summary:a>1 series:energy<-100)"},
    /* and binds tighter than or; not tighter than and */
    {"summary.a=1 or summary.b=2 and summary.c=3", "or(summary:a=1 and(summary:b=2 summary:c=3))"},
    {"(summary.a=1 or summary.b=2) and summary.c=3",
     "and(or(summary:a=1 summary:b=2) summary:c=3)"},
    {"not summary.a=1 and summary.b=2", "and(not(summary:a=1) summary:b=2)"},
    {"NOT (summary.a = 1 OR summary.b != 2)", "not(or(summary:a=1 summary:b!=2))"},
    {"params.energy.k >= 2.5", "params:energy.k>=2.5"},
    {"labels.batch = 'pager'", "labels:batch='pager'"},
    {"labels.batch = \"it's\"", "labels:batch='it's'"},
    {"summary.stable = true", "summary:stable=true"},
    {"kind = 'hopfield' and status != 'failed'", "and(column:='hopfield' column:!='failed')"},
    {"created_at >= '2026-01-01T00:00:00Z'", "column:>=@1767225600000"},
    {"summary.x < -1e-3", "summary:x<-0.001"},
    {"summary.x <> 2", "summary:x!=2"},
    /* SQL-looking text is only a string value */
    {"labels.a = \"x' OR 1=1; DROP TABLE jobs; --\"", "labels:a='x' OR 1=1; DROP TABLE jobs; --'"},
};

START_TEST(good_expressions_parse_with_the_right_structure)
{
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        where_expr e;
        char err[256] = "";
        int rc = where_parse(good[i].text, &e, err, sizeof err);
        ck_assert_msg(rc == 0, "%s: %s", good[i].text, err);
        char tree[1024];
        render(&e, e.root, tree, sizeof tree);
        ck_assert_msg(strcmp(tree, good[i].tree) == 0, "%s -> %s, want %s", good[i].text, tree,
                      good[i].tree);
    }
}
END_TEST

static const struct {
    const char *text;
    const char *error;
} bad[] = {
    {"", "at 1: empty expression"},
    {"summary.a", "at 10: expected a comparison operator (= != < <= > >=), found the end of "
                  "the expression"},
    {"summary.a >", "at 12: expected a value (a number, a quoted string, true or false), "
                    "found the end of the expression"},
    {"summary.a > 1 and", "at 18: expected a field, 'not' or '(', found the end of the "
                          "expression"},
    {"(summary.a > 1", "at 15: expected ')' to close the '(' at 1, found the end of the "
                       "expression"},
    {"summary.a > 1)", "at 14: expected 'and', 'or' or the end, found ')'"},
    {"summary.a > 'open", "at 13: unterminated string"},
    {"bogus.a > 1", "at 1: unknown field 'bogus.a': use summary.<key>, params.<path>, "
                    "labels.<key>, series.<name>.<min|max|mean|last|count>, created_at, "
                    "started_at, finished_at, kind, status, priority, attempts or progress"},
    {"series.energy.median > 1", "at 1: unknown series statistic in 'series.energy.median': "
                                 "use .min, .max, .mean, .last or .count"},
    {"kind > 3", "at 8: kind takes a quoted string"},
    {"priority = 'high'", "at 12: priority takes a number"},
    {"created_at > 5", "at 14: created_at takes an RFC 3339 time in quotes, e.g. "
                       "'2026-01-02T03:04:05Z'"},
    {"series.energy.min = 'low'", "at 21: series.energy.min takes a number"},
    {"summary.a ~ 1", "at 11: expected a comparison operator (= != < <= > >=), found '~'"},
    /* a quote inside a string ends it: what follows is not a connective */
    {"labels.a = 'x'' OR 1=1", "at 15: unterminated string"},
    {"summary.a = 1 and or summary.b = 2", "at 19: expected a field, 'not' or '(', found 'or'"},
    {"params. = 1", "at 1: unknown field 'params.': use summary.<key>, params.<path>, "
                    "labels.<key>, series.<name>.<min|max|mean|last|count>, created_at, "
                    "started_at, finished_at, kind, status, priority, attempts or progress"},
};

START_TEST(bad_expressions_give_position_and_expectation)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        where_expr e;
        char err[512] = "";
        ck_assert_msg(where_parse(bad[i].text, &e, err, sizeof err) == BASIN_EINVAL, "accepted: %s",
                      bad[i].text);
        ck_assert_msg(strcmp(err, bad[i].error) == 0, "%s\n got: %s\nwant: %s", bad[i].text, err,
                      bad[i].error);
    }
}
END_TEST

START_TEST(size_limits_hold)
{
    char text[WHERE_MAX_LENGTH + 10];
    memset(text, ' ', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    where_expr e;
    char err[256];
    ck_assert_int_eq(where_parse(text, &e, err, sizeof err), BASIN_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "longer than"));
    /* 40 comparisons joined by and: 79 nodes > WHERE_MAX_NODES */
    char big[WHERE_MAX_LENGTH] = "";
    for (int i = 0; i < 40; i++)
        strcat(big, i ? " and summary.a=1" : "summary.a=1");
    ck_assert_int_eq(where_parse(big, &e, err, sizeof err), BASIN_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "expression too long"));
    /* deep nesting is refused, not a stack overflow */
    char deep[WHERE_MAX_LENGTH] = "";
    for (int i = 0; i < 100; i++)
        strcat(deep, "(");
    ck_assert_int_eq(where_parse(deep, &e, err, sizeof err), BASIN_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "nested too deeply"));
}
END_TEST

START_TEST(order_fields_parse)
{
    where_field f;
    char err[256];
    ck_assert_int_eq(where_parse_field("summary.energy", &f, err, sizeof err), 0);
    ck_assert_int_eq(f.source, WHERE_SUMMARY);
    ck_assert_str_eq(f.path, "energy");
    ck_assert_int_eq(where_parse_field("series.overlap.last", &f, err, sizeof err), 0);
    ck_assert_int_eq(f.source, WHERE_SERIES);
    ck_assert_int_eq(f.stat, STAT_LAST);
    ck_assert_int_eq(where_parse_field("created_at", &f, err, sizeof err), 0);
    ck_assert_int_eq(f.column, COL_CREATED_AT);
    ck_assert_int_eq(where_parse_field("summary.a;drop", &f, err, sizeof err), BASIN_EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("where");
    TCase *tc = tcase_create("parser");
    tcase_add_test(tc, good_expressions_parse_with_the_right_structure);
    tcase_add_test(tc, bad_expressions_give_position_and_expectation);
    tcase_add_test(tc, size_limits_hold);
    tcase_add_test(tc, order_fields_parse);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
