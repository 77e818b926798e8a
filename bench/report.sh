#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# report.sh — a briefing report of one weapon with 300 components (each with
# a marking the decoder reads: manufacturer prefix and a YYWW date code) and
# 50 photographs (JPEGs of 1240 x 1754 pixels and more: pages of a rendered
# report), as PDF and as HTML, against `remnant origin ITEM --json` for the
# same weapon — the analysis the report's heaviest section rests on. Time
# (best of 3: wall clock, and CPU = user + sys, which a busy machine does not
# inflate) and peak memory (max RSS, GNU time) of each; the ratios are what
# counts. Goal: the report under 2 s and under 200 MB on this machine.
#
# Run (from the source tree, with a non-sanitized build):
#   cmake -S . -B build/release -DRN_TESTS=OFF && cmake --build build/release -j2 --target remnant_cli
#   REMNANT=build/release/remnant bash bench/report.sh
# The data are SYNTHETIC (invented part numbers, manufacturers and photos).
# Needs: /usr/bin/time (GNU), pdftoppm (poppler-utils), python3.
set -eu
REMNANT=${REMNANT:?path of a non-sanitized remnant binary}
W=$(mktemp -d /tmp/rn_bench_report.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
export REMNANT_DB="$W/b.db"
"$REMNANT" init "$REMNANT_DB" >/dev/null
python3 - >data.jsonl <<'PY'
import json
P = "01JBENCH0000000000000"
def rid(n): return "%s%05d" % (P, n)
print(json.dumps({"type": "event", "id": rid(1), "name": "SYNTHETIC benchmark event",
                  "country": "UA", "place": "Kharkiv", "lat": 49.99, "lon": 36.23,
                  "documented": "2024-07-09", "incident": "2024-07-05"}))
print(json.dumps({"type": "item", "id": rid(2), "kind": "weapon", "event": rid(1),
                  "name": "SYNTHETIC missile", "weapon_system": "KN-23",
                  "producing_state": "KP", "category": "missile"}))
print(json.dumps({"type": "item", "id": rid(3), "kind": "remnant", "parent": rid(2),
                  "event": rid(1), "name": "section", "category": "missile-section"}))
makers = [("Texas Instruments", "US", "SN74HC"), ("Analog Devices", "US", "AD"),
          ("STMicroelectronics", "CH", "STM32F"), ("Infineon Technologies", "DE", "IRF"),
          ("NXP Semiconductors", "NL", "LPC"), ("Murata Manufacturing", "JP", "GRM")]
for k in range(300):
    m = makers[k % len(makers)]
    print(json.dumps({"type": "item", "id": rid(100 + k), "kind": "component",
                      "parent": rid(3), "event": rid(1), "category": "ic",
                      "name": "SYNTHETIC part %d" % k, "manufacturer": m[0],
                      "manufacturer_country": m[1]}))
    print(json.dumps({"type": "marking", "id": rid(1000 + k), "item": rid(100 + k),
                      "text": "%s%03d %02d%02d" % (m[2], k, 18 + k % 6, 1 + k % 52),
                      "method": "printed"}))
PY
"$REMNANT" import data.jsonl >/dev/null
# 50 photographs: pages of a report of this weapon, rendered as JPEG
"$REMNANT" report --item 01JBENCH000000000000000002 -o seed.pdf 2>/dev/null
n=0
for r in 150 151 152 153 154 155 156 157 158 159; do
    pdftoppm -jpeg -r "$r" -f 1 -l 5 seed.pdf "p$r"
done
for f in p*.jpg; do
    n=$((n + 1)); [ "$n" -le 50 ] || break
    "$REMNANT" attach 01JBENCH000000000000000100 "$f" >/dev/null
done
echo "weapon with 300 components, $n photos ($(du -ch p*.jpg | tail -1 | cut -f1) of JPEG)"

best() { # best LABEL CMD...: best of 3 wall-clock and CPU (user+sys) seconds, max RSS in MB
    local label=$1 t0 t1 t c m bt=999 bc=999 bm=0; shift
    for _ in 1 2 3; do
        t0=$(date +%s.%N)
        /usr/bin/time -f "%U %S %M" -o tm.txt "$@" >/dev/null 2>&1
        t1=$(date +%s.%N)
        t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
        c=$(tail -1 tm.txt | awk '{ printf "%.2f", $1 + $2 }')
        m=$(tail -1 tm.txt | awk '{ print $3 }')
        bt=$(awk -v a="$t" -v b="$bt" 'BEGIN { print (a < b) ? a : b }')
        bc=$(awk -v a="$c" -v b="$bc" 'BEGIN { print (a < b) ? a : b }')
        bm=$(awk -v a="$m" -v b="$bm" 'BEGIN { print (a > b) ? a : b }')
    done
    echo "$label $bt $bc $(awk -v m="$bm" 'BEGIN { printf "%.1f", m / 1024 }')"
}
"$REMNANT" key create >/dev/null 2>&1 # a signed checkpoint: the report writes the bundle too
best origin "$REMNANT" origin 01JBENCH000000000000000002 --json >res.txt
best report_pdf "$REMNANT" report --item 01JBENCH000000000000000002 -o r.pdf >>res.txt
best report_html "$REMNANT" report --item 01JBENCH000000000000000002 -o r.html >>res.txt
pages=$(pdfinfo r.pdf | awk '/^Pages:/ { print $2 }')
printf '%-12s %8s %8s %8s %8s %9s\n' what wall-s cpu-s "MB peak" "wall x" "memory x"
awk 'NR == 1 { t0 = $2; m0 = $4 }
     { printf "%-12s %8.3f %8.2f %8.1f %8.1f %9.1f\n", $1, $2, $3, $4, $2 / t0, $4 / m0 }' res.txt
echo "PDF: $pages pages, $(du -k r.pdf | cut -f1) KB; HTML: $(du -k r.html | cut -f1) KB;" \
     "bundle: $(du -k r.bundle | cut -f1) KB; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
