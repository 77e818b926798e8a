/* SPDX-License-Identifier: Apache-2.0
 *
 * rules.c — the rule-file format (docs/DECODE.md, "Rule files"): reading,
 * validating and holding a rule set, and the decoder's life cycle.
 *
 * A rule file is UTF-8 text, one rule a line:
 *
 *   KIND WORD... key=value key="quoted value" ...    # comment
 *
 * A line ending in a backslash continues on the next. Every rule cites a
 * source (`src=ID`) defined by an earlier `source` line, and every maker,
 * calendar or source it names must have been defined before it (in its own
 * file or an earlier one; files load folder by folder, by name). Every
 * error names the file and line. The limits (RN__LINE_MAX, RN__FILE_MAX,
 * RN__FILES_MAX, RN__RULES_MAX) bound what a hostile rule folder can cost.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decode/decode_int.h"

const char *const rn__field_names[RN__F_COUNT] = {
    "production_date", "manufacturer", "factory", "part_number", "serial", "lot", "weapon_system",
    "plausibility", "export_category",
};

#define WORDS_MAX 400 /* positional words on one line */
#define KEYS_MAX 24   /* key=value pairs on one line */

typedef struct kv {
    const char *key;
    const char *val;
    size_t vlen;
    int used;
} kv;

typedef struct line {
    const char *w[WORDS_MAX];
    size_t wlen[WORDS_MAX];
    int nw;
    kv k[KEYS_MAX];
    int nk;
    char scratch[RN__LINE_MAX * 2]; /* unescaped words, NUL-separated */
} line;

typedef struct ld {
    rn_decoder *d;
    const char *file;
    long lineno;
    rn_error *err;
} ld;

/* Copy a path into err->file, keeping its end when it is too long. */
static void set_file(rn_error *err, const char *path)
{
    size_t n = strlen(path), cap = sizeof err->file;
    if (n >= cap)
        path += n - (cap - 1), n = cap - 1;
    memcpy(err->file, path, n);
    err->file[n] = '\0';
}

static rn_code lerr(ld *L, const char *fmt, ...) RN_PRINTF(2, 3);
static rn_code lerr(ld *L, const char *fmt, ...)
{
    rn_error *err = L->err;
    if (!err)
        return RN_EINPUT;
    err->code = RN_EINPUT;
    err->line = L->lineno;
    set_file(err, L->file);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return RN_EINPUT;
}

/* ---- owned strings ------------------------------------------------------ */

static char *keep(rn_decoder *d, const char *s, size_t n)
{
    if (d->nowned == d->cap_owned) {
        size_t nc = d->cap_owned ? d->cap_owned * 2 : 1024;
        char **no = rn__realloc(d->owned, nc * sizeof *no);
        if (!no)
            return NULL;
        d->owned = no;
        d->cap_owned = nc;
    }
    char *c = rn__strndup(s, n);
    if (c)
        d->owned[d->nowned++] = c;
    return c;
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 64;
    void *na = rn__realloc(*arr, nc * size);
    if (!na)
        return -1;
    *arr = na;
    *cap = nc;
    return 0;
}

/* ---- lexing one logical line -------------------------------------------- */

static int is_key_char(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }

/* Read a quoted string at s[*i] (the opening quote) into *o. */
static rn_code quoted(ld *L, const char *s, size_t n, size_t *i, char **o)
{
    size_t k = *i + 1;
    for (; k < n && s[k] != '"'; k++) {
        if (s[k] == '\\') {
            if (k + 1 >= n || (s[k + 1] != '"' && s[k + 1] != '\\'))
                return lerr(L, "in a quoted string, a backslash may only escape \" or \\");
            k++;
        }
        *(*o)++ = s[k];
    }
    if (k >= n)
        return lerr(L, "unterminated quoted string");
    *i = k + 1;
    if (*i < n && s[*i] != ' ' && s[*i] != '\t')
        return lerr(L, "a quoted string must be followed by a space");
    return RN_OK;
}

static rn_code lex(ld *L, const char *s, size_t n, line *ln)
{
    ln->nw = ln->nk = 0;
    char *o = ln->scratch;
    size_t i = 0;
    for (;;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i >= n || s[i] == '#')
            return RN_OK;
        char *start = o;
        if (s[i] == '"') {
            rn_code rc = quoted(L, s, n, &i, &o);
            if (rc)
                return rc;
            if (ln->nw >= WORDS_MAX)
                return lerr(L, "more than %d words on one line", WORDS_MAX);
            ln->w[ln->nw] = start;
            ln->wlen[ln->nw++] = (size_t)(o - start);
            *o++ = '\0';
            continue;
        }
        size_t k = i;
        while (k < n && is_key_char(s[k]))
            k++;
        if (k > i && k < n && s[k] == '=') {
            if (ln->nk >= KEYS_MAX)
                return lerr(L, "more than %d key=value pairs on one line", KEYS_MAX);
            memcpy(o, s + i, k - i);
            o += k - i;
            *o++ = '\0';
            kv *p = &ln->k[ln->nk];
            p->key = start;
            p->used = 0;
            for (int j = 0; j < ln->nk; j++)
                if (strcmp(ln->k[j].key, start) == 0)
                    return lerr(L, "key '%s' given twice", start);
            i = k + 1;
            char *vs = o;
            if (i < n && s[i] == '"') {
                rn_code rc = quoted(L, s, n, &i, &o);
                if (rc)
                    return rc;
            } else {
                while (i < n && s[i] != ' ' && s[i] != '\t') {
                    if (s[i] == '"')
                        return lerr(L, "a quote inside an unquoted value");
                    *o++ = s[i++];
                }
            }
            p->val = vs;
            p->vlen = (size_t)(o - vs);
            *o++ = '\0';
            ln->nk++;
            continue;
        }
        while (i < n && s[i] != ' ' && s[i] != '\t') {
            if (s[i] == '"')
                return lerr(L, "a quote inside an unquoted word");
            *o++ = s[i++];
        }
        if (ln->nw >= WORDS_MAX)
            return lerr(L, "more than %d words on one line", WORDS_MAX);
        ln->w[ln->nw] = start;
        ln->wlen[ln->nw++] = (size_t)(o - start);
        *o++ = '\0';
    }
}

static const char *get(line *ln, const char *key)
{
    for (int j = 0; j < ln->nk; j++)
        if (strcmp(ln->k[j].key, key) == 0) {
            ln->k[j].used = 1;
            return ln->k[j].val;
        }
    return NULL;
}

static rn_code check_used(ld *L, line *ln, const char *kind)
{
    for (int j = 0; j < ln->nk; j++)
        if (!ln->k[j].used)
            return lerr(L, "a %s rule has no key '%s' (see docs/DECODE.md)", kind, ln->k[j].key);
    return RN_OK;
}

/* ---- value checks --------------------------------------------------------- */

static int valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return 0;
    }
    return 1;
}

static rn_code need_id(ld *L, line *ln, const char *kind)
{
    if (ln->nw < 2)
        return lerr(L, "a %s rule needs an id after the kind", kind);
    if (!valid_id(ln->w[1]))
        return lerr(L, "id '%.64s' must be 1-64 characters of a-z, 0-9, '-', '_', '.'", ln->w[1]);
    return RN_OK;
}

static rn_code country_of(ld *L, const char *v, char out[3])
{
    if (!v || strlen(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z')
        return lerr(L, "country must be an ISO 3166-1 alpha-2 code in capitals, e.g. US");
    out[0] = v[0];
    out[1] = v[1];
    out[2] = '\0';
    return RN_OK;
}

static rn_code int_of(ld *L, const char *key, const char *v, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi)
        return lerr(L, "%s must be a whole number from %ld to %ld", key, lo, hi);
    *out = (int)x;
    return RN_OK;
}

static rn_code conf_of(ld *L, line *ln, double dflt, double *out)
{
    const char *v = get(ln, "confidence");
    *out = dflt;
    if (!v)
        return RN_OK;
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || !(x > 0.0 && x <= 1.0))
        return lerr(L, "confidence must be a number above 0 and at most 1");
    *out = x;
    return RN_OK;
}

