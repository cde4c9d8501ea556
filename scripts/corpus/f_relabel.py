#!/usr/bin/env python3
"""Writer f's hand edit helper: replace the label fields of one source line by id (the narrative is kept).
usage: f_relabel.py FILE 'f-0001=9|1|||flags|refs|cat|voice||' ..."""
import re, sys
p = sys.argv[1]; fix = dict(a.split("=", 1) for a in sys.argv[2:])
L = open(p, encoding="utf-8").read().split("\n"); out = []; done = set()
for l in L:
    m = re.match(r"(f-\d{4}) ", l)
    if m and m.group(1) in fix:
        l = m.group(1) + " " + fix[m.group(1)] + l.rsplit("|", 1)[1]; done.add(m.group(1))
    out.append(l)
open(p, "w", encoding="utf-8").write("\n".join(out).rstrip("\n") + "\n")
missing = set(fix) - done
if missing: sys.exit(f"not found: {sorted(missing)}")
