/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_generate.c — `remnant generate --items N [--seed S] [-o FILE]`: a
 * synthetic dataset as JSON Lines, for benchmarks and load tests. Every
 * record is INVENTED, and every event says so in its notes.
 *
 * Contract:
 *  1. Deterministic: the output is a function of (N, S) only — no clock, no
 *     rand(), no locale. Same N and S give byte-identical files.
 *  2. Valid for the model and importable by `remnant import`: every
 *     reference (event, parent, item) names a record written earlier in the
 *     stream, so a streaming importer never sees a forward reference.
 *  3. Exactly N item records; markings (at least one per item) and events
 *     (one per ~1000 items) come on top.
 *  4. Constant memory: one output buffer, no allocation per record; the
 *     only state is the PRNG, counters and the ids of the current ancestors.
 *  5. Ids are rn_id_make(ms, rnd): ms rises by one per record from a fixed
 *     epoch, so ids sort in the order records are written.
 *
 * Shape: event → weapons (missile) → sections (missile-section) → boards
 * (circuit-board) → components (ic). The stream is depth-first, each item
 * followed by its markings, then its children.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] = "remnant generate --items N [--seed S] [-o FILE]";

#define GEN_ITEMS_MAX 1000000000ull /* a sanity cap, far above any benchmark */
#define GEN_BUF_SIZE (1u << 20)     /* output buffer: flushed when nearly full */
#define GEN_LINE_MAX 4096           /* no generated line is longer than this */
#define GEN_EPOCH_MS 1722470400000ull /* 2024-08-01T00:00:00Z: ids start here */
#define GEN_EVENT_ITEMS 1000        /* items per event, roughly */

/* ---- PRNG: splitmix64 (fixed algorithm, so output never changes) ------- */

typedef struct gen_rng {
    uint64_t s;
} gen_rng;

