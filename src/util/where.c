/*
 * where.c — tokenizer and recursive-descent parser of the where= language (see where.h).
 * Type rules checked here: job columns have fixed types (times take RFC 3339 strings,
 * kind/status take strings, the rest numbers); series statistics are numbers.
 */
#include "where.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "basin/error.h"
#include "util/clock.h"

typedef enum tok_type {
    TOK_END,
    TOK_IDENT, /* field names and keywords */
    TOK_NUMBER,
    TOK_STRING,
    TOK_OP,
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_BAD,
} tok_type;

typedef struct token {
    tok_type type;
    size_t pos; /* 0-based offset */
    size_t len;
    where_op op;
    double number;
    char text[256]; /* identifier or unquoted string */
} token;

typedef struct parser {
    const char *src;
    size_t at;
    token tok; /* the current token */
    where_expr *out;
    char *err;
    size_t errcap;
    bool failed;
    int depth;
} parser;

static void fail(parser *p, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(parser *p, size_t pos, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    int n = snprintf(p->err, p->errcap, "at %zu: ", pos + 1);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < p->errcap)
        vsnprintf(p->err + n, p->errcap - (size_t)n, fmt, ap);
    va_end(ap);
}

static bool is_ident_char(int c)
{
    return isalnum(c) || c == '_' || c == '-' || c == '.';
}

/* Reads the next token into p->tok. */
static void next(parser *p)
{
    const char *s = p->src;
    while (s[p->at] == ' ' || s[p->at] == '\t' || s[p->at] == '\n' || s[p->at] == '\r')
        p->at++;
    token *t = &p->tok;
    memset(t, 0, sizeof *t);
    t->pos = p->at;
    char c = s[p->at];
    if (c == '\0') {
        t->type = TOK_END;
    } else if (c == '(' || c == ')') {
        t->type = c == '(' ? TOK_LPAREN : TOK_RPAREN;
        t->len = 1;
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
        char d = s[p->at + 1];
        t->type = TOK_OP;
        t->len = d == '=' ? 2 : 1;
        if (c == '=')
            t->op = OP_EQ, t->len = d == '=' ? 2 : 1; /* "=" and "==" */
        else if (c == '!' && d == '=')
            t->op = OP_NE;
        else if (c == '<')
            t->op = d == '=' ? OP_LE : (d == '>' ? (t->len = 2, OP_NE) : OP_LT);
        else if (c == '>')
            t->op = d == '=' ? OP_GE : OP_GT;
        else
            t->type = TOK_BAD, t->len = 1;
    } else if (c == '\'' || c == '"') {
        size_t i = p->at + 1, n = 0;
        while (s[i] && s[i] != c) {
            if (n + 1 >= sizeof t->text) {
                t->type = TOK_BAD;
                t->len = i - p->at;
                fail(p, t->pos, "string longer than %zu characters", sizeof t->text - 1);
                return;
            }
            t->text[n++] = s[i++];
        }
        if (s[i] != c) {
            t->type = TOK_BAD;
            t->len = i - p->at;
            fail(p, t->pos, "unterminated string");
            return;
        }
        t->type = TOK_STRING;
        t->len = i + 1 - p->at;
    } else if (isdigit((unsigned char)c) ||
               ((c == '-' || c == '+' || c == '.') &&
                (isdigit((unsigned char)s[p->at + 1]) || s[p->at + 1] == '.'))) {
        char *end;
        t->number = strtod(s + p->at, &end);
        t->len = (size_t)(end - (s + p->at));
        t->type = isfinite(t->number) && t->len ? TOK_NUMBER : TOK_BAD;
        if (t->type == TOK_BAD)
            t->len = t->len ? t->len : 1;
    } else if (is_ident_char((unsigned char)c)) {
        size_t i = p->at, n = 0;
        while (is_ident_char((unsigned char)s[i])) {
            if (n + 1 < sizeof t->text)
                t->text[n++] = s[i];
            i++;
        }
        t->type = TOK_IDENT;
        t->len = i - p->at;
    } else {
        t->type = TOK_BAD;
        t->len = 1;
    }
    p->at += t->len;
}

static bool keyword(const token *t, const char *kw)
{
    return t->type == TOK_IDENT && strcasecmp(t->text, kw) == 0;
}

static void describe_source(const parser *p, const token *t, char *buf, size_t cap)
{
    if (t->type == TOK_END)
        snprintf(buf, cap, "the end of the expression");
    else
        snprintf(buf, cap, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), p->src + t->pos);
}

/* A key segment: [A-Za-z0-9_-]+ */
static bool valid_key(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
            return false;
    return true;
}

static const struct {
    const char *name;
    where_column column;
} columns[] = {
    {"created_at", COL_CREATED_AT},   {"started_at", COL_STARTED_AT},
    {"finished_at", COL_FINISHED_AT}, {"kind", COL_KIND},
    {"status", COL_STATUS},           {"priority", COL_PRIORITY},
    {"attempts", COL_ATTEMPTS},       {"progress", COL_PROGRESS},
};

