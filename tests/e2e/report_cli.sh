#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# report_cli.sh — `remnant report` as an analyst uses it, on the invented
# demo data (`remnant demo`): the demo's finding is given two photographs
# (invented images drawn here), reviewed and published, the log gets a
# signing key; then the report of the published finding is checked with
# poppler (text in order, fonts embedded, A4, page count), the Korean
# marking 주체113 in the text layer, the HTML form (parses, fetches nothing,
# the same figures), the evidence bundle (its SHA-256 as the report states
# it; remnant-verify accepts it), the public report (no restricted value,
# no exact coordinate, only the public photo), and clear errors that leave
# no file behind. The first page is saved as PNG to the test output
# ($RN_BUILD/test-output/report/) for a person to look at.
#
# Env: REMNANT (the remnant binary), RN_SRC (source tree), RN_BUILD.
set -u
. "${RN_SRC:?source tree}/tests/lib/e2e.sh"
export REMNANT_DB="$W/demo.db" REMNANT_AUTHOR="Demo analyst"
OUT="${RN_BUILD:-$W}/test-output/report"
mkdir -p "$OUT"
CHECK="python3 $RN_SRC/tests/report/check_report.py"
report_check() { # report_check DESCRIPTION CMD... (a check_report.py run)
    local what=$1; shift
    if "$@" >chk.txt; then ok "$what"; else bad "$what"; cat chk.txt; fi
}
noleft() { # noleft DESCRIPTION GLOB: no file (complete or partial) left
    if compgen -G "$2" >/dev/null; then bad "$1: left $(echo $2)"; else ok "$1"; fi
}

"$REMNANT" demo "$REMNANT_DB" >/dev/null 2>&1 || die "demo"
FND=01J3DEM0000000000000000151
WPN=01J3DEM0000000000000000019
FPGA=01J3DEM0000000000000000023

# two invented photographs (PNG), one to be cited (public), one not
python3 - <<'PY'
import struct, zlib
def png(path, w, h, rgb):
    raw = b"".join(b"\0" + b"".join(bytes(rgb(x, y)) for x in range(w)) for y in range(h))
    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    data += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    open(path, "wb").write(data)
png("photo1.png", 320, 200, lambda x, y: (x % 256, y % 256, 120))
png("photo2.png", 200, 300, lambda x, y: (30, (x * y) % 256, 200))
PY
A1=$("$REMNANT" attach "$FPGA" photo1.png 2>/dev/null)
A2=$("$REMNANT" attach "$WPN" photo2.png 2>/dev/null)
[ -n "$A1" ] && [ -n "$A2" ] && ok "photos attached" || bad "photos attached"
"$REMNANT" edit "$A2" captured_by="Capturer-Secret-Name" >/dev/null
EV=$("$REMNANT" show "$FND" --json | python3 -c 'import json,sys; print(";".join(json.load(sys.stdin)["evidence"]))')
expect 0 "the finding cites the first photo" "$REMNANT" edit "$FND" "evidence=$EV;$A1"
echo "password-reviewer" | "$REMNANT" user add Demo-reviewer --role reviewer >/dev/null 2>&1
echo "password-reviewer" >rev.pw
expect 0 "review by someone else" "$REMNANT" finding review "$FND" --user Demo-reviewer --password-file rev.pw
expect 0 "publish" "$REMNANT" finding publish "$FND" --user Demo-reviewer --password-file rev.pw
expect 0 "signing key" "$REMNANT" key create

# ---- the report of the published finding ------------------------------------------------
expect 0 "report --finding (PDF)" "$REMNANT" report --finding "$FND" -o brief.pdf
PAGES=$(sed -n 's/.*(\([0-9]*\) pages).*/\1/p' err.txt)
[ -f brief.bundle ] && ok "bundle written beside the report" || bad "no brief.bundle"
pdftotext brief.pdf brief.txt
pdfinfo brief.pdf >info.txt
grep -q "Page size:.*(A4)" info.txt && ok "A4" || { bad "not A4"; cat info.txt; }
grep -q "^Pages: *$PAGES\$" info.txt && [ "${PAGES:-0}" -ge 3 ] && ok "page count $PAGES" ||
    { bad "page count (said ${PAGES:-?})"; cat info.txt; }
pdffonts brief.pdf >fonts.txt
if [ "$(tail -n +3 fonts.txt | wc -l)" -ge 1 ] &&
   tail -n +3 fonts.txt | awk '{ if ($(NF-4) != "yes") exit 1 }'; then ok "every font embedded"
else bad "a font not embedded"; cat fonts.txt; fi
grep -q "NotoSansCJK" fonts.txt && ok "the Korean font is embedded" || bad "no CJK font"

