/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_finding.c — `remnant finding`: write a finding that cites its
 * evidence, have it reviewed by another analyst, publish it (the state
 * machine and its invariants are in lib/analysis/finding.c). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remnant/analysis.h"

static const char usage[] =
    "remnant finding new STATEMENT --evidence ID;ID... [--notes TEXT]\n"
    "       remnant finding review ID --user NAME [--password-file FILE]\n"
    "       remnant finding publish ID --user NAME [--password-file FILE]\n"
    "       remnant finding withdraw ID --reason TEXT --user NAME [--password-file FILE]\n"
    "       remnant finding revise ID [--statement TEXT]\n"
    "       remnant finding show ID [--json]";

static const char help[] =
    "Findings: a statement that cites its evidence (items, markings, attachments,\n"
    "transfers, sanctions measures, flags' dismissals ...). Life: draft -> reviewed (by\n"
    "an account other than its author) -> published; a reviewed or published finding\n"
    "can be withdrawn, with a reason. Reviewed, published and withdrawn findings never\n"
    "change: `revise` makes a new draft that supersedes one (the old stays as it was).\n"
    "review, publish and withdraw are done by a reviewer or admin account of\n"
    "`remnant user`: --user NAME and its password, asked on the terminal or read from\n"
    "--password-file FILE (- for stdin); without them they are refused. The author of\n"
    "`new` and `revise` is $REMNANT_AUTHOR, else $USER. Publishing checks that every\n"
    "evidence id exists; every step is a change in the evidence log (`remnant history\n"
    "ID`). `show` resolves each piece of evidence.\n";

static const char *me(void)
{
    const char *u = getenv("REMNANT_AUTHOR");
    if (!u || !*u)
        u = getenv("USER");
    return u ? u : "";
}

int cmd_finding(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n%s", usage, help);
        return EXIT_OK;
    }
    int json = cli_flag(&argc, argv, "--json");
    const char *ev = NULL, *notes = NULL, *user = NULL, *pwfile = NULL, *reason = NULL,
               *statement = NULL;
    if (cli_opt(&argc, argv, "--evidence", &ev) < 0 || cli_opt(&argc, argv, "--notes", &notes) < 0 ||
        cli_opt(&argc, argv, "--user", &user) < 0 ||
        cli_opt(&argc, argv, "--password-file", &pwfile) < 0 ||
        cli_opt(&argc, argv, "--reason", &reason) < 0 ||
        cli_opt(&argc, argv, "--statement", &statement) < 0)
        return cli_usage_error(usage, "an option is missing its value");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 3)
        return cli_usage_error(usage, "give a subcommand and one argument");
    const char *sub = argv[1], *arg = argv[2];
    int writes = strcmp(sub, "show") != 0;
    int by_account = !strcmp(sub, "review") || !strcmp(sub, "publish") || !strcmp(sub, "withdraw");
    if (strcmp(sub, "new") && !by_account && strcmp(sub, "revise") && strcmp(sub, "show"))
        return cli_usage_error(usage, "'%s' is not a finding subcommand", sub);
    if (!strcmp(sub, "withdraw") && (!reason || !*reason))
        return cli_usage_error(usage, "say why: withdraw needs --reason TEXT");
    rn_store *s;
    if ((rc = cli_open(writes ? 0 : RN_STORE_READONLY, &s)))
        return rc;
    if (by_account && (rc = cli_account_login(s, user, pwfile, 1))) {
        rn_store_close(s);
        return rc;
    }
    rn_error err;
    rn_error_clear(&err);
    rn_code c = RN_OK;
    if (!strcmp(sub, "new")) {
        rn_record *r = rn_record_new(RN_T_FINDING);
        c = r ? RN_OK : RN_ENOMEM;
        if (!c)
            c = rn_record_set(r, "statement", arg, strlen(arg), &err);
        if (!c && ev)
            c = rn_record_set(r, "evidence", ev, strlen(ev), &err);
        if (!c && *me())
            c = rn_record_set(r, "author", me(), strlen(me()), &err);
        if (!c && notes)
            c = rn_record_set(r, "notes", notes, strlen(notes), &err);
        if (!c)
            c = rn_record_set(r, "status", "draft", 5, &err);
        if (!c)
            c = rn_store_put(s, r, RN_PUT_CREATE, &err);
        if (!c)
            printf("%s\n", rn_record_id(r));
        rn_record_free(r);
    } else if (!strcmp(sub, "review")) {
        c = rn_finding_review(s, arg, &err);
        if (!c)
            printf("%s reviewed by %s\n", arg, user);
    } else if (!strcmp(sub, "publish")) {
        c = rn_finding_publish(s, arg, &err);
        if (!c)
            printf("%s published\n", arg);
    } else if (!strcmp(sub, "withdraw")) {
        c = rn_finding_withdraw(s, arg, reason, &err);
        if (!c)
            printf("%s withdrawn\n", arg);
    } else if (!strcmp(sub, "revise")) {
        char nid[RN_ID_LEN + 1];
        c = rn_finding_revise(s, arg, statement, nid, &err);
        if (!c)
            printf("%s\n", nid);
    } else {
        char *out = NULL;
        size_t len = 0;
        c = rn_finding_explain(s, arg, &out, &len, &err);
        if (!c && json) {
            fwrite(out, 1, len, stdout);
            putchar('\n');
        } else if (!c) {
            json_t *root = json_loads(out, 0, NULL), *e;
            size_t i;
            printf("%s [%s] by %s, reviewed by %s\n  %s\n", cli_js(root, "finding"),
                   cli_js(root, "status"), cli_js(root, "author"), cli_js(root, "reviewer"),
                   cli_js(root, "statement"));
            if (json_is_string(json_object_get(root, "withdrawn_reason")))
                printf("Withdrawn: %s\n", cli_js(root, "withdrawn_reason"));
            if (json_is_string(json_object_get(root, "supersedes")))
                printf("Supersedes: %s\n", cli_js(root, "supersedes"));
            json_array_foreach(json_object_get(root, "superseded_by"), i, e)
                printf("Superseded by: %s\n", json_string_value(e));
            printf("Evidence:\n");
            json_array_foreach(json_object_get(root, "evidence"), i, e)
                printf("  %s  %s  %s\n", cli_js(e, "id"),
                       json_is_true(json_object_get(e, "missing")) ? "MISSING" : cli_js(e, "type"),
                       cli_js(e, "summary"));
            json_decref(root);
        }
        rn_free(out);
    }
    if (c)
        rc = cli_error(c, &err);
    rn_store_close(s);
    return rc;
}
