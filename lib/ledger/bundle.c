/* SPDX-License-Identifier: Apache-2.0
 *
 * bundle.c — writing evidence bundles (docs/BUNDLE.md): the chosen records
 * with what they cite, their attachments and markings, each record's latest
 * log entry with an inclusion proof and its disclosures, the blobs, and the
 * latest signed checkpoint — in full, or as the public view shows it (a
 * public bundle: only public records, only the disclosures of fields the
 * public sees as logged, only public derivatives of photos); and the
 * library face of bundle verification (the checking itself is
 * bundle_check.c, shared with remnant-verify).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/ledger_int.h"
#include "remnant/ledger.h"
#include "remnant/public.h"

typedef struct idset {
    char ids[RN_BUNDLE_MAX_RECORDS][RN_ID_LEN + 1];
    rn_type type[RN_BUNDLE_MAX_RECORDS];
    size_t n;
    const rn_public *view; /* a public bundle: only records in the view */
} idset;

static int idset_has(const idset *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->ids[i], id) == 0)
            return 1;
    return 0;
}

/* Add id (fetching the record to learn its type). RN_ENOTFOUND when there is
 * no such record. */
static rn_code idset_add(idset *s, rn_store *st, const char *id, rn_error *err)
{
    if (strlen(id) != RN_ID_LEN || idset_has(s, id))
        return strlen(id) != RN_ID_LEN
                   ? rn__err(err, RN_EINPUT, "not a record id: %s", id)
                   : RN_OK;
    if (s->view && !rn_public_has(s->view, id))
        return RN_OK; /* not public: left out of a public bundle */
    if (s->n == RN_BUNDLE_MAX_RECORDS)
        return rn__err(err, RN_ELIMIT, "a bundle holds at most %d records",
                       RN_BUNDLE_MAX_RECORDS);
    rn_record *r = NULL;
    rn_code rc = rn_store_get(st, id, &r, err);
    if (rc != RN_OK)
        return rc;
    memcpy(s->ids[s->n], id, RN_ID_LEN + 1);
    s->type[s->n] = rn_record_type(r);
    s->n++;
    rn_record_free(r);
    return RN_OK;
}

/* Add the records a record refers to (REF and REFLIST fields). */
static rn_code add_refs(idset *s, rn_store *st, const char *id, rn_error *err)
{
    rn_record *r = NULL;
    rn_code rc = rn_store_get(st, id, &r, err);
    if (rc != RN_OK)
        return rc;
    size_t nf;
    const rn_field *f = rn_type_fields(rn_record_type(r), &nf);
    for (size_t i = 0; i < nf && rc == RN_OK; i++) {
        size_t len;
        const char *v = rn_record_get_at(r, (int)i, &len);
        if (!v)
            continue;
        if (f[i].kind == RN_F_REF) {
            rc = idset_add(s, st, v, err);
        } else if (f[i].kind == RN_F_REFLIST) {
            /* The canonical JSON array of ids: take each quoted id. */
            for (size_t k = 0; k + RN_ID_LEN + 1 < len && rc == RN_OK; k++)
                if (v[k] == '"' && v[k + RN_ID_LEN + 1] == '"' &&
                    rn_id_valid(v + k + 1, RN_ID_LEN)) {
                    char one[RN_ID_LEN + 1];
                    memcpy(one, v + k + 1, RN_ID_LEN);
                    one[RN_ID_LEN] = '\0';
                    rc = idset_add(s, st, one, err);
                    k += RN_ID_LEN + 1;
                }
        }
        if (rc == RN_ENOTFOUND) {
            rc = RN_OK; /* a dangling citation is verify's business */
            if (err)
                rn_error_clear(err);
        }
    }
    rn_record_free(r);
    return rc;
}