static const char *const stat_names[] = {"min", "max", "mean", "last", "count"};

/* Parses a field name; on error writes a message (without position) into msg. */
static int parse_field_name(const char *name, where_field *f, char *msg, size_t cap)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++)
        if (strcmp(name, columns[i].name) == 0) {
            f->source = WHERE_COLUMN;
            f->column = columns[i].column;
            return 0;
        }
    const char *dot = strchr(name, '.');
    size_t head = dot ? (size_t)(dot - name) : strlen(name);
    const char *rest = dot ? dot + 1 : "";
    if (strlen(rest) >= WHERE_MAX_PATH) {
        snprintf(msg, cap, "field name too long");
        return BASIN_EINVAL;
    }
    if (head == 7 && strncmp(name, "summary", 7) == 0 && valid_key(rest, strlen(rest))) {
        f->source = WHERE_SUMMARY;
    } else if (head == 6 && strncmp(name, "labels", 6) == 0 && valid_key(rest, strlen(rest))) {
        f->source = WHERE_LABELS;
    } else if (head == 6 && strncmp(name, "params", 6) == 0 && *rest) {
        /* dotted path: every segment a key */
        for (const char *seg = rest; *seg;) {
            const char *d = strchr(seg, '.');
            size_t len = d ? (size_t)(d - seg) : strlen(seg);
            if (!valid_key(seg, len))
                goto unknown;
            seg += len + (d ? 1 : 0);
            if (d && !*seg)
                goto unknown;
        }
        f->source = WHERE_PARAMS;
    } else if (head == 6 && strncmp(name, "series", 6) == 0) {
        const char *last = strrchr(rest, '.');
        if (!last || !valid_key(rest, (size_t)(last - rest)))
            goto unknown;
        for (int i = 0; i < 5; i++)
            if (strcmp(last + 1, stat_names[i]) == 0) {
                f->source = WHERE_SERIES;
                f->stat = (where_stat)i;
                snprintf(f->path, sizeof f->path, "%.*s", (int)(last - rest), rest);
                return 0;
            }
        snprintf(msg, cap,
                 "unknown series statistic in '%s': use .min, .max, .mean, .last or .count", name);
        return BASIN_EINVAL;
    } else {
        goto unknown;
    }
    snprintf(f->path, sizeof f->path, "%s", rest);
    return 0;
unknown:
    snprintf(msg, cap,
             "unknown field '%.60s': use summary.<key>, params.<path>, labels.<key>, "
             "series.<name>.<min|max|mean|last|count>, created_at, started_at, finished_at, "
             "kind, status, priority, attempts or progress",
             name);
    return BASIN_EINVAL;
}

int where_field_type(const where_field *f)
{
    if (f->source == WHERE_SERIES)
        return WV_NUMBER;
    if (f->source != WHERE_COLUMN)
        return -1;
    switch (f->column) {
    case COL_CREATED_AT:
    case COL_STARTED_AT:
    case COL_FINISHED_AT:
        return WV_TIME;
    case COL_KIND:
    case COL_STATUS:
        return WV_STRING;
    default:
        return WV_NUMBER;
    }
}

static int new_node(parser *p, where_kind kind)
{
    if (p->out->n_nodes >= WHERE_MAX_NODES) {
        fail(p, p->tok.pos, "expression too long: at most %d comparisons and connectives",
             WHERE_MAX_NODES);
        return -1;
    }
    int i = p->out->n_nodes++;
    memset(&p->out->nodes[i], 0, sizeof p->out->nodes[i]);
    p->out->nodes[i].kind = kind;
    p->out->nodes[i].left = p->out->nodes[i].right = -1;
    return i;
}

static int parse_or(parser *p);

