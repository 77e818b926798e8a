# SPDX-License-Identifier: Apache-2.0
#
# tests/e2e/sync/lib.sh — what the sync end-to-end tests that play field
# laptop A and headquarters HQ share; sourced after `set -euo pipefail`:
# tests/lib/e2e.sh (a temporary folder as the working directory, ok/die,
# rn), and A / H: rn on a.db / hq.db as the authors alice / hq-clerk. Not
# a test itself (tests/e2e/*.sh are).
. "${RN_SRC:?source tree}/tests/lib/e2e.sh" # the folder, ok/die, rn
A() { REMNANT_AUTHOR=alice rn --db a.db "$@"; }
H() { REMNANT_AUTHOR=hq-clerk rn --db hq.db "$@"; }
