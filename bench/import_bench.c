/* SPDX-License-Identifier: Apache-2.0
 *
 * import_bench.c — where the time of `remnant import` goes: the same
 * rn_import_file the CLI calls, once as it is and, for the split, once with
 * the evidence log's part taken out.
 *
 * Build (bench/run does this; the --wrap options are what make the split
 * possible without any switch in the library):
 *   cc -O2 -std=c17 -Iinclude -Ilib bench/import_bench.c build/libremnant.a \
 *      -Wl,--wrap=rn__ledger_append,--wrap=rn__ledger_seal \
 *      $(pkg-config --libs sqlite3 jansson libsodium ...) -lm -o import_bench
 * Run:
 *   import_bench DB FILE [--no-log] [--no-decode]
 *
 * DB must be a fresh `remnant init` database. With --no-log every call of
 * the log writer (rn__ledger_append, rn__ledger_seal) returns at once, as if
 * appending cost nothing: the rest of the import (parsing, validation,
 * references, records, search index, decoding, commit) runs unchanged. The
 * database it leaves has no log and is for measuring only: throw it away.
 * --no-decode is the CLI's option (markings stored without candidates).
 *
 * Output: one line "IMPORT records=N seconds=S log=on|off decode=on|off".
 * Time: CLOCK_MONOTONIC around open, import and close (close includes the
 * WAL checkpoint), not process start.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ledger/ledger_int.h"
#include "remnant/store.h"

static int no_log;

rn_code __real_rn__ledger_append(sqlite3 *db, rn_type type, const char *id, char op,
                                 const char *canon, size_t len, const char *author,
                                 const rn__ledger_prep *prep, rn_error *err);
rn_code __real_rn__ledger_seal(sqlite3 *db, const char *db_path, rn_error *err);
rn_code __wrap_rn__ledger_append(sqlite3 *db, rn_type type, const char *id, char op,
                                 const char *canon, size_t len, const char *author,
                                 const rn__ledger_prep *prep, rn_error *err);
rn_code __wrap_rn__ledger_seal(sqlite3 *db, const char *db_path, rn_error *err);

rn_code __wrap_rn__ledger_append(sqlite3 *db, rn_type type, const char *id, char op,
                                 const char *canon, size_t len, const char *author,
                                 const rn__ledger_prep *prep, rn_error *err)
{
    if (no_log)
        return RN_OK;
    return __real_rn__ledger_append(db, type, id, op, canon, len, author, prep, err);
}

rn_code __wrap_rn__ledger_seal(sqlite3 *db, const char *db_path, rn_error *err)
{
    if (no_log)
        return RN_OK;
    return __real_rn__ledger_seal(db, db_path, err);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int no_decode = 0;
    if (argc < 3) {
        fprintf(stderr, "usage: import_bench DB FILE [--no-log] [--no-decode]\n");
        return 2;
    }
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--no-log") == 0)
            no_log = 1;
        else if (strcmp(argv[i], "--no-decode") == 0)
            no_decode = 1;
        else {
            fprintf(stderr, "import_bench: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    rn_error err;
    rn_error_clear(&err);
    rn_store *s = NULL;
    rn_import_stats st;
    double t0 = now_s();
    if (rn_store_open(argv[1], 0, &s, &err) != RN_OK) {
        fprintf(stderr, "import_bench: %s: %s\n", argv[1], err.message);
        return 1;
    }
    if (no_decode)
        rn_store_set_decode(s, 0);
    if (rn_import_file(s, argv[2], NULL, &st, &err) != RN_OK) {
        fprintf(stderr, "import_bench: %s:%ld: %s\n", argv[2], err.line, err.message);
        rn_store_close(s);
        return 1;
    }
    rn_store_close(s);
    double t1 = now_s();
    printf("IMPORT records=%llu seconds=%.3f log=%s decode=%s\n",
           (unsigned long long)st.records, t1 - t0, no_log ? "off" : "on",
           no_decode ? "off" : "on");
    return 0;
}
