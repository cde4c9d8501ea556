"""Choose the text model's grade thresholds by how the whole engine does on a voice it has not seen.

Run: python scripts/triage_choose_thresholds.py [--out thresholds.json]

`train.py` picks each threshold from the model's own out-of-fold probabilities ("lift at most 2% of
grade 3-4 contacts"), which ignores what the rules already catch: a floor that looks costly alone may
lift mostly contacts the rules lift anyway, and a cheap one may add nothing. Here, for each training
writer in turn, the heads are fitted on the other writers' rows (and the public cases) and the whole
engine (rules + that model) assesses the left-out writer's rows, answers included, exactly as
`bluelamp.triage.evaluate` scores them. Thresholds are then chosen on the pooled figures by a rule fixed
before looking (docs/triage.md "Choosing the thresholds"):

  floor 1: the most sensitive threshold whose pooled grade-acceptable share is no more than 1 point below
           the most accurate threshold's and whose over-grading is at most 3 points above the least;
  floor 2: the same rule, with floor 1 as chosen;
  doubt:   the most sensitive threshold that does not lower grade-acceptable by more than 0.5 point
           against no doubt rule at all;
  held:    (session 6) the threshold the model must reach to lift a contact the rules hold by positive
           evidence (grading.yaml `held`: a partner's matter, threats sent by message): the most sensitive
           value at which every public case passes with the floors as chosen (it exists for them);
then each is raised, if need be, to the most sensitive value at which every public case
(tests/triage/cases.yaml, the regression tests) still passes with the shipped model (or `--model`), for
each channel by that channel's own cases (session 5: a 999 case that needs floor 1 at 0.55 no longer
holds 101, chat and online there).

The held-out part (data/triage/heldout) is never read. The chosen values are written as JSON for
`python -m bluelamp.triage.train --thresholds FILE`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bluelamp.policy import load_policy
from bluelamp.triage import service, textmodel, train
from bluelamp.triage.evaluate import Tally, contact_for
from bluelamp.triage.grading import CHANNELS
from bluelamp.triage.narrative import Lexicon

FLOOR_1 = [0.2, 0.25, 0.3, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85]
FLOOR_2 = [0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]
DOUBT: list[float | None] = [None, 0.3, 0.4, 0.5, 0.6, 0.7]
HELD = [0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]
START = {"1": 0.75, "2": 0.85}


def readers(rows: list[dict[str, Any]], cases: list[dict[str, Any]],
            channel_token: bool = True) -> dict[str, textmodel.TextReader]:
    """One reader per writer, fitted on everyone else (flag and route thresholds from train's rule)."""
    policy = load_policy()
    lexicon = Lexicon(policy.doc("indicators"), {})
    labels = {f.id: f.label.lower() for f in policy.flags.flags}
    flag_ids = [f for f in policy.flags.ids() if f not in ("repeat_victim", "repeat_caller")]
    word, char = textmodel.featurizer(train.META)
    shipped, _ = textmodel.load(textmodel.model_path(policy.version))
    out = {}
    for writer in sorted({train.writer_of(r) for r in rows}):
        fit_rows = train.training_rows([r for r in rows if train.writer_of(r) != writer] + cases)
        x = textmodel.features(word, char, [textmodel.model_text(lexicon.normalise(r["narrative"]),
                                                                 str(r["channel"]), channel_token)
                                            for r in fit_rows])
        heads = train.fit_heads(x, fit_rows, flag_ids)
        meta = dict(train.META, channel_token=channel_token, thresholds=json.loads(json.dumps(shipped["thresholds"])))
        meta["thresholds"]["floor"] = dict(START)
        out[writer] = textmodel.TextReader(meta, heads, labels)
        print(f"fitted without writer {writer}: {len(fit_rows)} rows", file=sys.stderr, flush=True)
    return out


def score(by_writer: dict[str, list[dict[str, Any]]], reader_of: dict[str, textmodel.TextReader],
          floor: dict[str, Any]) -> dict[str, Any]:
    """Pooled figures over the left-out writers, overall and per channel."""
    engine = service._engine(load_policy())
    total = Tally()
    per_channel: dict[str, Tally] = {}
    for writer, rows in by_writer.items():
        reader = reader_of[writer]
        reader.thresholds["floor"] = {k: v for k, v in floor.items() if v is not None}
        object.__setattr__(engine, "reader", reader)  # the engine is frozen; this script swaps its model
        for row in rows:
            got = service.assess(contact_for(row))
            total.add(row, got)
            per_channel.setdefault(str(row["channel"]), Tally()).add(row, got)
    return dict(total.as_dict(), by_channel={c: t.as_dict() for c, t in sorted(per_channel.items())})


def sweep(by_writer: dict[str, list[dict[str, Any]]], reader_of: dict[str, textmodel.TextReader],
          floor: dict[str, Any], key: str, grid: list[Any]) -> list[tuple[Any, dict[str, Any]]]:
    """The pooled figures with one threshold moved along its grid (for every channel at once: each
    contact feels only its own channel's threshold, so one sweep serves every channel's choice)."""
    results = []
    for t in grid:
        r = score(by_writer, reader_of, dict(floor, **{key: t}))
        results.append((t, r))
        short = {k: v for k, v in r.items() if k != "by_channel"}
        print(f"{key} {t}: {short}", file=sys.stderr, flush=True)
    return results


def _case_reader(model: Path | None) -> tuple[textmodel.TextReader, dict[str, list[str]]]:
    """The shipped model (or the candidate `model` file) put into the engine, and each public case's history."""
    import yaml

    history = {c["id"]: c.get("history", []) for c in yaml.safe_load(train.CASES.read_text(encoding="utf-8"))["cases"]}
    policy = load_policy()
    engine = service._engine(policy)
    labels = {f.id: f.label.lower() for f in policy.flags.flags}
    if model is not None:
        meta, heads = textmodel.load(model)
        reader: textmodel.TextReader | None = textmodel.TextReader(meta, heads, labels)
    else:
        reader = textmodel.load_reader(policy, labels)
    assert reader is not None, "a shipped model is needed to bound the thresholds by the public cases"
    object.__setattr__(engine, "reader", reader)
    return reader, history


def public_case_bounds(cases: list[dict[str, Any]], model: Path | None = None) -> dict[str, Any]:
    """For each threshold, the most sensitive grid value at which every public case passes with the
    shipped model, or the candidate `model` file (the others set so high they do not act); overall and
    for each channel alone (only that channel's cases feel its threshold)."""
    reader, history = _case_reader(model)

    def all_pass(floor: dict[str, Any], channel: str | None = None) -> bool:
        reader.thresholds["floor"] = floor
        return all((got := service.assess(contact_for(c), history_flags=history.get(c["id"], []))).grade == c["grade"]
                   and got.route == c["route"] for c in cases if channel is None or str(c["channel"]) == channel)

    off = 0.99
    grids = {"1": FLOOR_1, "2": FLOOR_2, "doubt": [d for d in DOUBT if d is not None]}
    base = {"1": off, "2": off, "held": off}
    bounds: dict[str, Any] = {key: next((t for t in sorted(grid) if all_pass(dict(base, **{key: t}))), off)
                              for key, grid in grids.items()}
    bounds["by_channel"] = {
        channel: {key: next((t for t in sorted(grid)
                             if all_pass(dict(base, by_channel={channel: {key: t}}), channel)), off)
                  for key, grid in grids.items()}
        for channel in CHANNELS}
    return bounds


def held_bound(cases: list[dict[str, Any]], floor: dict[str, Any], model: Path | None = None) -> float:
    """The most sensitive `held` threshold at which every public case passes with `floor` as chosen."""
    reader, history = _case_reader(model)
    for t in HELD:
        reader.thresholds["floor"] = dict(floor, held=t)
        if all((got := service.assess(contact_for(c), history_flags=history.get(c["id"], []))).grade == c["grade"]
               and got.route == c["route"] for c in cases):
            return t
    return 0.99


def pick(results: list[tuple[float, dict[str, Any]]], sensitive_first: list[float]) -> float:
    best_ok = max(r["grade_acceptable"] for _, r in results)
    least_over = min(r["over_graded"] for _, r in results)
    by_t = dict(results)
    for t in sensitive_first:
        r = by_t[t]
        if r["grade_acceptable"] >= best_ok - 0.010 and r["over_graded"] <= least_over + 0.030:
            return t
    return sensitive_first[-1]


def pick_doubt(results: list[tuple[float | None, dict[str, Any]]]) -> float | None:
    """The most sensitive doubt threshold that costs at most 0.5 point of grade-acceptable against none."""
    base = results[0][1]["grade_acceptable"]
    return next((d for d, r in sorted(results[1:], key=lambda x: x[0] or 0)
                 if r["grade_acceptable"] >= base - 0.005), None)


def of_channel(results: list[tuple[Any, dict[str, Any]]], channel: str) -> list[tuple[Any, dict[str, Any]]]:
    return [(t, r["by_channel"][channel]) for t, r in results if channel in r["by_channel"]]


def bounded(value: float | None, bound: float) -> float | None:
    """A threshold raised to the public cases' lower bound (doubt off stays off: it lifts nothing)."""
    return None if value is None else max(value, bound)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--no-channel", action="store_true",
                        help="fit the readers without the channel token (as train.py --no-channel)")
    parser.add_argument("--model", type=Path, default=None,
                        help="the candidate model file (train.py --out) the public cases bound the thresholds "
                             "with; the shipped model when not given")
    parser.add_argument("--pick-per-channel", action="store_true",
                        help="apply the choice rule to each channel's figures alone (measured in session 5 and not "
                             "adopted: it lowered grade-1 recall on 999) instead of to the pooled figures")
    parser.add_argument("--shared-bounds", action="store_true",
                        help="bound the thresholds by all public cases at once (session 4) instead of by each "
                             "channel's own public cases")
    args = parser.parse_args(argv)
    rows = train.read_jsonl(train.TRAIN_DIR)
    cases = train.read_cases(train.CASES)
    by_writer: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_writer.setdefault(train.writer_of(r), []).append(r)
    reader_of = readers(rows, cases, channel_token=not args.no_channel)
    report: dict[str, Any] = {}
    channels = [c for c in CHANNELS if any(str(r["channel"]) == c for r in rows)]

    floor: dict[str, Any] = dict(START, doubt=None)
    per: dict[str, dict[str, Any]] = {c: {} for c in channels} if args.pick_per_channel else {}
    for key, grid in (("1", FLOOR_1), ("2", FLOOR_2)):
        results = sweep(by_writer, reader_of, dict(floor, by_channel=per), key, grid)
        floor[key] = pick(results, grid)
        for c in per:
            per[c][key] = pick(of_channel(results, c), grid)
        report[f"floor_{key}"] = {str(t): r for t, r in results}
    results_d = sweep(by_writer, reader_of, dict(floor, by_channel=per), "doubt", DOUBT)
    floor["doubt"] = pick_doubt(results_d)
    for c in per:
        per[c]["doubt"] = pick_doubt(of_channel(results_d, c))
    report["doubt"] = {str(d): r for d, r in results_d}
    by_script = dict({k: v for k, v in floor.items() if v is not None}, **({"by_channel": per} if per else {}))
    report["chosen"] = by_script
    report["at_chosen"] = score(by_writer, reader_of, by_script)
    # The public cases are regression tests: each threshold is at least the most sensitive value at
    # which every one of them still passes with the model (a lower bound on each threshold); by default
    # each channel's thresholds are bounded by that channel's cases only, since no other case feels them.
    bounds = public_case_bounds(cases, args.model)
    shared = {k: v for k, v in by_script.items() if k != "by_channel"}
    chosen: dict[str, Any] = {k: bounded(v, bounds[k]) for k, v in shared.items()}
    if not args.shared_bounds:
        chosen["by_channel"] = {c: {k: bounded(v, bounds["by_channel"][c][k])
                                    for k, v in dict(shared, **per.get(c, {})).items()} for c in channels}
    chosen["held"] = held_bound(cases, chosen, args.model)
    report["held_sweep"] = {str(t): {k: v for k, v in score(by_writer, reader_of, dict(chosen, held=t)).items()
                                     if k != "by_channel"} for t in HELD}
    report["public_case_bounds"] = bounds
    report["at_shipped"] = score(by_writer, reader_of, chosen)
    print(json.dumps(report, indent=1))
    if args.out is not None:
        args.out.write_text(json.dumps({"floor": chosen, "floor_by_script": by_script, "evidence": report},
                                       indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
