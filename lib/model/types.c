/* SPDX-License-Identifier: Apache-2.0
 *
 * types.c — the record types of the data model and their fields: the one
 * place that says what a record may hold. The store's SQL schema
 * (lib/store/migrations) mirrors these tables; test_store checks that every
 * field here has its column there.
 *
 * Field order is the canonical order of CSV columns and human output. JSON
 * canonical form sorts keys instead.
 */
#include <string.h>

#include "internal.h"
#include "model/record_int.h"

#define REQ RN_FIELD_REQUIRED
#define SENS RN_FIELD_SENSITIVE
#define SRCH RN_FIELD_SEARCH
#define IMM RN_FIELD_IMMUTABLE
#define COARSE RN_FIELD_COARSE

#define TEXT(n, fl, mx, h) {n, RN_F_TEXT, fl, 0, NULL, mx, 0, 0, h}
#define INT(n, fl, h) {n, RN_F_INT, fl, 0, NULL, 0, 0, 0, h}
#define REAL(n, fl, lo, hi, h) {n, RN_F_REAL, fl, 0, NULL, 0, lo, hi, h}
#define DATE(n, fl, h) {n, RN_F_DATE, fl, 0, NULL, 0, 0, 0, h}
#define REF(n, fl, t, h) {n, RN_F_REF, fl, t, NULL, 0, 0, 0, h}
#define REFS(n, fl, h) {n, RN_F_REFLIST, fl, 0, NULL, 4096, 0, 0, h}
#define ENUM(n, fl, v, h) {n, RN_F_ENUM, fl, 0, v, 0, 0, 0, h}
#define LIST(n, fl, h) {n, RN_F_LIST, fl, 0, NULL, 4096, 0, 0, h}
#define CTRY(n, fl, h) {n, RN_F_COUNTRY, fl, 0, NULL, 0, 0, 0, h}
#define SHA(n, fl, h) {n, RN_F_SHA256, fl, 0, NULL, 0, 0, 0, h}
/* Notes are internal working notes: never public (docs/PUBLIC.md). */
#define NOTES TEXT("notes", SRCH | SENS, 20000, "internal notes (searchable by staff, never public)")

static const char *const item_kinds[] = {"weapon", "munition", "remnant", "component",
                                         "packaging", "document", NULL};
static const char *const mark_methods[] = {"stamped", "painted", "printed", "label",
                                           "engraved", "cast", "etched", "other", NULL};
static const char *const entity_kinds[] = {"state", "company", "organization", "person",
                                           "other", NULL};
static const char *const trace_states[] = {"draft", "sent", "acknowledged", "answered",
                                           "refused", "no-answer", "overdue", "closed", NULL};
static const char *const finding_states[] = {"draft", "reviewed", "published", "withdrawn",
                                             NULL};
static const char *const derivations[] = {"public-metadata-stripped", NULL};

static const rn_field event_fields[] = {
    TEXT("name", REQ, 500, "short title of the documentation event"),
    TEXT("context", SRCH, 20000, "what happened: strike, seizure, display ..."),
    TEXT("place", 0, 500, "place name"),
    CTRY("country", 0, "ISO 3166-1 alpha-2 code of the place"),
    REAL("lat", COARSE, -90, 90, "latitude, WGS 84 degrees (public: rounded to the grid)"),
    REAL("lon", COARSE, -180, 180, "longitude, WGS 84 degrees (public: rounded to the grid)"),
    INT("precision_m", COARSE, "how precise lat/lon are, in metres (public: at least the grid)"),
    DATE("documented", 0, "when the items were documented"),
    DATE("incident", 0, "when the weapon was used or the incident happened"),
    LIST("investigators", SENS, "who documented (names are never public)"),
    TEXT("custody_holder", SENS, 500, "who holds the items"),
    TEXT("source", SENS, 2000, "where the information came from"),
    NOTES,
};

static const rn_field item_fields[] = {
    ENUM("kind", REQ, item_kinds, "weapon, munition, remnant, component, packaging or document"),
    REF("event", 0, RN_T_EVENT, "the documentation event"),
    REF("parent", 0, RN_T_ITEM, "the item this one is part of"),
    TEXT("category", 0, 100, "e.g. missile-section, circuit-board, ic, cartridge"),
    TEXT("name", 0, 500, "description"),
    TEXT("weapon_system", 0, 200, "identified weapon system, e.g. KN-23"),
    CTRY("producing_state", 0, "attributed producing state (ISO alpha-2)"),
    TEXT("manufacturer", 0, 200, "attributed manufacturer"),
    CTRY("manufacturer_country", 0, "the manufacturer's country of headquarters"),
    DATE("produced", 0, "production date"),
    TEXT("serial", SRCH, 200, "serial number"),
    TEXT("lot", SRCH, 200, "lot or batch number"),
    NOTES,
};

