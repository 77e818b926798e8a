/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_trace.c — `remnant trace`: trace requests through their life
 * (draft → sent → acknowledged → answered / refused / no-answer / overdue →
 * closed; the state machine and its invariants are in lib/analysis/trace.c
 * and lib/store/lifecycle.c), the transfers an answer reveals, and the
 * overdue list. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remnant/analysis.h"

static const char usage[] =
    "remnant trace [list] [--overdue] [--today DATE] [--json]\n"
    "       remnant trace new RECIPIENT --question TEXT [--items ID;ID...]\n"
    "       remnant trace send ID [--date DATE] [--due DATE]\n"
    "       remnant trace ack|overdue|no-answer|close ID [--date DATE]\n"
    "       remnant trace answer ID --answer TEXT [--date DATE]\n"
    "       remnant trace refuse ID [--answer TEXT] [--date DATE]\n"
    "       remnant trace transfer ID --supplier ENTITY --recipient ENTITY [--date DATE] "
    "[--scope TEXT] [--items ID;ID...]";

static const char help[] =
    "Trace requests to manufacturers and governments. Life: draft -> sent ->\n"
    "acknowledged -> answered | refused | no-answer | overdue -> closed (a late answer\n"
    "may follow no-answer or overdue; `overdue` only once the due date has passed).\n"
    "Each move records its date (--date, default today) in the request; the status\n"
    "and those dates change only by these moves, never by `remnant edit`. A new\n"
    "request is a draft. `send` records the sent date and --due. `answer` needs the\n"
    "answer's text. `transfer` records what an answered request reveals (supplier ->\n"
    "recipient, date, scope); its source names the request. `list --overdue`: sent or\n"
    "acknowledged requests whose due date has passed (--today DATE to ask as of a day).\n"
    "Every change is logged with its author ($REMNANT_AUTHOR, else $USER).\n";

