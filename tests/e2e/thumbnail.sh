#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# thumbnail.sh — GET /api/v1/attachments/{id}/thumbnail (src/server/
# api_thumb.c): a small JPEG for galleries, under the rules of .../content:
#   - a 1600x1200 photo with GPS gets a JPEG of at most 320 pixels a side,
#     much smaller than the photo, with no metadata (exiftool finds nothing
#     beyond the picture's shape), for the public and for staff;
#   - a photo with an EXIF orientation is turned the way it is shown;
#   - the public gets thumbnails only of attachments in the public view
#     (404 otherwise: a PDF has no public copy, so it is not public), made
#     of the public copy (the same picture staff get with ?variant=public,
#     which says 409 no_public_copy for a PDF); staff get 409 no_thumbnail
#     for a PDF;
#   - ETag and If-None-Match: 304; an unknown id or a bad one: 404.
# Env: REMNANT (binary), RN_SRC (source).
set -u
: "${RN_SRC:?source folder}"
. "$RN_SRC/tests/server/lib.sh"
command -v exiftool >/dev/null || { echo "FAIL - exiftool missing (libimage-exiftool-perl)"; exit 1; }
PH="$RN_SRC/tests/photo"

# an invented 1600x1200 picture (a gradient), as PNG, then GPS written into it
python3 - big.png <<'EOF'
import struct, sys, zlib
w, h = 1600, 1200
rows = b"".join(b"\x00" + bytes(v for x in range(w) for v in (x * 255 // w, y * 255 // h, 128))
                for y in range(h))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))
EOF
exiftool -q -overwrite_original -GPSLatitude=49.991234 -GPSLatitudeRef=N -GPSLongitude=36.231234 \
    -GPSLongitudeRef=E big.png || bad "exiftool could not write GPS"
exiftool -s -s -s -GPSLatitude big.png | grep -q 49 && ok "the big photo has GPS" || bad "no GPS in the fixture"

make_users
E=$("$REMNANT" add event name="Strike remnants (invented)" country=UA)
I=$("$REMNANT" add item kind=weapon event="$E")
AB=$("$REMNANT" attach "$I" big.png)
AO=$("$REMNANT" attach "$I" "$PH/oriented.jpg")
AD=$("$REMNANT" attach "$I" "$PH/doc.pdf" 2>/dev/null)
I2=$("$REMNANT" add item kind=weapon event="$E")
AX=$("$REMNANT" attach "$I2" "$PH/plain.jpg") # cited by no published finding
F=$("$REMNANT" add finding statement="Photos of the remnants (invented)" author="Analyst (test)" \
      evidence="$E;$I;$AB;$AO;$AD")
publish_finding "$F" u_reviewer password-reviewer
start_server --quiet

# thumb ROLE ID [QUERY]: the status; the body in thumb.jpg, headers in head.txt
thumb() {
    local tok; eval "tok=\${TOK_$1-}"
    curl -s -D head.txt -o thumb.jpg -w '%{http_code}' ${tok:+-H "Authorization: Bearer $tok"} \
        "$BASE/api/v1/attachments/$2/thumbnail${3:-}"
}
size_of() { exiftool -s -s -s -ImageSize "$1"; }
leaks() { # every tag beyond the picture's shape
    exiftool -a -G0:1 -s "$1" | grep -v '^\[\(ExifTool\|File:System\|File\|Composite\)\]' |
        awk '{ t = $2 } t !~ /^(JFIFVersion|ResolutionUnit|XResolution|YResolution)$/'
}

check "the public gets the thumbnail of a public photo" 200 "$(thumb public "$AB")"
grep -qi '^content-type: image/jpeg' head.txt && ok "it is a JPEG" || bad "type: $(cat head.txt)"
check "at most 320 pixels a side, the photo's shape kept" "320x240" "$(size_of thumb.jpg)"
[ "$(stat -c %s thumb.jpg)" -lt "$(stat -c %s big.png)" ] && ok "smaller than the photo" || bad "not smaller"
[ -z "$(leaks thumb.jpg)" ] && ok "no metadata in it" || bad "metadata: $(leaks thumb.jpg)"
exiftool -s -s -s -GPSLatitude thumb.jpg | grep -q . && bad "GPS in the thumbnail" || ok "no GPS"
grep -qi '^cache-control: private, max-age=31536000, immutable' head.txt && ok "kept for good" ||
    bad "cache: $(cat head.txt)"
ET=$(grep -i '^etag:' head.txt | cut -d' ' -f2 | tr -d '\r')
cp thumb.jpg public.jpg
st=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $ET" "$BASE/api/v1/attachments/$AB/thumbnail")
check "If-None-Match: 304" 304 "$st"
check "staff: ?variant=public" 200 "$(thumb investigator "$AB" '?variant=public')"
cmp -s thumb.jpg public.jpg && ok "the same thumbnail as the public's" || bad "variant=public differs"
check "staff get a thumbnail of the original" 200 "$(thumb investigator "$AB")"
check "the original's thumbnail: 320x240" "320x240" "$(size_of thumb.jpg)"
[ -z "$(leaks thumb.jpg)" ] && ok "no metadata in the original's thumbnail" || bad "metadata: $(leaks thumb.jpg)"
check "a turned photo" 200 "$(thumb public "$AO")"
check "is turned the way it is shown (32x24, rotated 90)" "24x32" "$(size_of thumb.jpg)"
check "the public: a PDF has no public copy, so it is not public" 404 "$(thumb public "$AD")"
check "staff asking for the PDF's public thumbnail" 409 "$(thumb investigator "$AD" '?variant=public')"
grep -q no_public_copy thumb.jpg && ok "says no_public_copy" || bad "PDF: $(cat thumb.jpg)"
check "staff: a PDF has no thumbnail" 409 "$(thumb investigator "$AD")"
grep -q no_thumbnail thumb.jpg && ok "says no_thumbnail" || bad "PDF: $(cat thumb.jpg)"
AH=$("$REMNANT" attach "$I2" "$PH/gps.heic")
check "staff: a HEIC photo's thumbnail (of its public copy: gdk-pixbuf reads no HEIC)" 200 \
    "$(thumb investigator "$AH")"
check "a HEIC's thumbnail: 32x24" "32x24" "$(size_of thumb.jpg)"
check "the public: a photo outside the public view" 404 "$(thumb public "$AX")"
check "staff see it" 200 "$(thumb investigator "$AX")"
check "an unknown id" 404 "$(thumb public 01HZZZZZZZZZZZZZZZZZZZZZZZ)"
check "a bad id" 404 "$(thumb public 'x')"
check "a record that is not an attachment" 404 "$(thumb investigator "$I")"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
