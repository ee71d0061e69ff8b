/* json_text.c — compact JSON text of a jansson value (see json_text.h). */
#include "json_text.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct text_buf {
    char *p;
    size_t len, cap;
    bool failed;
} text_buf;

/* Makes room for n more bytes (and the final NUL); false once anything failed. */
static bool reserve(text_buf *b, size_t n)
{
    if (b->failed)
        return false;
    if (b->len + n + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

static void put(text_buf *b, const char *s, size_t n)
{
    if (reserve(b, n)) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
    }
}

static void put_char(text_buf *b, char c)
{
    if (reserve(b, 1))
        b->p[b->len++] = c;
}

/* Length of the valid UTF-8 sequence starting at s (lead byte >= 0x80), or 0 if invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF — jansson's rule. */
static size_t utf8_sequence(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n > avail)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

static void put_string(text_buf *b, const char *str, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)str;
    put_char(b, '"');
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < len && !b->failed;) {
        unsigned char c = s[i];
        if (c >= 0x80) {
            size_t n = utf8_sequence(s + i, len - i);
            if (!n)
                b->failed = true;
            i += n;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        put(b, str + run, i - run);
        char esc[6] = {'\\', 0};
        size_t n = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        put(b, esc, n);
        run = ++i;
    }
    put(b, str + run, len - run);
    put_char(b, '"');
}

