/* SPDX-License-Identifier: Apache-2.0
 *
 * cli.c — shared plumbing of the `remnant` subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char *db_path;

const char *cli_db(void)
{
    if (db_path)
        return db_path;
    const char *e = getenv("REMNANT_DB");
    return e && *e ? e : "remnant.db";
}

void cli_set_db(const char *path) { db_path = path; }

int cli_exit_code(rn_code rc)
{
    switch (rc) {
    case RN_OK: return EXIT_OK;
    case RN_EINVAL: return EXIT_USAGE;
    case RN_EINPUT:
    case RN_ECONSTRAINT:
    case RN_EEXISTS:
    case RN_ELIMIT: return EXIT_INPUT;
    case RN_ENOTFOUND: return EXIT_NOTFOUND;
    case RN_EDB:
    case RN_EBUSY:
    case RN_EREADONLY:
    case RN_EIO:
    case RN_ESCHEMA: return EXIT_DB;
    case RN_ECRYPTO:
    case RN_ETAMPER: return EXIT_VERIFY;
    default: return EXIT_FAIL;
    }
}

int cli_error(rn_code rc, const rn_error *err)
{
    fputs("remnant: ", stderr);
    if (err && err->file[0]) {
        fputs(err->file, stderr);
        if (err->line > 0)
            fprintf(stderr, ":%ld", err->line);
        fputs(": ", stderr);
    }
    if (err && err->field[0]) {
        fputs("field '", stderr);
        cli_fput_text(stderr, err->field, strlen(err->field));
        fputs("': ", stderr);
    }
    /* messages quote the input: never let it reach the terminal raw */
    const char *m = err && err->message[0] ? err->message : rn_strerror(rc);
    cli_fput_text(stderr, m, strlen(m));
    fputc('\n', stderr);
    return cli_exit_code(rc);
}

int cli_usage_error(const char *usage, const char *fmt, ...)
{
    va_list ap;
    fputs("remnant: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: %s\n(see --help)\n", usage);
    return EXIT_USAGE;
}

int cli_open(unsigned flags, rn_store **out)
{
    rn_error err;
    rn_error_clear(&err);
    rn_code rc = rn_store_open(cli_db(), flags, out, &err);
    if (rc)
        return cli_error(rc, &err);
    const char *user = getenv("REMNANT_AUTHOR");
    if (!user || !*user)
        user = getenv("USER");
    if (user && strlen(user) < 100 && rn_store_set_author(*out, user) != RN_OK)
        return EXIT_FAIL;
    return EXIT_OK;
}

static void drop(int *argc, char **argv, int i, int n)
{
    memmove(argv + i, argv + i + n, (size_t)(*argc - i - n + 1) * sizeof *argv);
    *argc -= n;
}

int cli_flag(int *argc, char **argv, const char *name)
{
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], name) == 0) {
            drop(argc, argv, i, 1);
            return 1;
        }
    }
    return 0;
}

int cli_opt(int *argc, char **argv, const char *name, const char **val)
{
    size_t n = strlen(name);
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') {
            *val = argv[i] + n + 1;
            drop(argc, argv, i, 1);
            return 1;
        }
        if (strcmp(argv[i], name) == 0) {
            if (i + 1 >= *argc)
                return -1;
            *val = argv[i + 1];
            drop(argc, argv, i, 2);
            return 1;
        }
    }
    return 0;
}

int cli_unknown_option(int argc, char **argv, const char *usage)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error(usage, "unknown option '%s'", argv[i]);
    }
    return 0;
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

int cli_set_fields(rn_record *r, int argc, char **argv, int allow_clear)
{
    for (int i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq || eq == argv[i]) {
            fprintf(stderr, "remnant: '%s' is not FIELD=VALUE (see `remnant fields %s`)\n",
                    argv[i], rn_type_name(rn_record_type(r)));
            return EXIT_USAGE;
        }
        char name[64];
        size_t n = (size_t)(eq - argv[i]);
        if (n >= sizeof name) {
            fprintf(stderr, "remnant: field name too long in '%.70s'\n", argv[i]);
            return EXIT_USAGE;
        }
        memcpy(name, argv[i], n);
        name[n] = '\0';
        const char *v = eq + 1;
        rn_error err;
        rn_error_clear(&err);
        rn_code rc;
        if (strcmp(name, "id") == 0)
            rc = rn_record_set_id(r, v, strlen(v), &err);
        else if (*v == '\0' && allow_clear)
            rc = rn_record_set(r, name, NULL, 0, &err);
        else
            rc = rn_record_set(r, name, v, strlen(v), &err);
        if (rc)
            return cli_error(rc, &err);
    }
    return EXIT_OK;
}

void cli_fput_text(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c == '\r')
            fputs("\\r", out);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                 (unsigned char)s[i + 1] <= 0x9f) /* U+0080..U+009F: C1 controls */
            fprintf(out, "\\u%04x", (unsigned char)s[++i]);
        else
            fputc(c, out);
    }
}

