/* SPDX-License-Identifier: Apache-2.0
 *
 * decode_bench.c — how long the decoder takes per marking: decodes N
 * synthetic markings (default 1,000,000) built from the kinds an import
 * carries (part numbers with date codes, bare date codes, calendar years,
 * headstamps, designations, serials, junk), with the context an import
 * passes, and prints microseconds per marking, for decoding alone and with
 * the JSON writer. Build against a non-sanitized library:
 *
 *   cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release && cmake --build build-rel --target remnant
 *   cc -O2 -std=c17 -Iinclude bench/decode_bench.c build-rel/libremnant.a \
 *      $(pkg-config --libs sqlite3 jansson libsodium) -lm -o decode_bench
 *   ./decode_bench [N]          (REMNANT_DATA=data if run outside the source tree)
 *   ./decode_bench N --baseline OLD_DATA_DIR
 *
 * Output: one line per measurement, "decode: N markings, T s, U us/marking"
 * (CPU seconds of this process). With --baseline, a second decoder is
 * loaded from OLD_DATA_DIR/rules (e.g. the rules of an earlier commit:
 * `git archive REV data/rules | tar -x -C /tmp/old`), both decode the same
 * markings in alternating rounds, and the last line is the ratio of the
 * current rules' time to the baseline's, measured in the same run.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, setenv, strdup */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "remnant/decode.h"

/* CPU time of this process: the machine may be shared, and wall time then
 * measures the neighbours too. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A deterministic generator, so runs compare. */
static unsigned long rng = 88172645463325252UL;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static size_t synth(char *buf, size_t cap)
{
    static const char *const parts[] = {"TPS54331DR", "STM32F103C8T6", "LM358N", "MC14051",
                                        "ATMEGA328P", "XC7Z020", "ADXL345", "MAX232CPE",
                                        "SI2302", "GRM188R71H104KA93D", "NEO-M8N", "IRF540N",
                                        "TMS320F28335", "CY7C68013A", "EP4CE6E22C8N", "W25Q64FV"};
    static const char *const other[] = {"112", "۱۴۰۲", "令和5年", "539 81", "LC 12", "9М723",
                                        "S/N 12345", "15.03.2022", "2024-W12", "Х-101",
                                        "ФАБ-500", "KN-23", "2?15", "hello"};
    switch (rnd(4)) {
    case 0:
    case 1:
        return (size_t)snprintf(buf, cap, "%s %02u%02u%s", parts[rnd(16)], rnd(25), 1 + rnd(52),
                                rnd(2) ? "A" : "");
    case 2:
        return (size_t)snprintf(buf, cap, "%02u%02u", rnd(25), 1 + rnd(52));
    default:
        return (size_t)snprintf(buf, cap, "%s", other[rnd(14)]);
    }
}

enum { POOL = 4096 };
static char pool[POOL][64];
static size_t lens[POOL];
static const char *const cats[] = {"ic", "missile-section", NULL, "cartridge"};

/* CPU seconds to decode n markings of the pool with d; -1 on an error. */
static double decode_run(const rn_decoder *d, long n, size_t *total)
{
    double t0 = now();
    for (long i = 0; i < n; i++) {
        int k = (int)(i % POOL);
        rn_decode_ctx ctx = {cats[i & 3], (i & 4) ? "RU" : NULL, NULL, 19905, 0};
        rn_candidates *cs = NULL;
        if (rn_decode_marking(d, pool[k], lens[k], &ctx, &cs, NULL) != RN_OK)
            return -1;
        *total += rn_candidates_count(cs);
        rn_candidates_free(cs);
    }
    return now() - t0;
}

/* Load a decoder from data_dir/rules (NULL: as the environment says). */
static rn_decoder *load(const char *data_dir)
{
    const char *was = getenv("REMNANT_DATA");
    char *saved = was ? strdup(was) : NULL;
    if (data_dir)
        setenv("REMNANT_DATA", data_dir, 1);
    rn_error err;
    rn_error_clear(&err);
    rn_decoder *d = NULL;
    double t0 = now();
    if (rn_decoder_load(NULL, 0, &d, &err)) {
        fprintf(stderr, "decode_bench: %s:%ld: %s\n", err.file, err.line, err.message);
        d = NULL;
    } else {
        printf("load%s%s: %zu rules, %.1f ms\n", data_dir ? " " : "", data_dir ? data_dir : "",
               rn_decoder_rule_count(d), (now() - t0) * 1e3);
    }
    if (saved)
        setenv("REMNANT_DATA", saved, 1);
    else if (data_dir)
        unsetenv("REMNANT_DATA");
    free(saved);
    return d;
}

/* --baseline: the same markings through both rule sets, alternating. */
static int compare(long n, const char *old_dir)
{
    rn_decoder *a = load(old_dir), *b = load(NULL);
    if (!a || !b) {
        rn_decoder_free(a);
        rn_decoder_free(b);
        return 1;
    }
    size_t total = 0;
    double ta = 0, tb = 0;
    enum { ROUNDS = 4 };
    for (int r = 0; r < ROUNDS; r++) {
        double x = decode_run(a, n / ROUNDS, &total), y = decode_run(b, n / ROUNDS, &total);
        if (x < 0 || y < 0)
            return 1;
        ta += x, tb += y;
    }
    long done = n / ROUNDS * ROUNDS;
    printf("baseline rules: %ld markings, %.3f s, %.2f us/marking\n", done, ta,
           ta * 1e6 / (double)done);
    printf("current rules:  %ld markings, %.3f s, %.2f us/marking\n", done, tb,
           tb * 1e6 / (double)done);
    printf("ratio current/baseline: %.2f (checksum %zu)\n", tb / ta, total);
    rn_decoder_free(a);
    rn_decoder_free(b);
    return 0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    if (n <= 0)
        n = 1000000;
    for (int i = 0; i < POOL; i++)
        lens[i] = synth(pool[i], sizeof pool[i]);
    if (argc > 3 && strcmp(argv[2], "--baseline") == 0)
        return compare(n, argv[3]);
    rn_decoder *d = load(NULL);
    if (!d)
        return 1;
    double t0;
    size_t total = 0;
    for (int pass = 0; pass < 2; pass++) {
        t0 = now();
        for (long i = 0; i < n; i++) {
            int k = (int)(i % POOL);
            rn_decode_ctx ctx = {cats[i & 3], (i & 4) ? "RU" : NULL, NULL, 19905, 0};
            rn_candidates *cs = NULL;
            if (rn_decode_marking(d, pool[k], lens[k], &ctx, &cs, NULL) != RN_OK)
                return 1;
            total += rn_candidates_count(cs);
            if (pass == 1) {
                char *json = NULL;
                size_t jl;
                if (rn_candidates_to_json(pool[k], lens[k], cs, &json, &jl) != RN_OK)
                    return 1;
                total += jl;
                rn_free(json);
            }
            rn_candidates_free(cs);
        }
        double t = now() - t0;
        printf("%s: %ld markings, %.3f s, %.2f us/marking\n", pass ? "decode+json" : "decode", n,
               t, t * 1e6 / (double)n);
    }
    printf("(checksum %zu)\n", total);
    rn_decoder_free(d);
    return 0;
}
