#!/usr/bin/env python3
"""Writer h: expand the writer's hand-typed shorthand lines (scripts/corpus/h_src/*.txt) into JSON
lines (data/triage/train/h_<theme>.jsonl) and check every row. Modelled on f_check.py. It writes no
narrative and chooses no label: each source line carries one narrative and all its labels, typed by
the writer.

Source line: ID ch|grade|acceptable|route|flags|referrals|category|voice|answers|narrative
  ID h-NNNN, or h-NNNN^ to mark the row as the near twin (one fact different) of the row before it.
  ch 9=999 1=101 c=chat o=online; route blank only for grades 1-3 (deploy/appointment).
  answers: codes w i ip sp c t with + (true) or - (false).
Checks: JSON parses; contract names only (flags and agencies read from the 2026.1 policy YAML);
route matches grade; grade in acceptable; ids unique and h-NNNN; a true answer's flag listed, a
false answer's not; child_at_risk carries children_services; no repeat flags.
"""
import json, sys, glob, os, re, collections
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "scripts/corpus/h_src"); OUT = os.path.join(ROOT, "data/triage/train")
POL = os.path.join(ROOT, "src/bluelamp/policy/versions/2026.1")
CH = {"9": "999", "1": "101", "c": "chat", "o": "online"}
FL = {"ttl": "threat_to_life", "wpn": "weapon", "inj": "injury", "ip": "in_progress", "sp": "suspect_present",
      "da": "domestic_abuse", "car": "child_at_risk", "mh": "mental_health", "sr": "suicide_risk", "eld": "elderly",
      "dis": "disability", "hate": "hate_crime", "sex": "sexual_offence", "mis": "missing_person",
      "stk": "stalking_harassment", "exp": "exploitation", "sub": "substance_misuse", "rtc": "road_traffic_collision"}
AG = {"amb": "ambulance", "fire": "fire", "mh": "mental_health", "111": "nhs111", "cncl": "council", "hwy": "highways",
      "rspca": "rspca", "rf": "report_fraud", "cs": "children_services", "asc": "adult_social_care"}
RT = {"d": "deploy", "a": "appointment", "tr": "telephone_resolution", "adv": "advice", "upd": "update_request", "advice": "advice", "update_request": "update_request", "telephone_resolution": "telephone_resolution", "deploy": "deploy", "appointment": "appointment"}
CAT = {"viol": "violence", "da": "domestic_abuse", "wpn": "weapons", "burg": "burglary", "rob": "robbery", "theft": "theft",
       "veh": "vehicle_crime", "dmg": "criminal_damage", "sex": "sexual_offence", "child": "child_safety",
       "mis": "missing_person", "mh": "mental_health", "ssh": "suicide_self_harm", "welf": "welfare_medical",
       "rt": "road_traffic", "dd": "drink_drive", "fraud": "fraud", "hate": "hate_crime", "stk": "stalking_harassment",
       "exp": "exploitation", "asb": "asb_noise", "anim": "animals", "hwy": "highways", "fire": "fire",
       "civil": "civil_advice", "upd": "update_request", "lost": "lost_found", "silent": "silent_coded",
       "misuse": "misuse", "other": "other"}
ANS = {"w": "weapon", "i": "injury", "ip": "in_progress", "sp": "suspect_present", "c": "child_present", "t": "threat_to_life"}
ANSFLAG = {"weapon": "weapon", "injury": "injury", "in_progress": "in_progress", "suspect_present": "suspect_present",
           "child_present": "child_at_risk", "threat_to_life": "threat_to_life"}
G4 = {"telephone_resolution", "advice", "update_request"}

def contract_names():
    fl = set(re.findall(r"\{id: (\w+), label", open(os.path.join(POL, "flags.yaml")).read()))
    rtxt = open(os.path.join(POL, "routes.yaml")).read()
    ag = set(re.findall(r"\{id: (\w+), name", rtxt))
    return fl - {"repeat_victim", "repeat_caller"}, ag

FLAGS, AGENCIES = contract_names()

def conv(line, where):
    p = line.split("|")
    if len(p) != 10: raise ValueError(f"{where}: {len(p)} fields")
    ch, g, acc, rt, fl, rf, cat, voice, ans, nar = [x.strip() for x in p]
    g = int(g); acc = sorted({int(x) for x in acc}) if acc else [g]
    if not rt: rt = {1: "d", 2: "d", 3: "a"}[g]
    if rt.startswith("refer:"): rt = {v: k for k, v in AG.items()}[rt[6:]]
    route = RT.get(rt) or ("refer:" + AG[rt])
    flags = [FL[x] for x in fl.split()]; refs = [AG[x] for x in rf.split()]
    answers = {}
    for a in ans.split():
        answers[ANS[a[:-1]]] = {"+": True, "-": False}[a[-1]]
    return {"channel": CH[ch], "narrative": nar, "answers": answers, "grade": g, "acceptable_grades": acc,
            "route": route, "flags": flags, "referrals": refs, "category": CAT[cat], "voice": voice}

