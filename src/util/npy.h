/*
 * npy.h — NPY format version 1.0 (numpy.lib.format): a magic string, a little-endian
 * uint16 header length, a Python-literal dict header padded with spaces to a multiple
 * of 64 bytes and ended by '\n', then the raw row-major data.
 */
#ifndef BASIN_UTIL_NPY_H
#define BASIN_UTIL_NPY_H

#include <stddef.h>
#include <stdint.h>

/* Writes the header for an array of `descr` ("<f8") and shape into buf (cap ≥ 256 for
 * any ndim ≤ 8); returns its length, or 0 when it does not fit. */
size_t npy_header(char *buf, size_t cap, const char *descr, int ndim, const int64_t *shape);

/* Writes header + data to the file at path; 0 or BASIN_EIO. */
int npy_write_file(const char *path, const char *descr, int ndim, const int64_t *shape,
                   const void *data, size_t nbytes);

#endif
