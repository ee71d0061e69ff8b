/*
 * test_util.c — ids, clocks and NPY files (src/util/).
 *
 * References:
 *   ulid   the ULID specification (github.com/ulid/spec): 48-bit big-endian millisecond
 *          time then 80 random bits, Crockford base32 (no I, L, O, U), 26 characters,
 *          first character at most '7'; its example id 01ARZ3NDEKTSV4RRFFQ69G5FAV.
 *   clock  RFC 3339 §5.6 (grammar) and §5.7 (field ranges); epoch values checked against
 *          GNU date (`date -u -d '2024-02-29T12:00:00Z' +%s` = 1709208000).
 *   npy    the NPY 1.0 format of numpy.lib.format, and NumPy itself (Debian python3-numpy,
 *          /usr/bin/python3) as the reference reader: it must load our files exactly.
 *   json   jansson's own json_dumps(JSON_COMPACT | JSON_ENCODE_ANY): json_text must write
 *          the same bytes for any value, tested on seeded random trees.
 */
#include <check.h>
#include <ftw.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basin/error.h"
#include "util/clock.h"
#include "util/json_text.h"
#include "util/base64url.h"
#include "util/npy.h"
#include "util/sha256.h"
#include "util/ulid.h"

/* ---- fixture: a scratch directory for files ------------------------------------------ */

static char base_dir[256];
static char tmp_dir[512];