static const rn_field marking_fields[] = {
    REF("item", REQ, RN_T_ITEM, "the item that bears the marking"),
    TEXT("text", REQ | SRCH, 1000, "the marking as transcribed; ? for an illegible character"),
    TEXT("location", 0, 500, "where on the item"),
    ENUM("method", 0, mark_methods, "stamped, painted, printed, label, engraved, cast, etched, other"),
    REF("attachment", 0, RN_T_ATTACHMENT, "the photo that shows it"),
    NOTES,
};

static const rn_field attachment_fields[] = {
    SHA("sha256", REQ | IMM, "SHA-256 of the content (names the blob)"),
    INT("size", REQ | IMM, "size in bytes"),
    TEXT("media_type", REQ, 200, "e.g. image/jpeg"),
    TEXT("filename", SENS, 500, "the original file name (never public: names often hold people or places)"),
    REF("item", 0, RN_T_ITEM, "the item it shows"),
    REF("event", 0, RN_T_EVENT, "the event it belongs to"),
    DATE("captured", 0, "when it was captured"),
    TEXT("captured_by", SENS, 500, "who captured it"),
    NOTES,
    REF("derived_from", IMM, RN_T_ATTACHMENT, "the attachment this file was made from"),
    ENUM("derivation", IMM, derivations,
         "how it was made: public-metadata-stripped (the public's copy, docs/PHOTOS.md)"),
};

static const rn_field entity_fields[] = {
    ENUM("kind", REQ, entity_kinds, "state, company, organization, person, other"),
    TEXT("name", REQ, 500, "name"),
    LIST("aliases", 0, "other names, ';'-separated"),
    CTRY("country", 0, "country (of headquarters, for companies)"),
    LIST("identifiers", 0, "registry numbers, sanctions list ids, ';'-separated"),
    NOTES,
};

static const rn_field transfer_fields[] = {
    REF("supplier", REQ, RN_T_ENTITY, "who supplied"),
    REF("recipient", REQ, RN_T_ENTITY, "who received"),
    TEXT("scope", 0, 2000, "what was transferred"),
    REFS("items", 0, "items covered by the transfer, ';'-separated ids"),
    DATE("date", 0, "when"),
    TEXT("source", SENS, 2000, "evidence for the transfer"),
    REAL("confidence", 0, 0, 1, "0 to 1"),
    NOTES,
};

static const rn_field trace_fields[] = {
    REF("recipient", REQ, RN_T_ENTITY, "who is asked: a manufacturer or a government"),
    REFS("items", 0, "items the request is about"),
    TEXT("question", 0, 5000, "what is asked"),
    ENUM("status", 0, trace_states, "draft, sent, acknowledged, answered, refused, no-answer, "
         "overdue, closed (changed by `remnant trace` moves only)"),
    DATE("sent", 0, "when it was sent"),
    DATE("due", 0, "when an answer is due"),
    DATE("answered", 0, "when it was answered"),
    TEXT("answer", SENS, 20000, "the answer"),
    DATE("acknowledged", 0, "when the recipient acknowledged it"),
    DATE("overdue_since", 0, "when it was marked overdue (its due date had passed)"),
    DATE("no_answer", 0, "when it was given up as unanswered"),
    DATE("closed", 0, "when it was closed"),
    NOTES,
};

static const rn_field finding_fields[] = {
    TEXT("statement", REQ | SRCH, 20000, "what the finding states"),
    REFS("evidence", 0, "ids of the records it rests on"),
    TEXT("author", SENS, 200, "who wrote it"),
    TEXT("reviewer", SENS, 200, "who reviewed it"),
    ENUM("status", 0, finding_states, "draft, reviewed, published, withdrawn (changed by "
         "`remnant finding` acts only)"),
    REF("supersedes", 0, RN_T_FINDING, "the reviewed, published or withdrawn finding this one revises"),
    TEXT("withdrawn_reason", 0, 2000, "why it was withdrawn (not sensitive: it explains a retraction)"),
    DATE("withdrawn", 0, "when it was withdrawn"),
    NOTES,
};

