/* clock.c — see clock.h. */
#include "clock.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "basin/error.h"

int64_t clock_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes v as exactly n decimal digits ending just before end; returns the start. */
static char *put_digits(char *end, int v, int n)
{
    while (n-- > 0) {
        *--end = (char)('0' + v % 10);
        v /= 10;
    }
    return end;
}

void clock_format_rfc3339(int64_t ms, char *buf, size_t cap)
{
    time_t sec = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    int year = tm.tm_year + 1900;
    if (ms < 0 || year > 9999 || cap < 25) { /* the rare forms: printf's */
        snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
        return;
    }
    /* YYYY-MM-DDTHH:MM:SS.mmmZ by hand: every job rendered writes four of these. */
    memcpy(buf, "0000-00-00T00:00:00.000Z", 25);
    put_digits(buf + 4, year, 4);
    put_digits(buf + 7, tm.tm_mon + 1, 2);
    put_digits(buf + 10, tm.tm_mday, 2);
    put_digits(buf + 13, tm.tm_hour, 2);
    put_digits(buf + 16, tm.tm_min, 2);
    put_digits(buf + 19, tm.tm_sec, 2);
    put_digits(buf + 23, (int)(ms % 1000), 3);
}

/* Reads `n` digits at s (no sign, no space): 0 and *out, or -1. */
static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

int clock_parse_rfc3339(const char *s, int64_t *ms)
{
    /* RFC 3339 §5.6: YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM), every field exactly its
     * digits; §5.7: the day within its month. */
    int Y, M, D, h, m, sec;
    if (strlen(s) < 20 || digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) || s[7] != '-' ||
        digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) ||
        s[13] != ':' || digits(s + 14, 2, &m) || s[16] != ':' || digits(s + 17, 2, &sec))
        return BASIN_EINVAL;
    if (Y < 1970 || M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M) || h > 23 || m > 59 ||
        sec > 60)
        return BASIN_EINVAL;
    const char *p = s + 19;
    int frac_ms = 0;
    if (*p == '.') {
        int n = 0;
        p++;
        while (isdigit((unsigned char)*p)) {
            if (n < 3)
                frac_ms = frac_ms * 10 + (*p - '0');
            n++;
            p++;
        }
        if (n == 0)
            return BASIN_EINVAL;
        for (; n < 3; n++)
            frac_ms *= 10;
    }
    int offset_min = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return BASIN_EINVAL;
        offset_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return BASIN_EINVAL;
    }
    if (*p)
        return BASIN_EINVAL;
    struct tm tm = {.tm_year = Y - 1900,
                    .tm_mon = M - 1,
                    .tm_mday = D,
                    .tm_hour = h,
                    .tm_min = m,
                    .tm_sec = sec};
    time_t t = timegm(&tm);
    *ms = ((int64_t)t - offset_min * 60) * 1000 + frac_ms;
    return 0;
}
