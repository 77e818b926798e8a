#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# photo_public.sh — photos do not leak their location (issue 11, point 1).
# Photos carrying EXIF GPS, make, model, serial number, artist, XMP (creator,
# GPS), IPTC (city, by-line) and a comment (tests/photo: synthetic) are
# attached through the CLI and uploaded through the API, cited by a
# published finding, and fetched anonymously from a real server: what the
# public receives holds none of that metadata (read by exiftool, an
# independent reader), while staff still receive the original byte for
# byte; a HEIC's public copy is a JPEG. A file that gets no copy (a PDF
# here) is not public at all, never served as it is. The public copy is a
# logged attachment derived from the original; `remnant photos derive`
# makes a copy that is missing.
. "$RN_SRC/tests/server/lib.sh"
command -v exiftool >/dev/null || { echo "exiftool missing (libimage-exiftool-perl)"; exit 1; }
PH="$RN_SRC/tests/photo"

make_users
E=$("$REMNANT" add event name="Strike remnants (test)" country=UA lat=49.991234 lon=36.231234)
I=$("$REMNANT" add item kind=weapon event="$E")
cp "$PH/gps.jpg" photo.jpg
cp "$PH/gps.tif" photo.tif
cp "$PH/gps.webp" photo.webp
cp "$PH/gps.heic" photo.heic
cp "$PH/doc.pdf" doc.pdf
# a JPEG made here too, with exiftool: GPS only, the issue's case
exiftool -q -o fresh.jpg -GPSLatitude=49.991234 -GPSLatitudeRef=N -GPSLongitude=36.231234 \
    -GPSLongitudeRef=E -GPSAltitude=152 "$PH/plain.jpg" || bad "exiftool could not write GPS"
exiftool -s -s -s -GPSLatitude fresh.jpg | grep -q 49 && ok "the fixture has GPS" \
    || bad "the fixture has no GPS"
AJ=$("$REMNANT" attach "$I" photo.jpg)
AF=$("$REMNANT" attach "$I" fresh.jpg)
AT=$("$REMNANT" attach "$E" photo.tif)
AW=$("$REMNANT" attach "$I" photo.webp)
AH=$("$REMNANT" attach "$I" photo.heic)
AD=$("$REMNANT" attach "$I" doc.pdf 2>pdf.err)
grep -q "no public copy" pdf.err && ok "attach says a PDF gets no public copy" \
    || bad "attach did not say the PDF gets no public copy: $(cat pdf.err)"
start_server --quiet --public-grid 0.1
# a PNG uploaded through the API
st=$(curl -s -o up.json -w '%{http_code}' -H "Authorization: Bearer $TOK_investigator" \
     -H 'Content-Type: image/png' --data-binary @"$PH/gps.png" \
     "$BASE/api/v1/items/$I/attachments?filename=photo.png")
check "upload a PNG" 201 "$st"
AP=$(json_get id <up.json)
F=$("$REMNANT" add finding statement="Photos of the remnants" author="Analyst (test)" \
      evidence="$E;$I;$AJ;$AF;$AT;$AW;$AH;$AP;$AD")
publish_finding "$F" u_reviewer password-reviewer

leaks() { # leaks FILE: every tag exiftool finds in FILE beyond the picture's shape
    exiftool -a -G0:1 -s "$1" | grep -v '^\[\(ExifTool\|File:System\|File\|Composite\)\]' |
        awk '{ t = $2 } t !~ /^(ImageWidth|ImageHeight|BitDepth|ColorType|Compression|Filter|Interlace|JFIFVersion|ResolutionUnit|XResolution|YResolution|BitsPerSample|PhotometricInterpretation|StripOffsets|SamplesPerPixel|RowsPerStrip|StripByteCounts|PlanarConfiguration|Orientation)$/'
}

for a in "$AJ:photo.jpg" "$AF:fresh.jpg" "$AT:photo.tif" "$AW:photo.webp" "$AH:photo.heic" \
         "$AP:$PH/gps.png"; do
    id=${a%%:*} orig=${a#*:} name=$(basename "${a#*:}")
    st=$(curl -s -D head.txt -o pub.bin -w '%{http_code}' "$BASE/api/v1/attachments/$id/content")
    check "$name: the public gets it" 200 "$st"
    case $name in
    *.heic) grep -qi '^content-type: image/jpeg' head.txt && ok "$name: the public gets a JPEG" \
                || bad "$name: $(grep -i '^content-type' head.txt)" ;;
    esac
    l=$(leaks pub.bin)
    [ -z "$l" ] && ok "$name: the public copy holds no GPS, EXIF, XMP, IPTC or comment" \
        || bad "$name: the public copy still holds: $l"
    for s in 49.99 SynthCam SN123456 Test-Person "Test Person" Kharkiv; do
        grep -qa "$s" pub.bin && bad "$name: '$s' is in the public bytes"
    done
    l=$(leaks "$orig")
    [ -n "$l" ] && ok "$name: the original has metadata (the check can fail)" \
        || bad "$name: exiftool finds nothing in the original"
    st=$(curl -s -o staff.bin -w '%{http_code}' -H "Authorization: Bearer $TOK_analyst" \
         "$BASE/api/v1/attachments/$id/content")
    check "$name: staff get it" 200 "$st"
    cmp -s staff.bin "$orig" && ok "$name: staff get the original byte for byte" \
        || bad "$name: staff's bytes differ from the original"
    st=$(curl -s -o prev.bin -w '%{http_code}' -H "Authorization: Bearer $TOK_analyst" \
         "$BASE/api/v1/attachments/$id/content?variant=public")
    cmp -s prev.bin pub.bin && ok "$name: staff preview the public copy with ?variant=public" \
        || bad "$name: ?variant=public ($st) differs from what the public gets"
