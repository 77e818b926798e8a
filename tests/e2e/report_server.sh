#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# report_server.sh — GET /api/v1/findings/{id}/report.pdf|.html on the
# invented demo data: the anonymous public gets the public-view report of
# the published finding (no author, reviewer or exact coordinate in it) and
# 404 for a draft; an account gets the full report (author and exact
# coordinates); the HTML comes with a CSP and parses; ?lang=fr is a 400.
# Env: REMNANT (binary), RN_SRC (source).
. "$RN_SRC/tests/server/lib.sh"
CHECK="python3 $RN_SRC/tests/report/check_report.py"
rm -f "$REMNANT_DB"
"$REMNANT" demo "$REMNANT_DB" >/dev/null 2>&1 || { echo "FAIL - demo"; exit 1; }
make_users
FND=01J3DEM0000000000000000151
echo "password-rex" | "$REMNANT" user add Reviewer-Rex-Secret --role reviewer >/dev/null 2>&1
publish_finding "$FND" Reviewer-Rex-Secret password-rex && ok "demo finding published"
D=$("$REMNANT" add finding statement="Draft-Finding-Hidden" evidence=01J3DEM0000000000000000019)
"$REMNANT" key create >/dev/null 2>&1 # a signed log: the report names its bundle
start_server --quiet --public-grid 0.1

check "public PDF" 200 "$(api public GET /api/v1/findings/$FND/report.pdf)"
cp "$W/body" pub.pdf
head -c 5 pub.pdf | grep -q '%PDF-' && ok "a PDF" || bad "not a PDF"
pdftotext pub.pdf pub.txt
ST=$("$REMNANT" show "$FND" --json | json_get statement)
if $CHECK order pub.txt "$ST" "Public view"; then ok "statement, public view"; else bad "public text"; fi
if $CHECK absent pub.txt "Demo analyst" "Reviewer-Rex-Secret" "49.9900" "36.2300" "47.8400" "35.1400"; then
    ok "no author, reviewer or exact coordinate"; else bad "restricted value in the public report"; fi
check "public bundle" 200 "$(api public GET /api/v1/findings/$FND/bundle)"
PSHA=$(sha256sum "$W/body" | cut -d' ' -f1)
if $CHECK order pub.txt "GET /api/v1/findings/$FND/bundle" "$PSHA" \
       "remnant-verify --key \"\$(remnant key show)\" $FND-public.rnb"; then
    ok "the public report names the public bundle and its SHA-256"; else bad "public bundle in the report"; fi
check "public HTML" 200 "$(api public GET /api/v1/findings/$FND/report.html)"
cp "$W/body" pub.html
$CHECK html pub.html "$ST" >/dev/null && ok "HTML parses, same statement" || bad "HTML"
CSP=$(curl -sS -D - -o /dev/null "$BASE/api/v1/findings/$FND/report.html" | tr -d '\r' | grep -i '^content-security-policy:')
echo "$CSP" | grep -q "default-src 'none'" && ok "HTML served with a strict CSP" || bad "no CSP: $CSP"
check "public: a draft is not found" 404 "$(api public GET /api/v1/findings/$D/report.pdf)"
check "public: an item id is not a finding" 404 "$(api public GET /api/v1/findings/01J3DEM0000000000000000019/report.pdf)"
check "staff: the full report" 200 "$(api reviewer GET /api/v1/findings/$FND/report.pdf)"
pdftotext "$W/body" full.txt
if $CHECK order full.txt "Demo analyst" "49.9900, 36.2300"; then ok "staff see author and exact place"; else bad "staff report"; fi
check "staff: a draft's report" 200 "$(api analyst GET /api/v1/findings/$D/report.html)"
check "lang=uk" 200 "$(api public GET "/api/v1/findings/$FND/report.html?lang=uk")"
grep -q "Походження компонентів" "$W/body" && ok "Ukrainian headings" || bad "not Ukrainian"
check "lang=fr" 400 "$(api public GET "/api/v1/findings/$FND/report.pdf?lang=fr")"

stop_server || bad "server stopped cleanly (exit status)"
grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error" "$W/server.log" &&
    { bad "sanitizer report"; cat "$W/server.log"; } || ok "no sanitizer report"
[ "$fails" -eq 0 ] && echo "report_server: all passed" || echo "report_server: $fails failed"
exit $((fails > 0))
