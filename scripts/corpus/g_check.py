#!/usr/bin/env python3
"""Writer g: expand the writer's hand-typed shorthand lines (scripts/corpus/g_src/*.txt) into JSON
lines (data/triage/train/g_<theme>.jsonl) and check every row. Modelled on f_check.py. It writes no
narrative and chooses no label: each source line carries one narrative and all its labels, typed by
the writer; the script only expands the codes below.

Source line: g-NNNN[&] ch|grade|acceptable|route|flags|referrals|category|voice|answers|narrative
  '&' after the id marks the row as the twin of the row just above it (same voice, different facts);
  it is only counted, never written.
  ch 9=999 1=101 c=chat o=online; acceptable: digits ("12"), blank = the grade alone;
  route: a code (d a tr adv upd or an agency code) or refer:AGENCY, blank only for grades 1-3; answers like "w+ i- ip+ sp- c+ t-";
  '-' in acceptable, route, flags, referrals or answers means empty.
Checks: every line parses; contract names only (flags and agencies read from the policy YAML);
route matches grade (1-2 deploy, 3 appointment, 4 a grade 4 route); grade in acceptable; ids unique
and g-NNNN; a true answer's flag listed, a false answer's not; child_at_risk carries
children_services; no repeat_victim / repeat_caller.
"""
import json, sys, glob, os, re, collections
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "scripts/corpus/g_src"); OUT = os.path.join(ROOT, "data/triage/train")
POL = os.path.join(ROOT, "src/bluelamp/policy/versions/2026.1")
CH = {"9": "999", "1": "101", "c": "chat", "o": "online"}
FL = {"ttl": "threat_to_life", "wpn": "weapon", "inj": "injury", "ip": "in_progress", "sp": "suspect_present",
      "da": "domestic_abuse", "car": "child_at_risk", "mh": "mental_health", "sr": "suicide_risk", "eld": "elderly",
      "dis": "disability", "hate": "hate_crime", "sex": "sexual_offence", "mis": "missing_person",
      "stk": "stalking_harassment", "exp": "exploitation", "sub": "substance_misuse", "rtc": "road_traffic_collision"}
AG = {"amb": "ambulance", "fire": "fire", "mh": "mental_health", "111": "nhs111", "cncl": "council", "hwy": "highways",
      "rspca": "rspca", "rf": "report_fraud", "cs": "children_services", "asc": "adult_social_care"}
RT = {"d": "deploy", "a": "appointment", "tr": "telephone_resolution", "adv": "advice", "upd": "update_request"}
CAT = {"viol": "violence", "da": "domestic_abuse", "wpn": "weapons", "burg": "burglary", "rob": "robbery", "theft": "theft",
       "veh": "vehicle_crime", "dmg": "criminal_damage", "sex": "sexual_offence", "child": "child_safety",
       "mis": "missing_person", "mh": "mental_health", "ssh": "suicide_self_harm", "welf": "welfare_medical",
       "rt": "road_traffic", "dd": "drink_drive", "fraud": "fraud", "hate": "hate_crime", "stk": "stalking_harassment",
       "exp": "exploitation", "asb": "asb_noise", "anim": "animals", "hwy": "highways", "fire": "fire",
       "civil": "civil_advice", "upd": "update_request", "lost": "lost_found", "silent": "silent_coded",
       "misuse": "misuse", "other": "other", "update": "update_request"}
ANS = {"w": "weapon", "i": "injury", "ip": "in_progress", "sp": "suspect_present", "c": "child_present", "t": "threat_to_life"}
ANSFLAG = {"weapon": "weapon", "injury": "injury", "in_progress": "in_progress", "suspect_present": "suspect_present",
           "child_present": "child_at_risk", "threat_to_life": "threat_to_life"}
CATS = set(CAT.values())


def policy_names():
    """Contract flag and agency ids from the policy YAML (plain text read, no yaml dependency)."""
    flags = set(re.findall(r"\{id: (\w+)", open(os.path.join(POL, "flags.yaml"), encoding="utf-8").read()))
    agencies = set(re.findall(r"\{id: (\w+)", open(os.path.join(POL, "routes.yaml"), encoding="utf-8").read()))
    return flags - {"repeat_victim", "repeat_caller"}, agencies


FLAGS, AGENCIES = policy_names()
ROUTES4 = {"telephone_resolution", "advice", "update_request"} | {"refer:" + a for a in AGENCIES}


