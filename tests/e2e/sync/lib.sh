# SPDX-License-Identifier: Apache-2.0
#
# tests/e2e/sync/lib.sh — what the sync end-to-end tests that play field
# laptop A and headquarters HQ share; sourced after `set -euo pipefail`:
# a temporary folder (removed on exit) as the working directory, ok/die,
# rn (the binary under test), and A / H: rn on a.db / hq.db as the authors
# alice / hq-clerk. Not a test itself (tests/e2e/*.sh are).
REMNANT=${REMNANT:?set REMNANT to the remnant binary}
T=$(mktemp -d "${TMPDIR:-/tmp}/rn_${RN_TEST:-sync}.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"

ok() { printf 'ok   %s\n' "$*"; }
die() { printf 'FAIL %s\n' "$*" >&2; exit 1; }
rn() { "$REMNANT" "$@"; }
A() { REMNANT_AUTHOR=alice rn --db a.db "$@"; }
H() { REMNANT_AUTHOR=hq-clerk rn --db hq.db "$@"; }