static rn_code ymd_of(ld *L, const char *key, const char *v, int32_t *out)
{
    int y, m, dd;
    char tail;
    if (sscanf(v, "%4d-%2d-%2d%c", &y, &m, &dd, &tail) != 3 || rn_day_from_ymd(y, m, dd, out))
        return lerr(L, "%s must be a date YYYY-MM-DD", key);
    return RN_OK;
}

static rn_code md_of(ld *L, const char *key, const char *v, int *m, int *dd)
{
    char tail;
    int32_t day;
    if (sscanf(v, "%2d-%2d%c", m, dd, &tail) != 2 || *m < 1 || *m > 12 ||
        rn_day_from_ymd(2001, *m, *dd, &day))
        return lerr(L, "%s must be a day of the year MM-DD (not 29 February)", key);
    return RN_OK;
}

/* A ','-separated list: categories (a-z, 0-9, '-') or states (two capitals). */
static rn_code list_of(ld *L, line *ln, const char *key, int states, char **out)
{
    const char *v = get(ln, key);
    *out = NULL;
    if (!v)
        return RN_OK;
    size_t n = strlen(v), item = 0;
    if (n == 0 || n > 512)
        return lerr(L, "%s must be a non-empty list of up to 512 bytes", key);
    for (size_t i = 0; i <= n; i++) {
        char c = v[i];
        if (c == ',' || c == '\0') {
            if (item == 0 || (states && item != 2))
                return lerr(L, "%s: %s", key,
                            states ? "each state is two capitals, e.g. KP,RU"
                                   : "items are separated by single commas");
            item = 0;
            continue;
        }
        int ok = states ? (c >= 'A' && c <= 'Z')
                        : ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
        if (!ok)
            return lerr(L, "%s: '%c' is not allowed (%s)", key, c,
                        states ? "ISO alpha-2 codes in capitals" : "categories are a-z, 0-9, '-'");
        item++;
    }
    *out = keep(L->d, v, n);
    return *out ? RN_OK : RN_ENOMEM;
}

static rn_code text_of(ld *L, line *ln, const char *key, int required, size_t max, char **out)
{
    const char *v = get(ln, key);
    *out = NULL;
    if (!v) {
        if (required)
            return lerr(L, "missing %s=", key);
        return RN_OK;
    }
    size_t n = strlen(v);
    if (n == 0 || n > max)
        return lerr(L, "%s must hold 1 to %zu bytes", key, max);
    *out = keep(L->d, v, n);
    return *out ? RN_OK : RN_ENOMEM;
}

/* ---- lookups by id ------------------------------------------------------ */

static int find_source(const rn_decoder *d, const char *id)
{
    for (size_t i = 0; i < d->nsources; i++)
        if (strcmp(d->sources[i].id, id) == 0)
            return (int)i;
    return -1;
}

static int find_maker(const rn_decoder *d, const char *id)
{
    for (size_t i = 0; i < d->nmakers; i++)
        if (strcmp(d->makers[i].id, id) == 0)
            return (int)i;
    return -1;
}

static int find_cal(const rn_decoder *d, const char *id)
{
    for (size_t i = 0; i < d->ncals; i++)
        if (strcmp(d->cals[i].id, id) == 0)
            return (int)i;
    return -1;
}

static rn_code src_of(ld *L, line *ln, int *out)
{
    const char *v = get(ln, "src");
    if (!v)
        return lerr(L, "every rule cites a source: add src=ID (a `source` line defines ID)");
    *out = find_source(L->d, v);
    if (*out < 0)
        return lerr(L, "unknown source '%.64s' (define it with a `source` line before citing it)", v);
    return RN_OK;
}

static rn_code maker_ref(ld *L, const char *id, int *out)
{
    *out = find_maker(L->d, id);
    if (*out < 0)
        return lerr(L, "unknown maker '%.64s' (define it with a `maker` line first)", id);
    return RN_OK;
}

/* ---- directives ---------------------------------------------------------- */

static rn_code do_source(ld *L, line *ln)
{
    rn_code rc = need_id(L, ln, "source");
    if (rc)
        return rc;
    if (ln->nw != 3)
        return lerr(L, "a source rule is: source ID \"citation (publication, URL or standard)\"");
    if (ln->wlen[2] < 8 || ln->wlen[2] > 1000)
        return lerr(L, "a citation holds 8 to 1000 bytes");
    if (find_source(L->d, ln->w[1]) >= 0)
        return lerr(L, "source '%s' is already defined", ln->w[1]);
    if ((rc = check_used(L, ln, "source")))
        return rc;
    if (grow((void **)&L->d->sources, &L->d->cap_sources, L->d->nsources, sizeof(rn__source)))
        return RN_ENOMEM;
    rn__source *s = &L->d->sources[L->d->nsources];
    s->id = keep(L->d, ln->w[1], ln->wlen[1]);
    s->text = keep(L->d, ln->w[2], ln->wlen[2]);
    if (!s->id || !s->text)
        return RN_ENOMEM;
    L->d->nsources++;
    return RN_OK;
}

static rn_code do_calendar(ld *L, line *ln)
{
    rn_code rc = need_id(L, ln, "calendar");
    if (rc)
        return rc;
    if (ln->nw != 2)
        return lerr(L, "a calendar rule takes no words after its id");
    if (find_cal(L->d, ln->w[1]) >= 0)
        return lerr(L, "calendar '%s' is already defined", ln->w[1]);
    rn__calendar c;
    memset(&c, 0, sizeof c);
    c.from = RN_DAY_OPEN_LOW;
    c.until = RN_DAY_OPEN_HIGH;
    const char *v;
    if ((rc = text_of(L, ln, "name", 1, 200, &c.name)))
        return rc;
    if (!(v = get(ln, "offset")))
        return lerr(L, "a calendar needs offset= (Gregorian year minus calendar year)");
    if ((rc = int_of(L, "offset", v, -3000, 3000, &c.offset)))
        return rc;
    if ((v = get(ln, "from")) && (rc = ymd_of(L, "from", v, &c.from)))
        return rc;
    if ((v = get(ln, "until")) && (rc = ymd_of(L, "until", v, &c.until)))
        return rc;
    if (c.from != RN_DAY_OPEN_LOW && c.until != RN_DAY_OPEN_HIGH && c.from > c.until)
        return lerr(L, "from= is after until=");
    if ((v = get(ln, "start"))) {
        if ((rc = md_of(L, "start", v, &c.start_m, &c.start_d)))
            return rc;
        c.late_m = c.start_m, c.late_d = c.start_d;
        if ((v = get(ln, "start_late")) && (rc = md_of(L, "start_late", v, &c.late_m, &c.late_d)))
            return rc;
        if (c.late_m * 100 + c.late_d < c.start_m * 100 + c.start_d ||
            c.late_m * 31 + c.late_d - c.start_m * 31 - c.start_d > 7)
            return lerr(L, "start_late= must be on or up to a week after start=");
    } else if (get(ln, "start_late")) {
        return lerr(L, "start_late= needs start=");
    }
    if ((v = get(ln, "months"))) {
        if (!c.start_m)
            return lerr(L, "months= is for calendars whose year does not begin on 1 January (start=)");
        int total = 0;
        const char *p = v;
        while (*p) {
            char *end;
            long x = strtol(p, &end, 10);
            if (end == p || x < 1 || x > 40 || c.nmonths >= 13 || (*end && *end != ','))
                return lerr(L, "months= is a list of up to 13 month lengths, e.g. 31,31,30");
            c.months[c.nmonths++] = (int)x;
            total += (int)x;
            p = *end ? end + 1 : end;
        }
        if (total < 354 || total > 386)
            return lerr(L, "months= add up to %d days; a year has 354 to 386", total);
    }
    if ((v = get(ln, "leap_breaks"))) {
        if (!c.start_m || c.nmonths != 12)
            return lerr(L, "leap_breaks= needs start= and the 12 months= of a common year");
        const char *p = v;
        while (*p) {
            char *end;
            long x = strtol(p, &end, 10);
            if (end == p || x < -1000 || x > 5000 || c.nbreaks >= 32 || (*end && *end != ','))
                return lerr(L, "leap_breaks= is a list of up to 32 years, e.g. -61,9,38");
            if (c.nbreaks && x <= c.breaks[c.nbreaks - 1])
                return lerr(L, "leap_breaks= must be increasing (%ld after %d)", x,
                            c.breaks[c.nbreaks - 1]);
            c.breaks[c.nbreaks++] = (int)x;
            p = *end ? end + 1 : end;
        }
        if (c.nbreaks < 2)
            return lerr(L, "leap_breaks= needs at least two years");
    }
    if ((rc = src_of(L, ln, &c.src)) || (rc = check_used(L, ln, "calendar")))
        return rc;
    if (!(c.id = keep(L->d, ln->w[1], ln->wlen[1])))
        return RN_ENOMEM;
    if (grow((void **)&L->d->cals, &L->d->cap_cals, L->d->ncals, sizeof c))
        return RN_ENOMEM;
    L->d->cals[L->d->ncals++] = c;
    return RN_OK;
}