def conv(line, where):
    p = line.split("|")
    if len(p) != 10: raise ValueError(f"{where}: {len(p)} fields")
    ch, g, acc, rt, fl, rf, cat, voice, ans, nar = [x.strip() for x in p]
    acc, rt, fl, rf, ans = ["" if x == "-" else x for x in (acc, rt, fl, rf, ans)]
    g = int(g); acc = sorted({int(x) for x in acc}) if acc else [g]
    if not rt: rt = {1: "d", 2: "d", 3: "a"}[g]
    if rt.startswith("refer:"):
        if rt[6:] not in AG.values(): raise ValueError(f"{where}: unknown agency {rt}")
        route = rt
    elif rt in RT.values():
        route = rt
    else:
        route = RT.get(rt) or ("refer:" + AG[rt])
    cat = cat if cat in CAT.values() else CAT[cat]
    flags = [FL[x] for x in fl.split()]; refs = [AG[x] for x in rf.split()]
    answers = {}
    for a in ans.split():
        answers[ANS[a[:-1]]] = {"+": True, "-": False}[a[-1]]
    return {"channel": CH[ch], "narrative": nar, "answers": answers, "grade": g, "acceptable_grades": acc,
            "route": route, "flags": flags, "referrals": refs, "category": cat, "voice": voice}


def check(r, where):
    e = []
    if r["grade"] not in (1, 2, 3, 4): e.append("grade out of range")
    if any(a not in (1, 2, 3, 4) for a in r["acceptable_grades"]): e.append("acceptable out of range")
    if r["grade"] not in r["acceptable_grades"]: e.append("grade not in acceptable")
    if r["grade"] in (1, 2) and r["route"] != "deploy": e.append("route/grade 1-2")
    if r["grade"] == 3 and r["route"] != "appointment": e.append("route/grade 3")
    if r["grade"] == 4 and r["route"] not in ROUTES4: e.append("route/grade 4")
    if any(f not in FLAGS for f in r["flags"]): e.append("flag not in contract")
    if any(a not in AGENCIES for a in r["referrals"]): e.append("agency not in contract")
    if r["category"] not in CATS: e.append("category")
    if len(set(r["flags"])) != len(r["flags"]): e.append("dup flag")
    if len(set(r["referrals"])) != len(r["referrals"]): e.append("dup referral")
    for k, v in r["answers"].items():
        if v and ANSFLAG[k] not in r["flags"]: e.append(f"answer {k} true, flag missing")
        if not v and ANSFLAG[k] in r["flags"]: e.append(f"answer {k} false, flag present")
    if "child_at_risk" in r["flags"] and "children_services" not in r["referrals"]: e.append("car without cs")
    if not r["narrative"] or not r["voice"]: e.append("empty")
    for x in e: print(f"{where}: {x}", file=sys.stderr)
    return not e


def main():
    ok = True; n = 0; seen = set(); pairs = 0; cross = 0; narrs = {}
    stats = collections.defaultdict(collections.Counter)
    for src in sorted(glob.glob(os.path.join(SRC, "*.txt"))):
        theme = os.path.basename(src)[:-4]
        rows = []
        for i, line in enumerate(open(src, encoding="utf-8"), 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"): continue
            m = re.match(r"(g-\d{4})(&?) (.*)$", line)
            if not m: print(f"{src}:{i}: no id", file=sys.stderr); ok = False; continue
            rid, twin, rest = m.groups()
            if rid in seen: print(f"{src}:{i}: dup id {rid}", file=sys.stderr); ok = False
            seen.add(rid)
            try: r = conv(rest, f"{src}:{i}")
            except Exception as ex: print(f"{src}:{i}: {ex!r}", file=sys.stderr); ok = False; continue
            r = {"id": rid, **r}
            ok &= check(r, f"{src}:{i} {rid}")
            key = (r["narrative"], json.dumps(r["answers"], sort_keys=True))
            if key in narrs: print(f"{src}:{i}: same narrative and answers as {narrs[key]}", file=sys.stderr); ok = False
            narrs[key] = rid
            if twin:
                pairs += 1
                if rows and (rows[-1]["grade"] <= 2) != (r["grade"] <= 2): cross += 1
            rows.append(r); n += 1
            kind = ("999 " if r["channel"] == "999" else "not999 ") + ("urgent" if r["grade"] <= 2 else "lookalike")
            stats["kind"][kind] += 1
            stats["channel"][r["channel"]] += 1; stats["grade"][r["grade"]] += 1; stats["route"][r["route"]] += 1
            stats["channel x grade"][f"{r['channel']} g{r['grade']}"] += 1
            stats["answers"]["with answers" if r["answers"] else "none"] += 1
        with open(os.path.join(OUT, "g_" + theme + ".jsonl"), "w", encoding="utf-8") as f:
            for r in rows: f.write(json.dumps(r, ensure_ascii=False) + "\n")
    # re-read the output: every line parses
    for p in glob.glob(os.path.join(OUT, "g_*.jsonl")):
        for line in open(p, encoding="utf-8"): json.loads(line)
    print("rows", n, "twin pairs", pairs, "of which urgent/lookalike pairs", cross)
    for k, c in stats.items():
        print(k, ", ".join(f"{a}: {b} ({100*b/max(n,1):.0f}%)" for a, b in sorted(c.items(), key=lambda t: (-t[1], str(t[0])))))
    sys.exit(0 if ok and n else 1)


main()