static const rn_field sanction_fields[] = {
    TEXT("regime", REQ, 200, "e.g. UN DPRK (resolution 1718)"),
    TEXT("instrument", REQ, 500, "e.g. UNSCR 2270 (2016), paragraph 8"),
    DATE("adopted", REQ, "adoption date"),
    CTRY("target", 0, "the targeted state"),
    LIST("prohibits", 0, "prohibited categories, ';'-separated"),
    LIST("listed", 0, "listed entities, ';'-separated"),
    TEXT("source", REQ, 2000, "public source of the measure"),
    NOTES,
};

static const rn_field custody_fields[] = {
    REF("item", 0, RN_T_ITEM, "the item"),
    REF("event", 0, RN_T_EVENT, "or the whole event's items"),
    TEXT("holder", REQ | SENS, 500, "who holds it"),
    TEXT("action", 0, 200, "received, transferred, examined, stored ..."),
    DATE("date", 0, "when"),
    NOTES,
};

static const char *const claim_fields_enum[] = {"production_date", "manufacturer", "factory",
                                                "part_number", "serial", "lot",
                                                "weapon_system", "producing_state", NULL};

static const rn_field claim_fields[] = {
    REF("item", REQ, RN_T_ITEM, "the item the claim is about"),
    ENUM("field", REQ, claim_fields_enum,
         "production_date, manufacturer, factory, part_number, serial, lot, weapon_system, "
         "producing_state"),
    TEXT("value", 0, 500, "the analyst's value (for dates use 'date')"),
    DATE("date", 0, "the analyst's date, for production_date"),
    CTRY("country", 0, "country, for manufacturer, factory, producing_state"),
    TEXT("reason", REQ, 5000, "why the analyst reads it so"),
    TEXT("overrides", 0, 200, "the decoder rule whose reading this replaces, if any"),
    REF("marking", 0, RN_T_MARKING, "the marking the claim rests on, if any"),
    TEXT("author", SENS, 200, "who made the claim"),
    NOTES,
};

#define T(name, fields, help) {name, fields, RN_ARRAY_LEN(fields), help}
const struct rn__type_desc rn__types[RN_T_COUNT] = {
    [RN_T_EVENT] = T("event", event_fields, "a documentation event: where, when, who, context"),
    [RN_T_ITEM] = T("item", item_fields, "a weapon, section, board, component ... (a hierarchy)"),
    [RN_T_MARKING] = T("marking", marking_fields, "a marking as transcribed from an item"),
    [RN_T_ATTACHMENT] = T("attachment", attachment_fields, "a photo or file, stored by SHA-256"),
    [RN_T_ENTITY] = T("entity", entity_fields, "a state, company or other actor"),
    [RN_T_TRANSFER] = T("transfer", transfer_fields, "supplier to recipient, with evidence"),
    [RN_T_TRACE] = T("trace", trace_fields, "a trace request to a manufacturer or government"),
    [RN_T_FINDING] = T("finding", finding_fields, "a statement tied to its evidence"),
    [RN_T_SANCTION] = T("sanction", sanction_fields, "a sanctions measure"),
    [RN_T_CUSTODY] = T("custody", custody_fields, "a chain-of-custody event"),
    [RN_T_CLAIM] = T("claim", claim_fields, "an analyst's claim about an item, beside the decoder's"),
};

const char *rn_type_name(rn_type t)
{
    return (unsigned)t < RN_T_COUNT ? rn__types[t].name : "";
}

const char *rn_type_help(rn_type t)
{
    return (unsigned)t < RN_T_COUNT ? rn__types[t].help : "";
}

rn_code rn_type_from_name(const char *s, rn_type *out)
{
    for (int t = 0; t < RN_T_COUNT; t++) {
        if (strcmp(s, rn__types[t].name) == 0) {
            *out = (rn_type)t;
            return RN_OK;
        }
    }
    return RN_EINVAL;
}

const rn_field *rn_type_fields(rn_type t, size_t *n)
{
    if ((unsigned)t >= RN_T_COUNT) {
        *n = 0;
        return NULL;
    }
    *n = rn__types[t].nfields;
    return rn__types[t].fields;
}

int rn_type_field_index(rn_type t, const char *name, size_t len)
{
    if ((unsigned)t >= RN_T_COUNT)
        return -1;
    const struct rn__type_desc *d = &rn__types[t];
    for (size_t i = 0; i < d->nfields; i++) {
        /* without strlen: this runs for every field of every record read */
        const char *f = d->fields[i].name;
        size_t k = 0;
        while (k < len && f[k] && f[k] == name[k])
            k++;
        if (k == len && f[k] == '\0')
            return (int)i;
    }
    return -1;
}