/* Add the records of type t whose field `field` is id. */
static rn_code add_children(idset *s, rn_store *st, rn_type t,
                            const char *field, const char *id, rn_error *err)
{
    if (rn_type_field_index(t, field, strlen(field)) < 0)
        return RN_OK;
    rn_filter flt = {field, id};
    rn_cursor *c = NULL;
    rn_code rc = rn_store_list(st, t, &flt, 1, -1, 0, &c, err);
    while (rc == RN_OK) {
        const rn_record *r;
        rc = rn_cursor_next(c, &r, err);
        if (rc != RN_OK || !r)
            break;
        rc = idset_add(s, st, rn_record_id(r), err);
    }
    rn_cursor_free(c);
    return rc;
}

static rn_code put_blob(FILE *out, rn_store *st, const char *sha,
                        rn_error *err)
{
    char path[4096];
    if (rn_store_blob_path(st, sha, path, sizeof path) != RN_OK)
        return rn__err(err, RN_EINPUT, "bad blob name %s", sha);
    FILE *in = fopen(path, "rb");
    if (!in)
        return rn__err(err, RN_ENOTFOUND, "blob %s: %s", sha, strerror(errno));
    rn_code rc = RN_OK;
    if (fseek(in, 0, SEEK_END) != 0) {
        fclose(in);
        return rn__err(err, RN_EIO, "blob %s: cannot read", sha);
    }
    long size = ftell(in);
    rewind(in);
    if (size < 0) {
        fclose(in);
        return rn__err(err, RN_EIO, "blob %s: cannot read", sha);
    }
    fprintf(out, "blob %s %ld\n", sha, size);
    char buf[65536];
    long left = size;
    while (left > 0) {
        size_t want = left < (long)sizeof buf ? (size_t)left : sizeof buf;
        size_t got = fread(buf, 1, want, in);
        if (got != want) {
            rc = rn__err(err, RN_EIO, "blob %s changed while being read", sha);
            break;
        }
        fwrite(buf, 1, got, out);
        left -= (long)got;
    }
    fputc('\n', out);
    fclose(in);
    return rc;
}

/* The disclosures stored with entry `seq`; for a public bundle only those
 * of the fields the public sees exactly as logged (public.h). */
static rn_code entry_disclosures(rn_ledger *l, rn_store *s, const rn_public *view,
                                 const char *id, uint64_t seq, rn_buf *out, size_t *count,
                                 rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_record *r = NULL;
    rn_code rc = RN_OK;
    out->len = 0;
    *count = 0;
    if (sqlite3_prepare_v2(l->db, "SELECT disclosures FROM ledger_entry WHERE seq = ?1", -1,
                           &st, NULL) != SQLITE_OK)
        return rn__ledger_dberr(l->db, err, "read disclosures");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = rn__err(err, RN_ETAMPER, "entry %llu is missing", (unsigned long long)seq);
        goto out;
    }
    const char *d = sqlite3_column_blob(st, 0);
    size_t dl = (size_t)sqlite3_column_bytes(st, 0);
    if (view && (rc = rn_store_get(s, id, &r, err)) != RN_OK)
        goto out;
    for (size_t pos = 0; d && pos < dl;) {
        const char *nl = memchr(d + pos, '\n', dl - pos);
        size_t end = nl ? (size_t)(nl - d) : dl;
        rn_disclosure one;
        if (rn__disclosure_parse(d + pos, end - pos, &one) != RN_OK) {
            rc = rn__err(err, RN_ETAMPER, "entry %llu: a stored disclosure is malformed"
                         " (run remnant verify)", (unsigned long long)seq);
            goto out;
        }
        int keep = 1;
        if (view) {
            int idx = one.name[0] == '_' ? -1
                                          : rn_type_field_index(rn_record_type(r), one.name,
                                                                one.name_len);
            keep = idx >= 0 && rn_public_field_of(view, r, idx) == RN_PUBLIC_DISCLOSED;
        }
        if (keep) {
            if ((out->len && (rc = rn__buf_addc(out, '\n'))) ||
                (rc = rn__buf_add(out, d + pos, end - pos))) {
                rc = rn__err(err, rc, "entry %llu: disclosures too large",
                             (unsigned long long)seq);
                goto out;
            }
            (*count)++;
        }
        pos = end + 1;
    }
