/* SPDX-License-Identifier: Apache-2.0
 *
 * decode_int.h — the decoder's private shapes: the loaded rule set (rules.c
 * fills it), the marking normalizer (normalize.c), the compiled patterns
 * and their matcher (pattern.c), the string index of prefixes and exact
 * texts (index.c), calendars (calendar.c) and the decode loop (decode.c).
 *
 * Invariants of a loaded rn_decoder (rules.c establishes them, the rest
 * relies on them):
 *  1. every reference (maker, source, calendar) is resolved to an index
 *     into its array: a rule may cite only what was defined before it, in
 *     its own file or an earlier one;
 *  2. every string that is matched against markings (prefix, logo, mark,
 *     pattern literal) went through rn__norm, so matching compares bytes;
 *  3. the decoder is never written after rn_decoder_load returns.
 */
#ifndef REMNANT_DECODE_INT_H
#define REMNANT_DECODE_INT_H

#include <stdint.h>

#include "internal.h"
#include "remnant/decode.h"

#define RN__LINE_MAX 4096           /* one logical rule line, continuation included */
#define RN__FILE_MAX (8u << 20)     /* one rule file */
#define RN__FILES_MAX 1000          /* rule files in one folder */
#define RN__RULES_MAX 200000        /* rules in a decoder */
#define RN__PAT_ELEMS 32            /* elements of one pattern */
#define RN__TOKENS_MAX 128          /* tokens of one marking (256 bytes hold at most 128) */
#define RN__WINDOW_MAX 4            /* tokens one pattern or logo may span */
#define RN__PREFIX_MAX 24           /* longest prefix or exact text, bytes */
#define RN__UNKNOWN_MAX 3           /* `?` digits enumerated in one reading */

/* ---- normalize.c ------------------------------------------------------ */

#define RN__NORM_PERSIAN 1u  /* Persian / Arabic-Indic digits were read as 0-9 */
#define RN__NORM_CYRILLIC 2u /* Cyrillic letters were read as their Latin look-alikes */
/* Normalize s[0..n) into out (capacity >= n + 1): ASCII upper case,
 * Cyrillic upper case and Latin look-alikes, full-width and Persian digits
 * to ASCII, runs of white space to one space, trimmed. Returns the length
 * or -1 if s is not UTF-8. *flags (may be NULL) gets RN__NORM_*. */
long rn__norm(const char *s, size_t n, char *out, unsigned *flags);

/* ---- pattern.c -------------------------------------------------------- */

typedef enum rn__elem_kind {
    RN__E_LIT = 0, /* literal bytes */
    RN__E_SPACE,   /* one space: the next token */
    RN__E_OPTSPACE,/* an optional space */
    RN__E_Y, RN__E_M, RN__E_W, RN__E_D, /* one digit of year, month, week, day */
    RN__E_N,       /* a digit */
    RN__E_A,       /* a letter A-Z */
    RN__E_X,       /* a letter or digit */
    RN__E_C        /* a code: letters and digits (factory code of a headstamp) */
} rn__elem_kind;

typedef struct rn__elem {
    uint8_t kind;
    uint8_t plus;    /* one or more */
    uint8_t len;     /* RN__E_LIT: bytes in lit */
    char lit[15];
} rn__elem;

typedef struct rn__pattern {
    rn__elem e[RN__PAT_ELEMS];
    uint8_t n;
    uint8_t ny, nm, nw, nd;  /* digits of each date part */
    uint8_t min_tok, max_tok;/* tokens spanned */
    uint16_t min_len, max_len;
    uint8_t first[32];       /* bit set of bytes a match can begin with */
    uint8_t calendar_like;   /* a month or week, a four-digit year or a day, and
                              * punctuation or a space between the first and last date
                              * element (12.05.2023, 2023-W12, 05/2023): a calendar
                              * date as people write it, not a component date code */
    char *text;              /* the pattern as written, for explanations */
} rn__pattern;

/* Spans of a match: for each element, where it matched in the text. */
typedef struct rn__match {
    uint16_t off[RN__PAT_ELEMS];
    uint16_t len[RN__PAT_ELEMS];
} rn__match;

/* Compile `src` (rule-file syntax, docs/DECODE.md). On error returns
 * RN_EINPUT with a message in why[0..cap). */
rn_code rn__pattern_compile(const char *src, size_t n, rn__pattern *p, char *why, size_t cap);
/* 1 if p matches all of s[0..n), filling *m. */
int rn__pattern_match(const rn__pattern *p, const char *s, size_t n, rn__match *m);

/* ---- the rule set (rules.c) -------------------------------------------- */

