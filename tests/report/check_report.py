#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""check_report.py — checks of a briefing report used by tests/e2e/report*.sh.

  check_report.py order TEXTFILE NEEDLE...     the needles appear, in this order
  check_report.py absent TEXTFILE NEEDLE...    none of the needles appears
  check_report.py html HTMLFILE NEEDLE...      the file parses as HTML, fetches
                                               nothing, and holds every needle
Whitespace (line breaks of the PDF's text layer) is normalised to one space.
Prints one line per failure; exit status 1 if any.
"""
import html.parser
import re
import sys


def norm(s):
    return re.sub(r"\s+", " ", s)


def order(text, needles):
    fails, pos = [], 0
    for n in needles:
        i = text.find(norm(n), pos)
        if i < 0:
            where = "anywhere" if text.find(norm(n)) < 0 else "after the previous one"
            fails.append("'%s' not found %s" % (n, where))
        else:
            pos = i + len(norm(n))
    return fails


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.stack, self.fails = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.fails.append("a <script> element")
        for k in ("src", "href"):
            v = a.get(k)
            if v and not v.startswith("data:") and not v.startswith("#"):
                self.fails.append("<%s %s=%s> fetches something" % (tag, k, v[:60]))
        if tag not in ("meta", "img", "br", "link", "circle", "rect", "line", "polygon",
                       "polyline"):
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.fails.append("</%s> does not close <%s>" % (tag, self.stack[-1] if self.stack else ""))
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def main():
    mode, path, needles = sys.argv[1], sys.argv[2], sys.argv[3:]
    raw = open(path, encoding="utf-8").read()
    fails = ["an empty needle (a test variable is unset)" for n in needles if not n]
    if mode == "order":
        fails += order(norm(raw), needles)
    elif mode == "absent":
        t = norm(raw)
        fails += ["'%s' appears" % n for n in needles if n and norm(n) in t]
    elif mode == "html":
        p = Page()
        p.feed(raw)
        p.close()
        fails += p.fails + (["unclosed <%s>" % p.stack[-1]] if p.stack else [])
        t = norm(" ".join(p.text))
        fails += ["'%s' not in the HTML text" % n for n in needles if norm(n) not in t]
    for f in fails:
        print("  " + f)
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
