/* base64url.c — see base64url.h. */
#include "base64url.h"

#include <stdint.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t base64url_encode(const void *data, size_t len, char *out, size_t cap)
{
    const uint8_t *in = data;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        size_t chunk = len - i < 3 ? len - i : 3;
        if (chunk > 1)
            v |= (uint32_t)in[i + 1] << 8;
        if (chunk > 2)
            v |= in[i + 2];
        if (n + chunk + 2 > cap)
            return 0;
        for (size_t k = 0; k <= chunk; k++)
            out[n++] = alphabet[(v >> (18 - 6 * k)) & 63];
    }
    out[n] = '\0';
    return n;
}

long base64url_decode(const char *text, void *out, size_t cap)
{
    uint8_t *o = out;
    size_t n = 0, len = strlen(text);
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        const char *p = strchr(alphabet, text[i]);
        if (!p || !text[i])
            return -1;
        acc = (acc << 6) | (uint32_t)(p - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= cap)
                return -1;
            o[n++] = (uint8_t)(acc >> bits);
        }
    }
    return len % 4 == 1 ? -1 : (long)n;
}