static rn_code do_maker(ld *L, line *ln)
{
    rn_code rc = need_id(L, ln, "maker");
    if (rc)
        return rc;
    if (ln->nw != 2)
        return lerr(L, "a maker rule takes no words after its id");
    if (find_maker(L->d, ln->w[1]) >= 0)
        return lerr(L, "maker '%s' is already defined", ln->w[1]);
    rn__maker m;
    memset(&m, 0, sizeof m);
    if ((rc = text_of(L, ln, "name", 1, 200, &m.name)) ||
        (rc = text_of(L, ln, "aka", 0, 400, &m.aka)) ||
        (rc = country_of(L, get(ln, "country"), m.country)) || (rc = src_of(L, ln, &m.src)) ||
        (rc = check_used(L, ln, "maker")))
        return rc;
    if (!(m.id = keep(L->d, ln->w[1], ln->wlen[1])))
        return RN_ENOMEM;
    if (grow((void **)&L->d->makers, &L->d->cap_makers, L->d->nmakers, sizeof m))
        return RN_ENOMEM;
    L->d->makers[L->d->nmakers++] = m;
    return RN_OK;
}

/* owner MAKER PARENT from=YYYY-MM-DD [until=YYYY-MM-DD] src=ID: the brand
 * MAKER belonged to PARENT over those days. Both makers defined before; the
 * spans of one maker's owners may not overlap (one owner a day). */
static rn_code do_owner(ld *L, line *ln)
{
    if (ln->nw != 3)
        return lerr(L, "an owner rule is: owner MAKER PARENT from=YYYY-MM-DD [until=YYYY-MM-DD] "
                       "src=ID");
    rn__owner o;
    memset(&o, 0, sizeof o);
    if ((o.maker = find_maker(L->d, ln->w[1])) < 0)
        return lerr(L, "unknown maker '%.64s' (define it on an earlier line)", ln->w[1]);
    if ((o.parent = find_maker(L->d, ln->w[2])) < 0)
        return lerr(L, "unknown maker '%.64s' (define it on an earlier line)", ln->w[2]);
    if (o.maker == o.parent)
        return lerr(L, "a maker cannot own itself");
    o.until = RN_DAY_OPEN_HIGH;
    const char *v = get(ln, "from");
    rn_code rc;
    if (!v)
        return lerr(L, "an owner rule needs from= (the day the ownership began, YYYY-MM-DD)");
    if ((rc = ymd_of(L, "from", v, &o.from)))
        return rc;
    if ((v = get(ln, "until")) && (rc = ymd_of(L, "until", v, &o.until)))
        return rc;
    if (o.from > o.until)
        return lerr(L, "from= is after until=");
    if ((rc = src_of(L, ln, &o.src)) || (rc = check_used(L, ln, "owner")))
        return rc;
    for (size_t i = 0; i < L->d->nowners; i++) {
        const rn__owner *x = &L->d->owners[i];
        if (x->maker == o.maker && x->from <= o.until && o.from <= x->until)
            return lerr(L, "maker '%s' already has an owner over part of these days (line of "
                           "owner '%s')", ln->w[1], L->d->makers[x->parent].id);
    }
    /* no cycles: walking up from the parent on its first day must not reach the maker */
    int at = o.parent;
    for (int depth = 0; at >= 0 && depth < 16; depth++) {
        if (at == o.maker)
            return lerr(L, "owner rules form a cycle through maker '%s'", ln->w[1]);
        int next = -1;
        for (size_t i = 0; i < L->d->nowners; i++)
            if (L->d->owners[i].maker == at) {
                next = L->d->owners[i].parent;
                break;
            }
        at = next;
    }
    if (grow((void **)&L->d->owners, &L->d->cap_owners, L->d->nowners, sizeof o))
        return RN_ENOMEM;
    L->d->owners[L->d->nowners++] = o;
    return RN_OK;
}

static rn_code do_factory(ld *L, line *ln)
{
    if (ln->nw != 3)
        return lerr(L, "a factory rule is: factory GROUP CODE name=\"...\" country=XX src=ID");
    if (!valid_id(ln->w[1]))
        return lerr(L, "factory group '%.64s' must be a-z, 0-9, '-', '_', '.'", ln->w[1]);
    char code[RN__PREFIX_MAX + 8];
    if (ln->wlen[2] > RN__PREFIX_MAX)
        return lerr(L, "factory code longer than %d bytes", RN__PREFIX_MAX);
    long cn = rn__norm(ln->w[2], ln->wlen[2], code, NULL);
    if (cn <= 0 || memchr(code, ' ', (size_t)cn))
        return lerr(L, "factory code must be one word of UTF-8");
    rn__factory f;
    memset(&f, 0, sizeof f);
    rn_code rc;
    if ((rc = text_of(L, ln, "name", 1, 200, &f.name)) ||
        (rc = country_of(L, get(ln, "country"), f.country)) || (rc = src_of(L, ln, &f.src)) ||
        (rc = check_used(L, ln, "factory")))
        return rc;
    if (rn__factory_find(L->d, ln->w[1], code, (size_t)cn))
        return lerr(L, "factory %s in group %s is already defined", code, ln->w[1]);
    if (!(f.group = keep(L->d, ln->w[1], ln->wlen[1])) || !(f.code = keep(L->d, code, (size_t)cn)))
        return RN_ENOMEM;
    if (grow((void **)&L->d->factories, &L->d->cap_factories, L->d->nfactories, sizeof f))
        return RN_ENOMEM;
    L->d->factories[L->d->nfactories++] = f;
    return RN_OK;
}

static int find_rule_id(const rn_decoder *d, const char *id)
{
    for (size_t i = 0; i < d->nrules; i++)
        if (strcmp(d->rules[i].id, id) == 0)
            return (int)i;
    return -1;
}

static rn_code new_rule(ld *L, rn__rule **out)
{
    if (L->d->nrules >= RN__RULES_MAX)
        return lerr(L, "more than %d rules", RN__RULES_MAX);
    if (grow((void **)&L->d->rules, &L->d->cap_rules, L->d->nrules, sizeof(rn__rule)))
        return RN_ENOMEM;
    rn__rule *r = &L->d->rules[L->d->nrules];
    memset(r, 0, sizeof *r);
    r->maker = r->calendar = r->src = -1;
    r->file = L->file;
    r->line = L->lineno;
    *out = r;
    return RN_OK;
}

