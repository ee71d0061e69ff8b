/* npy.c — see npy.h. */
#include "npy.h"

#include <stdio.h>
#include <string.h>

#include "basin/error.h"

size_t npy_header(char *buf, size_t cap, const char *descr, int ndim, const int64_t *shape)
{
    char dict[256];
    int n =
        snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    for (int d = 0; d < ndim && n < (int)sizeof dict; d++)
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%lld,%s", (long long)shape[d],
                      d + 1 < ndim ? " " : "");
    if (n >= (int)sizeof dict - 4)
        return 0;
    n += snprintf(dict + n, sizeof dict - (size_t)n, "), }");
    /* magic(6) + version(2) + length(2) + dict + padding + '\n' ≡ 0 (mod 64) */
    size_t total = 10 + (size_t)n + 1;
    size_t padded = (total + 63) / 64 * 64;
    if (padded > cap)
        return 0;
    size_t hlen = padded - 10;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (char)(hlen & 0xff);
    buf[9] = (char)(hlen >> 8);
    memcpy(buf + 10, dict, (size_t)n);
    memset(buf + 10 + n, ' ', padded - total);
    buf[padded - 1] = '\n';
    return padded;
}

int npy_write_file(const char *path, const char *descr, int ndim, const int64_t *shape,
                   const void *data, size_t nbytes)
{
    char header[512];
    size_t hlen = npy_header(header, sizeof header, descr, ndim, shape);
    FILE *f = hlen ? fopen(path, "wb") : NULL;
    if (!f)
        return BASIN_EIO;
    int ok = fwrite(header, 1, hlen, f) == hlen && fwrite(data, 1, nbytes, f) == nbytes;
    ok = (fclose(f) == 0) && ok;
    return ok ? 0 : BASIN_EIO;
}
