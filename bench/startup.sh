#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/startup.sh BASELINE CANDIDATE [RUNS] — start-up cost of `remnant`:
# `--help` and `show ID` on a small database, RUNS times each (200), the two
# binaries interleaved run by run so that the machine's load falls on both
# alike. Prints wall and CPU (user+sys, from getrusage of the children) per
# run, and the candidate's ratio to the baseline, with the load average.
set -eu
[ $# -ge 2 ] || { echo "usage: bench/startup.sh BASELINE CANDIDATE [RUNS]" >&2; exit 2; }
exec python3 - "$@" <<'PY'
import os, resource, subprocess, sys, tempfile, time
base, cand = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 200
d = tempfile.mkdtemp(prefix="rn_startup.")
db = os.path.join(d, "x.db")
subprocess.run([base, "--db", db, "init"], check=True, capture_output=True)
eid = subprocess.run([base, "--db", db, "add", "event", "name=Startup bench (invented)"],
                     check=True, capture_output=True, text=True).stdout.strip()
cases = {"--help": ["--help"], "show": ["--db", db, "show", eid]}
def one(binary, args):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([binary] + args, check=True, stdout=subprocess.DEVNULL)
    t1 = time.perf_counter()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return t1 - t0, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print(f"load average before: {os.getloadavg()}")
for name, args in cases.items():
    tot = {base: [0.0, 0.0], cand: [0.0, 0.0]}
    for _ in range(runs):
        for b in (base, cand):
            w, c = one(b, args)
            tot[b][0] += w; tot[b][1] += c
    bw, bc = (x / runs * 1000 for x in tot[base])
    cw, cc = (x / runs * 1000 for x in tot[cand])
    print(f"{name:7s} baseline {bw:6.2f} ms wall {bc:6.2f} ms cpu | candidate {cw:6.2f} ms wall"
          f" {cc:6.2f} ms cpu | ratio wall {cw / bw:.2f} cpu {cc / bc:.2f}")
print(f"load average after: {os.getloadavg()}")
subprocess.run(["rm", "-rf", d])
PY
