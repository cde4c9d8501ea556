#!/usr/bin/env python3
"""Writer h: hand corrections by id. Usage: h_edit.py ID field=value [field=value ...]
fields: ch g acc rt fl rf cat voice ans nar (the writer types each new value)."""
import sys, glob, os
SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "h_src")
F = "ch g acc rt fl rf cat voice ans nar".split()
rid = sys.argv[1]; sets = dict(a.split("=", 1) for a in sys.argv[2:])
for p in glob.glob(os.path.join(SRC, "*.txt")):
    lines = open(p, encoding="utf-8").read().split("\n"); hit = False
    for i, l in enumerate(lines):
        tok, _, rest = l.partition(" ")
        if tok.rstrip("^") == rid:
            parts = rest.split("|"); assert len(parts) == 10, l
            for k, v in sets.items(): parts[F.index(k)] = v
            lines[i] = tok + " " + "|".join(parts); hit = True
    if hit:
        open(p, "w", encoding="utf-8").write("\n".join(lines)); print("edited", rid); break
else: sys.exit(f"{rid} not found")
