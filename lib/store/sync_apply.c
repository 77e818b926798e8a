/* SPDX-License-Identifier: Apache-2.0
 *
 * sync_apply.c — the store's hooks for sync (lib/sync/import.c, conflict.c):
 * a record written or deleted as a change that another log made. It passes
 * the same model check, reference checks and evidence log as every write;
 * only the lifecycle is held to the record's facts (RN__PUT_SYNC), since the
 * moves were checked by the log that made them. Must run inside the
 * caller's open transaction, so that a sync is all or nothing. */
#include "store/store_int.h"

rn_code rn__store_sync_put(rn_store *s, rn_record *r, rn_error *err)
{
    if (!s->user_tx)
        return rn__err(err, RN_EINVAL, "a synced change needs an open transaction");
    if (s->readonly)
        return rn__err(err, RN_EREADONLY, "the store was opened read-only");
    rn_code rc = rn_record_check(r, err);
    if (rc == RN_OK)
        rc = rn__lifecycle_put(s, r, RN_PUT_UPSERT, RN__PUT_SYNC, err);
    if (rc == RN_OK) /* the package's files are written before its records */
        rc = rn__blob_require(s, r, err);
    return rc ? rc : s->ops->put(s, r, RN_PUT_UPSERT, err);
}

rn_code rn__store_sync_create(rn_store *s, rn_record *r, rn_error *err)
{
    if (!s->user_tx)
        return rn__err(err, RN_EINVAL, "a synced change needs an open transaction");
    if (s->readonly)
        return rn__err(err, RN_EREADONLY, "the store was opened read-only");
    rn_code rc = rn_record_check(r, err);
    if (rc == RN_OK)
        rc = rn__lifecycle_put(s, r, RN_PUT_UPSERT, RN__PUT_SYNC, err);
    if (rc == RN_OK)
        rc = rn__blob_require(s, r, err);
    if (rc == RN_OK) {
        /* the registry's key is the probe: RN_EEXISTS when the id is here */
        rc = s->ops->put(s, r, RN_PUT_CREATE, err);
        if (rc == RN_EEXISTS)
            rc = s->ops->put(s, r, RN_PUT_UPSERT, err);
    }
    return rc;
}

rn_code rn__store_sync_write_canon(rn_store *s, rn_record *r, int exists, const char *canon,
                                   size_t len, const struct rn__ledger_prep *prep, rn_error *err)
{
    rn_type t = rn_record_type(r);
    /* the lifecycle may set fields of a finding or a trace request: then
     * the caller's bytes would not be the record's; those are encoded anew */
    if (!rn__lifecycle_type(t) && canon) {
        s->put_canon = canon;
        s->put_canon_len = len;
        s->put_prep = prep;
    }
    rn_code rc = exists ? rn__store_sync_put(s, r, err) : rn__store_sync_create(s, r, err);
    s->put_canon = NULL;
    s->put_canon_len = 0;
    s->put_prep = NULL;
    return rc;
}

rn_code rn__store_sync_delete(rn_store *s, const char *id, rn_error *err)
{
    if (!s->user_tx)
        return rn__err(err, RN_EINVAL, "a synced change needs an open transaction");
    if (s->readonly)
        return rn__err(err, RN_EREADONLY, "the store was opened read-only");
    return s->ops->del(s, id, err);
}