static uint64_t rng_next(gen_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (multiply-shift; the bias is < n / 2^64). */
static uint32_t rng_below(gen_rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static uint32_t rng_range(gen_rng *r, uint32_t lo, uint32_t hi)
{
    return lo + rng_below(r, hi - lo + 1);
}

/* 1 with probability pct/100. */
static int rng_pct(gen_rng *r, uint32_t pct)
{
    return rng_below(r, 100) < pct;
}

#define PICK(r, arr) ((arr)[rng_below((r), (uint32_t)(sizeof(arr) / sizeof((arr)[0])))])

/* ---- output buffer ----------------------------------------------------- */

/* Invariant: len + GEN_LINE_MAX <= GEN_BUF_SIZE at the start of every record,
 * so a record's appends never overflow (out_begin flushes first). */
typedef struct gen_out {
    FILE *f;
    char *buf;
    size_t len;
    int failed; /* a write failed: stop */
} gen_out;

static void out_flush(gen_out *o)
{
    if (o->len && !o->failed && fwrite(o->buf, 1, o->len, o->f) != o->len)
        o->failed = 1;
    o->len = 0;
}

static void out_begin(gen_out *o)
{
    if (o->len + GEN_LINE_MAX > GEN_BUF_SIZE)
        out_flush(o);
}

static void put(gen_out *o, const char *s, size_t n)
{
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

#define PUTS(o, lit) put((o), (lit), sizeof(lit) - 1)

static void puts_c(gen_out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_u(gen_out *o, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        o->buf[o->len++] = tmp[--n];
}

/* v in [0, 10^width), zero-padded to width digits. */
static void put_u0(gen_out *o, uint32_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        o->buf[o->len + (size_t)i] = (char)('0' + v % 10);
        v /= 10;
    }
    o->len += (size_t)width;
}

/* A random upper-case letter or digit, from an alphabet without I and O
 * (as makers avoid them in lot codes). */
static void put_alnum(gen_out *o, gen_rng *r, int n)
{
    static const char al[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    for (int i = 0; i < n; i++)
        o->buf[o->len++] = al[rng_below(r, sizeof al - 1)];
}

/* `"key":"` ... the caller writes the value and closes it with `"`. The
 * generated texts hold no quote, backslash or control character, so they
 * need no escaping (checked by the e2e test's JSON validation). */
#define KEY(o, k) PUTS((o), ",\"" k "\":\"")

/* ---- ids --------------------------------------------------------------- */

typedef struct gen_ids {
    uint64_t ms; /* of the next id */
} gen_ids;

static void new_id(gen_ids *g, gen_rng *r, char out[RN_ID_LEN + 1])
{
    uint8_t rnd[10];
    uint64_t a = rng_next(r), b = rng_next(r);
    memcpy(rnd, &a, 8);
    rnd[8] = (uint8_t)b;
    rnd[9] = (uint8_t)(b >> 8);
    rn_id_make(g->ms++, rnd, out);
}

static void put_id(gen_out *o, const char *key, const char *id)
{
    PUTS(o, ",\"");
    puts_c(o, key);
    PUTS(o, "\":\"");
    put(o, id, RN_ID_LEN);
    PUTS(o, "\"");
}

/* ---- reference tables (invented data built from common shapes) --------- */

struct place {
    const char *name;
    int lat100, lon100; /* degrees × 100: rounded to about 1 km */
};
/* Real places in Ukraine, coordinates rounded to 0.01°. */
static const struct place places[] = {
    {"Kharkiv", 4999, 3623},       {"Kyiv", 5045, 3052},
    {"Zaporizhzhia", 4784, 3514},  {"Dnipro", 4846, 3504},
    {"Odesa", 4648, 3073},         {"Mykolaiv", 4697, 3199},
    {"Bila Tserkva", 4980, 3012},  {"Kramatorsk", 4872, 3756},
    {"Sumy", 5091, 3480},          {"Chernihiv", 5149, 3129},
    {"Poltava", 4959, 3455},       {"Kryvyi Rih", 4791, 3339},
};

static const char *const contexts[] = {
    "remnants recovered after a missile strike",
    "remnants collected by emergency services at the impact site",
    "fragments examined by a forensic laboratory",
    "remnants photographed at a regional prosecutor's storage site",
    "debris documented by a field team after an overnight attack",
};

static const char *const section_names[] = {
    "guidance section", "control section", "rear section", "engine section",
    "warhead section fragment", "tail section", "fin actuator housing",
};

static const char *const board_names[] = {
    "guidance computer board", "power supply board", "inertial sensor board",
    "servo driver board", "telemetry board", "interface board",
};

static const char *const sec_locations[] = {
    "outer skin", "inner frame", "flange", "access panel", "bulkhead", "connector plate",
};

static const char *const chip_locations[] = {"top of package", "package top", "top side"};

/* Common part-number shapes: a prefix, then digits, then a suffix. The
 * resulting numbers are invented; only the prefixes are common ones. */
struct chip {
    const char *prefix;
    int digits;
    const char *suffix;
    const char *maker;   /* a manufacturer known for the prefix */
    const char *country; /* its headquarters */
    const char *what;
};
static const struct chip chips[] = {
    {"SN74LVC", 3, "APWR", "Texas Instruments", "US", "logic buffer"},
    {"SN65HVD", 3, "DR", "Texas Instruments", "US", "bus transceiver"},
    {"TPS", 5, "DRVR", "Texas Instruments", "US", "voltage regulator"},
    {"AD", 4, "BRZ", "Analog Devices", "US", "data converter"},
    {"ADXRS", 3, "BBGZ", "Analog Devices", "US", "gyroscope"},
    {"LT", 4, "EMS8", "Analog Devices", "US", "voltage regulator"},
    {"STM32F", 3, "VGT6", "STMicroelectronics", "CH", "microcontroller"},
    {"L", 4, "D", "STMicroelectronics", "CH", "motor driver"},
    {"IRF", 4, "PBF", "Infineon", "DE", "power MOSFET"},
    {"TLE", 4, "G", "Infineon", "DE", "transceiver"},
    {"LPC", 4, "FBD", "NXP", "NL", "microcontroller"},
    {"TJA", 4, "T", "NXP", "NL", "CAN transceiver"},
    {"ATMEGA", 3, "A-AU", "Microchip", "US", "microcontroller"},
    {"PIC18F", 4, "-I/PT", "Microchip", "US", "microcontroller"},
    {"XC7A", 3, "T", "XILINX", "US", "FPGA"},
    {"SCA", 4, "-D01", "Murata", "JP", "accelerometer"},
    {"MAX", 4, "ESA", "Analog Devices", "US", "line driver"},
};

/* ---- records ----------------------------------------------------------- */

typedef struct gen {
    gen_out o;
    gen_rng r;
    gen_ids ids;
    uint64_t seed;
    uint64_t items_left;
    uint64_t nevents, nweapons, nitems, nmarkings;
    char event[RN_ID_LEN + 1];
} gen;

static void end_line(gen_out *o)
{
    PUTS(o, "}\n");
}

/* A date in 2024 as "2024-MM-DD", month in [m_lo, m_hi] (days 1..28, so
 * every month is valid). */
static void put_day2024(gen *g, int m_lo, int m_hi)
{
    PUTS(&g->o, "2024-");
    put_u0(&g->o, rng_range(&g->r, (uint32_t)m_lo, (uint32_t)m_hi), 2);
    PUTS(&g->o, "-");
    put_u0(&g->o, rng_range(&g->r, 1, 28), 2);
}

static void put_degrees(gen_out *o, int v100)
{
    if (v100 < 0) {
        PUTS(o, "-");
        v100 = -v100;
    }
    put_u(o, (uint64_t)(v100 / 100));
    PUTS(o, ".");
    put_u0(o, (uint32_t)(v100 % 100), 2);
}

static void write_event(gen *g)
{
    gen_out *o = &g->o;
    const struct place *p = &PICK(&g->r, places);
    out_begin(o);
    new_id(&g->ids, &g->r, g->event);
    PUTS(o, "{\"type\":\"event\"");
    put_id(o, "id", g->event);
    KEY(o, "name");
    PUTS(o, "Synthetic event ");
    put_u(o, g->nevents + 1);
    PUTS(o, ": ");
    puts_c(o, p->name);
    PUTS(o, "\"");
    KEY(o, "context");
    puts_c(o, PICK(&g->r, contexts));
    PUTS(o, "\"");
    KEY(o, "place");
    puts_c(o, p->name);
    PUTS(o, "\",\"country\":\"UA\",\"lat\":");
    put_degrees(o, p->lat100 + (int)rng_range(&g->r, 0, 10) - 5);
    PUTS(o, ",\"lon\":");
    put_degrees(o, p->lon100 + (int)rng_range(&g->r, 0, 10) - 5);
    PUTS(o, ",\"precision_m\":1000");
    KEY(o, "incident");
    put_day2024(g, 1, 5);
    PUTS(o, "\"");
    KEY(o, "documented");
    put_day2024(g, 6, 11);
    PUTS(o, "\"");
    KEY(o, "source");
    PUTS(o, "SYNTHETIC DATA generated by remnant generate --seed ");
    put_u(o, g->seed);
    PUTS(o, ": invented, not real\"");
    KEY(o, "notes");
    PUTS(o, "SYNTHETIC DATA generated by remnant generate --seed ");
    put_u(o, g->seed);
    PUTS(o, ": invented, not real. Places are real; every record is made up.\"");
    end_line(o);
    g->nevents++;
}

/* Open an item line: type, id, kind, event, parent (if any). */
static void item_begin(gen *g, char id[RN_ID_LEN + 1], const char *kind, const char *parent)
{
    gen_out *o = &g->o;
    out_begin(o);
    new_id(&g->ids, &g->r, id);
    PUTS(o, "{\"type\":\"item\"");
    put_id(o, "id", id);
    PUTS(o, ",\"kind\":\"");
    puts_c(o, kind);
    PUTS(o, "\"");
    put_id(o, "event", g->event);
    if (parent)
        put_id(o, "parent", parent);
    g->nitems++;
    g->items_left--;
}

/* Open a marking line for `item`; the caller writes the text and closes
 * it, then calls marking_end. */
static void marking_begin(gen *g, const char *item)
{
    gen_out *o = &g->o;
    char id[RN_ID_LEN + 1];
    out_begin(o);
    new_id(&g->ids, &g->r, id);
    PUTS(o, "{\"type\":\"marking\"");
    put_id(o, "id", id);
    put_id(o, "item", item);
    KEY(o, "text");
    g->nmarkings++;
}

static void marking_end(gen *g, const char *location, const char *method)
{
    gen_out *o = &g->o;
    PUTS(o, "\"");
    KEY(o, "location");
    puts_c(o, location);
    PUTS(o, "\"");
    KEY(o, "method");
    puts_c(o, method);
    PUTS(o, "\"");
    end_line(o);
}

/* An electronics date code YYWW: mostly 2012–2023, now and then an old
 * 2004 one (ambiguous "0412"-style codes exist in real reporting). */
static void put_datecode(gen *g)
{
    uint32_t yy = rng_pct(&g->r, 5) ? rng_range(&g->r, 3, 9) : rng_range(&g->r, 12, 23);
    put_u0(&g->o, yy, 2);
    put_u0(&g->o, rng_range(&g->r, 1, 52), 2);
}

static void write_weapon(gen *g, char id[RN_ID_LEN + 1])
{
    gen_out *o = &g->o;
    uint32_t sys = rng_below(&g->r, 10); /* 0-5 KN-23, 6-8 KN-24, 9 unknown */
    item_begin(g, id, "weapon", NULL);
    PUTS(o, ",\"category\":\"missile\"");
    KEY(o, "name");
    PUTS(o, "Missile remnant W");
    put_u(o, g->nweapons + 1);
    PUTS(o, "\"");
    if (sys < 9) {
        KEY(o, "weapon_system");
        puts_c(o, sys < 6 ? "KN-23" : "KN-24");
        PUTS(o, "\",\"producing_state\":\"KP\"");
    }
    end_line(o);
    g->nweapons++;

    marking_begin(g, id);
    if (rng_pct(&g->r, 50)) {
        PUTS(o, "\xEC\xA3\xBC\xEC\xB2\xB4"); /* 주체 */
        put_u(o, rng_range(&g->r, 111, 113));
        PUTS(o, " ");
    }
    PUTS(o, "No ");
    put_u0(&g->o, rng_range(&g->r, 0, 9999), 4);
    PUTS(o, "-");
    put_alnum(o, &g->r, 2);
    marking_end(g, "outer skin", "painted");
}

static void write_section(gen *g, const char *weapon, char id[RN_ID_LEN + 1])
{
    gen_out *o = &g->o;
    item_begin(g, id, "remnant", weapon);
    PUTS(o, ",\"category\":\"missile-section\"");
    KEY(o, "name");
    puts_c(o, PICK(&g->r, section_names));
    PUTS(o, "\"");
    if (rng_pct(&g->r, 30)) {
        KEY(o, "serial");
        put_u0(o, rng_range(&g->r, 0, 999999), 6);
        PUTS(o, "\"");
    }
    end_line(o);

    /* A number-like stamp, sometimes with a Juche year ("주체113" = 2024)
     * or the bare year number ("113") after it. */
    marking_begin(g, id);
    uint32_t form = rng_below(&g->r, 4);
    uint32_t juche = rng_range(&g->r, 110, 113);
    put_u(o, rng_range(&g->r, 1, 99));
    PUTS(o, "-");
    put_u0(o, rng_range(&g->r, 0, 9999), 4);
    if (form == 1) {
        PUTS(o, " \xEC\xA3\xBC\xEC\xB2\xB4");
        put_u(o, juche);
    } else if (form == 2) {
        PUTS(o, " ");
        put_u(o, juche);
    }
    marking_end(g, PICK(&g->r, sec_locations), "stamped");
}

static void write_board(gen *g, const char *section, char id[RN_ID_LEN + 1])
{
    gen_out *o = &g->o;
    item_begin(g, id, "component", section);
    PUTS(o, ",\"category\":\"circuit-board\"");
    KEY(o, "name");
    puts_c(o, PICK(&g->r, board_names));
    PUTS(o, "\"");
    end_line(o);

    /* A PCB marking: board code, revision, sometimes a date code. */
    marking_begin(g, id);
    PUTS(o, "PCB ");
    put_alnum(o, &g->r, 3);
    PUTS(o, "-");
    put_u0(o, rng_range(&g->r, 0, 999), 3);
    PUTS(o, " REV");
    put_u(o, rng_range(&g->r, 1, 9));
    if (rng_pct(&g->r, 40)) {
        PUTS(o, " ");
        put_datecode(g);
    }
    marking_end(g, "solder side", rng_pct(&g->r, 70) ? "printed" : "etched");
}

static void write_chip(gen *g, const char *board)
{
    gen_out *o = &g->o;
    char id[RN_ID_LEN + 1];
    const struct chip *c = &PICK(&g->r, chips);
    /* The part number, kept for the marking below (the longest prefix,
     * digits and suffix of chips[] fit in pn). */
    char pn[64];
    size_t pl = strlen(c->prefix);
    memcpy(pn, c->prefix, pl);
    for (int i = 0; i < c->digits; i++)
        pn[pl++] = (char)('0' + rng_below(&g->r, 10));
    size_t slen = strlen(c->suffix);
    memcpy(pn + pl, c->suffix, slen);
    pl += slen;

    item_begin(g, id, "component", board);
    PUTS(o, ",\"category\":\"ic\"");
    KEY(o, "name");
    puts_c(o, c->what);
    PUTS(o, "\"");
    if (rng_pct(&g->r, 40)) {
        KEY(o, "manufacturer");
        puts_c(o, c->maker);
        PUTS(o, "\"");
        KEY(o, "manufacturer_country");
        puts_c(o, c->country);
        PUTS(o, "\"");
    }
    if (rng_pct(&g->r, 15)) {
        KEY(o, "serial");
        put_alnum(o, &g->r, 8);
        PUTS(o, "\"");
    }
    if (rng_pct(&g->r, 25)) {
        KEY(o, "lot");
        put_alnum(o, &g->r, 6);
        PUTS(o, "\"");
    }
    end_line(o);

    /* The part number with its date code on one line, or on two markings. */
    int split = rng_pct(&g->r, 30);
    marking_begin(g, id);
    put(o, pn, pl);
    if (!split) {
        PUTS(o, " ");
        put_datecode(g);
    }
    marking_end(g, PICK(&g->r, chip_locations), rng_pct(&g->r, 80) ? "printed" : "etched");
    if (split) {
        marking_begin(g, id);
        put_datecode(g);
        PUTS(o, " ");
        put_alnum(o, &g->r, 5);
        marking_end(g, "package top, second line", "printed");
    }
}

/* One weapon and its parts, stopping wherever the item budget runs out
 * (parents are always written before children, so a cut tree is valid). */
static void write_tree(gen *g)
{
    char weapon[RN_ID_LEN + 1], section[RN_ID_LEN + 1], board[RN_ID_LEN + 1];
    write_weapon(g, weapon);
    uint32_t nsec = rng_range(&g->r, 3, 5);
    for (uint32_t s = 0; s < nsec && g->items_left && !g->o.failed; s++) {
        write_section(g, weapon, section);
        uint32_t nboard = rng_range(&g->r, 0, 3);
        for (uint32_t b = 0; b < nboard && g->items_left; b++) {
            write_board(g, section, board);
            uint32_t nchip = rng_range(&g->r, 4, 16);
            for (uint32_t c = 0; c < nchip && g->items_left; c++)
                write_chip(g, board);
        }
    }
}

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int cmd_generate(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n"
               "Write a SYNTHETIC dataset of N items as JSON Lines (to stdout, or FILE),\n"
               "for `remnant import`: documentation events (one per ~1000 items), missiles,\n"
               "their sections, circuit boards and chips, each with at least one marking\n"
               "(Juche-year stamps, part numbers with date codes, PCB marks). Markings and\n"
               "events come on top of the N items. Every record is invented, and every\n"
               "event says so. The output depends only on N and the seed (default 1).\n"
               "\n  --items N   number of items, 1 to %llu\n"
               "  --seed S    PRNG seed, 0 to 2^64-1\n"
               "  -o FILE     write to FILE instead of stdout\n",
               usage, (unsigned long long)GEN_ITEMS_MAX);
        return EXIT_OK;
    }
    const char *items_s = NULL, *seed_s = NULL, *out_s = NULL;
    if (cli_opt(&argc, argv, "--items", &items_s) < 0)
        return cli_usage_error(usage, "--items needs a number");
    if (cli_opt(&argc, argv, "--seed", &seed_s) < 0)
        return cli_usage_error(usage, "--seed needs a number");
    int r = cli_opt(&argc, argv, "-o", &out_s);
    if (r == 0)
        r = cli_opt(&argc, argv, "--output", &out_s);
    if (r < 0)
        return cli_usage_error(usage, "-o needs a file name");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc > 1)
        return cli_usage_error(usage, "unexpected argument '%s'", argv[1]);
    if (!items_s)
        return cli_usage_error(usage, "say how many items: --items N");
    uint64_t n, seed = 1;
    if (parse_u64(items_s, 1, GEN_ITEMS_MAX, &n))
        return cli_usage_error(usage, "--items wants a whole number from 1 to %llu, not '%s'",
                               (unsigned long long)GEN_ITEMS_MAX, items_s);
    if (seed_s && parse_u64(seed_s, 0, UINT64_MAX, &seed))
        return cli_usage_error(usage, "--seed wants a whole number from 0 to 2^64-1, not '%s'",
                               seed_s);

    FILE *f = stdout;
    if (out_s && strcmp(out_s, "-") != 0) {
        f = fopen(out_s, "wb");
        if (!f) {
            fprintf(stderr, "remnant: cannot write %s: %s\n", out_s, strerror(errno));
            return EXIT_DB;
        }
    }
    gen *g = calloc(1, sizeof *g);
    char *buf = malloc(GEN_BUF_SIZE);
    if (!g || !buf) {
        free(g);
        free(buf);
        if (f != stdout)
            fclose(f);
        fputs("remnant: out of memory\n", stderr);
        return EXIT_FAIL;
    }
    g->o.f = f;
    g->o.buf = buf;
    g->seed = seed;
    g->r.s = seed ^ 0x52454D4E414E5421ull; /* "REMNANT!": seed 0 is fine too */
    g->ids.ms = GEN_EPOCH_MS;
    g->items_left = n;

    uint64_t next_event_at = 0; /* item count at which a new event starts */
    while (g->items_left && !g->o.failed) {
        if (g->nitems >= next_event_at) {
            write_event(g);
            next_event_at = g->nitems + rng_range(&g->r, GEN_EVENT_ITEMS * 8 / 10,
                                                  GEN_EVENT_ITEMS * 12 / 10);
        }
        write_tree(g);
    }
    out_flush(&g->o);
    int failed = g->o.failed || fflush(f) != 0 || ferror(f);
    if (f != stdout && fclose(f) != 0)
        failed = 1;
    if (failed)
        fprintf(stderr, "remnant: writing %s failed: %s\n", out_s ? out_s : "stdout",
                strerror(errno));
    free(buf);
    free(g);
    return failed ? EXIT_DB : EXIT_OK;
}
