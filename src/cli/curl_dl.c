/* SPDX-License-Identifier: Apache-2.0
 *
 * curl_dl.c — libcurl, loaded when a network command first needs it.
 *
 * `remnant` speaks HTTP only to ask witnesses (witness_http.c, also from
 * `remnant serve`'s witness thread) and for `sync push|pull` (cmd_sync.c).
 * Linking libcurl made every start-up — `remnant --help`, `remnant show` —
 * load it and the dozen libraries it needs (TLS, SSH, LDAP, Kerberos,
 * HTTP/2, IDN...). So the binary is not linked with libcurl: this file
 * defines the few libcurl functions the CLI calls, each of which loads
 * libcurl.so.4 (dlopen) on first use and forwards to it. The callers are
 * plain libcurl code; curl's headers give the types.
 *
 * When libcurl cannot be loaded, the functions fail as libcurl does when
 * it cannot start (curl_easy_init() NULL, CURLE_FAILED_INIT), and one line
 * on standard error names the Debian package to install; cli_curl_missing()
 * gives the same text for error messages.
 *
 * Contracts: curl_easy_setopt() passes its third argument on as the type
 * libcurl reads for the option's range (long, object pointer, function
 * pointer, curl_off_t, blob pointer: CURLOPTTYPE_*), exactly as libcurl's
 * own curl_easy_setopt() reads it; curl_easy_getinfo()'s is always a
 * pointer. Loading happens once (pthread_once), so threads may race to the
 * first call. The library is never unloaded.
 */
#define CURL_DISABLE_TYPECHECK /* the type-checking macros would rename our definitions */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "witness_cli.h"

#define CURL_SONAME "libcurl.so.4"

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    char *(*easy_escape)(CURL *, const char *, int);
    void (*free)(void *);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static char missing[400];

/* dlsym's object pointer into a function pointer, as POSIX allows. */
static int sym(void *lib, const char *name, void *out, size_t size)
{
    void *p = dlsym(lib, name);
    if (!p)
        return -1;
    memcpy(out, &p, size);
    return 0;
}

#define SYM(lib, f) sym(lib, "curl_" #f, &fn.f, sizeof fn.f)

static void load(void)
{
    void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    const char *why = lib ? NULL : dlerror();
    if (lib && (SYM(lib, global_init) || SYM(lib, easy_init) || SYM(lib, easy_setopt) ||
                SYM(lib, easy_perform) || SYM(lib, easy_getinfo) || SYM(lib, easy_cleanup) ||
                SYM(lib, easy_strerror) || SYM(lib, easy_escape) || SYM(lib, free) ||
                SYM(lib, slist_append) || SYM(lib, slist_free_all)))
        why = "a function is missing from it (libcurl 7.85 or later is needed)";
    if (why) {
        snprintf(missing, sizeof missing, "libcurl (" CURL_SONAME ") could not be loaded:"
                 " %.200s; install the Debian package libcurl4 (apt-get install libcurl4)",
                 why);
        fprintf(stderr, "remnant: %s\n", missing);
        return;
    }
    loaded = 1;
}

static int ready(void)
{
    pthread_once(&once, load);
    return loaded;
}

const char *cli_curl_missing(void)
{
    return ready() ? NULL : missing;
}

CURLcode curl_global_init(long flags)
{
    return ready() ? fn.global_init(flags) : CURLE_FAILED_INIT;
}

CURL *curl_easy_init(void)
{
    return ready() ? fn.easy_init() : NULL;
}

CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
    va_list ap;
    CURLcode rc;
    if (!ready())
        return CURLE_FAILED_INIT;
    va_start(ap, opt);
    if (opt < CURLOPTTYPE_OBJECTPOINT)
        rc = fn.easy_setopt(h, opt, va_arg(ap, long));
    else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
        rc = fn.easy_setopt(h, opt, va_arg(ap, void *));
    else if (opt < CURLOPTTYPE_OFF_T)
        rc = fn.easy_setopt(h, opt, va_arg(ap, void (*)(void)));
    else if (opt < CURLOPTTYPE_BLOB)
        rc = fn.easy_setopt(h, opt, va_arg(ap, curl_off_t));
    else
        rc = fn.easy_setopt(h, opt, va_arg(ap, void *));
    va_end(ap);
    return rc;
}

CURLcode curl_easy_perform(CURL *h)
{
    return ready() ? fn.easy_perform(h) : CURLE_FAILED_INIT;
}

CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
    va_list ap;
    CURLcode rc;
    if (!ready())
        return CURLE_FAILED_INIT;
    va_start(ap, info);
    rc = fn.easy_getinfo(h, info, va_arg(ap, void *));
    va_end(ap);
    return rc;
}

void curl_easy_cleanup(CURL *h)
{
    if (ready())
        fn.easy_cleanup(h);
}

const char *curl_easy_strerror(CURLcode cc)
{
    return ready() ? fn.easy_strerror(cc) : missing;
}

char *curl_easy_escape(CURL *h, const char *s, int len)
{
    return ready() ? fn.easy_escape(h, s, len) : NULL;
}

void curl_free(void *p)
{
    if (ready())
        fn.free(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
    return ready() ? fn.slist_append(l, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *l)
{
    if (ready())
        fn.slist_free_all(l);
}
