#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""crawl.py — the anonymous crawl of a running `remnant serve`.

Fetches every public endpoint without credentials, follows every record id
any response names (records of every type, proofs, attachment content,
public bundles), and prints each response in which a forbidden string
appears. Used by the e2e tests that seed restricted values.

usage: crawl.py BASE OUT_DIR FORBIDDEN... 
Writes OUT_DIR/responses.json ({path: [status, body]}) for further checks
and prints "LEAK <string> in <path>" lines, then "LEAKS N" and "RESPONSES N".
"""
import json
import os
import re
import sys
import urllib.error
import urllib.request

TYPES = ("events items markings attachments entities transfers traces findings "
         "sanctions custody claims").split()
START = ["/api/v1/health", "/api/openapi.json", "/api/v1/me", "/api/v1/log/checkpoint",
         "/api/v1/search?q=S3CRET", "/api/v1/search?q=SER", "/api/v1/search?q=2315",
         "/api/v1/findings?status=draft", "/"]
ID = re.compile(rb'"?([0-9A-HJKMNP-TV-Z]{26})"?')


def get(base, path):
    try:
        with urllib.request.urlopen(base + path, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def main():
    base, out = sys.argv[1], sys.argv[2]
    forbidden = [s.encode() for s in sys.argv[3:]]
    seen, queue, bodies, ids = set(), [], {}, set()

    def push(p):
        if p not in seen:
            seen.add(p)
            queue.append(p)

    for p in START:
        push(p)
    for t in TYPES:
        push("/api/v1/%s?limit=1000" % t)
    while queue:
        p = queue.pop(0)
        st, body = get(base, p)
        bodies[p] = (st, body)
        if p.endswith("/content") or p.endswith(".pdf"):
            continue
        for i in ID.findall(body):
            i = i.decode()
            if i in ids:
                continue
            ids.add(i)
            for t in TYPES:
                push("/api/v1/%s/%s" % (t, i))
            for suffix in ("/api/v1/log/proof/%s", "/api/v1/attachments/%s/content",
                           "/api/v1/records/%s/history", "/api/v1/findings/%s/bundle",
                           "/api/v1/findings/%s/report.html"):
                push(suffix % i)
    leaks = 0
    for p, (st, body) in sorted(bodies.items()):
        for s in forbidden:
            if s in body:
                print("LEAK %s in %s (%d)" % (s.decode(), p, st))
                leaks += 1
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "responses.json"), "w") as f:
        json.dump({p: [st, body.decode("utf-8", "replace")] for p, (st, body) in bodies.items()},
                  f)
    print("RESPONSES %d" % len(bodies))
    print("IDS %d" % len(ids))
    print("LEAKS %d" % leaks)


if __name__ == "__main__":
    main()