# the figures, as the analysis documents give them
STATEMENT=$("$REMNANT" show "$FND" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["statement"])')
"$REMNANT" timeline --item 01J3DEM0000000000000000020 --all-kinds --json >tl.json
INTERVAL=$(python3 -c 'import json; i=json.load(open("tl.json"))["items"][0]; print(i["words"])')
"$REMNANT" origin "$WPN" --json >or.json
SHARE=$(python3 -c 'import json; c=json.load(open("or.json"))["by_country"][0]; print("%s %d (%.1f%%)" % (c["country"], c["count"], 100*c["share"]))')
ASSEMBLY=$(python3 -c 'import json; print(json.load(open("or.json"))["weapons"][0]["earliest_assembly"]["words"])')
ROOT=$("$REMNANT" checkpoint | sed -n 3p)
SHA=$(sha256sum brief.bundle | cut -d' ' -f1)
report_check "statement, interval, country share, assembly, checkpoint root, bundle SHA-256 in order" \
    $CHECK order brief.txt "$STATEMENT" "$INTERVAL" "$SHARE" "$ASSEMBLY" "$ROOT" "$SHA"
report_check "the Korean marking survives into the text layer" $CHECK order brief.txt "주체113"
report_check "sanctions leads are marked as leads" $CHECK order brief.txt \
    "Sanctions leads (for review, not conclusions)" "never verdicts" "LEAD FOR REVIEW"
report_check "the verify command" $CHECK order brief.txt 'remnant-verify --key "$(remnant key show)" brief.bundle'
report_check "the first photo in the full report" $CHECK order brief.txt "$A1"
report_check "the second photo in the full report" $CHECK order brief.txt "$A2"
VERIFY="${RN_BUILD:-}/src/verify/remnant-verify"
if [ -x "$VERIFY" ]; then
    expect 0 "remnant-verify accepts the bundle" "$VERIFY" --key "$("$REMNANT" key show)" brief.bundle
else ok "remnant-verify not built here (skipped)"; fi
pdftoppm -png -r 80 -f 1 -l 1 -singlefile brief.pdf "$OUT/demo-report-page1" &&
    [ -s "$OUT/demo-report-page1.png" ] && ok "first page saved to $OUT" || bad "first page PNG"

# ---- HTML: the same figures, one file, nothing fetched ----------------------------------
expect 0 "report --finding (HTML)" "$REMNANT" report --finding "$FND" -o brief.html
report_check "HTML parses, fetches nothing, holds the same figures" $CHECK html brief.html \
    "$STATEMENT" "$INTERVAL" "$SHARE" "$ASSEMBLY" "$ROOT" "주체113"
grep -q "<svg" brief.html && grep -q "data:image/jpeg;base64," brief.html &&
    ok "charts as inline SVG, photos inline" || bad "no inline SVG or photos"
expect 0 "Ukrainian headings" "$REMNANT" report --finding "$FND" -o uk.html --lang uk
report_check "Ukrainian text" $CHECK html uk.html "Походження компонентів" "$SHARE"

# ---- weapons and events ----------------------------------------------------------------
expect 0 "report --item (two weapons)" "$REMNANT" report --item "$WPN" 01J3DEM0000000000000000050 -o w.pdf
pdftotext w.pdf w.txt
report_check "both weapons" $CHECK order w.txt "$WPN" "01J3DEM0000000000000000050" "주체113"
expect 0 "report --event, default name" "$REMNANT" report --event 01J3DEM0000000000000000015
[ -s report-01J3DEM0000000000000000015.pdf ] && ok "report-<id>.pdf" || bad "no report-<id>.pdf"

# ---- the public report -----------------------------------------------------------------
expect 0 "report --public" "$REMNANT" report --finding "$FND" --public -o pub.pdf
pdftotext pub.pdf pub.txt
expect 0 "report --public (HTML)" "$REMNANT" report --finding "$FND" --public -o pub.html
"$REMNANT" export >all.jsonl
# every value of every field flagged sensitive, and every exact coordinate
python3 - "$REMNANT" <<'PY' >secrets.txt
import json, subprocess, sys
sens = {}
for t in ("event", "item", "marking", "attachment", "entity", "transfer", "trace",
          "finding", "custody", "sanction", "claim"):
    out = subprocess.run([sys.argv[1], "fields", t], capture_output=True, text=True).stdout
    sens[t] = [l.split()[0] for l in out.splitlines()[1:] if "[sensitive" in l]
vals = set()
for line in open("all.jsonl", encoding="utf-8"):
    r = json.loads(line)
    for f in sens.get(r.get("type"), []):
        v = r.get(f)
        for x in (v if isinstance(v, list) else [v]):
            if isinstance(x, str) and len(x) >= 4:
                vals.add(x)
    for f in ("lat", "lon"):
        if f in r and round(r[f], 1) != r[f]:
            vals.add("%.4f" % r[f])
            vals.add(repr(r[f]))