/* Normalize a matched text (prefix, logo, designation) into owned storage. */
static rn_code match_text(ld *L, const char *w, size_t n, int allow_space, char **out)
{
    char buf[RN__PREFIX_MAX * 4 + 8];
    if (n == 0 || n > RN__PREFIX_MAX * 4)
        return lerr(L, "'%.40s': texts to match hold 1 to %d bytes", w, RN__PREFIX_MAX * 4);
    long m = rn__norm(w, n, buf, NULL);
    if (m <= 0)
        return lerr(L, "'%.40s' is not UTF-8 text", w);
    if ((size_t)m > RN__PREFIX_MAX)
        return lerr(L, "'%.40s' is longer than %d bytes once normalized", w, RN__PREFIX_MAX);
    if (!allow_space && memchr(buf, ' ', (size_t)m))
        return lerr(L, "'%.40s': a prefix is one word", w);
    if (memchr(buf, '?', (size_t)m))
        return lerr(L, "'%.40s': '?' means an illegible character and cannot be in a rule text", w);
    *out = keep(L->d, buf, (size_t)m);
    return *out ? RN_OK : RN_ENOMEM;
}

static rn_code then_of(ld *L, line *ln, rn__then *out)
{
    const char *v = get(ln, "then");
    *out = RN__THEN_ANY;
    if (!v || strcmp(v, "any") == 0)
        return RN_OK;
    if (strcmp(v, "digit") == 0)
        *out = RN__THEN_DIGIT;
    else if (strcmp(v, "letter") == 0)
        *out = RN__THEN_LETTER;
    else
        return lerr(L, "then= is digit, letter or any");
    return RN_OK;
}

static rn_code do_prefix(ld *L, line *ln, int logo)
{
    const char *kind = logo ? "logo" : "prefix";
    if (ln->nw < 3)
        return lerr(L, "a %s rule is: %s MAKER TEXT... src=ID", kind, kind);
    int maker;
    rn_code rc = maker_ref(L, ln->w[1], &maker);
    if (rc)
        return rc;
    double conf;
    rn__then then = RN__THEN_ANY;
    char *cat, *state;
    if ((rc = conf_of(L, ln, logo ? 0.8 : 0.6, &conf)) || (!logo && (rc = then_of(L, ln, &then))) ||
        (rc = list_of(L, ln, "category", 0, &cat)) || (rc = list_of(L, ln, "state", 1, &state)))
        return rc;
    int src;
    if ((rc = src_of(L, ln, &src)) || (rc = check_used(L, ln, kind)))
        return rc;
    for (int i = 2; i < ln->nw; i++) {
        char *text;
        if ((rc = match_text(L, ln->w[i], ln->wlen[i], logo, &text)))
            return rc;
        rn__index *ix = logo ? &L->d->exact : &L->d->prefix;
        size_t tl = strlen(text);
        uint32_t h = RN__HASH_SEED;
        for (size_t k = 0; k < tl; k++)
            h = rn__hash_step(h, (unsigned char)text[k]);
        for (int k = rn__index_find(ix, h, text, tl); k >= 0; k = ix->hits[k].next) {
            const rn__rule *o = &L->d->rules[ix->hits[k].rule];
            if (o->kind == (logo ? RN__R_LOGO : RN__R_PREFIX) && o->maker == maker &&
                (logo || o->then == then))
                return lerr(L, "%s '%s' of maker %s is already defined at %s:%ld", kind, text,
                            ln->w[1], o->file, o->line);
        }
        rn__rule *r;
        if ((rc = new_rule(L, &r)))
            return rc;
        char id[160];
        snprintf(id, sizeof id, "%s:%s:%s", kind, ln->w[1], text);
        r->kind = logo ? RN__R_LOGO : RN__R_PREFIX;
        r->field = RN__F_MAKER;
        r->conf = conf;
        r->maker = maker;
        r->then = then;
        r->category = cat;
        r->state = state;
        r->src = src;
        if (!(r->id = keep(L->d, id, strlen(id))))
            return RN_ENOMEM;
        if (rn__index_add(ix, text, tl, (int)L->d->nrules))
            return RN_ENOMEM;
        L->d->nrules++;
        if (!logo && tl > L->d->prefix_max)
            L->d->prefix_max = tl;
    }
    return RN_OK;
}

/* suffix MAKER S... [then=digit|letter|any] [base=P1,P2] [confidence=] src=ID:
 * a part number that ends in S (after at least one character, which
 * then= constrains) and, with base=, begins with one of the bases, is the
 * maker's: package and grade codes that one maker's numbering uses and
 * another's does not (Toshiba's ...APG beside TI's ...A). */
static rn_code do_suffix(ld *L, line *ln)
{
    if (ln->nw < 3)
        return lerr(L, "a suffix rule is: suffix MAKER TEXT... [base=P1,P2] src=ID");
    int maker;
    rn_code rc = maker_ref(L, ln->w[1], &maker);
    if (rc)
        return rc;
    double conf;
    rn__then then = RN__THEN_ANY;
    char *cat, *state;
    if ((rc = conf_of(L, ln, 0.7, &conf)) || (rc = then_of(L, ln, &then)) ||
        (rc = list_of(L, ln, "category", 0, &cat)) || (rc = list_of(L, ln, "state", 1, &state)))
        return rc;
    char *bases[16];
    int nbases = 0;
    const char *bv = get(ln, "base");
    for (const char *p = bv; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (nbases == 16)
            return lerr(L, "base= lists at most 16 prefixes");
        if ((rc = match_text(L, p, len, 0, &bases[nbases])))
            return rc;
        nbases++;
        p = e ? e + 1 : p + len;
    }
    if (bv && !nbases)
        return lerr(L, "base= is a list of prefixes, e.g. base=ULN,TD62");
    int src;
    if ((rc = src_of(L, ln, &src)) || (rc = check_used(L, ln, "suffix")))
        return rc;
    for (int i = 2; i < ln->nw; i++) {
        char *text;
        if ((rc = match_text(L, ln->w[i], ln->wlen[i], 0, &text)))
            return rc;
        rn__rule *r;
        if ((rc = new_rule(L, &r)))
            return rc;
        char id[160];
        snprintf(id, sizeof id, "suffix:%s:%s", ln->w[1], text);
        r->kind = RN__R_SUFFIX;
        r->field = RN__F_MAKER;
        r->conf = conf;
        r->maker = maker;
        r->then = then;
        r->category = cat;
        r->state = state;
        r->src = src;
        if (!(r->id = keep(L->d, id, strlen(id))))
            return RN_ENOMEM;
        size_t tl = strlen(text);
        if (rn__index_add(&L->d->suffix, text, tl, (int)L->d->nrules))
            return RN_ENOMEM;
        if (nbases) { /* last, so that nothing fails between it and counting the rule */
            r->bases = rn__calloc((size_t)nbases, sizeof *r->bases);
            if (!r->bases)
                return RN_ENOMEM;
            memcpy(r->bases, bases, (size_t)nbases * sizeof *bases);
            r->nbases = nbases;
        }
        L->d->nrules++;
        if (tl > L->d->suffix_max)
            L->d->suffix_max = tl;
    }
    return RN_OK;
}

/* introduced MAKER PREFIX date=YYYY-MM-DD src=ID: MAKER's parts whose
 * number begins with PREFIX did not exist before date (the source says when
 * the family was introduced: a product announcement, the first revision of
 * its data sheet). A marking that names the maker and such a part with a
 * production date wholly before it gets a plausibility flag. */
static rn_code do_introduced(ld *L, line *ln)
{
    if (ln->nw != 3)
        return lerr(L, "an introduced rule is: introduced MAKER PREFIX date=YYYY-MM-DD src=ID");
    int maker;
    rn_code rc = maker_ref(L, ln->w[1], &maker);
    if (rc)
        return rc;
    const char *v = get(ln, "date");
    int32_t since;
    if (!v)
        return lerr(L, "an introduced rule needs date= (YYYY-MM-DD, the introduction)");
    if ((rc = ymd_of(L, "date", v, &since)))
        return rc;
    char *text;
    int src;
    if ((rc = match_text(L, ln->w[2], ln->wlen[2], 0, &text)) || (rc = src_of(L, ln, &src)) ||
        (rc = check_used(L, ln, "introduced")))
        return rc;
    rn__rule *r;
    if ((rc = new_rule(L, &r)))
        return rc;
    char id[160];
    snprintf(id, sizeof id, "introduced:%s:%s", ln->w[1], text);
    r->kind = RN__R_INTRODUCED;
    r->field = RN__F_PLAUSIBILITY;
    r->conf = 0.5;
    r->maker = maker;
    r->src = src;
    r->since = since;
    if (!(r->id = keep(L->d, id, strlen(id))))
        return RN_ENOMEM;
    if (grow((void **)&L->d->introduced, &L->d->cap_introduced, L->d->nintroduced, sizeof(int)))
        return RN_ENOMEM;
    r->bases = rn__calloc(1, sizeof *r->bases);
    if (!r->bases)
        return RN_ENOMEM;
    r->bases[0] = text;
    r->nbases = 1;
    L->d->introduced[L->d->nintroduced++] = (int)L->d->nrules;
    L->d->nrules++;
    return RN_OK;
}

