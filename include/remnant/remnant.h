/* SPDX-License-Identifier: Apache-2.0
 *
 * remnant.h — the common face of libremnant: result codes, error detail,
 * version. Every other public header includes this one.
 *
 * Ownership rule for the whole library: a function that returns a pointer
 * through an OUT parameter transfers ownership to the caller, who frees it
 * with the matching *_free() (or rn_free() for plain buffers). Inputs are
 * borrowed for the duration of the call only. Frees accept NULL.
 *
 * The library never prints and never exits: it returns an rn_code and, where
 * the caller passes an rn_error, fills in what went wrong and where.
 */
#ifndef REMNANT_REMNANT_H
#define REMNANT_REMNANT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RN_VERSION "0.1.0"

#if defined(__GNUC__) || defined(__clang__)
#define RN_NODISCARD __attribute__((warn_unused_result))
#define RN_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#define RN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RN_NODISCARD
#define RN_NONNULL(...)
#define RN_PRINTF(f, a)
#endif

/* One result enum for the whole library; 0 is success. */
typedef enum rn_code {
    RN_OK = 0,
    RN_ENOMEM,     /* allocation failed */
    RN_EINVAL,     /* a caller passed a bad argument */
    RN_EINPUT,     /* input data is malformed or violates the model */
    RN_ENOTFOUND,  /* a named record, file or key does not exist */
    RN_EEXISTS,    /* a record with that id already exists */
    RN_ECONSTRAINT,/* the change would break a reference or a rule */
    RN_EIO,        /* a file could not be read or written */
    RN_EDB,        /* the database reported an error */
    RN_EREADONLY,  /* the database or a file is read-only */
    RN_EBUSY,      /* the database is locked by another process */
    RN_ESCHEMA,    /* the database schema is newer than this program */
    RN_ECRYPTO,    /* a signature or hash did not verify */
    RN_ETAMPER,    /* stored evidence does not match its log */
    RN_ELIMIT,     /* an input exceeds a stated maximum */
    RN_EINTERRUPTED,/* the operation was cancelled */
    RN_CODE_COUNT_
} rn_code;

/* A short English phrase for a code; never NULL. */
const char *rn_strerror(rn_code code);

/* Where and what. Filled by functions that take an `rn_error *err` (which may
 * be NULL when the caller does not want detail). `file`, `line` and `field`
 * are set for input errors when known; `line` 0 and empty strings otherwise. */
#define RN_ERR_MSG_MAX 512
#define RN_ERR_PATH_MAX 256
#define RN_ERR_FIELD_MAX 64
typedef struct rn_error {
    rn_code code;
    long line;
    char file[RN_ERR_PATH_MAX];
    char field[RN_ERR_FIELD_MAX];
    char message[RN_ERR_MSG_MAX];
} rn_error;

/* Reset *err to "no error". */
void rn_error_clear(rn_error *err);

/* Find a reference data file (e.g. "demo/demo.jsonl") in, in order:
 * $REMNANT_DATA, the source tree's data/ (for uninstalled builds), and the
 * installed share/remnant. Writes the path into buf; RN_ENOTFOUND if none. */
RN_NODISCARD rn_code rn_data_file(const char *rel, char *buf, size_t cap);

/* Free a buffer that the library allocated and handed over. */
void rn_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