out:
    rn_record_free(r);
    sqlite3_finalize(st);
    return rc;
}

static rn_code bundle_write(rn_store *s, const char *db_path, const rn_public *view,
                            const char *const *ids, size_t nids, uint64_t since, FILE *out,
                            rn_error *err)
{
    rn_ledger *l = NULL;
    idset *set = NULL;
    char *note = NULL;
    char *entry = NULL;
    size_t note_len = 0;
    rn_code rc;
    rn_note n;
    rn_checkpoint cp;

    if (nids == 0)
        return rn__err(err, RN_EINVAL, "name at least one record");
    if ((rc = rn_ledger_open(db_path, RN_LEDGER_READONLY, &l, err)) != RN_OK)
        return rc;
    set = rn__calloc(1, sizeof *set);
    if (!set) {
        rc = rn__err(err, RN_ENOMEM, "out of memory");
        goto out;
    }
    set->view = view;
    rn_buf disc;
    rn__buf_init(&disc, RN_ENTRY_MAX);
    if ((rc = rn_ledger_checkpoint(l, 0, &note, &note_len, err)) != RN_OK)
        goto out;
    if (rn__note_parse(note, note_len, &n) != RN_OK ||
        rn__checkpoint_parse(n.text, n.text_len, &cp) != RN_OK) {
        rc = rn__err(err, RN_ENOTFOUND, "the latest checkpoint is not signed:"
                     " make a key first (remnant key create)");
        goto out;
    }
    /* The records: those named, what they cite, and for items and events
     * their attachments and markings. */
    for (size_t i = 0; i < nids; i++) {
        if (view && !rn_public_has(view, ids[i])) {
            rc = rn__err(err, RN_ENOTFOUND, "%s is not public: a public bundle holds only"
                         " published findings and what they cite (see remnant export"
                         " --public --preview ID)", ids[i]);
            goto out;
        }
        if ((rc = idset_add(set, s, ids[i], err)) != RN_OK)
            goto out;
    }
    size_t named = set->n;
    for (size_t i = 0; i < named; i++)
        if ((rc = add_refs(set, s, set->ids[i], err)) != RN_OK)
            goto out;
    size_t cited = set->n;
    for (size_t i = 0; i < cited; i++) {
        const char *id = set->ids[i];
        if (set->type[i] == RN_T_ITEM) {
            if ((rc = add_children(set, s, RN_T_ATTACHMENT, "item", id, err)) ||
                (rc = add_children(set, s, RN_T_MARKING, "item", id, err)))
                goto out;
        } else if (set->type[i] == RN_T_EVENT) {
            if ((rc = add_children(set, s, RN_T_ATTACHMENT, "event", id, err)))
                goto out;
        }
    }
    /* The public copies of the photos (lib/store/photo.c): a public bundle
     * carries their blobs instead of the originals'. */
    size_t with_children = set->n;
    for (size_t i = 0; i < with_children; i++)
        if (set->type[i] == RN_T_ATTACHMENT &&
            (rc = add_children(set, s, RN_T_ATTACHMENT, "derived_from", set->ids[i], err)))
            goto out;

    fprintf(out, "remnant-bundle v2%s\ncheckpoint %zu\n", view ? " public" : "", note_len);
    fwrite(note, 1, note_len, out);
    fputc('\n', out);
    if (since > 0 && since < cp.size) {
        rn_ledger_proof p;
        rn_hash old_root;
        char b64[48];
        if ((rc = rn_ledger_consistency(l, since, cp.size, &p, err)) != RN_OK)
            goto out;
        if ((rc = rn__ledger_tree_root(l->db, since, old_root)) != RN_OK) {
            rc = rn__err(err, rc, "cannot compute the tree of %llu entries",
                         (unsigned long long)since);
            goto out;
        }
        rn__b64_encode(old_root, RN_HASH_LEN, b64, sizeof b64);
        fprintf(out, "consistency %llu %llu %zu %s\n",
                (unsigned long long)since, (unsigned long long)cp.size, p.n,
                b64);
        for (size_t k = 0; k < p.n; k++) {
            char hex[65];
            rn__hex_encode(p.hash[k], 32, hex);
            fprintf(out, "%s\n", hex);
        }
    } else if (since > cp.size) {
        rc = rn__err(err, RN_EINVAL, "--since %llu: the log has only %llu"
                     " entries", (unsigned long long)since,
                     (unsigned long long)cp.size);
        goto out;
    }
    for (size_t i = 0; i < set->n; i++) {
        rn_ledger_proof p;
        size_t elen = 0;
        rc = rn_ledger_inclusion(l, set->ids[i], cp.size, &p, &entry, &elen,
                                 err);
        if (rc != RN_OK)
            goto out;
        rn_entry pe;
        if (rn__entry_parse(entry, elen, &pe) != RN_OK) {
            rc = rn__err(err, RN_ETAMPER, "the log entry of %s is malformed (run remnant"
                         " verify)", set->ids[i]);
            goto out;
        }
        if (view && pe.version == 1) {
            /* A v1 entry carries every field verbatim: it cannot be shown
             * to the public, and its leaf hash invites guessing. */
            rc = rn__err(err, RN_ECONSTRAINT, "record %s was last logged in entry format 1,"
                         " which cannot disclose fields one by one; change the record (any"
                         " edit logs it in format 2) before making a public bundle",
                         set->ids[i]);
            goto out;
        }
        fprintf(out, "entry %llu %zu\n", (unsigned long long)p.index, elen);
        fwrite(entry, 1, elen, out);
        fputc('\n', out);
        if (pe.version == 2) {
            size_t nd = 0;
            if ((rc = entry_disclosures(l, s, view, set->ids[i], p.index, &disc, &nd, err)))
                goto out;
            fprintf(out, "disclosures %llu %zu %zu\n", (unsigned long long)p.index, nd,
                    disc.len);
            if (disc.len)
                fwrite(disc.data, 1, disc.len, out);
            fputc('\n', out);
        }
        fprintf(out, "proof %llu %llu %zu\n", (unsigned long long)p.index,
                (unsigned long long)p.size, p.n);
        for (size_t k = 0; k < p.n; k++) {
            char hex[65];
            rn__hex_encode(p.hash[k], 32, hex);
            fprintf(out, "%s\n", hex);
        }
        free(entry);
        entry = NULL;
    }
    int idx_sha = rn_type_field_index(RN_T_ATTACHMENT, "sha256", 6);
    for (size_t i = 0; i < set->n; i++) {
        if (set->type[i] != RN_T_ATTACHMENT || idx_sha < 0)
            continue;
        rn_record *r = NULL;
        if ((rc = rn_store_get(s, set->ids[i], &r, err)) != RN_OK)
            goto out;
        const char *sha = rn_record_get_at(r, idx_sha, NULL);
        int dup = 0;
        if (view && (!rn_record_get(r, "derived_from", NULL) ||
                     rn_public_field_of(view, r, idx_sha) != RN_PUBLIC_DISCLOSED))
            sha = NULL; /* the public gets photos only as stripped derivatives */
        for (size_t k = 0; k < i && sha; k++) {
            /* The same blob attached twice goes in once. */
            if (set->type[k] != RN_T_ATTACHMENT)
                continue;
            rn_record *o = NULL;
            if (rn_store_get(s, set->ids[k], &o, NULL) == RN_OK) {
                const char *os = rn_record_get_at(o, idx_sha, NULL);
                dup = os && strcmp(os, sha) == 0;
            }
            rn_record_free(o);
            if (dup)
                break;
        }
        rc = sha && !dup ? put_blob(out, s, sha, err) : RN_OK;
        rn_record_free(r);
        if (rc != RN_OK)
            goto out;
    }
    fputs("end\n", out);
    if (fflush(out) != 0 || ferror(out))
        rc = rn__err(err, RN_EIO, "cannot write the bundle");
out:
    if (set)
        rn__buf_free(&disc);
    free(entry);
    free(note);
    free(set);
    rn_ledger_close(l);
    return rc;
}

