#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# server_roles.sh — the role table: every row of tests/server/roles.tsv
# (method, path, body) is sent as each role (anonymous public, reviewer,
# analyst, investigator, admin, the last four by API token) and must get the
# status the table states. A row whose path is not in the router fails too
# (404/405 where the table wants otherwise).
. "$RN_SRC/tests/server/lib.sh"

make_users
"$REMNANT" key show >/dev/null 2>&1 || "$REMNANT" key create >/dev/null 2>&1 || bad "key create"
E=$("$REMNANT" add event name="Restricted event" country=UA)
I=$("$REMNANT" add item kind=weapon event="$E" serial=serial-1)
PI=$("$REMNANT" add item kind=component event="$E" parent="$I")
head -c 300 /dev/urandom >a.bin
# the public attachment is a photo: the public is served its public copy, and
# a file that has none (random bytes) would be refused (docs/PHOTOS.md)
cp "$RN_SRC/tests/photo/plain.jpg" b.bin
A=$("$REMNANT" attach "$I" a.bin)
PA=$("$REMNANT" attach "$PI" b.bin)
C=$("$REMNANT" add custody item="$I" holder="Regional prosecutor")
D=$("$REMNANT" add finding statement="draft finding")
PF=$("$REMNANT" add finding statement="published finding" author=someone-else evidence="$PI;$PA;$C")
publish_finding "$PF" u_reviewer password-reviewer
start_server --quiet

n=0
# unique names from a counter kept in a file ($(...) runs in a subshell):
# certain, where $RANDOM$n could repeat (1 and 23 vs 12 and 3)
next_n() { local c; c=$(( $(cat "$W/next_n" 2>/dev/null || echo 0) + 1 )); echo "$c" >"$W/next_n"; echo "$c"; }
fresh() { # fresh TYPE: a new record (or account) made by admin; prints its id
    local st
    case $1 in
    user) local u; u="v_$(next_n)"; st=$(api admin POST /api/v1/users \
              "{\"name\":\"$u\",\"password\":\"long-enough-1\",\"role\":\"analyst\"}"); echo "$u"; return ;;
    event) st=$(api admin POST /api/v1/events '{"name":"fresh"}') ;;
    entity) st=$(api admin POST /api/v1/entities '{"kind":"company","name":"fresh"}') ;;
    finding) st=$(api admin POST /api/v1/findings '{"statement":"fresh"}') ;;
    trace) local e; e=$(fresh entity)
           st=$(api admin POST /api/v1/traces "{\"recipient\":\"$e\"}") ;;
    esac
    [ "$st" = 201 ] || echo "fresh $1: $st $(cat "$W/body")" >&2
    json_get id <"$W/body"
}
subst() {
    local s=$1
    s=${s//\{event\}/$E}; s=${s//\{item\}/$I}; s=${s//\{attachment\}/$A}
    s=${s//\{custody\}/$C}; s=${s//\{draft\}/$D}; s=${s//\{pitem\}/$PI}
    s=${s//\{pattach\}/$PA}; s=${s//\{pfinding\}/$PF}; s=${s//\{rnd\}/r_$(next_n)}
    s=${s//\{sha0\}/0000000000000000000000000000000000000000000000000000000000000000}
    while [[ $s =~ \{fresh:([a-z]+)\} ]]; do
        local t=${BASH_REMATCH[1]} id
        id=$(fresh "$t")
        s=${s/"{fresh:$t}"/$id}
    done
    printf '%s' "$s"
}

roles=(public reviewer analyst investigator admin)
rows=0
while IFS=$'\t' read -r m p body e0 e1 e2 e3 e4; do
    case $m in ''|\#*) continue ;; esac
    want=("$e0" "$e1" "$e2" "$e3" "$e4")
    rows=$((rows + 1))
    for k in 0 1 2 3 4; do
        n=$((n + 1))
        role=${roles[$k]}
        path=$(subst "$p")
        if [ "$body" = "@bin" ]; then
            eval "tok=\${TOK_$role-}"
            args=(-s -o "$W/body" -w '%{http_code}' -X "$m" -H 'Content-Type: application/octet-stream'
                  --data-binary "@$W/a.bin")
            [ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
            got=$(curl "${args[@]}" "$BASE$path")
        elif [ "$body" = "-" ]; then
            got=$(api "$role" "$m" "$path")
        else
            got=$(api "$role" "$m" "$path" "$(subst "$body")")
        fi
        if [ "$got" = "${want[$k]}" ]; then
            ok "$role $m $p -> $got"
        else
            bad "$role $m $p -> $got, wanted ${want[$k]}: $(head -c 300 "$W/body")"
        fi
    done
done <"$RN_SRC/tests/server/roles.tsv"
[ "$rows" -ge 50 ] && ok "$rows rows read" || bad "only $rows rows in roles.tsv"

# every route of the router appears in the table (the OpenAPI test checks the
# router against openapi.json; this checks the table against openapi.json)
python3 - "$RN_SRC" <<'PY' || bad "roles.tsv misses an endpoint of openapi.json"
import json, re, sys
src = sys.argv[1]
T = "events|items|markings|attachments|entities|transfers|traces|findings|sanctions|custody|claims|nothing"
def norm(m, p):
    segs = p.split("?")[0].split("/")
    segs = ["{x}" if (re.fullmatch(T, x) or x.startswith("{")) and i > 2 else x
            for i, x in enumerate(segs)]
    return (m.upper(), "/".join(segs))
rows = set()
for line in open(src + "/tests/server/roles.tsv"):
    if line.strip() and not line.startswith("#"):
        rows.add(norm(*line.split("\t")[:2]))
doc = json.load(open(src + "/src/server/openapi.json"))
missing = [norm(m, p) for p, ops in doc["paths"].items() for m in ops if norm(m, p) not in rows]
if missing:
    print("not in roles.tsv:", missing); sys.exit(1)
PY

stop_server || bad "server stopped cleanly (exit status)"
no_sanitizer_report
echo "$fails failed"
[ "$fails" -eq 0 ]