/* datecodes MAKER FORMAT... [category=...] src=ID: the maker's own date
 * codes are read by these format rules (the formats its marking
 * conventions document). A marking whose maker is decided as MAKER and
 * that holds a date only in a calendar form (calendar_like patterns:
 * 12.05.2023, 2023-05) of formats not listed gets a plausibility flag. */
static rn_code do_datecodes(ld *L, line *ln)
{
    if (ln->nw < 3)
        return lerr(L, "a datecodes rule is: datecodes MAKER FORMAT... src=ID");
    int maker;
    rn_code rc = maker_ref(L, ln->w[1], &maker);
    if (rc)
        return rc;
    for (size_t k = 0; k < L->d->ndatecodes; k++)
        if (L->d->rules[L->d->datecodes[k]].maker == maker)
            return lerr(L, "the date codes of maker %s are already given at %s:%ld", ln->w[1],
                        L->d->rules[L->d->datecodes[k]].file,
                        L->d->rules[L->d->datecodes[k]].line);
    int uses[64], nuses = 0;
    for (int i = 2; i < ln->nw; i++) {
        if (nuses == 64)
            return lerr(L, "a datecodes rule lists at most 64 formats");
        int f = find_rule_id(L->d, ln->w[i]);
        if (f < 0 || L->d->rules[f].kind != RN__R_FORMAT || L->d->rules[f].field != RN__F_DATE)
            return lerr(L, "'%.64s' is not a production-date format defined before this line",
                        ln->w[i]);
        uses[nuses++] = f;
    }
    char *cat;
    int src;
    if ((rc = list_of(L, ln, "category", 0, &cat)) || (rc = src_of(L, ln, &src)) ||
        (rc = check_used(L, ln, "datecodes")))
        return rc;
    if (grow((void **)&L->d->datecodes, &L->d->cap_datecodes, L->d->ndatecodes, sizeof(int)))
        return RN_ENOMEM;
    rn__rule *r;
    if ((rc = new_rule(L, &r)))
        return rc;
    char id[160];
    snprintf(id, sizeof id, "datecodes:%s", ln->w[1]);
    r->kind = RN__R_DATECODES;
    r->field = RN__F_PLAUSIBILITY;
    r->conf = 0.5;
    r->maker = maker;
    r->category = cat;
    r->src = src;
    if (!(r->id = keep(L->d, id, strlen(id))))
        return RN_ENOMEM;
    r->uses = rn__malloc((size_t)nuses * sizeof *r->uses);
    if (!r->uses)
        return RN_ENOMEM;
    memcpy(r->uses, uses, (size_t)nuses * sizeof *uses);
    r->nuses = nuses;
    L->d->datecodes[L->d->ndatecodes++] = (int)L->d->nrules;
    L->d->nrules++;
    return RN_OK;
}

/* The CHPL's tiers (data/sanctions/chpl.tsv). */
static int valid_tier(const char *t)
{
    static const char *const tiers[] = {"1", "2", "3.A", "3.B", "4.A", "4.B"};
    for (size_t i = 0; i < sizeof tiers / sizeof tiers[0]; i++)
        if (strcmp(t, tiers[i]) == 0)
            return 1;
    return 0;
}

/* class MAKER PREFIX... name="..." hs=NNNNNN heading="..." [tier=T] src=ID:
 * MAKER's parts whose number begins with a PREFIX are of the class `name`,
 * which usually falls under HS-6 subheading hs (its words, shortened, in
 * heading=), listed on the Common High Priority List in tier T when given.
 * The decoder reports it as the part class's usual category, never as a
 * customs ruling on the part. */
static rn_code do_class(ld *L, line *ln)
{
    if (ln->nw < 3)
        return lerr(L, "a class rule is: class MAKER PREFIX... name=\"...\" hs=NNNNNN "
                       "heading=\"...\" [tier=T] src=ID");
    if (ln->nw - 2 > 64)
        return lerr(L, "a class rule lists at most 64 prefixes");
    int maker;
    rn_code rc = maker_ref(L, ln->w[1], &maker);
    if (rc)
        return rc;
    const char *hs = get(ln, "hs");
    if (!hs || strlen(hs) != 6 || strspn(hs, "0123456789") != 6)
        return lerr(L, "hs= must be a six-digit HS code, e.g. hs=854231");
    const char *tier = get(ln, "tier");
    if (tier && !valid_tier(tier))
        return lerr(L, "tier= is a CHPL tier: 1, 2, 3.A, 3.B, 4.A or 4.B");
    char *name, *heading;
    int src;
    if ((rc = text_of(L, ln, "name", 1, 120, &name)) ||
        (rc = text_of(L, ln, "heading", 1, 200, &heading)) || (rc = src_of(L, ln, &src)) ||
        (rc = check_used(L, ln, "class")))
        return rc;
    for (int i = 2; i < ln->nw; i++) { /* one rule a prefix, as prefix rules */
        char *base;
        if ((rc = match_text(L, ln->w[i], ln->wlen[i], 0, &base)))
            return rc;
        if (grow((void **)&L->d->classes, &L->d->cap_classes, L->d->nclasses, sizeof(int)))
            return RN_ENOMEM;
        rn__rule *r;
        if ((rc = new_rule(L, &r)))
            return rc;
        char id[160];
        snprintf(id, sizeof id, "class:%s:%s", ln->w[1], base);
        r->kind = RN__R_CLASS;
        r->field = RN__F_EXPORT;
        r->conf = 0.5;
        r->maker = maker;
        r->value = name;
        r->heading = heading;
        r->src = src;
        memcpy(r->hs, hs, 7);
        if (tier)
            snprintf(r->tier, sizeof r->tier, "%s", tier);
        if (!(r->id = keep(L->d, id, strlen(id))))
            return RN_ENOMEM;
        r->bases = rn__calloc(1, sizeof *r->bases);
        if (!r->bases)
            return RN_ENOMEM;
        r->bases[0] = base;
        r->nbases = 1;
        L->d->classes[L->d->nclasses++] = (int)L->d->nrules;
        L->d->nrules++;
    }
    return RN_OK;
}

/* layout MAKER "PATTERN" note="..." [category=...] src=ID: a token of the
 * maker's documented marking layout (one token, with a two-digit year Y and
 * a two-digit week W or month M where the layout puts the date code). On a
 * marking whose maker is decided as MAKER, a token that matches the pattern
 * but whose week or month digits are no week or month gets a plausibility
 * flag: the layout is the maker's, its date code is impossible. */
