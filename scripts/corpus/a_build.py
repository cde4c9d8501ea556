"""Build training part A of the triage corpus (data/triage/train/a_*.jsonl).

Hand-written contacts live in scripts/corpus/a_hand/*.txt, one per line:

    channel|grade[:route]|acceptable|flags|referrals|voice|narrative|answers

- grade 1-2 route deploy, 3 appointment; grade 4 must give its route ("4:advice").
- acceptable: digits ("12"); empty means just the grade.
- flags / referrals / answers: space-separated short names (see FLAG, REF, ANS below);
  answers as w+ ip- ... (+ true, - false).
- "@cat NAME" sets the category for the following lines; "#" starts a comment line.

Rules applied (docs/triage-corpus.md): a true answer raises its flag (child_present raises
child_at_risk); a false answer may not sit with its flag; child_at_risk always refers to
children_services.  Generated lines come from a_gen.py.  Ids a-0001.. are given in build order.
"""
import glob, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "data", "triage", "train")

FLAG = {"ttl": "threat_to_life", "wpn": "weapon", "inj": "injury", "ip": "in_progress",
        "sp": "suspect_present", "da": "domestic_abuse", "child": "child_at_risk",
        "mh": "mental_health", "sui": "suicide_risk", "eld": "elderly", "dis": "disability",
        "hate": "hate_crime", "sex": "sexual_offence", "miss": "missing_person",
        "stalk": "stalking_harassment", "exp": "exploitation", "sub": "substance_misuse",
        "rtc": "road_traffic_collision"}
REF = {"amb": "ambulance", "fire": "fire", "cs": "children_services",
       "asc": "adult_social_care", "mhr": "mental_health", "hwy": "highways"}
ANS = {"w": "weapon", "i": "injury", "ip": "in_progress", "sp": "suspect_present",
       "c": "child_present", "t": "threat_to_life"}
ANS_FLAG = {"weapon": "weapon", "injury": "injury", "in_progress": "in_progress",
            "suspect_present": "suspect_present", "child_present": "child_at_risk",
            "threat_to_life": "threat_to_life"}
FLAG_ORDER = list(FLAG.values())


def finish(rec):
    """Apply the answer and referral rules to a record (shared with a_gen.py)."""
    flags = set(rec["flags"])
    for k, v in rec.get("answers", {}).items():
        f = ANS_FLAG[k]
        if v:
            flags.add(f)
        elif f in flags:
            raise ValueError("answer %s=false but flag %s: %s" % (k, f, rec["narrative"]))
    refs = list(rec.get("referrals", []))
    if "child_at_risk" in flags and "children_services" not in refs:
        refs.append("children_services")
    rec["flags"] = [f for f in FLAG_ORDER if f in flags]
    rec["referrals"] = refs
    if not rec.get("answers"):
        rec["answers"] = {}
    return rec


def parse_file(path):
    cat = None
    out = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@cat "):
            cat = line.split()[1]
            continue
        parts = line.split("|")
        if len(parts) == 7:
            parts.append("")
        elif (len(parts) == 8 and parts[5] == ""
              and not re.match(r"^((w|i|ip|sp|c|t)[+-]\s*)*$", parts[7].strip())):
            del parts[5]  # "flags|refs||voice|narrative" written as "|||": one empty field too many
            parts.append("")
        if len(parts) != 8:
            raise ValueError("%s:%d: %d fields" % (path, n, len(parts)))
        ch, gr, acc, fl, rf, voice, narr, ans = [p.strip() for p in parts]
        if not re.match(r"^((w|i|ip|sp|c|t)[+-]\s*)*$", ans) or ch not in ("999", "101", "chat", "online"):
            raise ValueError("%s:%d: bad answers/channel %r" % (path, n, line))
        voice = voice or "caller"
        if ":" in gr:
            g, route = gr.split(":", 1)
            g = int(g)
        else:
            g = int(gr)
            route = {1: "deploy", 2: "deploy", 3: "appointment"}[g]
        accs = sorted({int(c) for c in acc} | {g})
        answers = {}
        for a in ans.split():
            key, val = a[:-1], a[-1]
            answers[ANS[key]] = {"+": True, "-": False}[val]
        rec = {"id": None, "channel": ch, "narrative": narr, "answers": answers,
               "grade": g, "acceptable_grades": accs, "route": route,
               "flags": [FLAG[f] for f in fl.split()],
               "referrals": [REF[r] for r in rf.split()],
               "category": cat, "voice": voice}
        try:
            out.append(finish(rec))
        except Exception as e:
            raise ValueError("%s:%d: %s" % (path, n, e))
    return out


def main():
    sys.path.insert(0, HERE)
    files = {}
    for p in sorted(glob.glob(os.path.join(HERE, "a_hand", "*.txt"))):
        files["a_" + os.path.basename(p)[:-4] + ".jsonl"] = parse_file(p)
    import a_gen
    files["a_generated.jsonl"] = a_gen.generate()
    n = 0
    for name, recs in files.items():
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as fh:
            for r in recs:
                n += 1
                r["id"] = "a-%04d" % n
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        print("%-28s %5d" % (name, len(recs)))
    print("total", n)


if __name__ == "__main__":
    main()
