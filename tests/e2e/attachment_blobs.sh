#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# attachment_blobs.sh — issue 15, point 13: an attachment record naming a
# file that is not stored is refused, by the API (409, JSON error) and by
# import (exit 3, nothing written), unless the file comes with it: the
# upload itself, or `import --blobs DIR`. `export --blobs DIR` writes the
# files so that an export imports into an empty database, and
# `export --public --blobs DIR` the public copies only (never an original
# photo, never a file without a public copy), so the public export imports
# too. A file in DIR that does not match its SHA-256 is refused and leaves
# nothing behind. All data here is invented.
. "$RN_SRC/tests/server/lib.sh"
PH="$RN_SRC/tests/photo"

make_users
E=$("$REMNANT" add event name="Test site (invented)" country=UA lat=49.9 lon=36.2)
I=$("$REMNANT" add item kind=weapon event="$E")
cp "$PH/gps.jpg" photo.jpg
cp "$PH/doc.pdf" doc.pdf
AJ=$("$REMNANT" attach "$I" photo.jpg)
AD=$("$REMNANT" attach "$I" doc.pdf 2>/dev/null)
F=$("$REMNANT" add finding statement="Invented finding" author="Analyst (test)" \
      evidence="$E;$I;$AJ;$AD")
start_server --quiet
publish_finding "$F" u_reviewer password-reviewer
MISSING=$(printf 'not stored anywhere' | sha256sum | cut -c1-64)

# the API: a record naming a missing file is refused; nothing is written
n0=$("$REMNANT" list attachment | wc -l)
st=$(api investigator POST /api/v1/attachments \
     "{\"sha256\":\"$MISSING\",\"size\":19,\"media_type\":\"image/jpeg\",\"item\":\"$I\"}")
check "the API refuses an attachment record whose file is not stored" 409 "$st"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d.get("error") or d
assert "sha256" in json.dumps(d) and "not stored" in json.dumps(d), d' "$W/body" \
    && ok "the JSON error names the field and says why" || bad "error body: $(cat "$W/body")"
[ "$("$REMNANT" list attachment | wc -l)" = "$n0" ] && ok "no record was written" \
    || bad "a record was written"
# a record naming a file that is stored is accepted (the file came before)
SHA=$(sha256sum photo.jpg | cut -c1-64) SZ=$(stat -c %s photo.jpg)
st=$(api investigator POST /api/v1/attachments \
     "{\"sha256\":\"$SHA\",\"size\":$SZ,\"media_type\":\"image/jpeg\",\"item\":\"$I\"}")
check "a record naming a stored file is accepted" 201 "$st"
# the wrong size for a stored file is refused too
st=$(api investigator POST /api/v1/attachments \
     "{\"sha256\":\"$SHA\",\"size\":7,\"media_type\":\"image/jpeg\",\"item\":\"$I\"}")
check "a record with the wrong size for its file is refused" 409 "$st"
stop_server
"$REMNANT" verify >v.txt 2>&1 && ok "verify holds after the refusals" || bad "verify: $(cat v.txt)"

# import: refused without the file, exit 3, nothing written
"$REMNANT" export -o all.jsonl || bad "export"
mkdir fresh && export REMNANT_DB="$W/fresh/f.db"
"$REMNANT" init >/dev/null 2>&1
"$REMNANT" import all.jsonl >imp.txt 2>&1; rc=$?
check "import of attachment records without their files exits 3" 3 "$rc"
grep -q "not stored" imp.txt && grep -q -- "--blobs" imp.txt && ok "the error says why and what to do" \
    || bad "import error: $(cat imp.txt)"
grep -q "all.jsonl:[0-9]" imp.txt && ok "the error names the file and line" \
    || bad "no file:line in: $(cat imp.txt)"
[ "$("$REMNANT" list event | wc -l)" = 0 ] && ok "nothing was imported" || bad "records were written"
"$REMNANT" verify >v.txt 2>&1 && ok "verify holds on the refused import" || bad "verify: $(cat v.txt)"

