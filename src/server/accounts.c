/* SPDX-License-Identifier: Apache-2.0
 *
 * accounts.c — server accounts: users and their roles, passwords (Argon2id),
 * sessions and API tokens, in the tables of migration 0004_accounts.sql,
 * through the server's own SQLite connection. No HTTP here: `remnant user`
 * uses the same functions.
 *
 * Invariants:
 *  1. No secret is stored: passwords as crypto_pwhash_str strings
 *     (OPSLIMIT/MEMLIMIT_INTERACTIVE), tokens as BLAKE2b-256 of the token.
 *  2. A token is looked up by its hash, so comparison is of hashes and the
 *     token itself never meets a timing-dependent comparison.
 *  3. Every copy of a secret made here is wiped (sodium_memzero) before
 *     its memory is released.
 *  4. Login answers the same for "no such user" and "wrong password", and
 *     spends an Argon2id verification in both cases.
 */
#include <sqlite3.h>
#include <string.h>
#include <time.h>

#include "server.h"

static const char *const role_names[SRV_ROLE_COUNT] = {
    [SRV_PUBLIC] = "public", [SRV_REVIEWER] = "reviewer", [SRV_ANALYST] = "analyst",
    [SRV_INVESTIGATOR] = "investigator", [SRV_ADMIN] = "admin"};

const char *srv_role_name(srv_role r) { return r < SRV_ROLE_COUNT ? role_names[r] : "?"; }

srv_role srv_role_from_name(const char *s)
{
    for (int r = SRV_REVIEWER; r < SRV_ROLE_COUNT; r++)
        if (strcmp(s, role_names[r]) == 0)
            return (srv_role)r;
    return SRV_ROLE_COUNT;
}

static rn_code fail(rn_error *err, rn_code rc, const char *field, const char *msg)
{
    if (err) {
        err->code = rc;
        snprintf(err->message, sizeof err->message, "%s", msg);
        snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    }
    return rc;
}

static rn_code db_fail(sqlite3 *db, int rc, rn_error *err)
{
    rn_code c = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? RN_EBUSY : RN_EDB;
    return fail(err, c, NULL, sqlite3_errmsg(db));
}

rn_code srv_accounts_open(const char *path, sqlite3 **out, rn_error *err)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        rn_code c = fail(err, RN_EDB, NULL, db ? sqlite3_errmsg(db) : "cannot open database");
        sqlite3_close(db);
        return c;
    }
    sqlite3_busy_timeout(db, 5000);
    rc = sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    sqlite3_stmt *st = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM account", -1, &st, NULL);
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        rn_code c = fail(err, RN_ESCHEMA, NULL,
                         "the database has no accounts tables (open it with this remnant first)");
        sqlite3_close(db);
        return c;
    }
    *out = db;
    return RN_OK;
}

/* Statements of the per-request lookups, prepared once per connection and
 * thread (a worker's connection is used by its thread only). Finalized by
 * srv_accounts_close, which walks every statement of the connection. */
enum { ST_TOKEN, ST_SESSION, ST_VERSION, ST_COUNT };
static _Thread_local struct {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
} cache;

static sqlite3_stmt *cached(sqlite3 *db, int which, const char *sql)
{
    if (cache.db != db) {
        memset(&cache, 0, sizeof cache);
        cache.db = db;
    }
    if (!cache.st[which] &&
        sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &cache.st[which], NULL) !=
            SQLITE_OK)
        return NULL;
    return cache.st[which];
}

void srv_accounts_forget(void)
{
    memset(&cache, 0, sizeof cache);
}

