#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""geo_convert.py — turn a world-atlas TopoJSON file (Natural Earth country
shapes, npm package `world-atlas`) into the compact text form that
lib/report/geo.c reads: one line per country ("C <ISO 3166 numeric> <name>")
followed by its rings ("R lon lat lon lat ...", degrees, 2 decimals).

    npm pack world-atlas && tar xzf world-atlas-2.0.2.tgz
    python3 scripts/geo_convert.py package/countries-110m.json > data/geo/countries-110m.txt
"""
import json
import sys


def main(path):
    topo = json.load(open(path, encoding="utf-8"))
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)

    def ring(idx):
        out = []
        for a in idx:
            pts = arcs[a] if a >= 0 else arcs[~a][::-1]
            out.extend(pts if not out else pts[1:])
        return out

    print("# Natural Earth country shapes (1:110m), from the npm package world-atlas 2.0.2")
    print("# (https://github.com/topojson/world-atlas), converted by scripts/geo_convert.py.")
    print("# Natural Earth data is in the public domain (https://www.naturalearthdata.com/about/terms-of-use/).")
    print("# world-atlas is ISC-licensed, Copyright 2013-2019 Michael Bostock.")
    print("# Format: C <ISO 3166-1 numeric> <name>, then R lon lat ... per ring (degrees).")
    for g in topo["objects"]["countries"]["geometries"]:
        polys = []
        if g["type"] == "Polygon":
            polys = [g["arcs"]]
        elif g["type"] == "MultiPolygon":
            polys = g["arcs"]
        else:
            continue
        print("C %s %s" % (g.get("id", "-"), g["properties"]["name"]))
        for poly in polys:
            for r in poly:
                pts = ring(r)
                prev = None
                words = []
                for lon, lat in pts:
                    p = ("%.2f" % lon, "%.2f" % lat)
                    if p != prev:
                        words.extend(p)
                    prev = p
                if len(words) >= 6:
                    print("R " + " ".join(words))


if __name__ == "__main__":
    main(sys.argv[1])
