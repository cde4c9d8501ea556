"""Check data/triage/train/a_*.jsonl against docs/triage-corpus.md; print counts."""
import collections, glob, json, os, sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CH = {"999", "101", "chat", "online"}
R4 = {"telephone_resolution", "advice", "update_request"} | {"refer:" + a for a in (
    "ambulance fire mental_health nhs111 council highways rspca report_fraud "
    "children_services adult_social_care").split()}
FLAGS = set("""threat_to_life weapon injury in_progress suspect_present domestic_abuse child_at_risk
mental_health suicide_risk elderly disability hate_crime sexual_offence missing_person
stalking_harassment exploitation substance_misuse road_traffic_collision""".split())
REFS = set("ambulance fire mental_health nhs111 council highways rspca report_fraud children_services adult_social_care".split())
ANS = {"weapon", "injury", "in_progress", "suspect_present", "child_present", "threat_to_life"}
CATS = set("""violence domestic_abuse weapons burglary robbery theft vehicle_crime criminal_damage
sexual_offence child_safety missing_person mental_health suicide_self_harm welfare_medical road_traffic
drink_drive fraud hate_crime stalking_harassment exploitation asb_noise animals highways fire
civil_advice update_request lost_found silent_coded misuse other""".split())
KEYS = {"id", "channel", "narrative", "answers", "grade", "acceptable_grades", "route", "flags",
        "referrals", "category", "voice"}

errs, ids, narrs = [], set(), collections.Counter()
bycat = collections.defaultdict(collections.Counter)
grades = collections.Counter()
for p in sorted(glob.glob(os.path.join(ROOT, "data/triage/train/a_*.jsonl"))):
    for n, line in enumerate(open(p, encoding="utf-8"), 1):
        where = "%s:%d" % (os.path.basename(p), n)
        try:
            r = json.loads(line)
        except Exception as e:
            errs.append("%s bad json %s" % (where, e)); continue
        def bad(m): errs.append("%s %s: %s" % (where, r.get("id"), m))
        if set(r) - KEYS or {"id", "channel", "narrative", "grade", "acceptable_grades", "route", "flags", "category", "voice"} - set(r):
            bad("keys %s" % sorted(r))
        if not str(r.get("id", "")).startswith("a-") or r["id"] in ids: bad("id")
        ids.add(r.get("id"))
        if r["channel"] not in CH: bad("channel")
        g = r["grade"]
        if g not in (1, 2, 3, 4) or g not in r["acceptable_grades"] or not set(r["acceptable_grades"]) <= {1, 2, 3, 4}: bad("grade")
        if (g in (1, 2) and r["route"] != "deploy") or (g == 3 and r["route"] != "appointment") or (g == 4 and r["route"] not in R4): bad("route")
        if not set(r["flags"]) <= FLAGS or len(set(r["flags"])) != len(r["flags"]): bad("flags %s" % r["flags"])
        if not set(r.get("referrals", [])) <= REFS: bad("referrals")
        a = r.get("answers", {})
        if set(a) - ANS or not all(isinstance(v, bool) for v in a.values()): bad("answers")
        for k, v in a.items():
            f = "child_at_risk" if k == "child_present" else k
            if v != (f in r["flags"]): bad("answer %s vs flags" % k)
        if "child_at_risk" in r["flags"] and "children_services" not in r.get("referrals", []): bad("child without children_services")
        if r["category"] not in CATS: bad("category")
        if not r["narrative"].strip() and r["channel"] != "999": bad("empty narrative")
        narrs[r["narrative"].lower()] += 1
        bycat[r["category"]][g] += 1
        grades[g] += 1
dups = [k for k, v in narrs.items() if v > 1]
for e in errs[:50]: print(e)
print("errors", len(errs), "duplicate narratives", len(dups), dups[:10])
tot = sum(grades.values())
print("total", tot, dict(sorted(grades.items())))
for c in sorted(bycat):
    print("  %-20s %4d %s" % (c, sum(bycat[c].values()), dict(sorted(bycat[c].items()))))
sys.exit(1 if errs else 0)
