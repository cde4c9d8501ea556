#!/usr/bin/env python3
"""Build training corpus part B (non-urgent and partner contacts, plus near-misses).

Sources:
  scripts/corpus/b_hand_*.txt   hand-written contacts, one per line, pipe-separated:
      CHANNEL|GRADE|ACCEPTABLE|ROUTE|FLAGS|REFERRALS|CATEGORY|VOICE|NARRATIVE[|ANSWERS]
    ACCEPTABLE is digits ("34" = [3, 4]); blank = [GRADE].
    ROUTE may be blank for grades 1-3 (deploy / appointment); short names below.
    FLAGS, REFERRALS: comma-separated short or full names. ANSWERS: w=1,i=0,p=1,s=0,c=0,t=0.
    Lines starting with '#' and blank lines are ignored.
  scripts/corpus/b_gen.py       phrase pools + voice transforms (generated lines).

Output: data/triage/train/b_hand.jsonl, data/triage/train/b_gen.jsonl (ids b-0001 upward).
Run: python3 scripts/corpus/b_build.py   (builds and validates; non-zero exit on any error)
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "data", "triage", "train")

ROUTES = {
    "dep": "deploy", "app": "appointment", "tel": "telephone_resolution", "adv": "advice",
    "upd": "update_request", "amb": "refer:ambulance", "fire": "refer:fire",
    "mh": "refer:mental_health", "111": "refer:nhs111", "cou": "refer:council",
    "hwy": "refer:highways", "rspca": "refer:rspca", "rf": "refer:report_fraud",
    "cs": "refer:children_services", "asc": "refer:adult_social_care",
}
GRADE4_ROUTES = {v for k, v in ROUTES.items() if k not in ("dep", "app")}
FLAGS = {
    "ttl": "threat_to_life", "wpn": "weapon", "inj": "injury", "ip": "in_progress",
    "sp": "suspect_present", "da": "domestic_abuse", "kid": "child_at_risk",
    "mh": "mental_health", "sui": "suicide_risk", "eld": "elderly", "dis": "disability",
    "hate": "hate_crime", "sex": "sexual_offence", "miss": "missing_person",
    "stalk": "stalking_harassment", "exp": "exploitation", "sub": "substance_misuse",
    "rtc": "road_traffic_collision",
}
FLAG_NAMES = set(FLAGS.values())
REFS = {"amb": "ambulance", "fire": "fire", "cs": "children_services",
        "asc": "adult_social_care", "mh": "mental_health", "hwy": "highways",
        "111": "nhs111", "cou": "council", "rspca": "rspca", "rf": "report_fraud"}
REF_NAMES = set(REFS.values())
ANSWER_KEYS = {"w": "weapon", "i": "injury", "p": "in_progress", "s": "suspect_present",
               "c": "child_present", "t": "threat_to_life"}
CATEGORIES = set("""violence domestic_abuse weapons burglary robbery theft vehicle_crime
criminal_damage sexual_offence child_safety missing_person mental_health suicide_self_harm
welfare_medical road_traffic drink_drive fraud hate_crime stalking_harassment exploitation
asb_noise animals highways fire civil_advice update_request lost_found silent_coded misuse
other""".split())
CHANNELS = {"999", "101", "chat", "online"}
FLAG_ORDER = list(FLAGS.values())


def _names(field, table, allowed, what, where):
    out = []
    for tok in [t.strip() for t in field.split(",") if t.strip()]:
        name = table.get(tok, tok)
        if name not in allowed:
            raise ValueError(f"{where}: unknown {what} {tok!r}")
        if name not in out:
            out.append(name)
    return out


def make(channel, grade, acceptable, route, flags, referrals, category, voice, narrative,
         answers=None, where="?"):
    """Return a record dict with derived fields filled in (answers raise flags,
    child_at_risk needs children_services), or raise ValueError."""
    rec = {"id": None, "channel": channel, "narrative": narrative, "answers": dict(answers or {}),
           "grade": grade, "acceptable_grades": sorted(set(acceptable) | {grade}),
           "route": route, "flags": list(flags), "referrals": list(referrals),
           "category": category, "voice": voice}
    for key, val in rec["answers"].items():
        if val is True:
            flag = "child_at_risk" if key == "child_present" else key
            if flag not in rec["flags"]:
                rec["flags"].append(flag)
    if "child_at_risk" in rec["flags"] and "children_services" not in rec["referrals"]:
        rec["referrals"].append("children_services")
    rec["flags"] = sorted(set(rec["flags"]), key=FLAG_ORDER.index)
    return rec


def parse_hand(path):
    recs = []
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            where = f"{os.path.basename(path)}:{n}"
            parts = line.split("|")
            if len(parts) not in (9, 10):
                raise ValueError(f"{where}: expected 9 or 10 fields, got {len(parts)}")
            ch, g, acc, route, flags, refs, cat, voice, narr = [p.strip() for p in parts[:9]]
            grade = int(g)
            acceptable = [int(c) for c in acc] if acc else [grade]
            if not route:
                route = {1: "deploy", 2: "deploy", 3: "appointment"}.get(grade, "")
            route = ROUTES.get(route, route)
            answers = {}
            if len(parts) == 10 and parts[9].strip():
                for kv in parts[9].split(","):
                    k, v = kv.strip().split("=")
                    key = ANSWER_KEYS.get(k.strip(), k.strip())
                    if key not in ANSWER_KEYS.values():
                        raise ValueError(f"{where}: unknown answer key {k!r}")
                    answers[key] = v.strip() in ("1", "true", "y")
            recs.append(make(ch, grade, acceptable, route,
                             _names(flags, FLAGS, FLAG_NAMES, "flag", where),
                             _names(refs, REFS, REF_NAMES, "referral", where),
                             cat, voice, narr, answers, where))
            recs[-1]["_where"] = where
    return recs


def validate(rec):
    errs = []
    w = rec.get("_where", rec.get("id"))
    if rec["channel"] not in CHANNELS:
        errs.append("channel")
    if not isinstance(rec["narrative"], str) or not rec["narrative"].strip():
        errs.append("narrative empty")
    g = rec["grade"]
    if g not in (1, 2, 3, 4):
        errs.append("grade")
    acc = rec["acceptable_grades"]
    if g not in acc or any(a not in (1, 2, 3, 4) for a in acc):
        errs.append("acceptable_grades")
    r = rec["route"]
    if g in (1, 2) and r != "deploy":
        errs.append(f"route {r} for grade {g}")
    if g == 3 and r != "appointment":
        errs.append(f"route {r} for grade 3")
    if g == 4 and r not in GRADE4_ROUTES:
        errs.append(f"route {r} for grade 4")
    for f in rec["flags"]:
        if f not in FLAG_NAMES:
            errs.append(f"flag {f}")
    if len(set(rec["flags"])) != len(rec["flags"]):
        errs.append("duplicate flags")
    for f in rec["referrals"]:
        if f not in REF_NAMES:
            errs.append(f"referral {f}")
    for k, v in rec["answers"].items():
        if k not in ANSWER_KEYS.values() or not isinstance(v, bool):
            errs.append(f"answer {k}")
    if rec["category"] not in CATEGORIES:
        errs.append(f"category {rec['category']}")
    if "child_at_risk" in rec["flags"] and "children_services" not in rec["referrals"]:
        errs.append("child_at_risk without children_services")
    if not rec["voice"]:
        errs.append("voice empty")
    return [f"{w}: {e}" for e in errs]


def finalize(rec):
    out = {k: rec[k] for k in ("id", "channel", "narrative", "answers", "grade", "acceptable_grades", "route",
                               "flags", "referrals", "category")}
    out["voice"] = rec["voice"]
    return out


def main():
    sys.path.insert(0, HERE)
    hand = []
    for path in sorted(glob.glob(os.path.join(HERE, "b_hand_*.txt"))):
        hand.extend(parse_hand(path))
    import b_gen  # noqa: E402
    gen = b_gen.generate(make)
    errors = []
    seen_narr = {}
    n = 0
    for rec in hand + gen:
        n += 1
        rec["id"] = f"b-{n:04d}"
        errors.extend(validate(rec))
        key = " ".join(rec["narrative"].lower().split())
        if key in seen_narr:
            errors.append(f"{rec.get('_where', rec['id'])}: duplicate narrative of {seen_narr[key]}")
        seen_narr[key] = rec.get("_where", rec["id"])
    if errors:
        print("\n".join(errors), file=sys.stderr)
        print(f"{len(errors)} errors", file=sys.stderr)
        return 1
    os.makedirs(OUT, exist_ok=True)
    for name, recs in (("b_hand.jsonl", hand), ("b_gen.jsonl", gen)):
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as fh:
            for rec in recs:
                fh.write(json.dumps(finalize(rec), ensure_ascii=False) + "\n")
    # re-read and check
    ids = set()
    for name in ("b_hand.jsonl", "b_gen.jsonl"):
        with open(os.path.join(OUT, name), encoding="utf-8") as fh:
            for line in fh:
                obj = json.loads(line)
                assert obj["id"] not in ids
                ids.add(obj["id"])
    print(f"hand {len(hand)}  generated {len(gen)}  total {len(hand) + len(gen)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
