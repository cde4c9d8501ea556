#!/usr/bin/env python3
"""Expand a corpus writer's hand-typed shorthand lines into JSON lines and check every row.

One checker for every writer who types shorthand (f, g, h and later): it writes no narrative and
chooses no label; each source line carries one narrative and all its labels, typed by the writer,
and this script only expands the codes below and checks the result against docs/triage-corpus.md.

    python scripts/corpus/corpus_check.py WRITER      # e.g. h: reads scripts/corpus/h_src/*.txt (one or two letters)

Source line: ID ch|grade|acceptable|route|flags|referrals|category|voice|answers|narrative
  ID is WRITER-NNNN; a trailing '^' or '&' marks the row as the near twin of the row above (it is
  only counted). ch 9=999 1=101 c=chat o=online. acceptable: digits ("12"); blank = the grade alone.
  route: d a tr adv upd, an agency code, a route name or refer:AGENCY; blank only for grades 1-3.
  answers: w i ip sp c t, each with + (true) or - (false). A field that is just '-' is empty.
Output: data/triage/train/WRITER_<theme>.jsonl (held-out writers f, ha, hb: data/triage/heldout_WRITER/<theme>.jsonl).
Checks: contract names only (flags and agencies read from the 2026.1 policy YAML, never
repeat_victim / repeat_caller); route matches grade (1-2 deploy, 3 appointment, 4 a grade 4 route);
grade within acceptable; ids unique; a true answer's flag listed and a false answer's not
(child_present against child_at_risk); child_at_risk carries children_services; no flag or referral
twice; the same narrative twice is reported (an error when the answers are the same too).
"""
from __future__ import annotations

import collections
import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
POLICY = os.path.join(ROOT, "src/bluelamp/policy/versions/2026.1")
HELD_OUT = {"f": ("data/triage/heldout_f", "{theme}.jsonl"),  # writer -> (folder, file name)
            "ha": ("data/triage/heldout_ha", "{theme}.jsonl"), "hb": ("data/triage/heldout_hb", "{theme}.jsonl")}

CHANNELS = {"9": "999", "1": "101", "c": "chat", "o": "online"}
FLAG_CODES = {
    "ttl": "threat_to_life", "wpn": "weapon", "inj": "injury", "ip": "in_progress", "sp": "suspect_present",
    "da": "domestic_abuse", "car": "child_at_risk", "mh": "mental_health", "sr": "suicide_risk",
    "eld": "elderly", "dis": "disability", "hate": "hate_crime", "sex": "sexual_offence",
    "mis": "missing_person", "stk": "stalking_harassment", "exp": "exploitation", "sub": "substance_misuse",
    "rtc": "road_traffic_collision",
}
AGENCY_CODES = {
    "amb": "ambulance", "fire": "fire", "mh": "mental_health", "111": "nhs111", "cncl": "council",
    "hwy": "highways", "rspca": "rspca", "rf": "report_fraud", "cs": "children_services",
    "asc": "adult_social_care",
}
ROUTE_CODES = {"d": "deploy", "a": "appointment", "tr": "telephone_resolution", "adv": "advice",
               "upd": "update_request"}
GRADE4_ROUTES = {"telephone_resolution", "advice", "update_request"}
CATEGORY_CODES = {
    "viol": "violence", "da": "domestic_abuse", "wpn": "weapons", "burg": "burglary", "rob": "robbery",
    "theft": "theft", "veh": "vehicle_crime", "dmg": "criminal_damage", "sex": "sexual_offence",
    "child": "child_safety", "mis": "missing_person", "mh": "mental_health", "ssh": "suicide_self_harm",
    "welf": "welfare_medical", "rt": "road_traffic", "dd": "drink_drive", "fraud": "fraud", "hate": "hate_crime",
    "stk": "stalking_harassment", "exp": "exploitation", "asb": "asb_noise", "anim": "animals",
    "hwy": "highways", "fire": "fire", "civil": "civil_advice", "upd": "update_request", "lost": "lost_found",
    "silent": "silent_coded", "misuse": "misuse", "other": "other", "update": "update_request",
}
ANSWER_CODES = {"w": "weapon", "i": "injury", "ip": "in_progress", "sp": "suspect_present",
                "c": "child_present", "t": "threat_to_life"}
ANSWER_FLAG = {"weapon": "weapon", "injury": "injury", "in_progress": "in_progress",
               "suspect_present": "suspect_present", "child_present": "child_at_risk",
               "threat_to_life": "threat_to_life"}


def contract_names() -> tuple[set[str], set[str]]:
    with open(os.path.join(POLICY, "flags.yaml"), encoding="utf-8") as f:
        flags = set(re.findall(r"\{id: (\w+), label", f.read()))
    with open(os.path.join(POLICY, "routes.yaml"), encoding="utf-8") as f:
        agencies = set(re.findall(r"\{id: (\w+), name", f.read()))
    return flags - {"repeat_victim", "repeat_caller"}, agencies


FLAGS, AGENCIES = contract_names()