rn_code rn_ledger_disclosures(rn_ledger *l, rn_store *s, const rn_public *view, const char *id,
                              uint64_t seq, char **out, size_t *len, size_t *count,
                              rn_error *err)
{
    *out = NULL;
    *len = 0;
    *count = 0;
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    char ebuf[RN_ENTRY_V2_MAX];
    if (sqlite3_prepare_v2(l->db, "SELECT " RN_ENTRY_COLS("") " FROM ledger_entry WHERE seq = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return rn__ledger_dberr(l->db, err, "read entry");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
    rn_entry e;
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = rn__err(err, RN_ENOTFOUND, "no entry %llu", (unsigned long long)seq);
    } else {
        const char *b = NULL;
        size_t bl = 0;
        const char *rid = (const char *)sqlite3_column_text(st, 1);
        if (rn__ledger_entry_bytes(st, 0, ebuf, sizeof ebuf, &b, &bl) != RN_OK || !rid ||
            strcmp(rid, id) != 0 || rn__entry_parse(b, bl, &e) != RN_OK)
            rc = rn__err(err, RN_ETAMPER, "entry %llu is not an entry of %s",
                         (unsigned long long)seq, id);
        else if (e.version == 1 && view)
            rc = rn__err(err, RN_ECONSTRAINT, "record %s was last logged in entry format 1,"
                         " which cannot disclose fields one by one; any change logs it in"
                         " format 2", id);
    }
    sqlite3_finalize(st);
    if (rc || e.version == 1)
        return rc;
    rn_buf d;
    rn__buf_init(&d, RN_ENTRY_MAX);
    rc = entry_disclosures(l, s, view, id, seq, &d, count, err);
    if (rc == RN_OK)
        rc = rn__buf_cstr(&d);
    if (rc) {
        rn__buf_free(&d);
        return rc;
    }
    *out = d.data ? d.data : rn__strndup("", 0);
    *len = d.len;
    return *out ? RN_OK : rn__err(err, RN_ENOMEM, "out of memory");
}

rn_code rn_ledger_bundle_write(rn_store *s, const char *db_path, const char *const *ids,
                               size_t nids, uint64_t since, FILE *out, rn_error *err)
{
    return bundle_write(s, db_path, NULL, ids, nids, since, out, err);
}

rn_code rn_ledger_bundle_write_public(rn_store *s, const char *db_path, double grid,
                                      const char *const *ids, size_t nids, uint64_t since,
                                      FILE *out, rn_error *err)
{
    rn_public_opts o = {grid, NULL};
    rn_public *view = NULL;
    rn_code rc = rn_public_open(s, &o, &view, err);
    if (rc == RN_OK)
        rc = bundle_write(s, db_path, view, ids, nids, since, out, err);
    rn_public_free(view);
    return rc;
}

rn_code rn_ledger_bundle_verify(const void *data, size_t len,
                                const char *const *vkeys, size_t nvkeys,
                                rn_ledger_say_fn fn, void *ctx)
{
    rn_vkey keys[64];
    if (nvkeys == 0 || nvkeys > 64)
        return RN_EINVAL;
    if (sodium_init() < 0)
        return RN_ECRYPTO;
    for (size_t i = 0; i < nvkeys; i++)
        if (rn__vkey_parse(vkeys[i], strlen(vkeys[i]), &keys[i]) != RN_OK)
            return RN_EINPUT;
    return rn__bundle_check(data, len, keys, nvkeys, fn, ctx);
}