done
cmp -s "$W/x.db.blobs/$(sha256sum photo.jpg | cut -c1-2)/$(sha256sum photo.jpg | cut -c1-64)" \
    photo.jpg && ok "the original's blob is unchanged" || bad "the original's blob changed"

st=$(api public GET "/api/v1/attachments/$AD/content")
check "the public is refused a PDF, which has no public copy" 404 "$st"
st=$(api public GET "/api/v1/attachments/$AD")
check "a file with no public copy is not public at all (docs/PUBLIC.md P4)" 404 "$st"
st=$(api analyst GET "/api/v1/attachments/$AD/content?variant=public")
check "staff asking for the PDF's public copy are told there is none" 409 "$st"
grep -q '"no_public_copy"' "$W/body" && ok "the refusal is a JSON error that says why" \
    || bad "refusal body: $(cat "$W/body")"
st=$(api analyst GET "/api/v1/attachments/$AD/content")
check "staff still get the PDF" 200 "$st"
cmp -s "$W/body" doc.pdf && ok "staff get the PDF as it is" || bad "staff's PDF differs"

# the copy is a record of its own, in the log, derived from the original
"$REMNANT" list attachment derived_from="$AJ" --json >copy.json
grep -q '"derivation":"public-metadata-stripped"' copy.json && ok "the copy is recorded as derived" \
    || bad "no derived record: $(cat copy.json)"
CJ=$(json_get id <copy.json)
CS=$(json_get sha256 <copy.json)
curl -s -o pub.bin "$BASE/api/v1/attachments/$AJ/content"
[ "$(sha256sum pub.bin | cut -c1-64)" = "$CS" ] && ok "the public bytes are the copy's blob" \
    || bad "the public bytes are not the recorded copy"
st=$(api analyst GET "/api/v1/log/proof/$CJ")
check "the copy's record is in the evidence log" 200 "$st"
stop_server || bad "server stopped cleanly"
"$REMNANT" verify >verify.txt 2>&1 && ok "remnant verify: records, blobs and log agree" \
    || bad "verify: $(cat verify.txt)"

# a photo without a copy (one attached before copies existed, or whose copy
# was removed) is not public until `remnant photos derive` (docs/PUBLIC.md P4)
"$REMNANT" rm "$CJ" >/dev/null || bad "rm the copy"
start_server --quiet
st=$(api public GET "/api/v1/attachments/$AJ/content")
check "without its copy, the public is refused the photo" 404 "$st"
st=$(api analyst GET "/api/v1/attachments/$AJ/content?variant=public")
check "staff asking for its public copy are told there is none" 409 "$st"
"$REMNANT" photos derive >derive.txt 2>derive.err
check "photos derive: exit 0 (every photo has its copy; the PDF is no photo)" 0 "$?"
grep -q "^$AJ " derive.txt && ok "photos derive made the missing copy" \
    || bad "photos derive: $(cat derive.txt derive.err)"
"$REMNANT" photos derive "$AJ" >/dev/null 2>&1
check "photos derive of a photo that has its copy: exit 0" 0 "$?"
[ "$("$REMNANT" list attachment derived_from="$AJ" | grep -c .)" = 1 ] \
    && ok "deriving again makes no second copy" || bad "a second copy was made"
st=$(api public GET "/api/v1/attachments/$AJ/content")
check "with its copy again, the public gets the photo" 200 "$st"
[ -z "$(leaks "$W/body")" ] && ok "and it is clean" || bad "the new copy leaks"
"$REMNANT" photos check photo.jpg >/dev/null
check "photos check: the original is not clean (exit 3)" 3 "$?"
"$REMNANT" photos check "$W/body" >/dev/null
check "photos check: the public copy is clean" 0 "$?"
stop_server || bad "server stopped cleanly"
no_sanitizer_report
echo "$fails failed"
[ "$fails" -eq 0 ]
