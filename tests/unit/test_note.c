/* SPDX-License-Identifier: Apache-2.0
 *
 * test_note.c — lib/ledger/note.c and cosign.c: the reference signed-note
 * example (tests/ledger/note_vectors.txt) byte for byte, malformed notes,
 * unknown and failing signatures, cosignature/v1 round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "ledger/tlog.h"

static char vkey[256], skey[256], text[1024], sigline[512];

static void load(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    FILE *f = fopen(RN_TEST_DATADIR "/ledger/note_vectors.txt", "r");
    assert_non_null(f);
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        char *sp = strchr(line, ' ');
        assert_non_null(sp);
        *sp = '\0';
        char *v = sp + 1;
        if (strcmp(line, "vkey") == 0)
            snprintf(vkey, sizeof vkey, "%.*s", (int)strcspn(v, "\n"), v);
        else if (strcmp(line, "skey") == 0)
            snprintf(skey, sizeof skey, "%.*s", (int)strcspn(v, "\n"), v);
        else if (strcmp(line, "text") == 0)
            strncat(text, v, sizeof text - strlen(text) - 1);
        else if (strcmp(line, "sig") == 0)
            strncat(sigline, v, sizeof sigline - strlen(sigline) - 1);
    }
    fclose(f);
}

static void test_reference_keys(void **state)
{
    (void)state;
    load();
    rn_vkey v;
    assert_int_equal(rn__vkey_parse(vkey, strlen(vkey), &v), RN_OK);
    assert_string_equal(v.name, "PeterNeumann");
    assert_int_equal(v.id, 0xc74f20a3u);
    assert_int_equal(v.type, RN_SIGTYPE_ED25519);
    char out[256];
    assert_int_equal(rn__vkey_format(&v, out, sizeof out), strlen(vkey));
    assert_string_equal(out, vkey);

    rn_skey k;
    assert_int_equal(rn__skey_parse(skey, strlen(skey), &k), RN_OK);
    assert_memory_equal(k.v.pub, v.pub, 32);
    assert_int_equal(rn__skey_format(&k, out, sizeof out), strlen(skey));
    assert_string_equal(out, skey);

    /* Deterministic Ed25519: the same signature line as the reference. */
    char note[2048];
    size_t len = strlen(text);
    memcpy(note, text, len);
    note[len++] = '\n';
    assert_int_equal(rn__note_sign_line(&k, text, strlen(text), note,
                                        sizeof note, &len), RN_OK);
    note[len] = '\0';
    assert_string_equal(note + strlen(text) + 1, sigline);

    /* Bad key strings. */
    const char *bad[] = {
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW=",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(rn__vkey_parse(bad[i], strlen(bad[i]), &v), RN_OK);
    assert_int_not_equal(rn__skey_parse(vkey, strlen(vkey), &k), RN_OK);
}

static void test_reference_note(void **state)
{
    (void)state;
    load();
    char msg[2048];
    snprintf(msg, sizeof msg, "%s\n%s", text, sigline);
    rn_note n;
    rn_vkey v;
    assert_int_equal(rn__vkey_parse(vkey, strlen(vkey), &v), RN_OK);
    assert_int_equal(rn__note_parse(msg, strlen(msg), &n), RN_OK);
    assert_int_equal(n.text_len, strlen(text));
    assert_int_equal(n.nsigs, 1);
    uint64_t mask;
    assert_int_equal(rn__note_verify(&n, &v, 1, &mask), RN_OK);
    assert_int_equal(mask, 1);

    /* A key that did not sign: no known signature, rejected. */
    rn_skey other;
    assert_int_equal(rn__skey_generate("PeterNeumann", 12, RN_SIGTYPE_ED25519,
                                       &other), RN_OK);
    assert_int_equal(rn__note_verify(&n, &other.v, 1, NULL), RN_ECRYPTO);

    /* The text changed: the known key's signature fails. */
    char *p = strstr(msg, "answer");
    p[0] = 'A';
    assert_int_equal(rn__note_parse(msg, strlen(msg), &n), RN_OK);
    assert_int_equal(rn__note_verify(&n, &v, 1, NULL), RN_ECRYPTO);
}

static void test_malformed(void **state)
{
    (void)state;
    load();
    const char *sig = sigline;
    char buf[4096];
    const char *cases[] = {
        "",
        "no signatures\n",
        "text\n\n",
        "text\n\nnot a signature\n",
        "text\n\n\xE2\x80\x94 PeterNeumann\n",
        "text\n\n\xE2\x80\x94 PeterNeumann x08go/ZJk\n",
        "text\n\n\xE2\x80\x94 Peter+Neumann AAAAAAA=\n",
        "text\n\n\xE2\x80\x94  AAAAAAA=\n",
        "text\n\n\xE2\x80\x94 PeterNeumann AAAAAAA=", /* no final newline */
        "te\x01xt\n\n\xE2\x80\x94 PeterNeumann AAAAAAA=\n",
        "te\xC0\xAFxt\n\n\xE2\x80\x94 PeterNeumann AAAAAAA=\n",
        "te\xED\xA0\x80xt\n\n\xE2\x80\x94 PeterNeumann AAAAAAA=\n",
        "text\r\n\n\xE2\x80\x94 PeterNeumann AAAAAAA=\n",
        "\n\xE2\x80\x94 PeterNeumann AAAAAAA=\n",
    };
    rn_note n;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_not_equal(rn__note_parse(cases[i], strlen(cases[i]), &n),
                             RN_OK);
    /* The text may hold blank lines: the last blank line splits. */
    snprintf(buf, sizeof buf, "a\n\nb\n\n%s", sig);
    assert_int_equal(rn__note_parse(buf, strlen(buf), &n), RN_OK);
    assert_int_equal(n.text_len, 5);
    /* Too many signatures. */
    size_t len = (size_t)snprintf(buf, sizeof buf, "t\n\n");
    char *big = malloc(RN_NOTE_MAX + 1024);
    memcpy(big, buf, len);
    for (int i = 0; i < RN_NOTE_MAX_SIGS + 1; i++) {
        memcpy(big + len, sig, strlen(sig));
        len += strlen(sig);
    }
    assert_int_equal(rn__note_parse(big, len, &n), RN_ELIMIT);
    /* Too large. */
    memset(big, 'a', RN_NOTE_MAX + 10);
    assert_int_equal(rn__note_parse(big, RN_NOTE_MAX + 10, &n), RN_ELIMIT);
    free(big);
}