def check(r, where):
    e = []
    if r["grade"] not in (1, 2, 3, 4) or any(a not in (1, 2, 3, 4) for a in r["acceptable_grades"]): e.append("bad grade")
    if r["grade"] not in r["acceptable_grades"]: e.append("grade not in acceptable")
    want = {1: {"deploy"}, 2: {"deploy"}, 3: {"appointment"}}.get(r["grade"])
    if want and r["route"] not in want: e.append("route/grade")
    if r["grade"] == 4 and not (r["route"] in G4 or (r["route"].startswith("refer:") and r["route"][6:] in AGENCIES)):
        e.append("route/grade 4")
    for f in r["flags"]:
        if f not in FLAGS: e.append(f"flag {f} not in contract")
    for a in r["referrals"]:
        if a not in AGENCIES: e.append(f"agency {a} not in contract")
    if len(set(r["flags"])) != len(r["flags"]): e.append("dup flag")
    if len(set(r["referrals"])) != len(r["referrals"]): e.append("dup referral")
    for k, v in r["answers"].items():
        if v and ANSFLAG[k] not in r["flags"]: e.append(f"answer {k} true, flag missing")
        if not v and ANSFLAG[k] in r["flags"]: e.append(f"answer {k} false, flag present")
    if "child_at_risk" in r["flags"] and "children_services" not in r["referrals"]: e.append("car without cs")
    if not r["narrative"] or not r["voice"]: e.append("empty")
    for x in e: print(f"{where}: {r['id']}: {x}", file=sys.stderr)
    return not e

def main():
    ok = True; n = 0; seen = set(); pairs = 0; stats = collections.defaultdict(collections.Counter)
    cross = collections.Counter(); narr = {}
    for old in glob.glob(os.path.join(OUT, "h_*.jsonl")): os.remove(old)
    for src in sorted(glob.glob(os.path.join(SRC, "*.txt"))):
        theme = os.path.basename(src)[:-4]
        rows = []
        for i, line in enumerate(open(src, encoding="utf-8"), 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"): continue
            where = f"{os.path.basename(src)}:{i}"
            rid, _, rest = line.partition(" ")
            if rid.endswith("^"): rid = rid[:-1]; pairs += 1
            if not re.fullmatch(r"h-\d{4}", rid): print(f"{where}: bad id {rid}", file=sys.stderr); ok = False; continue
            if rid in seen: print(f"{where}: dup id {rid}", file=sys.stderr); ok = False
            seen.add(rid)
            try: r = conv(rest, where)
            except Exception as ex: print(f"{where}: {ex!r}", file=sys.stderr); ok = False; continue
            r = {"id": rid, **r}
            ok &= check(r, where)
            if r["narrative"] in narr: print(f"{where}: {rid} same narrative as {narr[r['narrative']]} (check answers)", file=sys.stderr)
            narr.setdefault(r["narrative"], rid)
            rows.append(r); n += 1
            stats["channel"][r["channel"]] += 1; stats["grade"][r["grade"]] += 1; stats["route"][r["route"]] += 1
            stats["category"][r["category"]] += 1
            stats["answers"]["with answers" if r["answers"] else "none"] += 1
            cross[(r["channel"], r["grade"])] += 1
        with open(os.path.join(OUT, "h_" + theme + ".jsonl"), "w", encoding="utf-8") as f:
            for r in rows: f.write(json.dumps(r, ensure_ascii=False) + "\n")
    for p in glob.glob(os.path.join(OUT, "h_*.jsonl")):
        for line in open(p, encoding="utf-8"): json.loads(line)
    print("rows", n, "pairs", pairs)
    for k, c in stats.items():
        print(k, ", ".join(f"{a}: {b} ({100*b/max(n,1):.0f}%)" for a, b in sorted(c.items(), key=lambda t: -t[1])))
    print("channel x grade:")
    for ch in ("999", "101", "chat", "online"):
        print(f"  {ch:>6}", " ".join(f"g{g}={cross[(ch, g)]:<4}" for g in (1, 2, 3, 4)))
    sys.exit(0 if ok else 1)
main()