static int list(int argc, char **argv, int json)
{
    int overdue = cli_flag(&argc, argv, "--overdue");
    const char *today_s = NULL;
    if (cli_opt(&argc, argv, "--today", &today_s) < 0)
        return cli_usage_error(usage, "--today needs a date");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    int32_t today = rn_day_today();
    if (today_s) {
        rn_date d;
        rn_error e;
        if (rn_date_parse(today_s, strlen(today_s), &d, &e) || d.precision != RN_PREC_DAY)
            return cli_usage_error(usage, "--today needs a day, YYYY-MM-DD");
        today = d.earliest;
    }
    rn_store *s;
    if ((rc = cli_open(RN_STORE_READONLY, &s)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    char *out = NULL;
    size_t len = 0;
    rn_code c = rn_trace_report(s, overdue, today, &out, &len, &err);
    if (c) {
        rc = cli_error(c, &err);
    } else if (json) {
        fwrite(out, 1, len, stdout);
        putchar('\n');
    } else {
        json_t *root = json_loads(out, 0, NULL), *t;
        size_t i;
        printf("Trace requests as of %s: %" JSON_INTEGER_FORMAT " overdue\n", cli_js(root, "today"),
               json_integer_value(json_object_get(root, "overdue")));
        json_array_foreach(json_object_get(root, "requests"), i, t) {
            json_t *due = json_object_get(t, "due"), *sent = json_object_get(t, "sent");
            printf("%s  %-12s to %s  sent %s  due %s%s  transfers %" JSON_INTEGER_FORMAT "\n",
                   cli_js(t, "trace"), cli_js(t, "status"), cli_js(t, "recipient_name"),
                   json_is_object(sent) ? cli_js(sent, "text") : "-",
                   json_is_object(due) ? cli_js(due, "text") : "-",
                   json_is_true(json_object_get(t, "overdue")) ? " OVERDUE" : "",
                   json_integer_value(json_object_get(t, "transfers_recorded")));
        }
        json_decref(root);
    }
    rn_free(out);
    rn_store_close(s);
    return rc;
}

static int create(int argc, char **argv)
{
    const char *q = NULL, *items = NULL;
    if (cli_opt(&argc, argv, "--question", &q) < 0 || cli_opt(&argc, argv, "--items", &items) < 0)
        return cli_usage_error(usage, "an option is missing its value");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 3 || !q)
        return cli_usage_error(usage, "name the recipient entity and give --question");
    rn_store *s;
    if ((rc = cli_open(0, &s)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    rn_record *r = rn_record_new(RN_T_TRACE);
    rn_code c = r ? RN_OK : RN_ENOMEM;
    if (!c)
        c = rn_record_set(r, "recipient", argv[2], strlen(argv[2]), &err);
    if (!c)
        c = rn_record_set(r, "question", q, strlen(q), &err);
    if (!c)
        c = rn_record_set(r, "status", "draft", 5, &err);
    if (!c && items)
        c = rn_record_set(r, "items", items, strlen(items), &err);
    if (!c)
        c = rn_store_put(s, r, RN_PUT_CREATE, &err);
    if (c)
        rc = cli_error(c, &err);
    else
        printf("%s\n", rn_record_id(r));
    rn_record_free(r);
    rn_store_close(s);
    return rc;
}

static int move(int argc, char **argv, rn_trace_status to)
{
    const char *date = NULL, *due = NULL, *answer = NULL;
    if (cli_opt(&argc, argv, "--date", &date) < 0 || cli_opt(&argc, argv, "--due", &due) < 0 ||
        cli_opt(&argc, argv, "--answer", &answer) < 0)
        return cli_usage_error(usage, "an option is missing its value");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 3)
        return cli_usage_error(usage, "name one trace request");
    if (due && to != RN_TRACE_SENT)
        return cli_usage_error(usage, "--due goes with `send`");
    if (to == RN_TRACE_ANSWERED && !answer)
        return cli_usage_error(usage, "`answer` needs --answer TEXT");
    rn_store *s;
    if ((rc = cli_open(0, &s)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    rn_code c = rn_trace_move(s, argv[2], to, date, due, answer, &err);
    if (c)
        rc = cli_error(c, &err);
    else
        printf("%s %s\n", argv[2], rn_trace_status_name(to));
    rn_store_close(s);
    return rc;
}

static int transfer(int argc, char **argv)
{
    rn_trace_transfer t = {0};
    if (cli_opt(&argc, argv, "--supplier", &t.supplier) < 0 ||
        cli_opt(&argc, argv, "--recipient", &t.recipient) < 0 ||
        cli_opt(&argc, argv, "--date", &t.date) < 0 || cli_opt(&argc, argv, "--scope", &t.scope) < 0 ||
        cli_opt(&argc, argv, "--items", &t.items) < 0)
        return cli_usage_error(usage, "an option is missing its value");
    int rc = cli_unknown_option(argc, argv, usage);
    if (rc)
        return rc;
    if (argc != 3 || !t.supplier || !t.recipient)
        return cli_usage_error(usage, "name the trace request, --supplier and --recipient");
    rn_store *s;
    if ((rc = cli_open(0, &s)))
        return rc;
    rn_error err;
    rn_error_clear(&err);
    char id[RN_ID_LEN + 1];
    rn_code c = rn_trace_add_transfer(s, argv[2], &t, id, &err);
    if (c)
        rc = cli_error(c, &err);
    else
        printf("%s\n", id);
    rn_store_close(s);
    return rc;
}

int cmd_trace(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: %s\n\n%s", usage, help);
        return EXIT_OK;
    }
    int json = cli_flag(&argc, argv, "--json");
    const char *sub = argc >= 2 ? argv[1] : "list";
    if (!strcmp(sub, "list") || sub[0] == '-') {
        if (argc >= 2 && !strcmp(sub, "list")) {
            argv[1] = argv[0];
            return list(argc - 1, argv + 1, json);
        }
        return list(argc, argv, json);
    }
    if (!strcmp(sub, "new"))
        return create(argc, argv);
    if (!strcmp(sub, "send"))
        return move(argc, argv, RN_TRACE_SENT);
    if (!strcmp(sub, "ack"))
        return move(argc, argv, RN_TRACE_ACKNOWLEDGED);
    if (!strcmp(sub, "answer"))
        return move(argc, argv, RN_TRACE_ANSWERED);
    if (!strcmp(sub, "refuse"))
        return move(argc, argv, RN_TRACE_REFUSED);
    if (!strcmp(sub, "no-answer"))
        return move(argc, argv, RN_TRACE_NO_ANSWER);
    if (!strcmp(sub, "overdue"))
        return move(argc, argv, RN_TRACE_OVERDUE);
    if (!strcmp(sub, "close"))
        return move(argc, argv, RN_TRACE_CLOSED);
    if (!strcmp(sub, "transfer"))
        return transfer(argc, argv);
    return cli_usage_error(usage, "'%s' is not a trace subcommand", sub);
}