for v in sorted(vals):
    print(v)
PY
[ "$(wc -l <secrets.txt)" -ge 4 ] && ok "$(wc -l <secrets.txt) restricted values to look for" ||
    bad "too few restricted values found"
mapfile -t SECRETS <secrets.txt
report_check "public PDF: no restricted value, no exact coordinate" $CHECK absent pub.txt "${SECRETS[@]}"
report_check "public HTML: no restricted value, no exact coordinate" $CHECK absent pub.html "${SECRETS[@]}"
report_check "public report: the cited photo only" $CHECK absent pub.txt "$A2"
# its figures are those of the analyses run on the public export, and nothing
# of a record no published finding cites
"$REMNANT" export --public --blobs pubfiles >public.jsonl 2>/dev/null
"$REMNANT" --db pubonly.db init >/dev/null && "$REMNANT" --db pubonly.db import --blobs pubfiles public.jsonl >/dev/null &&
    ok "public export imports" || bad "public export imports"
PSUM=$("$REMNANT" --db pubonly.db origin "$WPN" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"])')
report_check "public report: statement, origin of the public export, root" \
    $CHECK order pub.txt "$STATEMENT" "$PSUM" "$ROOT"
report_check "public report: the cited photo" $CHECK order pub.txt "$A1"
# (the Juche mark 주체113 and the Analog Devices sensor are public too: the
# demo's published findings 152 and 153 cite them, so they are not looked
# for here; the full store's country share is not public)
report_check "public report: nothing from uncited records" $CHECK absent pub.txt "$SHARE"
# the public bundle beside it: named with its SHA-256 in the report, no
# restricted value in it, and remnant-verify accepts it
if [ -f pub.bundle ]; then
    ok "public bundle written"
    report_check "the public bundle's SHA-256 in the public report" $CHECK order pub.txt "$(sha256sum pub.bundle | cut -d' ' -f1)"
    strings -n 4 pub.bundle >pubbundle.txt
    report_check "public bundle: no restricted value" $CHECK absent pubbundle.txt "${SECRETS[@]}"
    if [ -x "$VERIFY" ]; then
        expect 0 "remnant-verify accepts the public bundle" "$VERIFY" --key "$("$REMNANT" key show)" pub.bundle
    fi
else bad "no public bundle"; fi
report_check "public report says it is the public view" $CHECK order pub.txt "Public view"
D=$("$REMNANT" add finding statement="A draft" evidence="$WPN" 2>/dev/null)
expect 3 "--public of a draft finding is refused" "$REMNANT" report --finding "$D" --public -o d.pdf
noleft "no file after the refusal" "d.pdf*"

# ---- errors: clear, and no file left --------------------------------------------------
expect 4 "unknown finding" "$REMNANT" report --finding 01J3DEM0000000000000000999 -o x.pdf
grep -q "no finding with id 01J3DEM0000000000000000999" err.txt && ok "says which id" || { bad "message"; cat err.txt; }
noleft "no file for an unknown id" "x.pdf*"
E=$("$REMNANT" add finding statement="Nothing cited yet" 2>/dev/null)
expect 3 "finding without evidence" "$REMNANT" report --finding "$E" -o y.pdf
grep -q "cites no evidence" err.txt && ok "says it cites no evidence" || { bad "message"; cat err.txt; }
noleft "no file for a finding without evidence" "y.pdf*"
mkdir ro && chmod 0555 ro
if [ "$(id -u)" -eq 0 ]; then RO=/proc/remnant-no-such-dir; else RO=ro; fi
expect 5 "unwritable output path" "$REMNANT" report --finding "$FND" -o "$RO/z.pdf"
grep -q "cannot write" err.txt && ok "says it cannot write" || { bad "message"; cat err.txt; }
noleft "no partial file in the unwritable place" "ro/*"
mkdir taken.pdf # the report cannot be renamed over a folder: no bundle either
expect 5 "output path is a folder" "$REMNANT" report --finding "$FND" -o taken.pdf
noleft "no bundle without its report" "taken.bundle*"
expect 2 "unknown extension" "$REMNANT" report --finding "$FND" -o z.docx
expect 2 "two subjects" "$REMNANT" report --finding "$FND" --event 01J3DEM0000000000000000015
expect 2 "a stray argument" "$REMNANT" report --finding "$FND" 01J3DEM0000000000000000015
expect 4 "an unknown item" "$REMNANT" report --item "$WPN" 01J3DEM0000000000000000998 -o u.pdf
noleft "no file for an unknown item" "u.pdf*"
expect 2 "bad --lang" "$REMNANT" report --finding "$FND" --lang fr
expect 0 "--help" "$REMNANT" report --help
grep -q -- "--public" out.txt && ok "help names --public" || bad "help"
noleft "no temporary file left anywhere" "*.tmp*"

e2e_done
