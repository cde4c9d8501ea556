#!/usr/bin/env python3
"""Writer g: hand fixes by id. Usage: g_fix.py ID FIELD VALUE [ID FIELD VALUE ...]
FIELD is one of ch grade acc route flags refs cat voice answers narrative; VALUE is typed by the writer."""
import sys, glob, os
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAMES = "ch grade acc route flags refs cat voice answers narrative".split()
args = sys.argv[1:]; todo = {}
for i in range(0, len(args), 3): todo.setdefault(args[i], []).append((NAMES.index(args[i + 1]), args[i + 2]))
done = set()
for p in glob.glob(os.path.join(ROOT, "scripts/corpus/g_src/*.txt")):
    out = []
    for line in open(p, encoding="utf-8"):
        if line.startswith("g-"):
            head, rest = line.rstrip("\n").split(" ", 1); rid = head.rstrip("&")
            if rid in todo:
                f = rest.split("|")
                for k, v in todo[rid]: f[k] = v
                line = head + " " + "|".join(f) + "\n"; done.add(rid)
        out.append(line)
    open(p, "w", encoding="utf-8").writelines(out)
missing = set(todo) - done
if missing: print("not found:", sorted(missing)); sys.exit(1)
