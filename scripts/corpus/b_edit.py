"""Small helper to relabel hand-written lines in place: python3 b_edit.py (edits listed in EDITS)."""
import glob, json, os, sys

FIELDS = ["channel", "grade", "acc", "route", "flags", "refs", "cat", "voice", "narr"]


def edit(match, **changes):
    """Find the single hand line whose narrative starts with `match` and change fields.
    flags/refs accept '+x' / '-x' tokens to add/remove."""
    hits = []
    for p in sorted(glob.glob(os.path.join(os.path.dirname(__file__) or ".", "b_hand_*.txt"))):
        lines = open(p, encoding="utf-8").read().split("\n")
        for i, l in enumerate(lines):
            if l.startswith("#") or not l.strip():
                continue
            parts = l.split("|")
            if parts[8].startswith(match):
                hits.append((p, i, lines, parts))
    if len(hits) != 1:
        raise SystemExit(f"{len(hits)} hits for {match!r}")
    p, i, lines, parts = hits[0]
    for k, v in changes.items():
        j = FIELDS.index(k)
        if k in ("flags", "refs") and any(t[:1] in "+-" for t in v.split(",")):
            cur = [t for t in parts[j].split(",") if t]
            for t in v.split(","):
                if t.startswith("+") and t[1:] not in cur:
                    cur.append(t[1:])
                elif t.startswith("-") and t[1:] in cur:
                    cur.remove(t[1:])
            parts[j] = ",".join(cur)
        else:
            parts[j] = v
    lines[i] = "|".join(parts)
    open(p, "w", encoding="utf-8").write("\n".join(lines))