static void test_cosignature(void **state)
{
    (void)state;
    rn_skey log, wit, wit2;
    assert_int_equal(rn__skey_generate("example.com/log", 15,
                                       RN_SIGTYPE_ED25519, &log), RN_OK);
    assert_int_equal(rn__skey_generate("witness.example/w1", 18,
                                       RN_SIGTYPE_COSIG_V1, &wit), RN_OK);
    assert_int_equal(rn__skey_generate("witness.example/w2", 18,
                                       RN_SIGTYPE_COSIG_V1, &wit2), RN_OK);
    /* The key id of a cosigner uses type 0x04. */
    assert_int_equal(wit.v.id, rn__note_key_id(wit.v.name, 18, 0x04,
                                               wit.v.pub));
    rn_hash root = {7};
    char note[4096];
    size_t blen = rn__checkpoint_format("example.com/log", 15, 42, root, note,
                                        sizeof note);
    assert_true(blen > 0);
    size_t len = blen;
    note[len++] = '\n';
    assert_int_equal(rn__note_sign_line(&log, note, blen, note, sizeof note,
                                        &len), RN_OK);
    assert_int_equal(rn__cosign_line(&wit, 1679315147, note, blen, note,
                                     sizeof note, &len), RN_OK);
    rn_note n;
    assert_int_equal(rn__note_parse(note, len, &n), RN_OK);
    assert_int_equal(n.nsigs, 2);
    rn_vkey keys[3] = {log.v, wit.v, wit2.v};
    uint64_t mask;
    assert_int_equal(rn__note_verify(&n, keys, 3, &mask), RN_OK);
    assert_int_equal(mask, 3); /* log and w1 signed, w2 did not */
    uint64_t ts;
    assert_int_equal(rn__cosign_verify(&wit.v, n.sigs[1].sig,
                                       n.sigs[1].sig_len, n.text, n.text_len,
                                       &ts), RN_OK);
    assert_int_equal(ts, 1679315147);
    /* The message it signs, per the spec's example layout. */
    char msg[512];
    size_t ml = rn__cosign_message(1679315147, n.text, n.text_len, msg,
                                   sizeof msg);
    assert_true(ml > 0);
    assert_memory_equal(msg, "cosignature/v1\ntime 1679315147\nexample.com/log\n42\n", 47);
    /* A cosignature does not verify as the log's own signature type. */
    rn_vkey wrong = wit.v;
    wrong.type = RN_SIGTYPE_ED25519;
    assert_int_not_equal(rn__cosign_verify(&wrong, n.sigs[1].sig,
                                           n.sigs[1].sig_len, n.text,
                                           n.text_len, NULL), RN_OK);
    /* A tampered timestamp fails. */
    uint8_t sig[72];
    memcpy(sig, n.sigs[1].sig, 72);
    sig[7] ^= 1;
    assert_int_equal(rn__cosign_verify(&wit.v, sig, 72, n.text, n.text_len,
                                       NULL), RN_ECRYPTO);
    /* A changed checkpoint fails for both. */
    note[blen - 3] ^= 1;
    assert_int_equal(rn__note_parse(note, len, &n), RN_OK);
    assert_int_equal(rn__note_verify(&n, &keys[1], 1, NULL), RN_ECRYPTO);
}

static void test_b64_strict(void **state)
{
    (void)state;
    uint8_t out[64];
    size_t n;
    assert_int_equal(rn__b64_decode("AAAA", 4, out, sizeof out, &n), RN_OK);
    assert_int_equal(n, 3);
    assert_int_equal(rn__b64_decode("AA==", 4, out, sizeof out, &n), RN_OK);
    assert_int_equal(n, 1);
    assert_int_not_equal(rn__b64_decode("AB==", 4, out, sizeof out, &n), RN_OK);
    assert_int_not_equal(rn__b64_decode("AA=", 3, out, sizeof out, &n), RN_OK);
    assert_int_not_equal(rn__b64_decode("A A=", 4, out, sizeof out, &n), RN_OK);
    assert_int_not_equal(rn__b64_decode("AA-_", 4, out, sizeof out, &n), RN_OK);
    assert_int_not_equal(rn__b64_decode("", 0, out, sizeof out, &n), RN_OK);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_keys),
        cmocka_unit_test(test_reference_note),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_cosignature),
        cmocka_unit_test(test_b64_strict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
