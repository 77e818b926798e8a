/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_peer.c — `remnant peer add|list|rm`: the other instances this one
 * trusts for sync (lib/sync/peer.c, docs/SYNC.md). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remnant/sync.h"

static const char usage[] = "remnant peer add NAME URL|- --key VKEY [--role ROLE] | "
                            "peer list [--json] | peer rm NAME";

static int help(void)
{
    printf("usage: remnant peer add NAME URL|- --key VKEY [--role ROLE]\n"
           "       remnant peer list [--json]\n"
           "       remnant peer rm NAME\n\n"
           "Register another Remnant instance to sync with: NAME is yours to choose, URL\n"
           "its server (http:// or https://) or '-' for one reached by file only, VKEY\n"
           "its log's verifier key as its `remnant key show` prints it (check it through\n"
           "a channel you trust: only packages signed by it are accepted). ROLE is what\n"
           "its pushes may do here: investigator (the default), analyst, reviewer,\n"
           "admin or partner. `peer list` shows each peer with what was last sent to it\n"
           "and seen from it; `peer rm` forgets a peer (the provenance it gave stays).\n");
    return EXIT_OK;
}

static void human(json_t *root)
{
    size_t i;
    json_t *p;
    if (json_array_size(root) == 0)
        puts("no peers (`remnant peer add` registers one)");
    json_array_foreach(root, i, p) {
        printf("%s  %s  role %s  log %s\n", cli_js(p, "name"), cli_js(p, "url"),
               cli_js(p, "role"), cli_js(p, "origin"));
        printf("    sent %" JSON_INTEGER_FORMAT " entries; seen %" JSON_INTEGER_FORMAT
               " entries (last %s); %" JSON_INTEGER_FORMAT " open conflicts\n",
               json_integer_value(json_object_get(p, "sent_size")),
               json_integer_value(json_object_get(p, "seen_size")), cli_js(p, "last_sync"),
               json_integer_value(json_object_get(p, "open_conflicts")));
    }
}

int cmd_peer(int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return help();
    if (argc < 2)
        return cli_usage_error(usage, "say add, list or rm");
    const char *verb = argv[1];
    const char *key = NULL, *role = NULL;
    int json = 0;
    if (strcmp(verb, "add") == 0) {
        if (cli_opt(&argc, argv, "--key", &key) < 0 || cli_opt(&argc, argv, "--role", &role) < 0)
            return cli_usage_error(usage, "--key and --role need a value");
        if (!key)
            return cli_usage_error(usage, "peer add needs --key VKEY (the peer's `remnant key "
                                   "show`)");
    } else if (strcmp(verb, "list") == 0) {
        json = cli_flag(&argc, argv, "--json");
    } else if (strcmp(verb, "rm") != 0) {
        return cli_usage_error(usage, "'%.40s' is not add, list or rm", verb);
    }
    /* a URL of "-" is not an option */
    for (int i = 2; i < argc; i++)
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error(usage, "unknown option '%s'", argv[i]);
    int want = strcmp(verb, "add") == 0 ? 4 : strcmp(verb, "rm") == 0 ? 3 : 2;
    if (argc != want)
        return cli_usage_error(usage, "wrong number of arguments for peer %s", verb);
    rn_store *s;
    int rc = cli_open(strcmp(verb, "list") == 0 ? RN_STORE_READONLY : 0, &s);
    if (rc)
        return rc;
    rn_error err;
    rn_error_clear(&err);
    rn_code c;
    if (strcmp(verb, "add") == 0) {
        c = rn_sync_peer_add(s, argv[2], argv[3], key, role, &err);
        if (!c)
            printf("peer %s registered\n", argv[2]);
    } else if (strcmp(verb, "rm") == 0) {
        c = rn_sync_peer_rm(s, argv[2], &err);
        if (!c)
            printf("peer %s removed\n", argv[2]);
    } else {
        char *out = NULL;
        c = rn_sync_peer_list(s, &out, &err);
        rn_store_close(s);
        return cli_document(c, &err, out, out ? strlen(out) : 0, json, human);
    }
    rc = c ? cli_error(c, &err) : EXIT_OK;
    rn_store_close(s);
    return rc;
}