static void tmp_setup(void)
{
    snprintf(tmp_dir, sizeof tmp_dir, "%s/t.XXXXXX", base_dir);
    ck_assert_msg(mkdtemp(tmp_dir) != NULL, "mkdtemp %s failed", tmp_dir);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void tmp_teardown(void)
{
    nftw(tmp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- ulid ----------------------------------------------------------------------------- */

/* Decodes the first 10 Crockford base32 digits: 50 bits, the top 2 zero, then the 48-bit
 * millisecond time. -1 on an invalid digit. */
static int64_t ulid_time_ms(const char *id)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    int64_t t = 0;
    for (int i = 0; i < 10; i++) {
        const char *p = strchr(alphabet, id[i]);
        if (!p || !*p)
            return -1;
        t = t * 32 + (p - alphabet);
    }
    return t;
}

START_TEST(test_ulid_shape)
{
    char id[ULID_LEN + 1];
    ulid_new(id);
    ck_assert_uint_eq(strlen(id), 26);
    ck_assert_msg(ulid_valid(id), "ulid_new gave an invalid id %s", id);
}
END_TEST

START_TEST(test_ulid_strictly_increasing)
{
    enum { N = 10000 };
    static char ids[N][ULID_LEN + 1];
    for (int i = 0; i < N; i++)
        ulid_new(ids[i]);
    int same_ms = 0;
    for (int i = 0; i < N; i++) {
        ck_assert_msg(ulid_valid(ids[i]), "id %d invalid: %s", i, ids[i]);
        if (i > 0 && memcmp(ids[i - 1], ids[i], 10) == 0)
            same_ms++;
        if (i > 0)
            ck_assert_msg(strcmp(ids[i - 1], ids[i]) < 0, "id %d (%s) not above %s", i, ids[i],
                          ids[i - 1]);
    }
    /* The burst must have produced ids inside one millisecond, or it tested nothing. */
    ck_assert_int_gt(same_ms, 0);
}
END_TEST

START_TEST(test_ulid_time_prefix)
{
    for (int k = 0; k < 50; k++) {
        int64_t before = clock_wall_ms();
        char id[ULID_LEN + 1];
        ulid_new(id);
        int64_t after = clock_wall_ms();
        int64_t t = ulid_time_ms(id);
        /* An id carries the clock at its making, never an earlier time; inside one
         * process it may run ahead of the clock only by the increments of one millisecond
         * (5 ms covers that). Bracketed by the two reads, however slow the machine is. */
        ck_assert_int_ge(t, before);
        ck_assert_int_le(t, after + 5);
    }
}
END_TEST

typedef struct ulid_thread {
    char (*ids)[ULID_LEN + 1];
    int n;
} ulid_thread;

static void *ulid_run(void *arg)
{
    ulid_thread *t = arg;
    for (int i = 0; i < t->n; i++)
        ulid_new(t->ids[i]);
    return NULL;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

START_TEST(test_ulid_unique_across_threads)
{
    enum { THREADS = 4, PER = 2000 };
    static char ids[THREADS * PER][ULID_LEN + 1];
    pthread_t th[THREADS];
    ulid_thread args[THREADS];
    for (int t = 0; t < THREADS; t++) {
        args[t] = (ulid_thread){.ids = ids + t * PER, .n = PER};
        ck_assert_int_eq(pthread_create(&th[t], NULL, ulid_run, &args[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    qsort(ids, THREADS * PER, sizeof ids[0], cmp_id);
    for (int i = 1; i < THREADS * PER; i++)
        ck_assert_msg(strcmp(ids[i - 1], ids[i]) != 0, "duplicate id %s", ids[i]);
}
END_TEST

START_TEST(test_ulid_valid_accepts_spec_examples)
{
    ck_assert(ulid_valid("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
    ck_assert(ulid_valid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ")); /* the largest ULID */
    ck_assert(ulid_valid("00000000000000000000000000"));
}
END_TEST

START_TEST(test_ulid_valid_rejects)
{
    static const char *const bad[] = {
        "",
        "01ARZ3NDEKTSV4RRFFQ69G5FA",   /* 25 characters */
        "01ARZ3NDEKTSV4RRFFQ69G5FAVX", /* 27 characters */
        "01arz3ndektsv4rrffq69g5fav",  /* lower case */
        "01ARZ3NDEKTSV4RRFFQ69G5FAv",  /* one lower-case letter */
        "01ARZ3NDEKTSV4RRFFQ69G5FAI",  /* I, L, O, U are not Crockford digits */
        "01ARZ3NDEKTSV4RRFFQ69G5FAL",
        "01ARZ3NDEKTSV4RRFFQ69G5FAO",
        "01ARZ3NDEKTSV4RRFFQ69G5FAU",
        "01ARZ3NDEKTSV4RRFFQ69G5FA-",
        "01ARZ3NDEKTSV4RRFFQ69G5FA ",
        "80000000000000000000000000", /* above 2^128 - 1 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!ulid_valid(bad[i]), "ulid_valid accepted \"%s\"", bad[i]);
    ck_assert(!ulid_valid(NULL));
}
END_TEST

/* ---- clock ---------------------------------------------------------------------------- */

START_TEST(test_clock_format_known_values)
{
    static const struct {
        int64_t ms;
        const char *text;
    } cases[] = {
        {0, "1970-01-01T00:00:00.000Z"},
        {1700000000000LL, "2023-11-14T22:13:20.000Z"},
        {1709208000123LL, "2024-02-29T12:00:00.123Z"},
        {253402300799999LL, "9999-12-31T23:59:59.999Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        clock_format_rfc3339(cases[i].ms, buf, sizeof buf);
        ck_assert_str_eq(buf, cases[i].text);
    }
}
END_TEST

START_TEST(test_clock_round_trip)
{
    const int64_t values[] = {0,
                              1,
                              999,
                              1000,
                              86399999,
                              951782400000LL, /* 2000-02-29 */
                              1709208000123LL,
                              253402300799999LL,
                              clock_wall_ms()};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char buf[32];
        clock_format_rfc3339(values[i], buf, sizeof buf);
        ck_assert_uint_eq(strlen(buf), 24);
        int64_t back = -1;
        ck_assert_msg(clock_parse_rfc3339(buf, &back) == 0, "cannot parse %s", buf);
        ck_assert_msg(back == values[i], "%s parsed as %lld, want %lld", buf, (long long)back,
                      (long long)values[i]);
    }
}
END_TEST

START_TEST(test_clock_parse_offsets_and_fractions)
{
    static const struct {
        const char *text;
        int64_t ms;
    } cases[] = {
        {"2024-02-29T12:00:00Z", 1709208000000LL},
        {"2024-02-29T12:00:00z", 1709208000000LL},
        {"2024-02-29T12:00:00+00:00", 1709208000000LL},
        {"2024-02-29T12:00:00-00:00", 1709208000000LL},
        {"2024-02-29T14:00:00+02:00", 1709208000000LL},
        {"2024-02-29T14:30:00+02:30", 1709208000000LL},
        {"2024-02-29T07:00:00-05:00", 1709208000000LL},
        {"2024-03-01T01:00:00+13:00", 1709208000000LL}, /* across a day and a leap day */
        {"2024-02-29T12:00:00.5Z", 1709208000500LL},
        {"2024-02-29T12:00:00.05Z", 1709208000050LL},
        {"2024-02-29T12:00:00.123Z", 1709208000123LL},
        {"2024-02-29T12:00:00.123999999Z", 1709208000123LL}, /* below 1 ms: truncated */
        {"2024-02-29T14:00:00.250+02:00", 1709208000250LL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t ms = -1;
        ck_assert_msg(clock_parse_rfc3339(cases[i].text, &ms) == 0, "rejected %s", cases[i].text);
        ck_assert_msg(ms == cases[i].ms, "%s parsed as %lld, want %lld", cases[i].text,
                      (long long)ms, (long long)cases[i].ms);
    }
}
END_TEST

/* Every string must be refused with BASIN_EINVAL and *ms left alone; the failure message
 * lists all the strings that were accepted. */
static void assert_rejected(const char *const *bad, size_t n)
{
    char accepted[2048] = "";
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t ms = 12345;
        int rc = clock_parse_rfc3339(bad[i], &ms);
        if (rc != BASIN_EINVAL || ms != 12345)
            len += (size_t)snprintf(accepted + len, sizeof accepted - len,
                                    " \"%s\" (rc %d, ms %lld);", bad[i], rc, (long long)ms);
        if (len >= sizeof accepted)
            break;
    }
    ck_assert_msg(accepted[0] == '\0', "accepted:%s", accepted);
}

START_TEST(test_clock_parse_rejects_malformed)
{
    static const char *const bad[] = {
        "",
        "2024-02-29",
        "2024-02-29T12:00:00",        /* no offset */
        "2024-02-29T12:00Z",          /* no seconds */
        "2024-02-29T12:00:00.Z",      /* fraction without digits */
        "2024-02-29T12:00:00Zjunk",   /* trailing text */
        "2024-02-29T12:00:00+0200",   /* offset without colon */
        "2024-02-29T12:00:00+02",     /* offset without minutes */
        "2024-2-29T12:00:00Z",        /* one-digit month */
        "24-02-29T12:00:00Z",         /* two-digit year */
        "abcd-02-29T12:00:00Z",       /* not a number */
        "2024/02/29T12:00:00Z",       /* wrong separators */
        "2024-02-29T12:00:00 Z",      /* space before the offset */
        "2024-02-29T12:00:00+02:00 ", /* trailing space */
    };
    assert_rejected(bad, sizeof bad / sizeof bad[0]);
}
END_TEST

/* RFC 3339 §5.7: month 01-12, hour 00-23, minute 00-59, second 00-60, and the day of the
 * month bounded by the month (Feb: 28, or 29 in leap years; Apr, Jun, Sep, Nov: 30). */
START_TEST(test_clock_parse_rejects_out_of_range)
{
    static const char *const bad[] = {
        "2024-00-10T12:00:00Z", "2024-13-10T12:00:00Z", "2024-01-00T12:00:00Z",
        "2024-01-32T12:00:00Z", "2024-01-10T24:00:00Z", "2024-01-10T12:60:00Z",
        "2024-01-10T12:00:61Z", "2023-02-29T12:00:00Z", /* 2023 is not a leap year */
        "2024-02-30T12:00:00Z", "2024-04-31T12:00:00Z",
    };
    assert_rejected(bad, sizeof bad / sizeof bad[0]);
}
END_TEST

/* RFC 3339 §5.6: every numeric field is exactly its number of DIGITs: no sign, no space. */
START_TEST(test_clock_parse_rejects_non_digit_fields)
{
    static const char *const bad[] = {
        "2024-02-29T-1:00:00Z",      /* negative hour */
        "2024-02-29T12:-5:00Z",      /* negative minute */
        "2024-02-29T12:00:+5Z",      /* signed second */
        "2024-02-29T 1:00:00Z",      /* space-padded hour */
        "2024-02- 9T12:00:00Z",      /* space-padded day */
        "2024-02-29T12:00:00+-2:00", /* signed offset hour */
        "2024-02-29T12:00:00+ 2:00", /* space-padded offset hour */
    };
    assert_rejected(bad, sizeof bad / sizeof bad[0]);
}
END_TEST

/* ---- npy ------------------------------------------------------------------------------ */

static void check_header(const char *buf, size_t len, const char *descr)
{
    ck_assert_uint_gt(len, 0);
    ck_assert_uint_eq(len % 64, 0);
    ck_assert_mem_eq(buf, "\x93NUMPY", 6);
    ck_assert_int_eq((unsigned char)buf[6], 1); /* version 1.0 */
    ck_assert_int_eq((unsigned char)buf[7], 0);
    size_t hlen = (unsigned char)buf[8] | (size_t)(unsigned char)buf[9] << 8;
    ck_assert_uint_eq(hlen, len - 10);
    ck_assert_int_eq(buf[len - 1], '\n');
    ck_assert_int_eq(buf[10], '{');
    char want[64];
    snprintf(want, sizeof want, "'descr': '%s'", descr);
    char text[512];
    ck_assert_uint_lt(len, sizeof text);
    memcpy(text, buf, len);
    text[len] = '\0';
    ck_assert_msg(strstr(text + 10, want) != NULL, "no %s in %s", want, text + 10);
    ck_assert_ptr_nonnull(strstr(text + 10, "'fortran_order': False"));
    /* Between the closing brace and the newline only spaces. */
    const char *close = strrchr(text + 10, '}');
    ck_assert_ptr_nonnull(close);
    for (const char *p = close + 1; p < text + len - 1; p++)
        ck_assert_int_eq(*p, ' ');
}

START_TEST(test_npy_header_layout)
{
    char buf[256];
    const int64_t shape2[] = {2, 3};
    size_t len = npy_header(buf, sizeof buf, "<f8", 2, shape2);
    check_header(buf, len, "<f8");
    ck_assert_ptr_nonnull(strstr(buf + 10, "'shape': (2, 3"));

    const int64_t shape1[] = {5};
    len = npy_header(buf, sizeof buf, "|i1", 1, shape1);
    check_header(buf, len, "|i1");
    ck_assert_ptr_nonnull(strstr(buf + 10, "'shape': (5,)"));
}
END_TEST

START_TEST(test_npy_header_limits)
{
    /* The contract: cap >= 256 fits any ndim <= 8, even with 19-digit dimensions. */
    char buf[256];
    int64_t big[8];
    for (int d = 0; d < 8; d++)
        big[d] = INT64_MAX;
    size_t len = npy_header(buf, sizeof buf, "<f8", 8, big);
    check_header(buf, len, "<f8");
    ck_assert_uint_gt(len, 64); /* the padding grows by whole 64-byte blocks */

    /* Too small a buffer: 0, not a truncated header. */
    const int64_t shape2[] = {2, 3};
    ck_assert_uint_eq(npy_header(buf, 63, "<f8", 2, shape2), 0);
}
END_TEST

static bool numpy_available(void)
{
    return system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
}

/* Runs a NumPy check of `path`: loads it with numpy.load and with numpy.lib.format's header
 * reader, and compares dtype, shape, the bytes (hex) and the values (a Python literal). */
static void numpy_check(const char *path, const char *dtype, const char *shape, const void *data,
                        size_t nbytes, const char *values)
{
    char hex[1024] = "";
    ck_assert_uint_lt(2 * nbytes, sizeof hex);
    for (size_t i = 0; i < nbytes; i++)
        snprintf(hex + 2 * i, 3, "%02x", ((const unsigned char *)data)[i]);
    static const char script[] = "import sys, numpy\n"
                                 "path, dtype, shape, hexdata, values = sys.argv[1:]\n"
                                 "with open(path, 'rb') as f:\n"
                                 "    assert numpy.lib.format.read_magic(f) == (1, 0)\n"
                                 "    s, fortran, dt = numpy.lib.format.read_array_header_1_0(f)\n"
                                 "    assert f.tell() % 64 == 0, f.tell()\n"
                                 "    assert not fortran\n"
                                 "a = numpy.load(path, allow_pickle=False)\n"
                                 "assert a.dtype == numpy.dtype(dtype), a.dtype\n"
                                 "assert a.shape == eval(shape), a.shape\n"
                                 "assert a.tobytes() == bytes.fromhex(hexdata), a.tobytes().hex()\n"
                                 "assert a.tolist() == eval(values), a.tolist()\n";
    char cmd[4096];
    int len = snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c \"%s\" '%s' '%s' '%s' %s '%s'", script,
                       path, dtype, shape, hex, values);
    ck_assert_int_lt(len, (int)sizeof cmd);
    int status = system(cmd);
    ck_assert_msg(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "NumPy rejected %s (status %d)", path, status);
}

START_TEST(test_npy_numpy_reads_back)
{
    if (!numpy_available()) {
        printf("note: /usr/bin/python3 cannot import numpy; NPY reference check skipped\n");
        return;
    }
    char path[600];

    const double f64[6] = {1.5, -2.25, 0.1, 1e300, -0.0, 3.141592653589793};
    const int64_t shape_f64[] = {2, 3};
    snprintf(path, sizeof path, "%s/f64.npy", tmp_dir);
    ck_assert_int_eq(npy_write_file(path, "<f8", 2, shape_f64, f64, sizeof f64), 0);
    numpy_check(path, "<f8", "(2, 3)", f64, sizeof f64,
                "[[1.5, -2.25, 0.1], [1e300, -0.0, 3.141592653589793]]");

    const int8_t i8[5] = {-128, -1, 0, 1, 127};
    const int64_t shape_i8[] = {5};
    snprintf(path, sizeof path, "%s/i8.npy", tmp_dir);
    ck_assert_int_eq(npy_write_file(path, "|i1", 1, shape_i8, i8, sizeof i8), 0);
    numpy_check(path, "|i1", "(5,)", i8, sizeof i8, "[-128, -1, 0, 1, 127]");
}
END_TEST

START_TEST(test_npy_write_file_bad_path)
{
    const double x = 1.0;
    const int64_t shape[] = {1};
    char path[600];
    snprintf(path, sizeof path, "%s/missing/dir/x.npy", tmp_dir);
    ck_assert_int_eq(npy_write_file(path, "<f8", 1, shape, &x, sizeof x), BASIN_EIO);
}
END_TEST

/* ---- sha256 and base64url ----------------------------------------------------------- */

START_TEST(test_sha256_fips_vectors)
{
    /* FIPS 180-4 examples (NIST CSRC "SHA256.pdf"): "", "abc", and the two-block
     * 448-bit message; plus a 1 000 000 × 'a' message, the long-message vector. */
    char hex[65];
    sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_hex(m, strlen(m), hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    sha256_hex(a, 1000000, hex);
    free(a);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

START_TEST(test_base64url_round_trip)
{
    /* RFC 4648 §10 vectors, in the URL alphabet without padding. */
    const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *want[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        char enc[32], dec[32];
        ck_assert_uint_eq(base64url_encode(in[i], strlen(in[i]), enc, sizeof enc), strlen(want[i]));
        ck_assert_str_eq(enc, want[i]);
        long n = base64url_decode(enc, dec, sizeof dec);
        ck_assert_int_eq(n, (long)strlen(in[i]));
        ck_assert(memcmp(dec, in[i], (size_t)n) == 0);
    }
    unsigned char bytes[3] = {0xfb, 0xff, 0xfe};
    char enc[8];
    base64url_encode(bytes, 3, enc, sizeof enc);
    ck_assert_str_eq(enc, "-__-");
    char dec[8];
    ck_assert_int_eq(base64url_decode("a+b/", dec, sizeof dec), -1);  /* standard alphabet */
    ck_assert_int_eq(base64url_decode("abcde", dec, sizeof dec), -1); /* impossible length */
}
END_TEST

/* ---- json_text: the same bytes as jansson --------------------------------------------- */

static uint64_t json_rng = 0x9e3779b97f4a7c15u;

static uint64_t json_next(void)
{
    /* xorshift64*: a fixed sequence, so a failure names a reproducible case */
    json_rng ^= json_rng >> 12;
    json_rng ^= json_rng << 25;
    json_rng ^= json_rng >> 27;
    return json_rng * 2685821657736338717u;
}

/* A string mixing ASCII, every control byte, quotes, backslashes and multi-byte UTF-8. */
static json_t *random_string(void)
{
    static const char *const pieces[] = {"a",  "Z",  "\"", "\\",   "/",    "\b",          "\f",
                                         "\n", "\r", "\t", "\x01", "\x1f", "\x7f",        "é",
                                         "€",  "𝄞",  " ",  "0",    "}",    "\xe2\x80\xa8"};
    char buf[128] = "";
    size_t n = json_next() % 12, len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = pieces[json_next() % (sizeof pieces / sizeof pieces[0])];
        size_t l = strlen(p);
        memcpy(buf + len, p, l);
        len += l;
    }
    return json_stringn(buf, len);
}

/* Reals from every regime %.17g has: integral, tiny, huge, subnormal, negative zero, and
 * arbitrary bit patterns (NaN and infinity are not JSON and jansson refuses them). */
static double random_real(void)
{
    static const double fixed[] = {0.0,
                                   -0.0,
                                   1.0,
                                   -1.0,
                                   0.1,
                                   0.01,
                                   1e16,
                                   1e17,
                                   9.999999999999998e16,
                                   1e-5,
                                   1e-4,
                                   1e21,
                                   1e100,
                                   -1e-300,
                                   5e-324,
                                   1.7976931348623157e308,
                                   4503599627370496.5,
                                   123456789.125,
                                   7.0710678118654755};
    uint64_t r = json_next();
    switch (r % 4) {
    case 0:
        return fixed[(r >> 8) % (sizeof fixed / sizeof fixed[0])];
    case 1:
        return (double)(int64_t)(json_next() % 2000001) - 1e6;
    case 2:
        return ldexp((double)(json_next() >> 11), (int)((r >> 8) % 200) - 150);
    default: {
        double d;
        uint64_t bits = json_next();
        memcpy(&d, &bits, sizeof d);
        return isfinite(d) ? d : 0.5;
    }
    }
}

static json_t *random_value(int depth)
{
    uint64_t r = json_next() % (depth > 4 ? 6 : 8);
    switch (r) {
    case 0:
        return json_null();
    case 1:
        return json_boolean(json_next() & 1);
    case 2: {
        static const json_int_t edge[] = {0, -1, 1, INT64_MAX, INT64_MIN, 1000000007};
        return json_integer(json_next() & 1 ? edge[json_next() % 6] : (json_int_t)json_next());
    }
    case 3:
        return json_real(random_real());
    case 4:
    case 5:
        return random_string();
    case 6: {
        json_t *a = json_array();
        for (size_t i = json_next() % 6; i > 0; i--)
            json_array_append_new(a, random_value(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (size_t i = json_next() % 6; i > 0; i--) {
            json_t *key = random_string();
            json_object_set_new(o, json_string_value(key), random_value(depth + 1));
            json_decref(key);
        }
        return o;
    }
    }
}

START_TEST(test_json_text_matches_jansson)
{
    for (int i = 0; i < 20000; i++) {
        json_t *v = random_value(0);
        char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        size_t len = 0;
        char *got = json_text(v, &len);
        ck_assert_ptr_nonnull(want);
        ck_assert_ptr_nonnull(got);
        ck_assert_msg(strcmp(got, want) == 0, "case %d: json_text %s, jansson %s", i, got, want);
        ck_assert_uint_eq(len, strlen(want));
        free(want);
        free(got);
        json_decref(v);
    }
}
END_TEST

START_TEST(test_json_text_reals_match_printf)
{
    /* Reals in [1e-4, 2^53) are formatted without printf (exact 128-bit arithmetic,
     * rounding half to even); reference: jansson, i.e. glibc's "%.17g". The families
     * that can go wrong: every magnitude around the range's ends, short decimals,
     * odd multiples of powers of two (exact ties at the 17th digit), and the neighbours
     * of powers of ten (where ⌊log10⌋ is easy to get wrong). */
    long differ = 0;
    for (long i = 0; i < 120000; i++) {
        double v;
        switch (i % 5) {
        case 0:
            v = pow(10, -6 + 23 * ((double)(json_next() >> 11) * 0x1.0p-53));
            break;
        case 1:
            v = (double)(json_next() % 100000000) / pow(10, (double)(json_next() % 12));
            break;
        case 2:
            v = ldexp((double)((json_next() % (1ull << 40)) | 1), -(int)(json_next() % 70));
            break;
        case 3: {
            double p = pow(10, (double)((int)(json_next() % 22) - 5));
            v = json_next() % 3 == 0 ? p : nextafter(p, json_next() & 1 ? 0 : 1e300);
            break;
        }
        default:
            v = (double)(json_next() % 1000) / (double)(1 + json_next() % 999);
        }
        if (json_next() & 1)
            v = -v;
        json_t *r = json_real(v);
        char *want = json_dumps(r, JSON_ENCODE_ANY), *got = json_text(r, NULL);
        if (strcmp(want, got) != 0 && differ++ < 5)
            fprintf(stderr, "%a: jansson %s, json_text %s\n", v, want, got);
        free(want);
        free(got);
        json_decref(r);
    }
    ck_assert_int_eq(differ, 0);
}
END_TEST

START_TEST(test_json_text_known_forms)
{
    /* Spot checks that do not depend on jansson: the forms a client sees. */
    json_t *v = json_pack("{s:f, s:f, s:f, s:f, s:I, s:s}", "a", 1.0, "b", -0.0, "c", 1e20, "d",
                          1.5e-7, "e", (json_int_t)-42, "f", "q\"\\\n\x01");
    char *t = json_text(v, NULL);
    ck_assert_str_eq(t, "{\"a\":1.0,\"b\":-0.0,\"c\":1e20,\"d\":1.4999999999999999e-7,"
                        "\"e\":-42,\"f\":\"q\\\"\\\\\\n\\u0001\"}");
    free(t);
    json_decref(v);
    /* Nesting deeper than the limit is refused rather than overflowing the stack. */
    json_t *deep = json_array(), *cur = deep;
    for (int i = 0; i < JSON_TEXT_MAX_DEPTH + 2; i++) {
        json_t *next = json_array();
        json_array_append_new(cur, next);
        cur = next;
    }
    ck_assert_ptr_null(json_text(deep, NULL));
    json_decref(deep);
}
END_TEST

/* ---- runner --------------------------------------------------------------------------- */

static Suite *util_suite(void)
{
    Suite *s = suite_create("util");

    TCase *tc = tcase_create("ulid");
    tcase_add_test(tc, test_ulid_shape);
    tcase_add_test(tc, test_ulid_strictly_increasing);
    tcase_add_test(tc, test_ulid_time_prefix);
    tcase_add_test(tc, test_ulid_unique_across_threads);
    tcase_add_test(tc, test_ulid_valid_accepts_spec_examples);
    tcase_add_test(tc, test_ulid_valid_rejects);
    suite_add_tcase(s, tc);

    tc = tcase_create("clock");
    tcase_add_test(tc, test_clock_format_known_values);
    tcase_add_test(tc, test_clock_round_trip);
    tcase_add_test(tc, test_clock_parse_offsets_and_fractions);
    tcase_add_test(tc, test_clock_parse_rejects_malformed);
    tcase_add_test(tc, test_clock_parse_rejects_out_of_range);
    tcase_add_test(tc, test_clock_parse_rejects_non_digit_fields);
    suite_add_tcase(s, tc);

    tc = tcase_create("npy");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_npy_header_layout);
    tcase_add_test(tc, test_npy_header_limits);
    tcase_add_test(tc, test_npy_numpy_reads_back);
    tcase_add_test(tc, test_npy_write_file_bad_path);
    suite_add_tcase(s, tc);

    tc = tcase_create("hashing");
    tcase_add_test(tc, test_sha256_fips_vectors);
    tcase_add_test(tc, test_base64url_round_trip);
    suite_add_tcase(s, tc);

    tc = tcase_create("json_text");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_json_text_matches_jansson);
    tcase_add_test(tc, test_json_text_reals_match_printf);
    tcase_add_test(tc, test_json_text_known_forms);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(base_dir, sizeof base_dir, "%s/basin-test-util.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(base_dir)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    SRunner *sr = srunner_create(util_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    nftw(base_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
