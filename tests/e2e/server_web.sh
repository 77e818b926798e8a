#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# server_web.sh — the web app's side of `remnant serve`, without a browser:
# the app's files (built in, and with --web DIR) with their types, ETags,
# gzip and Content-Security-Policy; paths that escape the folder refused;
# the public portal's reads (filters, formats, errors) showing only the
# public view; and signing in again over a stale session cookie.
. "$RN_SRC/tests/server/lib.sh"

"$REMNANT" demo "$REMNANT_DB" >/dev/null || exit 1
make_users
start_server --quiet

hdr() { curl -s -o /dev/null -D - "$@" | tr -d '\r'; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# ---- files -----------------------------------------------------------------------
h=$(hdr "$BASE/")
check "portal page" 1 "$(grep -c '^Content-Type: text/html; charset=utf-8' <<<"$h")"
csp=$(grep '^Content-Security-Policy:' <<<"$h")
check "CSP: scripts from this origin only" 1 "$(grep -c "script-src 'self';" <<<"$csp")"
check "CSP: no inline, no eval, no other origin" 0 "$(grep -Ec "unsafe-|https?:|\*" <<<"$csp")"
check "CSP: no framing" 1 "$(grep -c "frame-ancestors 'none'" <<<"$csp")"
etag=$(sed -n 's/^ETag: //p' <<<"$h")
check "ETag given" 1 "$([ -n "$etag" ] && echo 1)"
check "304 for the same ETag" 304 "$(code -H "If-None-Match: $etag" "$BASE/")"
check "workspace at /app/" 200 "$(code "$BASE/app/")"
check "workspace keeps its place at /app/x/y" 200 "$(code "$BASE/app/x/y")"
check "script type" 1 "$(hdr "$BASE/assets/js/portal.js" | grep -c '^Content-Type: text/javascript')"
check "catalogue" 200 "$(code "$BASE/i18n/uk.json")"
g=$(hdr -H 'Accept-Encoding: gzip' "$BASE/vendor/leaflet.js")
check "gzip when accepted" 1 "$(grep -c '^Content-Encoding: gzip' <<<"$g")"
check "gzip ETag differs" 1 "$(grep -c '^ETag: ".*-gz"' <<<"$g")"
check "no gzip when refused" 0 "$(hdr -H 'Accept-Encoding: gzip;q=0' "$BASE/vendor/leaflet.js" | grep -c '^Content-Encoding')"
curl -s -H 'Accept-Encoding: gzip' "$BASE/vendor/leaflet.js" | gunzip -c >leaflet.js
check "gzip body is the file" 0 "$(cmp -s leaflet.js "$RN_SRC/web/node_modules/leaflet/dist/leaflet.js" || [ ! -d "$RN_SRC/web/node_modules" ]; echo $?)"
check "the map shapes" 200 "$(code "$BASE/vendor/countries-110m.json")"
check "unknown asset 404" 404 "$(code "$BASE/assets/nope.js")"
check "POST to a page 405" 405 "$(code -X POST "$BASE/")"
check "API untouched" 200 "$(code "$BASE/api/v1/health")"
check "other paths stay the API's 404" 404 "$(code "$BASE/health")"

# ---- the public portal's reads -----------------------------------------------------------
curl -s "$BASE/api/v1/public/findings" >all.json
check "two published findings" 2 "$(python3 -c 'import json;print(len(json.load(open("all.json"))["findings"]))')"
check "the draft is not there" 0 "$(grep -c 01J3DEM0000000000000000151 all.json)"
check "exact coordinates are not there" 0 "$(grep -Ec '49\.99|36\.23|47\.84|35\.14' all.json)"
check "no notes, no investigators" 0 "$(grep -Ec 'INVENTED DEMO DATA —|Demo investigator|notes' all.json)"
check "filter by weapon" 1 "$(curl -s "$BASE/api/v1/public/findings?weapon_system=KN-24" | python3 -c 'import json,sys;print(len(json.load(sys.stdin)["findings"]))')"
check "filter by date" 1 "$(curl -s "$BASE/api/v1/public/findings?from=2024-07-10" | python3 -c 'import json,sys;print(len(json.load(sys.stdin)["findings"]))')"
check "facets span all" "['KN-23', 'KN-24']" "$(curl -s "$BASE/api/v1/public/findings?weapon_system=KN-24" | python3 -c 'import json,sys;print(json.load(sys.stdin)["facets"]["weapon_system"])')"
check "a bad date is 400" 400 "$(code "$BASE/api/v1/public/findings?from=July")"
check "an unknown filter is 400" 400 "$(code "$BASE/api/v1/public/findings?notes=x")"
check "GeoJSON" "FeatureCollection 2" "$(curl -s "$BASE/api/v1/public/findings.geojson" | python3 -c 'import json,sys;d=json.load(sys.stdin);print(d["type"],len(d["features"]))')"
check "GeoJSON type" 1 "$(hdr "$BASE/api/v1/public/findings.geojson" | grep -c '^Content-Type: application/geo+json')"
check "CSV rows" 3 "$(curl -s "$BASE/api/v1/public/findings.csv" | python3 -c 'import csv,sys;print(len(list(csv.reader(sys.stdin))))')"
check "JSON Lines: findings and their records" 31 "$(curl -s "$BASE/api/v1/public/findings.jsonl" | wc -l)"
check "JSON Lines: no custody, no draft" 0 "$(curl -s "$BASE/api/v1/public/findings.jsonl" | grep -Ec '"type":"custody"|01J3DEM0000000000000000151')"
check "one finding" 200 "$(code "$BASE/api/v1/public/findings/01J3DEM0000000000000000152")"
check "a draft finding is 404" 404 "$(code "$BASE/api/v1/public/findings/01J3DEM0000000000000000151")"
check "a cited item is no finding" 404 "$(code "$BASE/api/v1/public/findings/01J3DEM0000000000000000019")"
check "staff see the public view there too" 0 "$(curl -s -H "Authorization: Bearer $TOK_admin" "$BASE/api/v1/public/findings" | grep -c 'Demo investigator')"
check "preview: for staff only" 401 "$(code "$BASE/api/v1/public/preview/01J3DEM0000000000000000151")"
curl -s -H "Authorization: Bearer $TOK_reviewer" "$BASE/api/v1/public/preview/01J3DEM0000000000000000151" >pv.json
check "preview: the draft as it would be shown" "True 01J3DEM0000000000000000151" "$(python3 -c 'import json;d=json.load(open("pv.json"));print(d["preview"],d["finding"]["id"])')"
check "preview: its cited records, redacted" 0 "$(grep -Ec 'Demo investigator|invented holder|49\.99|36\.23|"type":"custody"|"author":"[^[]' pv.json)"
check "preview: a cited event is there" 1 "$(grep -c 'Kharkiv: missile remnants after a strike' pv.json)"
check "preview: no finding, no preview" 404 "$(code -H "Authorization: Bearer $TOK_reviewer" "$BASE/api/v1/public/preview/01J3DEM0000000000000000019")"
check "settings" '{"tiles":null,"public_grid":0.1}' "$(curl -s "$BASE/api/v1/config")"

check "the list gzipped when accepted" 1 "$(hdr -H 'Accept-Encoding: gzip' "$BASE/api/v1/public/findings" | grep -c '^Content-Encoding: gzip')"
check "gzipped list unpacks to the same" 1 "$(curl -s -H 'Accept-Encoding: gzip' "$BASE/api/v1/public/findings" | gunzip -c | cmp -s - all.json && echo 1)"
# the unfiltered gzipped list and downloads are kept made (api_public.c): the
# same bytes again, 304 for their ETag, and made anew after a change
E1=$(hdr -H 'Accept-Encoding: gzip' "$BASE/api/v1/public/findings" | sed -n 's/^ETag: //p')
check "the kept gzipped list: same ETag again" "$E1" "$(hdr -H 'Accept-Encoding: gzip' "$BASE/api/v1/public/findings" | sed -n 's/^ETag: //p')"
check "  304 for it" 304 "$(code -H 'Accept-Encoding: gzip' -H "If-None-Match: $E1" "$BASE/api/v1/public/findings")"
check "  GeoJSON gzipped unpacks to the plain one" 1 "$(cmp -s <(curl -s -H 'Accept-Encoding: gzip' "$BASE/api/v1/public/findings.geojson" | gunzip -c) <(curl -s "$BASE/api/v1/public/findings.geojson") && echo 1)"
check "  CSV too" 1 "$(cmp -s <(curl -s -H 'Accept-Encoding: gzip' "$BASE/api/v1/public/findings.csv" | gunzip -c) <(curl -s "$BASE/api/v1/public/findings.csv") && echo 1)"
publish_finding 01J3DEM0000000000000000151 u_reviewer password-reviewer
check "a new publication: the gzipped list has it" 3 "$(curl -s -H 'Accept-Encoding: gzip' "$BASE/api/v1/public/findings" | gunzip -c | python3 -c 'import json,sys;print(len(json.load(sys.stdin)["findings"]))')"
check "  and the old ETag is stale" 200 "$(code -H 'Accept-Encoding: gzip' -H "If-None-Match: $E1" "$BASE/api/v1/public/findings")"
check "a finding published while serving is listed at once" 3 "$(curl -s "$BASE/api/v1/public/findings" | python3 -c 'import json,sys;print(len(json.load(sys.stdin)["findings"]))')"
echo password-reviewer >pw.txt
"$REMNANT" finding withdraw 01J3DEM0000000000000000151 --reason "test: withdrawn again" \
    --user u_reviewer --password-file pw.txt >/dev/null || bad "withdraw"
check "and gone once it is withdrawn" 2 "$(curl -s -H 'Accept-Encoding: gzip' "$BASE/api/v1/public/findings" | gunzip -c | python3 -c 'import json,sys;print(len(json.load(sys.stdin)["findings"]))')"

# ---- search with context: each staff hit with its item and event, none for the public ----------
curl -s -H "Authorization: Bearer $TOK_investigator" "$BASE/api/v1/search?q=2315&context=1" >ctx.json
check "search context: a marking's item and event" "component Kharkiv: missile remnants after a strike (demo)" "$(python3 -c 'import json;h=[x for x in json.load(open("ctx.json"))["hits"] if x["text"]=="XC7A100T 2315"][0];print(h["item"]["kind"],h["event"]["name"])')"
check "search context: the item names its event" 1 "$(python3 -c 'import json;print(sum(1 for h in json.load(open("ctx.json"))["hits"] if "item" in h and h["item"]["event"]==h["event"]["id"]) >= 1 and 1 or 0)')"
check "search context: none for the public" 0 "$(curl -s "$BASE/api/v1/search?q=2315&context=1" | grep -c '"event":{')"
check "search context: none unless asked" 0 "$(curl -s -H "Authorization: Bearer $TOK_investigator" "$BASE/api/v1/search?q=2315" | grep -c '"event":{')"

# ---- a stale session cookie does not block signing in again -----------------------------------
curl -s -c jar -H 'Content-Type: application/json' -d '{"name":"u_investigator","password":"password-investigator"}' \
     "$BASE/api/v1/login" >/dev/null
echo password-investigator | "$REMNANT" user passwd u_investigator >/dev/null
check "stale cookie: reads are anonymous" '"public"' "$(curl -s -b jar "$BASE/api/v1/me" | python3 -c 'import json,sys;print(json.dumps(json.load(sys.stdin)["role"]))')"
check "stale cookie: login works" 200 "$(code -b jar -H 'Content-Type: application/json' -d '{"name":"u_investigator","password":"password-investigator"}' "$BASE/api/v1/login")"

# ---- one's own account ---------------------------------------------------------------------------
curl -s -c jar2 -H 'Content-Type: application/json' -d '{"name":"u_analyst","password":"password-analyst"}' \
     "$BASE/api/v1/login" >login.json
CSRF=$(json_get csrf_token <login.json)
pw() { curl -s -o body -w '%{http_code}' -b jar2 -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' -d "$1" "$BASE/api/v1/me/password"; }
check "password change: a wrong current password is 422" 422 "$(pw '{"password":"nope-nope","new_password":"new-password-1"}')"
check "  naming the field" password "$(python3 -c 'import json;print(json.load(open("body"))["error"]["field"])')"
check "  the session is still good" '"analyst"' "$(curl -s -b jar2 "$BASE/api/v1/me" | python3 -c 'import json,sys;print(json.dumps(json.load(sys.stdin)["role"]))')"
check "password change: too short is 422 on new_password" 422 "$(pw '{"password":"password-analyst","new_password":"short"}')"
check "  naming it" new_password "$(python3 -c 'import json;print(json.load(open("body"))["error"]["field"])')"
check "password change" 200 "$(pw '{"password":"password-analyst","new_password":"new-password-1"}')"
check "  ends the session" '"public"' "$(curl -s -b jar2 "$BASE/api/v1/me" | python3 -c 'import json,sys;print(json.dumps(json.load(sys.stdin)["role"]))')"
check "  the new password works" 200 "$(code -H 'Content-Type: application/json' -d '{"name":"u_analyst","password":"new-password-1"}' "$BASE/api/v1/login")"
check "  the old one does not" 401 "$(code -H 'Content-Type: application/json' -d '{"name":"u_analyst","password":"password-analyst"}' "$BASE/api/v1/login")"
T=$(curl -s -H "Authorization: Bearer $TOK_reviewer" -H 'Content-Type: application/json' -d '{"label":"laptop"}' "$BASE/api/v1/me/tokens" | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
check "a new token of one's own works" u_reviewer "$(curl -s -H "Authorization: Bearer $T" "$BASE/api/v1/me" | python3 -c 'import json,sys;print(json.load(sys.stdin)["user"])')"
check "an admin resets a password" 200 "$(code -H "Authorization: Bearer $TOK_admin" -H 'Content-Type: application/json' -d '{"password":"reset-by-admin-1"}' "$BASE/api/v1/users/u_analyst/password")"
check "  which then works" 200 "$(code -H 'Content-Type: application/json' -d '{"name":"u_analyst","password":"reset-by-admin-1"}' "$BASE/api/v1/login")"
check "  not for an unknown name" 404 "$(code -H "Authorization: Bearer $TOK_admin" -H 'Content-Type: application/json' -d '{"password":"reset-by-admin-1"}' "$BASE/api/v1/users/nobody/password")"
check "no password in the log" 0 "$(grep -c 'new-password-1\|reset-by-admin' "$W/server.log")"
stop_server

# ---- --web DIR ----------------------------------------------------------------------------
mkdir -p site/assets site/i18n
echo '<!doctype html><title>dev copy</title>' >site/index.html
echo 'console.log(1)' >site/assets/x.js
echo 'secret' >outside.txt
ln -s "$W/outside.txt" site/assets/link.txt
start_server --quiet --web "$W/site"
check "--web serves the folder" "<!doctype html><title>dev copy</title>" "$(curl -s "$BASE/")"
check "--web new files" 200 "$(code "$BASE/assets/x.js")"
check "--web no symlinks out" 404 "$(code "$BASE/assets/link.txt")"
check "--web no .." 404 "$(code --path-as-is "$BASE/assets/../outside.txt")"
check "--web no %2e%2e" 404 "$(code --path-as-is "$BASE/assets/%2e%2e/%2e%2e/outside.txt")"
check "--web CSP too" 1 "$(hdr "$BASE/" | grep -c '^Content-Security-Policy:')"
stop_server
start_server --quiet --tiles 'https://tiles.example.org/{z}/{x}/{y}.png'
check "--tiles: in the settings" 'https://tiles.example.org/{z}/{x}/{y}.png' "$(curl -s "$BASE/api/v1/config" | python3 -c 'import json,sys;print(json.load(sys.stdin)["tiles"])')"
check "--tiles: its origin, for images only, in the CSP" 1 "$(hdr "$BASE/" | grep -c "img-src 'self' https://tiles.example.org; connect-src 'self';")"
stop_server
"$REMNANT" serve --web "$W/nowhere" >/dev/null 2>&1
check "--web without index.html is a usage error" 2 "$?"
"$REMNANT" serve --tiles 'ftp://x/{z}' >/dev/null 2>&1
check "--tiles needs an http(s) template" 2 "$?"
[ "$fails" -eq 0 ] && echo "server_web: all passed" || { echo "server_web: $fails failed"; exit 1; }
