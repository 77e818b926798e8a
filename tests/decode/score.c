/* SPDX-License-Identifier: Apache-2.0
 *
 * score.c — scores the decoder on the reference set (tests/decode/reference.tsv,
 * real markings from public reports, each with the maker the report names)
 * and prints top-1 maker, HQ country and date accuracy by source.
 *
 *   decode_score [--floor MAKER,COUNTRY] REFERENCE.TSV
 *
 * Per row with a named maker: the decoder's best manufacturer candidate is
 * right when it is the maker the source names (both matched to the rules'
 * makers with rn_decoder_match_maker(), so "Rotax" and "BRP-Rotax" agree)
 * and it is not ambiguous (a tie is not a top-1 answer). Per row with a
 * country: the best manufacturer's country is the source's. Per row with a
 * date: some production-date candidate equals it (the first one for top-1).
 * Rows whose maker is "?" must not get a maker the rules cannot stand
 * behind: they are counted, and reported, not scored. A source maker the
 * rules do not know counts as a miss (the rules need it).
 *
 * --floor: exit 1 when the overall maker or country accuracy (percent,
 * rounded down) is below the figure given: the regression floor recorded in
 * docs/DECODE.md. Exit 2 on bad usage or an unreadable file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remnant/decode.h"

#define COLS 8
#define SOURCES_MAX 64

typedef struct tally {
    char id[64];
    int rows, mk_n, mk_ok, mk_amb, cc_n, cc_ok, dt_n, dt_ok;
} tally;

static tally *tally_of(tally *t, int *n, const char *id)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(t[i].id, id) == 0)
            return &t[i];
    if (*n == SOURCES_MAX)
        return NULL;
    tally *x = &t[(*n)++];
    memset(x, 0, sizeof *x);
    snprintf(x->id, sizeof x->id, "%s", id);
    return x;
}

static const char *maker_id(const rn_decoder *d, const char *name)
{
    rn_maker_match m;
    if (rn_decoder_match_maker(d, name, strlen(name), RN_DAY_OPEN_HIGH, &m, NULL) != RN_OK)
        return NULL;
    return m.maker;
}

static void add(tally *a, const tally *b)
{
    a->rows += b->rows, a->mk_n += b->mk_n, a->mk_ok += b->mk_ok, a->mk_amb += b->mk_amb;
    a->cc_n += b->cc_n, a->cc_ok += b->cc_ok, a->dt_n += b->dt_n, a->dt_ok += b->dt_ok;
}

static int pct(int ok, int n)
{
    return n ? ok * 100 / n : 100;
}

static void print_row(const tally *t)
{
    printf("%-22s %4d  %3d/%-3d %3d%%  %3d/%-3d %3d%%  %3d/%-3d %3d%%  %3d\n", t->id, t->rows,
           t->mk_ok, t->mk_n, pct(t->mk_ok, t->mk_n), t->cc_ok, t->cc_n, pct(t->cc_ok, t->cc_n),
           t->dt_ok, t->dt_n, pct(t->dt_ok, t->dt_n), t->mk_amb);
}

int main(int argc, char **argv)
{
    int floor_mk = -1, floor_cc = -1;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--floor") == 0 && i + 1 < argc) {
            if (sscanf(argv[++i], "%d,%d", &floor_mk, &floor_cc) != 2) {
                fprintf(stderr, "decode_score: --floor takes MAKER,COUNTRY (percent)\n");
                return 2;
            }
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "usage: decode_score [--floor MAKER,COUNTRY] REFERENCE.TSV\n");
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: decode_score [--floor MAKER,COUNTRY] REFERENCE.TSV\n");
        return 2;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "decode_score: cannot read %s\n", path);
        return 2;
    }
    rn_error err;
    rn_error_clear(&err);
    rn_decoder *d = NULL;
    if (rn_decoder_load(NULL, 0, &d, &err) != RN_OK) {
        fprintf(stderr, "decode_score: %s:%ld: %s\n", err.file, err.line, err.message);
        fclose(f);
        return 2;
    }
    tally t[SOURCES_MAX];
    int nt = 0, bad = 0, unscored = 0;
    long lineno = 0;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *col[COLS];
        int nc = 0;
        for (char *p = line; nc < COLS;) {
            col[nc++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (nc != COLS) {
            fprintf(stderr, "%s:%ld: %d columns, want %d\n", path, lineno, nc, COLS);
            bad = 1;
            continue;
        }
        tally *x = tally_of(t, &nt, col[5]);
        if (!x) {
            fprintf(stderr, "%s:%ld: more than %d sources\n", path, lineno, SOURCES_MAX);
            bad = 1;
            break;
        }
        x->rows++;
        rn_decode_ctx ctx = {"component", NULL, NULL, RN_DAY_OPEN_HIGH};
        rn_candidates *cs = NULL;
        if (rn_decode_marking(d, col[0], strlen(col[0]), &ctx, &cs, &err) != RN_OK) {
            fprintf(stderr, "%s:%ld: %s\n", path, lineno, err.message);
            bad = 1;
            continue;
        }
        const rn_candidate *top = NULL, *date1 = NULL;
        for (size_t i = 0; i < rn_candidates_count(cs); i++) {
            const rn_candidate *k = rn_candidates_at(cs, i);
            if (!top && strcmp(k->field, "manufacturer") == 0)
                top = k;
            if (!date1 && strcmp(k->field, "production_date") == 0)
                date1 = k;
        }
        const char *got = top ? maker_id(d, top->value) : NULL;
        if (strcmp(col[1], "?") != 0) {
            const char *want = maker_id(d, col[1]);
            x->mk_n++;
            int ok = want && got && strcmp(want, got) == 0;
            if (top && top->ambiguous) {
                /* a tie is not a top-1 answer; count it when the right maker is in it */
                int in_tie = 0;
                for (size_t i = 0; want && i < rn_candidates_count(cs); i++) {
                    const rn_candidate *k = rn_candidates_at(cs, i);
                    const char *id = strcmp(k->field, "manufacturer") == 0 && k->ambiguous
                                         ? maker_id(d, k->value) : NULL;
                    in_tie |= id && strcmp(id, want) == 0;
                }
                x->mk_amb += in_tie;
                ok = 0;
            }
            x->mk_ok += ok;
            if (!ok)
                printf("miss  %s:%ld  '%s': source says %s%s, decoder says %s%s\n", path, lineno,
                       col[0], col[1], want ? "" : " (not in the rules)",
                       top ? top->value : "no maker", top && top->ambiguous ? " (ambiguous)" : "");
        } else {
            unscored++;
            printf("note  %s:%ld  '%s': the source names no maker; decoder says %s\n", path,
                   lineno, col[0], top ? top->value : "no maker");
        }
        if (strcmp(col[2], "-") != 0) {
            x->cc_n++;
            x->cc_ok += top && top->country && strcmp(top->country, col[2]) == 0;
        }
        if (strcmp(col[3], "-") != 0) {
            x->dt_n++;
            x->dt_ok += date1 && strcmp(date1->value, col[3]) == 0;
        }
        rn_candidates_free(cs);
    }
    fclose(f);
    tally all;
    memset(&all, 0, sizeof all);
    snprintf(all.id, sizeof all.id, "%s", "all");
    printf("\n%-22s %4s  %-7s %4s  %-7s %4s  %-7s %4s  %3s\n", "source", "rows", "maker", "",
           "country", "", "date", "", "tie");
    for (int i = 0; i < nt; i++) {
        print_row(&t[i]);
        add(&all, &t[i]);
    }
    print_row(&all);
    printf("(%d rows name no maker and are not scored for it; 'tie': the right maker is "
           "among tied candidates, not counted as right)\n", unscored);
    rn_decoder_free(d);
    if (bad)
        return 2;
    if (floor_mk >= 0 && (pct(all.mk_ok, all.mk_n) < floor_mk || pct(all.cc_ok, all.cc_n) < floor_cc)) {
        printf("below the floor: maker %d%% (floor %d%%), country %d%% (floor %d%%)\n",
               pct(all.mk_ok, all.mk_n), floor_mk, pct(all.cc_ok, all.cc_n), floor_cc);
        return 1;
    }
    return 0;
}
