/* SPDX-License-Identifier: Apache-2.0
 *
 * error.c — result codes, their phrases, and filling rn_error. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char *const phrases[RN_CODE_COUNT_] = {
    [RN_OK] = "success",
    [RN_ENOMEM] = "out of memory",
    [RN_EINVAL] = "invalid argument",
    [RN_EINPUT] = "invalid input",
    [RN_ENOTFOUND] = "not found",
    [RN_EEXISTS] = "already exists",
    [RN_ECONSTRAINT] = "constraint violated",
    [RN_EIO] = "input/output error",
    [RN_EDB] = "database error",
    [RN_EREADONLY] = "read-only",
    [RN_EBUSY] = "database is busy",
    [RN_ESCHEMA] = "database schema is newer than this program",
    [RN_ECRYPTO] = "signature or hash did not verify",
    [RN_ETAMPER] = "evidence does not match its log",
    [RN_ELIMIT] = "input exceeds a limit",
    [RN_EINTERRUPTED] = "interrupted",
};

const char *rn_strerror(rn_code code)
{
    if ((unsigned)code >= RN_CODE_COUNT_ || !phrases[code])
        return "unknown error";
    return phrases[code];
}

void rn_error_clear(rn_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

static rn_code fill(rn_error *err, rn_code code, const char *field,
                    const char *fmt, va_list ap)
{
    if (!err)
        return code;
    err->code = code;
    if (field) {
        size_t n = strlen(field);
        if (n >= sizeof err->field)
            n = sizeof err->field - 1;
        memcpy(err->field, field, n);
        err->field[n] = '\0';
    }
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return code;
}

rn_code rn__err(rn_error *err, rn_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fill(err, code, NULL, fmt, ap);
    va_end(ap);
    return code;
}

rn_code rn__err_field(rn_error *err, rn_code code, const char *field,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fill(err, code, field, fmt, ap);
    va_end(ap);
    return code;
}