void srv_accounts_close(sqlite3 *db)
{
    if (!db)
        return;
    if (cache.db == db)
        memset(&cache, 0, sizeof cache);
    sqlite3_stmt *st;
    while ((st = sqlite3_next_stmt(db, NULL)) != NULL)
        sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A name: 1..64 of [A-Za-z0-9._-], so it is safe in logs and headers. */
static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > SRV_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static rn_code hash_password(const char *pw, char out[crypto_pwhash_STRBYTES], rn_error *err)
{
    size_t n = strlen(pw);
    if (n < 8)
        return fail(err, RN_EINPUT, "password", "a password needs at least 8 characters");
    if (n > 1024)
        return fail(err, RN_ELIMIT, "password", "a password is at most 1024 bytes");
    if (crypto_pwhash_str(out, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return fail(err, RN_ENOMEM, NULL, "out of memory hashing the password");
    return RN_OK;
}

static int step_done(sqlite3_stmt *st)
{
    int rc;
    do
        rc = sqlite3_step(st);
    while (rc == SQLITE_ROW);
    return rc;
}

rn_code srv_user_add(sqlite3 *db, const char *name, srv_role role, const char *password,
                     rn_error *err)
{
    if (!name_ok(name))
        return fail(err, RN_EINPUT, "name", "a user name is 1-64 of A-Z a-z 0-9 . _ -");
    if (role <= SRV_PUBLIC || role >= SRV_ROLE_COUNT)
        return fail(err, RN_EINPUT, "role", "role is admin, investigator, analyst or reviewer");
    char h[crypto_pwhash_STRBYTES];
    rn_code rc = hash_password(password, h, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    int r = sqlite3_prepare_v2(db, "INSERT INTO account(name, role, pwhash, created) "
                                   "VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL);
    if (r == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, srv_role_name(role), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, h, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
        r = step_done(st);
    }
    if (r == SQLITE_CONSTRAINT)
        rc = fail(err, RN_EEXISTS, "name", "a user with that name exists");
    else if (r != SQLITE_DONE)
        rc = db_fail(db, r, err);
    sqlite3_finalize(st);
    sodium_memzero(h, sizeof h);
    return rc;
}

/* Run `sql` with ?1 = name; RN_ENOTFOUND if no row changed. */
static rn_code by_name(sqlite3 *db, const char *sql, const char *name, const char *arg2,
                       rn_error *err)
{
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    int r = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (r == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (arg2)
            sqlite3_bind_text(st, 2, arg2, -1, SQLITE_STATIC);
        r = step_done(st);
    }
    if (r != SQLITE_DONE)
        rc = db_fail(db, r, err);
    else if (sqlite3_changes(db) == 0)
        rc = fail(err, RN_ENOTFOUND, "name", "no such user");
    sqlite3_finalize(st);
    return rc;
}

rn_code srv_user_rm(sqlite3 *db, const char *name, rn_error *err)
{
    return by_name(db, "DELETE FROM account WHERE name = ?1", name, NULL, err);
}

rn_code srv_user_passwd(sqlite3 *db, const char *name, const char *password, rn_error *err)
{
    char h[crypto_pwhash_STRBYTES];
    rn_code rc = hash_password(password, h, err);
    if (rc)
        return rc;
    /* a new password ends every session of the account */
    rc = by_name(db, "UPDATE account SET pwhash = ?2 WHERE name = ?1", name, h, err);
    sodium_memzero(h, sizeof h);
    if (rc == RN_OK)
        (void)by_name(db, "DELETE FROM account_session WHERE name = ?1", name, NULL, NULL);
    return rc;
}

rn_code srv_user_role(sqlite3 *db, const char *name, srv_role role, rn_error *err)
{
    if (role <= SRV_PUBLIC || role >= SRV_ROLE_COUNT)
        return fail(err, RN_EINPUT, "role", "role is admin, investigator, analyst or reviewer");
    return by_name(db, "UPDATE account SET role = ?2 WHERE name = ?1", name, srv_role_name(role),
                   err);
}

static void token_hash(const char *token, uint8_t out[32])
{
    crypto_generichash(out, 32, (const uint8_t *)token, strlen(token), NULL, 0);
}

/* prefix + 64 hex digits of fresh randomness */
static void token_new(const char *prefix, char out[SRV_TOKEN_MAX])
{
    uint8_t rnd[32];
    randombytes_buf(rnd, sizeof rnd);
    size_t pl = strlen(prefix);
    memcpy(out, prefix, pl);
    sodium_bin2hex(out + pl, SRV_TOKEN_MAX - pl, rnd, sizeof rnd);
    sodium_memzero(rnd, sizeof rnd);
}

rn_code srv_user_token(sqlite3 *db, const char *name, const char *label,
                       char token[SRV_TOKEN_MAX], rn_error *err)
{
    if (label && strlen(label) > 200)
        return fail(err, RN_ELIMIT, "label", "a token label is at most 200 bytes");
    token_new("rnt_", token);
    uint8_t h[32];
    token_hash(token, h);
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    int r = sqlite3_prepare_v2(db, "INSERT INTO account_token(token_hash, name, label, created) "
                                   "SELECT ?1, name, ?3, ?4 FROM account WHERE name = ?2",
                               -1, &st, NULL);
    if (r == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, label ? label : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
        r = step_done(st);
    }
    if (r != SQLITE_DONE)
        rc = db_fail(db, r, err);
    else if (sqlite3_changes(db) == 0)
        rc = fail(err, RN_ENOTFOUND, "name", "no such user");
    sqlite3_finalize(st);
    if (rc)
        sodium_memzero(token, SRV_TOKEN_MAX);
    return rc;
}

rn_code srv_user_list(sqlite3 *db, int (*fn)(void *, const char *, srv_role, int), void *ctx,
                      rn_error *err)
{
    sqlite3_stmt *st = NULL;
    int r = sqlite3_prepare_v2(db, "SELECT name, role, (SELECT count(*) FROM account_token t "
                                   "WHERE t.name = a.name) FROM account a ORDER BY name",
                               -1, &st, NULL);
    if (r != SQLITE_OK)
        return db_fail(db, r, err);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(ctx, (const char *)sqlite3_column_text(st, 0),
               srv_role_from_name((const char *)sqlite3_column_text(st, 1)),
               sqlite3_column_int(st, 2)))
            break;
    }
    rn_code rc = (r == SQLITE_ROW || r == SQLITE_DONE) ? RN_OK : db_fail(db, r, err);
    sqlite3_finalize(st);
    return rc;
}

rn_code srv_login(sqlite3 *db, const char *name, const char *password, srv_role *role,
                  rn_error *err)
{
    /* Invariant 4: a fixed hash of a random password stands in for a
     * missing user, so both failures cost one verification. */
    static char dummy[crypto_pwhash_STRBYTES];
    static int have_dummy;
    char h[crypto_pwhash_STRBYTES] = "";
    srv_role ro = SRV_ROLE_COUNT;
    size_t pl = strlen(password);
    if (pl > 1024)
        return fail(err, RN_ECRYPTO, NULL, "wrong user name or password");
    sqlite3_stmt *st = NULL;
    int r = sqlite3_prepare_v2(db, "SELECT pwhash, role FROM account WHERE name = ?1", -1, &st,
                               NULL);
    if (r != SQLITE_OK)
        return db_fail(db, r, err);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        snprintf(h, sizeof h, "%s", (const char *)sqlite3_column_text(st, 0));
        ro = srv_role_from_name((const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return db_fail(db, r, err);
    if (!h[0]) {
        if (!have_dummy) { /* benign race: both threads write a valid hash */
            char pw[SRV_TOKEN_MAX];
            token_new("", pw);
            if (crypto_pwhash_str(dummy, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                  crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0)
                have_dummy = 1;
            sodium_memzero(pw, sizeof pw);
        }
        if (have_dummy)
            if (crypto_pwhash_str_verify(dummy, password, pl) == 0)
                have_dummy = 1; /* (cannot match: the dummy password is random) */
        return fail(err, RN_ECRYPTO, NULL, "wrong user name or password");
    }
    int ok = crypto_pwhash_str_verify(h, password, pl) == 0;
    sodium_memzero(h, sizeof h);
    if (!ok || ro >= SRV_ROLE_COUNT)
        return fail(err, RN_ECRYPTO, NULL, "wrong user name or password");
    *role = ro;
    return RN_OK;
}

void srv_csrf_for(const char *session_token, char csrf[SRV_TOKEN_MAX])
{
    /* keyed by the session token: no storage, and useless without the
     * HttpOnly cookie it belongs to */
    uint8_t mac[32];
    crypto_generichash(mac, sizeof mac, (const uint8_t *)"remnant-csrf-v1", 15,
                       (const uint8_t *)session_token, strlen(session_token) > 64 ? 64
                                                                  : strlen(session_token));
    sodium_bin2hex(csrf, SRV_TOKEN_MAX, mac, sizeof mac);
    sodium_memzero(mac, sizeof mac);
}

rn_code srv_session_new(sqlite3 *db, const char *name, char token[SRV_TOKEN_MAX],
                        char csrf[SRV_TOKEN_MAX], rn_error *err)
{
    token_new("rns_", token);
    uint8_t h[32];
    token_hash(token, h);
    time_t now = time(NULL);
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    /* expired sessions are swept at each login */
    (void)sqlite3_exec(db, "DELETE FROM account_session WHERE expires < unixepoch()", NULL, NULL,
                       NULL);
    int r = sqlite3_prepare_v2(db, "INSERT INTO account_session(token_hash, name, expires) "
                                   "VALUES (?1, ?2, ?3)", -1, &st, NULL);
    if (r == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)now + SRV_SESSION_SECONDS);
        r = step_done(st);
    }
    if (r != SQLITE_DONE)
        rc = db_fail(db, r, err);
    sqlite3_finalize(st);
    if (rc)
        sodium_memzero(token, SRV_TOKEN_MAX);
    else
        srv_csrf_for(token, csrf);
    return rc;
}

rn_code srv_session_end(sqlite3 *db, const char *token)
{
    uint8_t h[32];
    token_hash(token, h);
    sqlite3_stmt *st = NULL;
    int r = sqlite3_prepare_v2(db, "DELETE FROM account_session WHERE token_hash = ?1", -1, &st,
                               NULL);
    if (r == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
        r = step_done(st);
    }
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? RN_OK : RN_EDB;
}

static rn_code who(sqlite3 *db, int which, const char *sql, const char *token,
                   char name[SRV_NAME_MAX + 1], srv_role *role)
{
    if (strlen(token) != 4 + SRV_TOKEN_HEX)
        return RN_ENOTFOUND;
    uint8_t h[32];
    token_hash(token, h);
    rn_code rc = RN_ENOTFOUND;
    sqlite3_stmt *st = cached(db, which, sql);
    if (!st)
        return RN_EDB;
    sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        snprintf(name, SRV_NAME_MAX + 1, "%s", (const char *)sqlite3_column_text(st, 0));
        *role = srv_role_from_name((const char *)sqlite3_column_text(st, 1));
        rc = *role < SRV_ROLE_COUNT ? RN_OK : RN_ENOTFOUND;
    } else if (r != SQLITE_DONE) {
        rc = RN_EBUSY;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

rn_code srv_session_user(sqlite3 *db, const char *token, char name[SRV_NAME_MAX + 1],
                         srv_role *role)
{
    return who(db, ST_SESSION, "SELECT a.name, a.role FROM account_session s JOIN account a USING (name) "
                   "WHERE s.token_hash = ?1 AND s.expires >= unixepoch()", token, name, role);
}

rn_code srv_token_user(sqlite3 *db, const char *token, char name[SRV_NAME_MAX + 1],
                       srv_role *role)
{
    return who(db, ST_TOKEN, "SELECT a.name, a.role FROM account_token t JOIN account a USING (name) "
                   "WHERE t.token_hash = ?1", token, name, role);
}

int64_t srv_data_version(sqlite3 *db)
{
    sqlite3_stmt *st = cached(db, ST_VERSION, "PRAGMA data_version");
    int64_t v = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return v;
}

/* A token's id: the first 8 bytes of its hash, as 16 lower-case hex digits. */
#define TOKEN_ID_SQL "lower(substr(hex(token_hash), 1, 16))"

static int token_id_ok(const char *id)
{
    return strlen(id) == 16 && strspn(id, "0123456789abcdef") == 16;
}

rn_code srv_token_list(sqlite3 *db, const char *name,
                       int (*fn)(void *, const char *, const char *, const char *, int64_t),
                       void *ctx, rn_error *err)
{
    sqlite3_stmt *st = NULL;
    int r = sqlite3_prepare_v2(db, "SELECT " TOKEN_ID_SQL ", name, label, created "
                                   "FROM account_token WHERE ?1 IS NULL OR name = ?1 "
                                   "ORDER BY name, created, 1", -1, &st, NULL);
    if (r != SQLITE_OK)
        return db_fail(db, r, err);
    if (name)
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(ctx, (const char *)sqlite3_column_text(st, 0),
               (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
               sqlite3_column_int64(st, 3)))
            break;
    }
    rn_code rc = (r == SQLITE_ROW || r == SQLITE_DONE) ? RN_OK : db_fail(db, r, err);
    sqlite3_finalize(st);
    return rc;
}

rn_code srv_token_rm(sqlite3 *db, const char *name, const char *id, rn_error *err)
{
    if (!token_id_ok(id))
        return fail(err, RN_ENOTFOUND, "id", "no such token (an id is 16 hex digits, as "
                                             "`remnant user token list` shows)");
    sqlite3_stmt *st = NULL;
    rn_code rc = RN_OK;
    int r = sqlite3_prepare_v2(db, "DELETE FROM account_token WHERE " TOKEN_ID_SQL
                                   " = ?2 AND (?1 IS NULL OR name = ?1)", -1, &st, NULL);
    if (r == SQLITE_OK) {
        if (name)
            sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        r = step_done(st);
    }
    if (r != SQLITE_DONE)
        rc = db_fail(db, r, err);
    else if (sqlite3_changes(db) == 0)
        rc = fail(err, RN_ENOTFOUND, "id", "no such token");
    sqlite3_finalize(st);
    return rc;
}

rn_code srv_token_rm_all(sqlite3 *db, const char *name, int *n, rn_error *err)
{
    rn_code rc = by_name(db, "DELETE FROM account_token WHERE name = ?1", name, NULL, err);
    *n = rc == RN_OK ? sqlite3_changes(db) : 0;
    return rc == RN_ENOTFOUND ? RN_OK : rc;
}
