#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/browser/run.sh TEST.mjs — one browser test, as ctest runs it: a demo
# database (remnant demo, with the instance key so checkpoints are signed),
# one account per role (name u_ROLE, password password-ROLE), a real
# `remnant serve` on a free loopback port, then `node --test TEST.mjs`
# driving Debian's Chromium (/usr/bin/chromium) through puppeteer-core.
# Screenshots go to $RN_BUILD/browser-out/. Exit 77 (skipped) when Chromium
# or the npm packages (npm ci --prefix web) are missing.
# Env: REMNANT (binary), RN_SRC (source folder), RN_BUILD (build folder).
set -u
: "${REMNANT:?path of the remnant binary}" "${RN_SRC:?source folder}" "${RN_BUILD:?build folder}"
test_file=$1
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then echo "SKIP: $CHROMIUM missing (apt-get install chromium)"; exit 77; fi
if [ ! -d "$RN_SRC/web/node_modules/puppeteer-core" ]; then
    echo "SKIP: web/node_modules missing (npm ci --prefix web)"; exit 77
fi
if ! command -v node >/dev/null; then echo "SKIP: node missing (apt-get install nodejs)"; exit 77; fi

# the temporary folder, the server's start and stop: tests/server/lib.sh
. "$RN_SRC/tests/server/lib.sh"
export REMNANT_DB="$W/demo.db"
"$REMNANT" demo "$REMNANT_DB" >/dev/null || exit 1
"$REMNANT" key create >/dev/null 2>&1 || exit 1
for r in admin investigator analyst reviewer; do
    echo "password-$r" | "$REMNANT" user add "u_$r" --role "$r" >/dev/null || exit 1
done
# shellcheck disable=SC2086 # RN_SERVE_ARGS: options, split on purpose
start_server --quiet ${RN_SERVE_ARGS:-}
export BASE CHROMIUM
export RN_SHOTS="$RN_BUILD/browser-out"
export RN_WORK="$W"
mkdir -p "$RN_SHOTS"
node --test --test-concurrency=1 --test-timeout=120000 "$RN_SRC/tests/browser/$test_file"
rc=$?
# the server stops cleanly, and its sanitizers (in a sanitized build) saw nothing
stop_server
src=$?
if [ $src -ne 0 ] || grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$W/server.log"; then
    echo "FAIL - the server exited with $src or its sanitizers reported"; rc=1
fi
if [ $rc -ne 0 ]; then echo "--- server log"; tail -n 40 "$W/server.log"; fi
exit $rc