static rn_code do_layout(ld *L, line *ln)
{
    if (ln->nw != 3)
        return lerr(L, "a layout rule is: layout MAKER \"PATTERN\" note=\"...\" src=ID");
    int maker;
    rn_code rc = maker_ref(L, ln->w[1], &maker);
    if (rc)
        return rc;
    char *cat, *note;
    int src;
    if ((rc = list_of(L, ln, "category", 0, &cat)) ||
        (rc = text_of(L, ln, "note", 1, 600, &note)) || (rc = src_of(L, ln, &src)) ||
        (rc = check_used(L, ln, "layout")))
        return rc;
    rn__pattern pat;
    memset(&pat, 0, sizeof pat);
    char why[160];
    if (rn__pattern_compile(ln->w[2], ln->wlen[2], &pat, why, sizeof why))
        return lerr(L, "pattern \"%.64s\": %s", ln->w[2], why);
    int ncode = 0;
    for (unsigned k = 0; k < pat.n; k++)
        ncode += pat.e[k].kind == RN__E_C;
    if (ncode || pat.max_tok != 1 || pat.ny != 2 || pat.nd || (pat.nw == 2) == (pat.nm == 2))
        return lerr(L, "pattern \"%.64s\": a layout is one token with YY and WW (or MM), "
                       "no D or C", ln->w[2]);
    if (grow((void **)&L->d->layouts, &L->d->cap_layouts, L->d->nlayouts, sizeof(int)))
        return RN_ENOMEM;
    rn__rule *r;
    if ((rc = new_rule(L, &r)))
        return rc;
    char id[160];
    snprintf(id, sizeof id, "layout:%s:%.100s", ln->w[1], ln->w[2]);
    r->kind = RN__R_LAYOUT;
    r->field = RN__F_PLAUSIBILITY;
    r->conf = 0.5;
    r->maker = maker;
    r->category = cat;
    r->note = note;
    r->src = src;
    if (!(r->id = keep(L->d, id, strlen(id))) ||
        !(pat.text = keep(L->d, ln->w[2], ln->wlen[2])))
        return RN_ENOMEM;
    r->pats = rn__malloc(sizeof *r->pats);
    if (!r->pats)
        return RN_ENOMEM;
    r->pats[0] = pat;
    r->npats = 1;
    L->d->layouts[L->d->nlayouts++] = (int)L->d->nrules;
    L->d->nrules++;
    return RN_OK;
}

static rn_code do_mark(ld *L, line *ln)
{
    rn_code rc = need_id(L, ln, "mark");
    if (rc)
        return rc;
    if (ln->nw < 3)
        return lerr(L, "a mark rule is: mark ID TEXT... field=F value=\"...\" src=ID");
    if (find_rule_id(L->d, ln->w[1]) >= 0)
        return lerr(L, "rule '%s' is already defined", ln->w[1]);
    rn__rule *r;
    if ((rc = new_rule(L, &r)))
        return rc;
    r->kind = RN__R_MARK;
    const char *v = get(ln, "field");
    if (!v)
        return lerr(L, "a mark needs field=weapon_system or field=factory");
    if (strcmp(v, "weapon_system") == 0)
        r->field = RN__F_SYSTEM;
    else if (strcmp(v, "factory") == 0)
        r->field = RN__F_FACTORY;
    else
        return lerr(L, "a mark's field is weapon_system or factory (makers use logo rules)");
    v = get(ln, "match");
    if (!v || strcmp(v, "prefix") == 0)
        r->exact = 0;
    else if (strcmp(v, "exact") == 0)
        r->exact = 1;
    else
        return lerr(L, "match= is prefix or exact");
    if ((v = get(ln, "country")) && (rc = country_of(L, v, r->country)))
        return rc;
    if (r->field == RN__F_FACTORY && !r->country[0])
        return lerr(L, "a factory mark needs country=");
    if ((rc = text_of(L, ln, "value", 1, 200, &r->value)) ||
        (rc = text_of(L, ln, "note", 0, 600, &r->note)) || (rc = conf_of(L, ln, 0.7, &r->conf)) ||
        (rc = then_of(L, ln, &r->then)) || (rc = list_of(L, ln, "category", 0, &r->category)) ||
        (rc = list_of(L, ln, "state", 1, &r->state)) || (rc = src_of(L, ln, &r->src)) ||
        (rc = check_used(L, ln, "mark")))
        return rc;
    if (!(r->id = keep(L->d, ln->w[1], ln->wlen[1])))
        return RN_ENOMEM;
    int idx = (int)L->d->nrules;
    L->d->nrules++; /* visible to the index from here on */
    for (int i = 2; i < ln->nw; i++) {
        char *text;
        if ((rc = match_text(L, ln->w[i], ln->wlen[i], r->exact, &text)))
            return rc;
        size_t tl = strlen(text);
        rn__index *ix = r->exact ? &L->d->exact : &L->d->prefix;
        if (rn__index_add(ix, text, tl, idx))
            return RN_ENOMEM;
        if (!r->exact && tl > L->d->prefix_max)
            L->d->prefix_max = tl;
    }
    return RN_OK;
}

/* format and headstamp rules: patterns and date readings */
static rn_code do_format(ld *L, line *ln, int headstamp)
{
    const char *kind = headstamp ? "headstamp" : "format";
    rn_code rc = need_id(L, ln, kind);
    if (rc)
        return rc;
    if (ln->nw < 3)
        return lerr(L, "a %s rule is: %s ID \"PATTERN\"... src=ID", kind, kind);
    if (ln->nw - 2 > 32)
        return lerr(L, "at most 32 patterns in one rule");
    if (find_rule_id(L->d, ln->w[1]) >= 0)
        return lerr(L, "rule '%s' is already defined", ln->w[1]);
    rn__rule *r;
    if ((rc = new_rule(L, &r)))
        return rc;
    r->kind = headstamp ? RN__R_HEADSTAMP : RN__R_FORMAT;
    r->field = RN__F_DATE;
    const char *v = get(ln, "field");
    if (v) {
        int f = -1;
        for (int i = 0; i < RN__F_COUNT; i++)
            if (strcmp(v, rn__field_names[i]) == 0)
                f = i;
        if (headstamp || (f != RN__F_DATE && f != RN__F_SERIAL && f != RN__F_LOT &&
                          f != RN__F_PART))
            return lerr(L, "%s: field= is production_date, serial, lot or part_number", kind);
        r->field = (rn__field)f;
    }
    int dated = r->field == RN__F_DATE;
    v = get(ln, "calendar");
    if (dated) {
        r->calendar = find_cal(L->d, v ? v : "gregorian");
        if (r->calendar < 0)
            return lerr(L, "unknown calendar '%.64s'", v ? v : "gregorian");
    } else if (v) {
        return lerr(L, "calendar= is for production dates");
    }
    if ((v = get(ln, "year"))) {
        if (strcmp(v, "last") == 0)
            r->year_last = 1;
        else if (strcmp(v, "full") != 0)
            return lerr(L, "year= is last (the digits are the year's last) or full");
    }
    if (r->year_last && (!dated || !rn__calendar_is_gregorian(&L->d->cals[r->calendar])))
        return lerr(L, "year=last is for production dates in the Gregorian calendar");
    r->min_year = 1900;
    r->alternatives = 1;
    if ((v = get(ln, "min_year")) && (rc = int_of(L, "min_year", v, RN_YEAR_MIN, RN_YEAR_MAX, &r->min_year)))
        return rc;
    if ((v = get(ln, "alternatives")) && (rc = int_of(L, "alternatives", v, 1, 5, &r->alternatives)))
        return rc;
    if ((v = get(ln, "digits"))) {
        if (strcmp(v, "persian") != 0)
            return lerr(L, "digits= is persian (ranked up when the marking uses Persian digits)");
        r->persian = 1;
    }
    if (headstamp) {
        if (!(v = get(ln, "group")) || !valid_id(v))
            return lerr(L, "a headstamp needs group= naming its factory codes");
        if (!(r->group = keep(L->d, v, strlen(v))))
            return RN_ENOMEM;
    }
    if ((rc = text_of(L, ln, "note", 1, 600, &r->note)) || (rc = conf_of(L, ln, 0.5, &r->conf)) ||
        (rc = list_of(L, ln, "category", 0, &r->category)) ||
        (rc = list_of(L, ln, "state", 1, &r->state)) || (rc = src_of(L, ln, &r->src)) ||
        (rc = check_used(L, ln, kind)))
        return rc;
    if (!(r->id = keep(L->d, ln->w[1], ln->wlen[1])))
        return RN_ENOMEM;
    r->pats = rn__calloc((size_t)(ln->nw - 2), sizeof *r->pats);
    if (!r->pats)
        return RN_ENOMEM;
    int idx = (int)L->d->nrules;
    L->d->nrules++; /* owns pats from here on */
    for (int i = 2; i < ln->nw; i++) {
        rn__pattern *p = &r->pats[r->npats];
        char why[160];
        if (rn__pattern_compile(ln->w[i], ln->wlen[i], p, why, sizeof why))
            return lerr(L, "pattern \"%.64s\": %s", ln->w[i], why);
        int ncode = 0, nclass = 0;
        for (unsigned k = 0; k < p->n; k++) {
            ncode += p->e[k].kind == RN__E_C;
            nclass += p->e[k].kind == RN__E_N || p->e[k].kind == RN__E_A || p->e[k].kind == RN__E_X;
        }
        int dateparts = p->ny + p->nm + p->nw + p->nd;
        if (headstamp && (ncode != 1 || p->ny == 0 || p->nm || p->nw || p->nd))
            return lerr(L, "pattern \"%.64s\": a headstamp has one C (factory code) and Y digits", ln->w[i]);
        if (!headstamp && ncode)
            return lerr(L, "pattern \"%.64s\": C is for headstamps", ln->w[i]);
        if (dated && p->ny == 0)
            return lerr(L, "pattern \"%.64s\": a date needs Y digits", ln->w[i]);
        if (!dated && (dateparts || nclass == 0))
            return lerr(L, "pattern \"%.64s\": a %s pattern uses N, A or X, not Y, M, W, D",
                        ln->w[i], rn__field_names[r->field]);
        if (p->nw && (p->nm || p->nd || !rn__calendar_is_gregorian(&L->d->cals[r->calendar])))
            return lerr(L, "pattern \"%.64s\": weeks (W) are ISO weeks of a Gregorian year, without M or D",
                        ln->w[i]);
        if (p->nw == 1 || p->nm == 1 || p->nd == 1)
            return lerr(L, "pattern \"%.64s\": weeks, months and days take two digits", ln->w[i]);
        if (p->nd && !p->nm)
            return lerr(L, "pattern \"%.64s\": a day (D) needs a month (M)", ln->w[i]);
        if (dated && !r->year_last && p->ny < 4 && rn__calendar_is_gregorian(&L->d->cals[r->calendar]))
            return lerr(L, "pattern \"%.64s\": fewer than 4 Gregorian year digits need year=last",
                        ln->w[i]);
        if (!(p->text = keep(L->d, ln->w[i], ln->wlen[i])))
            return RN_ENOMEM;
        if (dated && (p->nm || p->nw)) { /* a full year or a day, and punctuation or a
                                          * space between the date elements */
            int first = -1, last = -1, sep = 0;
            for (unsigned k = 0; k < p->n; k++)
                if (p->e[k].kind >= RN__E_Y && p->e[k].kind <= RN__E_D)
                    last = (int)k, first = first < 0 ? (int)k : first;
            for (int k = first + 1; k < last; k++)
                sep |= p->e[k].kind == RN__E_LIT || p->e[k].kind == RN__E_SPACE ||
                       p->e[k].kind == RN__E_OPTSPACE;
            p->calendar_like = (uint8_t)(sep && (p->ny == 4 || p->nd));
        }
        r->npats++;
        if (grow((void **)&L->d->pats, &L->d->cap_pats, L->d->npats, sizeof(rn__patref)))
            return RN_ENOMEM;
        L->d->pats[L->d->npats].rule = idx;
        L->d->pats[L->d->npats].pat = i - 2;
        L->d->npats++;
    }
    return RN_OK;
}

