/*
 * error.h — the one error enum of basin.
 *
 * Every fallible function returns int: 0 (BASIN_OK) on success or one of the negative
 * codes below. Out-parameters are written only on success.
 */
#ifndef BASIN_ERROR_H
#define BASIN_ERROR_H

typedef enum basin_err {
    BASIN_OK = 0,
    BASIN_ENOMEM = -1,     /* an allocation failed */
    BASIN_EINVAL = -2,     /* invalid argument or parameters */
    BASIN_ENOTFOUND = -3,  /* no such job, model or artifact */
    BASIN_ECONFLICT = -4,  /* the object is in the wrong state for this operation */
    BASIN_EFENCED = -5,    /* the run's lease was taken over: its writes are refused */
    BASIN_EDB = -6,        /* the database failed */
    BASIN_EBUSY = -7,      /* the database stayed locked beyond the busy timeout */
    BASIN_ECANCELLED = -8, /* the run stopped because it was asked to */
    BASIN_EDIVERGED = -9,  /* the numerics blew up (NaN, overflow, divergence) */
    BASIN_ETIMEOUT = -10,  /* the job ran past its timeout */
    BASIN_EIO = -11,       /* reading or writing a file failed */
    BASIN_ELIMIT = -12,    /* a resource limit would be exceeded */
    BASIN_ESCHEMA = -13,   /* the database was written by a newer basin */
    BASIN_ESHUTDOWN = -14, /* the service is shutting down */
    BASIN_EFULL = -15,     /* the database reached its size limit or the disk is full */
} basin_err;

/* A static, human-readable message for an error code; never NULL. */
const char *basin_strerror(int code);

/* A short stable machine name for an error code ("not_found", ...); never NULL. */
const char *basin_errname(int code);

#endif