# export --blobs writes the files; import --blobs takes them in
export REMNANT_DB="$W/x.db"
"$REMNANT" export --blobs files -o all.jsonl 2>exp.txt || bad "export --blobs: $(cat exp.txt)"
[ -f "files/$SHA" ] && cmp -s "files/$SHA" photo.jpg && ok "export --blobs writes the original" \
    || bad "files/$SHA missing"
# a file in DIR that does not match its name is refused and leaves nothing
mkdir bad && cp -r files/. bad/ && chmod u+w bad/* && printf 'X' >>"bad/$(sha256sum doc.pdf | cut -c1-64)"
export REMNANT_DB="$W/fresh/f.db"
"$REMNANT" import --blobs bad all.jsonl >imp.txt 2>&1; rc=$?
check "a file of the wrong size or content in --blobs is refused" 3 "$rc"
[ -z "$(find fresh/f.db.blobs -type f 2>/dev/null)" ] && ok "a failed import leaves no files" \
    || bad "files left: $(find fresh/f.db.blobs -type f)"
sha_bad=$(sha256sum doc.pdf | cut -c1-64)
cp doc.pdf "bad/$sha_bad" 2>/dev/null || { rm -f "bad/$sha_bad"; cp doc.pdf "bad/$sha_bad"; }
printf 'Y' | dd of="bad/$sha_bad" bs=1 seek=10 conv=notrunc 2>/dev/null
"$REMNANT" import --blobs bad all.jsonl >imp.txt 2>&1; rc=$?
check "a file whose content does not match its SHA-256 is refused" 3 "$rc"
grep -q "SHA-256" imp.txt && ok "the error says the content does not match" || bad "$(cat imp.txt)"
[ -z "$(find fresh/f.db.blobs -type f 2>/dev/null)" ] && ok "still no files left" \
    || bad "files left: $(find fresh/f.db.blobs -type f)"
"$REMNANT" import --blobs files all.jsonl >imp.txt 2>&1 && ok "import --blobs takes the export in" \
    || bad "import --blobs: $(cat imp.txt)"
"$REMNANT" verify >v.txt 2>&1 && ok "verify holds on the imported copy" || bad "verify: $(cat v.txt)"
cmp -s "fresh/f.db.blobs/${SHA:0:2}/$SHA" photo.jpg && ok "the file arrived intact" \
    || bad "the file did not arrive"

# the public export with its public files imports too, and holds no original
export REMNANT_DB="$W/x.db"
"$REMNANT" export --public --blobs pub -o pub.jsonl 2>exp.txt || bad "export --public --blobs: $(cat exp.txt)"
[ ! -e "pub/$SHA" ] && ok "the original photo is not among the public files" \
    || bad "the original photo was exported to the public"
[ ! -e "pub/$sha_bad" ] && ok "the PDF (no public copy) is not among the public files" \
    || bad "the PDF was exported to the public"
grep -q "$AD" pub.jsonl && bad "the PDF's record is in the public export" \
    || ok "the PDF's record is not public (P4)"
n=$(find pub -type f | wc -l)
[ "$n" = 1 ] && ok "one public file: the photo's copy" || bad "$n public files"
c=$(find pub -type f | head -1)
exiftool -s -s -s -GPSLatitude "$c" 2>/dev/null | grep -q . && bad "the public file has GPS" \
    || ok "the public file has no GPS"
mkdir pubdb && export REMNANT_DB="$W/pubdb/p.db"
"$REMNANT" init >/dev/null 2>&1
"$REMNANT" import pub.jsonl >imp.txt 2>&1; rc=$?
check "the public export without its files is refused" 3 "$rc"
"$REMNANT" import --blobs pub pub.jsonl >imp.txt 2>&1 && ok "the public export imports with --blobs" \
    || bad "public import: $(cat imp.txt)"
"$REMNANT" verify >v.txt 2>&1 && ok "verify holds on the public copy" || bad "verify: $(cat v.txt)"

# usage errors
"$REMNANT" import --blobs nowhere pub.jsonl >/dev/null 2>&1; rc=$?
check "--blobs naming no folder is a usage error" 2 "$rc"
no_sanitizer_report
echo "$fails failed"
[ "$fails" -eq 0 ]