static rn_code do_line(ld *L, const char *s, size_t n, line *ln)
{
    rn_code rc = lex(L, s, n, ln);
    if (rc || ln->nw == 0) {
        if (rc == RN_OK && ln->nk)
            return lerr(L, "a rule begins with its kind, not with a key");
        return rc;
    }
    const char *k = ln->w[0];
    if (strcmp(k, "source") == 0)
        return do_source(L, ln);
    if (strcmp(k, "calendar") == 0)
        return do_calendar(L, ln);
    if (strcmp(k, "maker") == 0)
        return do_maker(L, ln);
    if (strcmp(k, "prefix") == 0)
        return do_prefix(L, ln, 0);
    if (strcmp(k, "logo") == 0)
        return do_prefix(L, ln, 1);
    if (strcmp(k, "factory") == 0)
        return do_factory(L, ln);
    if (strcmp(k, "owner") == 0)
        return do_owner(L, ln);
    if (strcmp(k, "suffix") == 0)
        return do_suffix(L, ln);
    if (strcmp(k, "introduced") == 0)
        return do_introduced(L, ln);
    if (strcmp(k, "datecodes") == 0)
        return do_datecodes(L, ln);
    if (strcmp(k, "class") == 0)
        return do_class(L, ln);
    if (strcmp(k, "layout") == 0)
        return do_layout(L, ln);
    if (strcmp(k, "mark") == 0)
        return do_mark(L, ln);
    if (strcmp(k, "format") == 0)
        return do_format(L, ln, 0);
    if (strcmp(k, "headstamp") == 0)
        return do_format(L, ln, 1);
    return lerr(L, "unknown rule kind '%.32s' (source, calendar, maker, prefix, logo, factory, "
                   "owner, suffix, introduced, datecodes, class, layout, mark, format, headstamp)", k);
}

rn_code rn__rules_load_text(rn_decoder *d, const char *name, const char *text, size_t n,
                            rn_error *err)
{
    ld L = {d, NULL, 0, err};
    if (!(L.file = keep(d, name, strlen(name))))
        return RN_ENOMEM;
    if (n > RN__FILE_MAX)
        return lerr(&L, "rule file larger than %u bytes", RN__FILE_MAX);
    line *ln = rn__malloc(sizeof *ln);
    char *buf = rn__malloc(RN__LINE_MAX + 1);
    char *chk = rn__malloc(RN__LINE_MAX + 1);
    rn_code rc = RN_OK;
    if (!ln || !buf || !chk) {
        rc = RN_ENOMEM;
        goto out;
    }
    size_t i = 0;
    long physical = 0;
    while (i < n && rc == RN_OK) {
        size_t len = 0;
        L.lineno = physical + 1;
        for (;;) { /* one logical line, joining continuations */
            const char *nl = memchr(text + i, '\n', n - i);
            size_t e = nl ? (size_t)(nl - text) : n;
            size_t pl = e - i;
            physical++;
            if (pl && text[i + pl - 1] == '\r')
                pl--;
            if (memchr(text + i, '\0', pl)) {
                L.lineno = physical;
                rc = lerr(&L, "NUL byte in a rule file");
                goto out;
            }
            int cont = pl && text[i + pl - 1] == '\\';
            if (cont)
                pl--;
            if (len + pl + 1 > RN__LINE_MAX) {
                rc = lerr(&L, "line longer than %d bytes", RN__LINE_MAX);
                goto out;
            }
            memcpy(buf + len, text + i, pl);
            len += pl;
            i = nl ? e + 1 : n;
            if (!cont || i >= n)
                break;
            buf[len++] = ' ';
        }
        buf[len] = '\0';
        if (rn__norm(buf, len, chk, NULL) < 0) {
            rc = lerr(&L, "line is not UTF-8");
            goto out;
        }
        rc = do_line(&L, buf, len, ln);
    }
out:
    free(ln);
    free(buf);
    free(chk);
    return rc;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static rn_code load_file(rn_decoder *d, const char *path, rn_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        rn__err(err, RN_EIO, "cannot open rule file: %s", strerror(errno));
        if (err)
            set_file(err, path);
        return RN_EIO;
    }
    char *text = NULL;
    size_t n = 0, cap = 0;
    rn_code rc = RN_OK;
    for (;;) {
        if (n == cap) {
            if (cap >= RN__FILE_MAX + 1) {
                ld L = {d, path, 0, err};
                rc = lerr(&L, "rule file larger than %u bytes", RN__FILE_MAX);
                break;
            }
            size_t nc = cap ? cap * 2 : 65536;
            if (nc > RN__FILE_MAX + 1)
                nc = RN__FILE_MAX + 1;
            char *nt = rn__realloc(text, nc);
            if (!nt) {
                rc = RN_ENOMEM;
                break;
            }
            text = nt;
            cap = nc;
        }
        size_t got = fread(text + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                rc = rn__err(err, RN_EIO, "reading rule file failed");
                if (err)
                    set_file(err, path);
            }
            break;
        }
    }
    fclose(f);
    if (rc == RN_OK)
        rc = rn__rules_load_text(d, path, text ? text : "", n, err);
    free(text);
    return rc;
}