typedef enum rn__field {
    RN__F_DATE = 0, RN__F_MAKER, RN__F_FACTORY, RN__F_PART, RN__F_SERIAL, RN__F_LOT,
    RN__F_SYSTEM, RN__F_PLAUSIBILITY, RN__F_EXPORT, RN__F_COUNT
} rn__field;
extern const char *const rn__field_names[RN__F_COUNT];

typedef enum rn__rule_kind {
    RN__R_FORMAT = 0, RN__R_HEADSTAMP, RN__R_PREFIX, RN__R_LOGO, RN__R_MARK,
    RN__R_SUFFIX, /* a maker told by the end of a part number (package codes) */
    RN__R_INTRODUCED, /* when a maker's part family was introduced */
    RN__R_DATECODES,  /* the date-code formats a maker's own markings use */
    RN__R_CLASS,      /* a maker's part family: its class and usual HS-6 code */
    RN__R_LAYOUT      /* where a maker's marking layout puts its date code */
} rn__rule_kind;

typedef enum rn__then { RN__THEN_ANY = 0, RN__THEN_DIGIT, RN__THEN_LETTER } rn__then;

typedef struct rn__source {
    char *id, *text;
} rn__source;

typedef struct rn__calendar {
    char *id, *name;
    int offset;                 /* Gregorian year = calendar year + offset */
    int32_t from, until;        /* era bounds (day numbers), open when none */
    int start_m, start_d;       /* year begins on this Gregorian day... */
    int late_m, late_d;         /* ...or as late as this one (0: Jan 1) */
    int months[13], nmonths;    /* month lengths when the year does not begin Jan 1 */
    int breaks[32], nbreaks;    /* leap_breaks=: the Borkowski 33-year-cycle break years;
                                 * years breaks[0] <= y < breaks[n-1] begin on an exact day */
    int src;
} rn__calendar;

typedef struct rn__maker {
    char *id, *name, *aka; /* aka: ';'-separated other names */
    char country[3];
    int src;
} rn__maker;

/* A brand's owner over a span of days (rule `owner`): maker is owned by
 * parent (both indexes into makers) from..until (day numbers, inclusive;
 * open ends RN_DAY_OPEN_LOW/HIGH). */
typedef struct rn__owner {
    int maker, parent;
    int32_t from, until;
    int src;
} rn__owner;

/* A name by which a maker is known, as a comparison key (rn__name_key):
 * its id, name and every aka. */
typedef struct rn__name {
    char *key;        /* owned by the decoder */
    const char *text; /* the name as written in the rules */
    int maker;
} rn__name;

/* The comparison key of a typed-in company name (entity.c): rn__norm
 * (case, Cyrillic look-alikes, full-width forms), then every byte that is
 * not a letter or digit is a separator, legal-form words (Inc, Corp,
 * Corporation, Co, Ltd, Limited, LLC, GmbH, AG, JSC, OOO, ...) are dropped
 * unless nothing else remains, and the remaining words are joined without
 * separators. Writes at most cap - 1 bytes and a NUL; returns the length,
 * or -1 if s is not UTF-8 or longer than RN_DECODE_MARKING_MAX. */
long rn__name_key(const char *s, size_t n, char *out, size_t cap);

typedef struct rn__factory {
    char *group, *code, *name;
    char country[3];
    int src;
} rn__factory;

/* One rule. Strings are owned by the decoder. */
typedef struct rn__rule {
    rn__rule_kind kind;
    rn__field field;
    char *id;
    double conf;              /* base confidence, neutral context */
    char *category;           /* ','-separated categories it fits, or NULL */
    char *state;              /* ','-separated states it fits, or NULL */
    char *note;               /* what the format is, for explanations */
    char *value;              /* RN__R_MARK: the fact */
    char country[3];          /* RN__R_MARK */
    int src;                  /* index into sources */
    int maker;                /* RN__R_PREFIX / LOGO / (MARK with field maker) */
    int calendar;             /* formats and headstamps */
    char *group;              /* headstamps: factory group */
    int year_last;            /* year digits are the last digits of the year */
    int min_year;
    int alternatives;         /* readings of a truncated year kept */
    rn__then then;            /* prefixes: what must follow; suffixes: what must precede */
    char **bases;             /* suffixes: the part must begin with one of these (or NULL);
                               * introduced: bases[0] is the part family's prefix */
    int nbases;
    int32_t since;            /* introduced: the first day the family existed */
    int *uses;                /* datecodes: the format rules the maker's codes use */
    int nuses;
    char hs[8];               /* class: the HS-6 code, "854231" */
    char tier[4];             /* class: its CHPL tier ("1", "3.A"), "" when not listed */
    char *heading;            /* class: the HS subheading's words, shortened */
    int exact;                /* marks: whole-token match */
    int persian;              /* ranked up when written in Persian digits */
    rn__pattern *pats;        /* formats and headstamps (owned) */
    size_t npats;
    const char *file;         /* where it was written */
    long line;
} rn__rule;