int cli_print_record(FILE *out, const rn_record *r, int json)
{
    if (json) {
        char *s;
        size_t n;
        if (rn_record_to_json(r, 0, &s, &n))
            return EXIT_FAIL;
        fwrite(s, 1, n, out);
        fputc('\n', out);
        rn_free(s);
        return EXIT_OK;
    }
    rn_type t = rn_record_type(r);
    fprintf(out, "%s %s\n", rn_type_name(t), rn_record_id(r));
    size_t nf;
    const rn_field *f = rn_type_fields(t, &nf);
    for (size_t i = 0; i < nf; i++) {
        size_t n;
        const char *v = rn_record_get_at(r, (int)i, &n);
        if (v) {
            fprintf(out, "  %-16s ", f[i].name);
            cli_fput_text(out, v, n);
            fputc('\n', out);
        }
    }
    return EXIT_OK;
}

const char *cli_js(json_t *o, const char *k)
{
    json_t *j = json_object_get(o, k);
    const char *v = json_string_value(j);
    if (!v)
        return "-";
    /* for the terminal: a value with control characters is replaced, in
     * the document, by its escaped form (cli_fput_text) */
    size_t n = json_string_length(j);
    int ctl = 0;
    for (size_t i = 0; i < n && !ctl; i++) {
        unsigned char c = (unsigned char)v[i];
        ctl = c < 0x20 || c == 0x7f ||
              (c == 0xc2 && i + 1 < n && (unsigned char)v[i + 1] >= 0x80 &&
               (unsigned char)v[i + 1] <= 0x9f);
    }
    if (!ctl)
        return v;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return "?";
    cli_fput_text(m, v, n);
    if (fclose(m) != 0 || !buf) {
        free(buf);
        return "?";
    }
    int rc = json_string_setn(j, buf, len);
    free(buf);
    return rc == 0 ? json_string_value(j) : "?";
}

int cli_document(rn_code c, const rn_error *err, char *out, size_t len, int json,
                 void (*human)(json_t *root))
{
    int rc = EXIT_OK;
    if (c) {
        rc = cli_error(c, err);
    } else if (json) {
        fwrite(out, 1, len, stdout);
        putchar('\n');
    } else {
        json_t *root = json_loads(out, 0, NULL);
        if (root)
            human(root);
        json_decref(root);
    }
    rn_free(out);
    return rc;
}

int cli_analysis_filter(int *argc, char **argv, const char *usage, rn_analysis_filter *f)
{
    const char *lim = NULL;
    if (cli_opt(argc, argv, "--item", &f->item) < 0 ||
        cli_opt(argc, argv, "--event", &f->event) < 0 ||
        cli_opt(argc, argv, "--system", &f->weapon_system) < 0 ||
        cli_opt(argc, argv, "--state", &f->producing_state) < 0 ||
        cli_opt(argc, argv, "--country", &f->country) < 0 ||
        cli_opt(argc, argv, "--limit", &lim) < 0)
        return cli_usage_error(usage, "an option is missing its value");
    if (lim) {
        char *end;
        errno = 0;
        f->limit = strtol(lim, &end, 10);
        if (errno || *lim == '\0' || *end || f->limit <= 0 || f->limit > RN_ANALYSIS_LIMIT_MAX)
            return cli_usage_error(usage, "--limit needs a whole number from 1 to %d",
                                   RN_ANALYSIS_LIMIT_MAX);
    }
    return EXIT_OK;
}

int cli_out_open(cli_out *o, const char *path)
{
    struct stat st;
    o->path = path;
    o->tmp[0] = '\0';
    o->f = NULL;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            errno = EISDIR;
            return -1;
        }
        o->f = fopen(path, "wb");
        return o->f ? 0 : -1;
    }
    int fd = -1;
    if (snprintf(o->tmp, sizeof o->tmp, "%s.partial-XXXXXX", path) >= (int)sizeof o->tmp) {
        o->tmp[0] = '\0';
        errno = ENAMETOOLONG;
        return -1;
    }
    if ((fd = mkstemp(o->tmp)) < 0 || !(o->f = fdopen(fd, "wb"))) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        o->tmp[0] = '\0';
        errno = e;
        return -1;
    }
    return 0;
}

int cli_out_close(cli_out *o, int ok)
{
    int rc = 0;
    if (!o->f)
        return 0;
    if (o->f == stdout) {
        o->f = NULL;
        return ok && fflush(stdout) != 0 ? -1 : 0;
    }
    if (ok && (fflush(o->f) != 0 || (o->tmp[0] && fsync(fileno(o->f)) != 0)))
        rc = -1;
    if (fclose(o->f) != 0 && ok)
        rc = -1;
    o->f = NULL;
    if (o->tmp[0]) {
        if (ok && rc == 0 && rename(o->tmp, o->path) != 0)
            rc = -1;
        if (!ok || rc) {
            int e = errno;
            unlink(o->tmp);
            errno = e;
        }
        o->tmp[0] = '\0';
    }
    return ok ? rc : 0;
}