static int parse_comparison(parser *p)
{
    char buf[64], msg[400];
    token field_tok = p->tok;
    if (field_tok.type != TOK_IDENT || keyword(&field_tok, "and") || keyword(&field_tok, "or")) {
        describe_source(p, &field_tok, buf, sizeof buf);
        fail(p, field_tok.pos, "expected a field, 'not' or '(', found %s", buf);
        return -1;
    }
    int i = new_node(p, WHERE_CMP);
    if (i < 0)
        return -1;
    where_node *n = &p->out->nodes[i];
    if (field_tok.len >= sizeof field_tok.text ||
        parse_field_name(field_tok.text, &n->field, msg, sizeof msg)) {
        if (field_tok.len >= sizeof field_tok.text)
            snprintf(msg, sizeof msg, "field name too long");
        fail(p, field_tok.pos, "%s", msg);
        return -1;
    }
    next(p);
    if (p->tok.type != TOK_OP) {
        describe_source(p, &p->tok, buf, sizeof buf);
        fail(p, p->tok.pos, "expected a comparison operator (= != < <= > >=), found %s", buf);
        return -1;
    }
    n->op = p->tok.op;
    next(p);
    token v = p->tok;
    if (v.type == TOK_NUMBER) {
        n->value.type = WV_NUMBER;
        n->value.number = v.number;
    } else if (v.type == TOK_STRING) {
        n->value.type = WV_STRING;
        snprintf(n->value.string, sizeof n->value.string, "%s", v.text);
    } else if (keyword(&v, "true") || keyword(&v, "false")) {
        n->value.type = WV_BOOL;
        n->value.boolean = keyword(&v, "true");
    } else {
        describe_source(p, &v, buf, sizeof buf);
        fail(p, v.pos, "expected a value (a number, a quoted string, true or false), found %s",
             buf);
        return -1;
    }
    /* Types of job columns and series statistics are fixed. */
    int want = where_field_type(&n->field);
    if (want == WV_TIME) {
        if (n->value.type != WV_STRING || clock_parse_rfc3339(n->value.string, &n->value.time_ms)) {
            fail(p, v.pos, "%s takes an RFC 3339 time in quotes, e.g. '2026-01-02T03:04:05Z'",
                 field_tok.text);
            return -1;
        }
        n->value.type = WV_TIME;
    } else if (want == WV_STRING && n->value.type != WV_STRING) {
        fail(p, v.pos, "%s takes a quoted string", field_tok.text);
        return -1;
    } else if (want == WV_NUMBER && n->value.type != WV_NUMBER) {
        fail(p, v.pos, "%s takes a number", field_tok.text);
        return -1;
    }
    next(p);
    return i;
}

static int parse_unary(parser *p)
{
    if (++p->depth > 32) {
        fail(p, p->tok.pos, "expression nested too deeply");
        return -1;
    }
    int result;
    if (keyword(&p->tok, "not")) {
        next(p);
        int child = parse_unary(p);
        result = child < 0 ? -1 : new_node(p, WHERE_NOT);
        if (result >= 0)
            p->out->nodes[result].left = child;
    } else if (p->tok.type == TOK_LPAREN) {
        size_t open = p->tok.pos;
        next(p);
        result = parse_or(p);
        if (result >= 0 && p->tok.type != TOK_RPAREN) {
            char buf[64];
            describe_source(p, &p->tok, buf, sizeof buf);
            fail(p, p->tok.pos, "expected ')' to close the '(' at %zu, found %s", open + 1, buf);
            result = -1;
        } else if (result >= 0) {
            next(p);
        }
    } else {
        result = parse_comparison(p);
    }
    p->depth--;
    return result;
}

static int parse_binary(parser *p, const char *word, where_kind kind, int (*operand)(parser *p))
{
    int left = operand(p);
    while (left >= 0 && keyword(&p->tok, word)) {
        next(p);
        int right = operand(p);
        if (right < 0)
            return -1;
        int i = new_node(p, kind);
        if (i < 0)
            return -1;
        p->out->nodes[i].left = left;
        p->out->nodes[i].right = right;
        left = i;
    }
    return left;
}

static int parse_and(parser *p)
{
    return parse_binary(p, "and", WHERE_AND, parse_unary);
}

static int parse_or(parser *p)
{
    return parse_binary(p, "or", WHERE_OR, parse_and);
}

int where_parse(const char *text, where_expr *out, char *err, size_t errcap)
{
    parser p = {.src = text, .out = out, .err = err, .errcap = errcap};
    out->n_nodes = 0;
    size_t len = strlen(text);
    if (len > WHERE_MAX_LENGTH) {
        snprintf(err, errcap, "at %d: expression longer than %d characters", WHERE_MAX_LENGTH + 1,
                 WHERE_MAX_LENGTH);
        return BASIN_EINVAL;
    }
    next(&p);
    if (p.tok.type == TOK_END) {
        snprintf(err, errcap, "at 1: empty expression");
        return BASIN_EINVAL;
    }
    int root = parse_or(&p);
    if (root >= 0 && p.tok.type != TOK_END) {
        char buf[64];
        describe_source(&p, &p.tok, buf, sizeof buf);
        fail(&p, p.tok.pos, "expected 'and', 'or' or the end, found %s", buf);
    }
    if (p.failed || root < 0) {
        if (!p.failed)
            snprintf(err, errcap, "at %zu: invalid expression", p.tok.pos + 1);
        return BASIN_EINVAL;
    }
    out->root = root;
    return 0;
}

int where_parse_field(const char *text, where_field *out, char *err, size_t errcap)
{
    if (strlen(text) >= 256)
        return snprintf(err, errcap, "field name too long"), BASIN_EINVAL;
    return parse_field_name(text, out, err, errcap);
}