rn_code rn__rules_load_dir(rn_decoder *d, const char *dir, int missing_ok, rn_error *err)
{
    DIR *dp = opendir(dir);
    if (!dp) {
        if (missing_ok && errno == ENOENT)
            return RN_OK;
        rn__err(err, errno == ENOENT ? RN_ENOTFOUND : RN_EIO, "cannot open rule folder: %s",
                strerror(errno));
        if (err)
            set_file(err, dir);
        return errno == ENOENT ? RN_ENOTFOUND : RN_EIO;
    }
    char **names = NULL;
    size_t nn = 0, cap = 0;
    rn_code rc = RN_OK;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 7 || strcmp(e->d_name + l - 6, ".rules") != 0)
            continue;
        if (nn >= RN__FILES_MAX) {
            rc = rn__err(err, RN_ELIMIT, "more than %d rule files in one folder", RN__FILES_MAX);
            break;
        }
        if (grow((void **)&names, &cap, nn, sizeof *names) ||
            !(names[nn] = rn__strndup(e->d_name, l))) {
            rc = RN_ENOMEM;
            break;
        }
        nn++;
    }
    closedir(dp);
    if (rc == RN_OK)
        qsort(names, nn, sizeof *names, cmp_name);
    for (size_t i = 0; i < nn && rc == RN_OK; i++) {
        char path[4096];
        int w = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (w < 0 || (size_t)w >= sizeof path) {
            rc = rn__err(err, RN_ELIMIT, "rule file path too long");
            break;
        }
        struct stat st;
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
            continue;
        rc = load_file(d, path, err);
    }
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int cmp_factory(const void *a, const void *b)
{
    const rn__factory *x = a, *y = b;
    int c = strcmp(x->group, y->group);
    return c ? c : strcmp(x->code, y->code);
}

/* One name of maker m into the names table (skipped when its key is
 * empty, e.g. a name of punctuation only). */
static rn_code add_name(rn_decoder *d, int m, const char *text, size_t n)
{
    char key[RN_DECODE_MARKING_MAX + 1];
    long kl = rn__name_key(text, n, key, sizeof key);
    if (kl <= 0)
        return RN_OK;
    for (size_t i = 0; i < d->nnames; i++)
        if (d->names[i].maker == m && strcmp(d->names[i].key, key) == 0)
            return RN_OK; /* the same key twice for one maker */
    if (grow((void **)&d->names, &d->cap_names, d->nnames, sizeof *d->names))
        return RN_ENOMEM;
    rn__name *nm = &d->names[d->nnames];
    if (!(nm->key = keep(d, key, (size_t)kl)) || !(nm->text = keep(d, text, n)))
        return RN_ENOMEM;
    nm->maker = m;
    d->nnames++;
    return RN_OK;
}

rn_code rn__rules_finish(rn_decoder *d, rn_error *err)
{
    (void)err;
    for (size_t m = 0; m < d->nmakers; m++) {
        const rn__maker *mk = &d->makers[m];
        rn_code rc = add_name(d, (int)m, mk->id, strlen(mk->id));
        if (rc == RN_OK)
            rc = add_name(d, (int)m, mk->name, strlen(mk->name));
        for (const char *a = mk->aka; rc == RN_OK && a && *a;) {
            const char *e = strchr(a, ';');
            size_t len = e ? (size_t)(e - a) : strlen(a);
            rc = add_name(d, (int)m, a, len);
            a = e ? e + 1 : a + len;
        }
        if (rc)
            return rc;
    }
    if (d->nfactories)
        qsort(d->factories, d->nfactories, sizeof *d->factories, cmp_factory);
    d->factories_sorted = 1;
    for (int w = 1; w <= RN__WINDOW_MAX; w++) {
        d->bywin[w] = rn__calloc(d->npats ? d->npats : 1, sizeof(rn__patref));
        if (!d->bywin[w])
            return RN_ENOMEM;
        for (size_t i = 0; i < d->npats; i++) {
            const rn__pattern *p = &d->rules[d->pats[i].rule].pats[d->pats[i].pat];
            if (w < p->min_tok || w > p->max_tok)
                continue;
            rn__patref *pr = &d->bywin[w][d->nbywin[w]++];
            *pr = d->pats[i];
            pr->min_len = p->min_len;
            pr->max_len = p->max_len;
            memcpy(pr->first, p->first, sizeof pr->first);
        }
    }
    return RN_OK;
}

const rn__factory *rn__factory_find(const rn_decoder *d, const char *group, const char *code,
                                    size_t codelen)
{
    /* sorted after loading; linear while loading (only to detect duplicates) */
    size_t lo = 0, hi = d->nfactories;
    if (!d->factories_sorted) {
        for (size_t i = 0; i < d->nfactories; i++)
            if (!strcmp(d->factories[i].group, group) && strlen(d->factories[i].code) == codelen &&
                !memcmp(d->factories[i].code, code, codelen))
                return &d->factories[i];
        return NULL;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const rn__factory *f = &d->factories[mid];
        int c = strcmp(f->group, group);
        if (c == 0) {
            size_t fl = strlen(f->code);
            c = memcmp(f->code, code, fl < codelen ? fl : codelen);
            if (c == 0)
                c = fl < codelen ? -1 : fl > codelen ? 1 : 0;
        }
        if (c == 0)
            return f;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- life cycle ----------------------------------------------------------- */

void rn_decoder_free(rn_decoder *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nrules; i++) {
        free(d->rules[i].pats);
        free(d->rules[i].bases);
        free(d->rules[i].uses);
    }
    free(d->rules);
    free(d->sources);
    free(d->cals);
    free(d->makers);
    free(d->owners);
    free(d->names);
    free(d->introduced);
    free(d->datecodes);
    free(d->classes);
    free(d->layouts);
    free(d->factories);
    free(d->pats);
    for (int w = 0; w <= RN__WINDOW_MAX; w++)
        free(d->bywin[w]);
    rn__index_free(&d->prefix);
    rn__index_free(&d->exact);
    rn__index_free(&d->suffix);
    for (size_t i = 0; i < d->nowned; i++)
        free(d->owned[i]);
    free(d->owned);
    free(d);
}

size_t rn_decoder_rule_count(const rn_decoder *d)
{
    return d ? d->nrules : 0;
}

rn_code rn_decoder_load(const char *const *dirs, size_t ndirs, rn_decoder **out, rn_error *err)
{
    *out = NULL;
    rn_decoder *d = rn__calloc(1, sizeof *d);
    if (!d)
        return rn__err(err, RN_ENOMEM, "out of memory loading rules");
    char builtin[4096];
    rn_code rc = rn_data_file("rules", builtin, sizeof builtin);
    if (rc) {
        rn_decoder_free(d);
        return rn__err(err, RN_ENOTFOUND,
                       "the built-in rules (data/rules) were not found; set REMNANT_DATA");
    }
    rc = rn__rules_load_dir(d, builtin, 0, err);
    for (size_t i = 0; i < ndirs && rc == RN_OK; i++)
        if (dirs[i])
            rc = rn__rules_load_dir(d, dirs[i], 1, err);
    if (rc == RN_OK)
        rc = rn__rules_finish(d, err);
    if (rc) {
        if (rc == RN_ENOMEM)
            rn__err(err, RN_ENOMEM, "out of memory loading rules");
        rn_decoder_free(d);
        return rc;
    }
    *out = d;
    return RN_OK;
}