def expand(fields: str) -> dict:
    """One source line after its id -> the JSON fields (raises on an unknown code)."""
    parts = [x.strip() for x in fields.split("|")]
    if len(parts) != 10:
        raise ValueError(f"{len(parts)} fields, 10 expected")
    ch, g, acc, rt, fl, rf, cat, voice, ans, narrative = parts
    acc, rt, fl, rf, ans = ["" if x == "-" else x for x in (acc, rt, fl, rf, ans)]
    grade = int(g)
    acceptable = sorted({int(x) for x in acc}) if acc else [grade]
    if not rt:
        rt = {1: "d", 2: "d", 3: "a"}[grade]
    if rt.startswith("refer:"):
        if rt[6:] not in AGENCY_CODES.values():
            raise ValueError(f"unknown agency {rt}")
        route = rt
    elif rt in ROUTE_CODES.values():
        route = rt
    else:
        route = ROUTE_CODES.get(rt) or ("refer:" + AGENCY_CODES[rt])
    answers = {ANSWER_CODES[a[:-1]]: {"+": True, "-": False}[a[-1]] for a in ans.split()}
    return {"channel": CHANNELS[ch], "narrative": narrative, "answers": answers, "grade": grade,
            "acceptable_grades": acceptable, "route": route, "flags": [FLAG_CODES[x] for x in fl.split()],
            "referrals": [AGENCY_CODES[x] for x in rf.split()],
            "category": cat if cat in CATEGORY_CODES.values() else CATEGORY_CODES[cat], "voice": voice}


def problems(r: dict) -> list[str]:
    """What is wrong with one expanded row, by the labelling standard (empty when nothing)."""
    e = []
    if r["grade"] not in (1, 2, 3, 4) or any(a not in (1, 2, 3, 4) for a in r["acceptable_grades"]):
        e.append("grade out of range")
    if r["grade"] not in r["acceptable_grades"]:
        e.append("grade not in acceptable")
    if r["grade"] in (1, 2) and r["route"] != "deploy":
        e.append("route/grade 1-2")
    if r["grade"] == 3 and r["route"] != "appointment":
        e.append("route/grade 3")
    if r["grade"] == 4 and not (r["route"] in GRADE4_ROUTES
                                or (r["route"].startswith("refer:") and r["route"][6:] in AGENCIES)):
        e.append("route/grade 4")
    e += [f"flag {f} not in contract" for f in r["flags"] if f not in FLAGS]
    e += [f"agency {a} not in contract" for a in r["referrals"] if a not in AGENCIES]
    if len(set(r["flags"])) != len(r["flags"]):
        e.append("flag twice")
    if len(set(r["referrals"])) != len(r["referrals"]):
        e.append("referral twice")
    for k, v in r["answers"].items():
        if v and ANSWER_FLAG[k] not in r["flags"]:
            e.append(f"answer {k} true, flag missing")
        if not v and ANSWER_FLAG[k] in r["flags"]:
            e.append(f"answer {k} false, flag present")
    if "child_at_risk" in r["flags"] and "children_services" not in r["referrals"]:
        e.append("child_at_risk without children_services")
    if not r["narrative"] or not r["voice"]:
        e.append("empty narrative or voice")
    return e


def main(writer: str) -> int:
    src_dir = os.path.join(ROOT, f"scripts/corpus/{writer}_src")
    out_rel, name = HELD_OUT.get(writer, ("data/triage/train", f"{writer}_{{theme}}.jsonl"))
    out_dir = os.path.join(ROOT, out_rel)
    sources = sorted(glob.glob(os.path.join(src_dir, "*.txt")))
    if not sources:
        print(f"no source files in {src_dir}", file=sys.stderr)
        return 2
    id_line = re.compile(rf"({re.escape(writer)}-\d{{4}})([&^]?) (.*)$")
    ok, n, twins = True, 0, 0
    seen: set[str] = set()
    narratives: dict[tuple[str, str], str] = {}
    stats: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    cross: collections.Counter = collections.Counter()
    for old in glob.glob(os.path.join(out_dir, name.format(theme="*"))):
        os.remove(old)
    for src in sources:
        theme = os.path.basename(src)[:-4]
        rows = []
        with open(src, encoding="utf-8") as f:
            lines = f.read().split("\n")
        for i, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            where = f"{os.path.basename(src)}:{i}"
            m = id_line.match(line)
            if not m:
                print(f"{where}: no {writer}-NNNN id", file=sys.stderr)
                ok = False
                continue
            rid, twin, rest = m.groups()
            twins += bool(twin)
            if rid in seen:
                print(f"{where}: id {rid} twice", file=sys.stderr)
                ok = False
            seen.add(rid)
            try:
                r = {"id": rid, **expand(rest)}
            except (ValueError, KeyError, IndexError) as ex:
                print(f"{where}: {rid}: {ex!r}", file=sys.stderr)
                ok = False
                continue
            for p in problems(r):
                print(f"{where}: {rid}: {p}", file=sys.stderr)
                ok = False
            same = narratives.get((r["narrative"], json.dumps(r["answers"], sort_keys=True)))
            if same:
                print(f"{where}: {rid}: same narrative and answers as {same}", file=sys.stderr)
                ok = False
            narratives.setdefault((r["narrative"], json.dumps(r["answers"], sort_keys=True)), rid)
            rows.append(r)
            n += 1
            for k in ("channel", "grade", "route", "category"):
                stats[k][r[k]] += 1
            stats["answers"]["with answers" if r["answers"] else "none"] += 1
            cross[(r["channel"], r["grade"])] += 1
        with open(os.path.join(out_dir, name.format(theme=theme)), "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("rows", n, "twins", twins)
    for k, c in stats.items():
        print(k, ", ".join(f"{a}: {b} ({100 * b / max(n, 1):.0f}%)"
                           for a, b in sorted(c.items(), key=lambda t: -t[1])))
    print("channel x grade:")
    for ch in ("999", "101", "chat", "online"):
        print(f"  {ch:>6}", " ".join(f"g{g}={cross[(ch, g)]:<4}" for g in (1, 2, 3, 4)))
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 2 or not re.fullmatch(r"[a-z]{1,2}", sys.argv[1]):
        sys.exit("usage: corpus_check.py WRITER (one letter: its shorthand is in scripts/corpus/WRITER_src/)")
    sys.exit(main(sys.argv[1]))
