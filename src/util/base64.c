/* base64.c — see base64.h. */
#include "base64.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

/* The 6-bit value of each character of either alphabet, -1 for every other byte. */
static signed char value_of[256];

static void init_values(void)
{
    const char *std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    memset(value_of, -1, sizeof value_of);
    for (int i = 0; i < 64; i++)
        value_of[(unsigned char)std[i]] = (signed char)i;
    value_of['-'] = 62;
    value_of['_'] = 63;
}

long base64_decode(const char *text, void *out, size_t cap)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_values);
    unsigned char *o = out;
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)text;
    for (; *p && *p != '='; p++) {
        int v = value_of[*p];
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= cap)
                return -1;
            o[n++] = (unsigned char)(acc >> bits);
        }
    }
    while (*p == '=')
        p++;
    return *p ? -1 : (long)n;
}
