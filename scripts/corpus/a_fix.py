"""Small helper for editing hand-written lines: add flags/referrals to the line containing a phrase.
usage: python3 a_fix.py "phrase" "+flag +flag" ["+ref"]"""
import glob, sys
phrase, fl = sys.argv[1], sys.argv[2].split()
rf = sys.argv[3].split() if len(sys.argv) > 3 else []
hits = 0
for p in glob.glob("a_hand/*.txt"):
    lines = open(p, encoding="utf-8").read().split("\n")
    for i, l in enumerate(lines):
        if phrase in l and not l.startswith(("#", "@")):
            parts = l.split("|")
            parts[3] = " ".join(dict.fromkeys(parts[3].split() + [f.lstrip("+") for f in fl]))
            parts[4] = " ".join(dict.fromkeys(parts[4].split() + [r.lstrip("+") for r in rf]))
            lines[i] = "|".join(parts)
            hits += 1
    open(p, "w", encoding="utf-8").write("\n".join(lines))
print(hits, phrase)
