/* SPDX-License-Identifier: Apache-2.0
 *
 * api_search_context.c — what each staff search hit is about, so that the
 * workspace shows every hit with its item, event and place from one answer
 * (GET /api/v1/search?q=TEXT&context=1) instead of reading each hit's
 * records one request at a time. Each hit gains, when there is one,
 *   "item":  {"id","kind","name","category","event"}  the item it is, or is on
 *   "event": {"id","name","place","country","documented"}  that item's event,
 *            or the event the hit is, or is on
 * (only the fields that are set; dates in their text form). Contract: for
 * staff only (any account sees every field of these records anyway); the
 * public's search never gets context. Each record is read at most once per
 * answer, however many hits share it.
 */
#include <jansson.h>
#include <string.h>

#include "server.h"

static const char *const item_fields[] = {"kind", "name", "category", "event", NULL};
static const char *const event_fields[] = {"name", "place", "country", "documented", NULL};

/* The summary of record `id` of type `want` (borrowed from `seen`, where it
 * is kept), or NULL when there is none. */
static json_t *summary(srv_req *q, json_t *seen, const char *id, rn_type want)
{
    if (!id || !*id)
        return NULL;
    json_t *s = json_object_get(seen, id);
    if (s)
        return json_is_null(s) ? NULL : s;
    rn_record *r = NULL;
    json_t *o = NULL;
    if (rn_store_get(q->w->store, id, &r, NULL) == RN_OK && rn_record_type(r) == want) {
        o = json_pack("{s:s}", "id", rn_record_id(r));
        const char *const *f = want == RN_T_ITEM ? item_fields : event_fields;
        for (; o && *f; f++) {
            const char *v = rn_record_get(r, *f, NULL);
            if (v)
                json_object_set_new(o, *f, json_string(v));
        }
    }
    rn_record_free(r);
    json_object_set_new(seen, id, o ? o : json_null());
    return o;
}

void srv_search_context(srv_req *q, json_t *hits)
{
    if (q->role == SRV_PUBLIC)
        return;
    json_t *seen = json_object();
    size_t i;
    json_t *h;
    json_array_foreach(hits, i, h) {
        const char *id = json_string_value(json_object_get(h, "id"));
        const char *type = json_string_value(json_object_get(h, "type"));
        if (!id || !type)
            continue;
        json_t *item = NULL, *event = NULL;
        if (strcmp(type, "item") == 0) {
            item = summary(q, seen, id, RN_T_ITEM);
        } else if (strcmp(type, "event") == 0) {
            event = summary(q, seen, id, RN_T_EVENT);
        } else {
            rn_record *r = NULL;
            if (rn_store_get(q->w->store, id, &r, NULL) == RN_OK) {
                item = summary(q, seen, rn_record_get(r, "item", NULL), RN_T_ITEM);
                event = summary(q, seen, rn_record_get(r, "event", NULL), RN_T_EVENT);
            }
            rn_record_free(r);
        }
        if (item && !event)
            event = summary(q, seen, json_string_value(json_object_get(item, "event")),
                            RN_T_EVENT);
        if (item)
            json_object_set(h, "item", item);
        if (event)
            json_object_set(h, "event", event);
    }
    json_decref(seen);
}