/* Decimal digits of an unsigned value, written backwards ending at end; returns the start. */
static char *digits(uint64_t u, char *end)
{
    do {
        *--end = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    return end;
}

static void put_integer(text_buf *b, json_int_t v)
{
    char tmp[24], *end = tmp + sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *s = digits(u, end);
    if (v < 0)
        *--s = '-';
    put(b, s, (size_t)(end - s));
}

__extension__ typedef unsigned __int128 uint128; /* GCC and Clang on 64-bit targets */

/* 10^p for p = 0..22, exact in 128 bits. */
static const uint128 pow10_128[23] = {
    1ull,
    10ull,
    100ull,
    1000ull,
    10000ull,
    100000ull,
    1000000ull,
    10000000ull,
    100000000ull,
    1000000000ull,
    10000000000ull,
    100000000000ull,
    1000000000000ull,
    10000000000000ull,
    100000000000000ull,
    1000000000000000ull,
    10000000000000000ull,
    100000000000000000ull,
    1000000000000000000ull,
    10000000000000000000ull,
    (uint128)10000000000000000000ull * 10,
    (uint128)10000000000000000000ull * 100,
    (uint128)10000000000000000000ull * 1000,
};

/* "%.17g" of a in [1e-4, 2^53) without printf: the 17 significant digits are
 * D = round(a · 10^(16−k)) with k = ⌊log10 a⌋, computed exactly in 128-bit integers
 * (a = m·2^e with m < 2^53, and 10^(16−k) ≤ 10^20), rounded half to even as glibc's
 * printf does; then %g's fixed form (−4 ≤ k < 17) without trailing zeros. Returns the
 * length written to out, or 0 when a is outside the range (printf's turn). */
static size_t format_g17(double a, char *out)
{
    if (!(a >= 1e-4 && a < 9007199254740992.0))
        return 0;
    int E;
    double f = frexp(a, &E);                  /* a = f·2^E, f in [0.5, 1) */
    uint64_t m = (uint64_t)ldexp(f, 53);      /* exact: f has at most 53 significant bits */
    int e = E - 53, k = (int)floor(log10(a)); /* k may be off by one near a power of 10 */
    const uint64_t lo17 = 10000000000000000ull, hi17 = 100000000000000000ull;
    uint64_t D = 0;
    for (int tries = 0;; tries++) {
        int p = 16 - k;
        if (tries > 3 || p < 0 || p > 22)
            return 0;
        uint128 N = (uint128)m * pow10_128[p], q;
        if (e >= 0) {
            q = N << e; /* a ≥ 2^52 here, so p ≤ 1: no overflow */
        } else {
            int sh = -e;
            q = N >> sh;
            uint128 r = N - (q << sh), half = (uint128)1 << (sh - 1);
            if (r > half || (r == half && (q & 1)))
                q++;
        }
        if (q < lo17) {
            k--;
        } else if (q >= hi17) {
            k++; /* k was low, or the rounding carried into an 18th digit */
        } else {
            D = (uint64_t)q;
            break;
        }
    }
    if (k < -4 || k > 16)
        return 0;
    char d[17];
    for (int i = 16; i >= 0; i--, D /= 10)
        d[i] = (char)('0' + D % 10);
    int last = 16;               /* the last digit kept: trailing zeros after the point go */
    int point = k >= 0 ? k : -1; /* digits d[0..point] before the point */
    while (last > point && last > 0 && d[last] == '0')
        last--;
    size_t n = 0;
    if (k >= 0) {
        memcpy(out, d, (size_t)k + 1);
        n = (size_t)k + 1;
        if (last > k) {
            out[n++] = '.';
            memcpy(out + n, d + k + 1, (size_t)(last - k));
            n += (size_t)(last - k);
        }
    } else {
        memcpy(out, "0.000", (size_t)(1 - k)); /* "0." and −k−1 zeros */
        n = (size_t)(1 - k);
        memcpy(out + n, d, (size_t)last + 1);
        n += (size_t)last + 1;
    }
    return n;
}

/* jansson's real format: "%.17g", then ".0" when the text has neither '.' nor 'e', and
 * the exponent without '+' or leading zeros (1e+20 → 1e20, 1e-07 → 1e-7). An integral
 * value below 1e17 prints its integer digits under %.17g, so it skips printf. */
static void put_real(text_buf *b, double v)
{
    char tmp[40];
    if (v == trunc(v) && fabs(v) < 1e17) {
        char *end = tmp + sizeof tmp;
        *--end = '0';
        *--end = '.';
        char *s = digits((uint64_t)fabs(v), end);
        if (signbit(v))
            *--s = '-';
        put(b, s, (size_t)(tmp + sizeof tmp - s));
        return;
    }
    size_t fast = format_g17(fabs(v), tmp + 1);
    if (fast) {
        tmp[0] = '-';
        put(b, signbit(v) ? tmp : tmp + 1, fast + (signbit(v) ? 1 : 0));
        return;
    }
    int n = snprintf(tmp, sizeof tmp - 3, "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof tmp - 3) {
        b->failed = true;
        return;
    }
    size_t len = (size_t)n;
    char *e = memchr(tmp, 'e', len);
    if (!e && !memchr(tmp, '.', len)) {
        memcpy(tmp + len, ".0", 3);
        len += 2;
    }
    if (e) {
        char *from = e + 1, *to = e + 1;
        if (*from == '-')
            *to++ = *from++;
        else if (*from == '+')
            from++;
        while (*from == '0' && from[1])
            from++;
        size_t rest = len - (size_t)(from - tmp);
        memmove(to, from, rest);
        len = (size_t)(to - tmp) + rest;
    }
    put(b, tmp, len);
}

static void put_value(text_buf *b, const json_t *v, int depth)
{
    if (depth > JSON_TEXT_MAX_DEPTH) {
        b->failed = true;
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        put_char(b, '{');
        bool first = true;
        for (void *it = json_object_iter((json_t *)v); it && !b->failed;
             it = json_object_iter_next((json_t *)v, it)) {
            if (!first)
                put_char(b, ',');
            first = false;
            put_string(b, json_object_iter_key(it), json_object_iter_key_len(it));
            put_char(b, ':');
            put_value(b, json_object_iter_value(it), depth + 1);
        }
        put_char(b, '}');
        break;
    }
    case JSON_ARRAY: {
        put_char(b, '[');
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n && !b->failed; i++) {
            if (i)
                put_char(b, ',');
            put_value(b, json_array_get(v, i), depth + 1);
        }
        put_char(b, ']');
        break;
    }
    case JSON_STRING:
        put_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        put_integer(b, json_integer_value(v));
        break;
    case JSON_REAL:
        put_real(b, json_real_value(v));
        break;
    case JSON_TRUE:
        put(b, "true", 4);
        break;
    case JSON_FALSE:
        put(b, "false", 5);
        break;
    case JSON_NULL:
        put(b, "null", 4);
        break;
    }
}

char *json_text(const json_t *v, size_t *len)
{
    if (!v)
        return NULL;
    text_buf b = {0};
    put_value(&b, v, 0);
    if (!reserve(&b, 0)) {
        free(b.p);
        return NULL;
    }
    b.p[b.len] = '\0';
    if (len)
        *len = b.len;
    return b.p;
}