/* ---- index.c: hash of prefix and exact texts -------------------------- */

typedef struct rn__hit {
    int rule;
    int next; /* next hit with the same text, -1 at the end */
} rn__hit;

typedef struct rn__slot {
    uint32_t hash;
    uint16_t len;
    const char *text; /* owned by the rule */
    int first;        /* first hit, -1 for an empty slot */
} rn__slot;

typedef struct rn__index {
    rn__slot *slots;
    size_t cap; /* power of two */
    size_t used;
    rn__hit *hits;
    size_t nhits, hcap;
} rn__index;

/* The hash of bytes s[0..n), also computed incrementally by the decoder:
 * h = rn__hash_step(h, byte) from RN__HASH_SEED. */
#define RN__HASH_SEED 2166136261u
static inline uint32_t rn__hash_step(uint32_t h, unsigned char c)
{
    return (h ^ c) * 16777619u;
}
rn_code rn__index_add(rn__index *ix, const char *text, size_t len, int rule);
/* First hit for text (hash precomputed), -1 if none. */
int rn__index_find(const rn__index *ix, uint32_t hash, const char *text, size_t len);
void rn__index_free(rn__index *ix);

/* Format/headstamp patterns by the number of tokens they span. */
typedef struct rn__patref {
    int rule;
    int pat;
    uint16_t min_len, max_len; /* copies of the pattern's, so that the */
    uint8_t first[32];         /* decoder's inner loop stays in one array */
} rn__patref;

struct rn_decoder {
    rn__source *sources; size_t nsources;
    rn__calendar *cals; size_t ncals;
    rn__maker *makers; size_t nmakers;
    rn__factory *factories; size_t nfactories; /* sorted by group, code */
    rn__owner *owners; size_t nowners, cap_owners; /* in rule order */
    rn__name *names; size_t nnames, cap_names;     /* filled by rn__rules_finish */
    rn__rule *rules; size_t nrules;
    rn__index prefix;  /* prefixes and prefix marks */
    rn__index exact;   /* logos and exact marks */
    rn__index suffix;  /* suffix rules */
    size_t prefix_max; /* longest prefix in bytes */
    size_t suffix_max; /* longest suffix in bytes (0: none) */
    int *introduced; size_t nintroduced, cap_introduced; /* RN__R_INTRODUCED rules */
    int *datecodes; size_t ndatecodes, cap_datecodes;    /* RN__R_DATECODES rules */
    int *classes; size_t nclasses, cap_classes;          /* RN__R_CLASS rules */
    int *layouts; size_t nlayouts, cap_layouts;          /* RN__R_LAYOUT rules */
    rn__patref *pats; size_t npats; /* every pattern, in rule order */
    rn__patref *bywin[RN__WINDOW_MAX + 1]; /* patterns that can span w tokens */
    size_t nbywin[RN__WINDOW_MAX + 1];
    int factories_sorted;
    size_t cap_sources, cap_cals, cap_makers, cap_factories, cap_rules, cap_pats;
    char **owned; size_t nowned, cap_owned; /* every string above */
};

/* Load every `*.rules` file of dir into d (rules.c). missing_ok: a folder
 * that does not exist is not an error. */
rn_code rn__rules_load_dir(rn_decoder *d, const char *dir, int missing_ok, rn_error *err);
/* Load one file's text (for the fuzzer and tests); name is used in errors. */
rn_code rn__rules_load_text(rn_decoder *d, const char *name, const char *text, size_t n,
                            rn_error *err);
/* Sort the factory table; call once after the last file. */
rn_code rn__rules_finish(rn_decoder *d, rn_error *err);
/* A factory of group with code, or NULL. */
const rn__factory *rn__factory_find(const rn_decoder *d, const char *group, const char *code,
                                    size_t codelen);

/* ---- calendar.c --------------------------------------------------------- */

/* The Gregorian interval of calendar year `year` (month m and day dd when
 * nonzero) of calendar c. RN_EINPUT when there is no such date (month 13,
 * a year outside the era...). */
rn_code rn__calendar_date(const rn__calendar *c, int year, int m, int dd, rn_date *out);
/* The exact first day of calendar year `year` of a calendar with
 * leap_breaks= (Borkowski's arithmetic of the Solar Hijri calendar) and
 * whether that year is a leap year; RN_ENOTFOUND outside the breaks' span
 * (the caller then widens to start=/start_late=). OUT: *first, *leap. */
rn_code rn__calendar_exact_start(const rn__calendar *c, int year, int32_t *first, int *leap);
/* 1 if c is the plain Gregorian calendar. */
int rn__calendar_is_gregorian(const rn__calendar *c);

#endif
