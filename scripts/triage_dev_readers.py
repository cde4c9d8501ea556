"""Score the whole triage engine on each training writer left out, with readers cached on disk.

Run: python scripts/triage_dev_readers.py --writers a,b,c,d,e --cache DIR [--score a,b,c,d] [--list] [--list-g1]

For each writer in `--writers`, the text model's heads are fitted on the other writers of that list (and
the public cases) and saved as DIR/without-<w>.npz, unless already there; the engine (rules + that
reader, with the shipped model's thresholds and floors) then assesses the left-out writer's rows,
answers included, exactly as `bluelamp.triage.evaluate` scores them. The figures are development data
(the training part): the held-out part is never read. It prints the pooled measures, per channel, and
every grade 1-2 contact proposed grade 4 with the reason that settled it, so a change to the engine can
be judged on voices the model has not seen without touching the held-out part.
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
from bluelamp.triage.narrative import Lexicon


def fit_reader(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, textmodel.Head]]:
    policy = load_policy()
    lexicon = Lexicon(policy.doc("indicators"), {})
    flag_ids = [f for f in policy.flags.ids() if f not in ("repeat_victim", "repeat_caller")]
    word, char = textmodel.featurizer(train.META)
    fit_rows = train.training_rows(rows)
    x = textmodel.features(word, char, [textmodel.model_text(lexicon.normalise(r["narrative"]), str(r["channel"]), True)
                                        for r in fit_rows])
    heads = train.fit_heads(x, fit_rows, flag_ids)
    shipped, _ = textmodel.load(textmodel.model_path(policy.version))
    meta = dict(train.META, channel_token=True, thresholds=json.loads(json.dumps(shipped["thresholds"])))
    return meta, heads


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--writers", default="a,b,c,d,e")
    ap.add_argument("--score", default="", help="writers to score (default: all of --writers)")
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--list", action="store_true", help="print every urgent contact proposed grade 4")
    ap.add_argument("--list-g1", action="store_true", help="also every grade 1 contact proposed grade 2 or 3")
    ap.add_argument("--route-confidence", type=float, default=None,
                    help="try another least confidence for the model's grade-4 route (textmodel.MIN_ROUTE_CONFIDENCE)")
    ap.add_argument("--max-urgent", type=float, default=None,
                    help="try another urgency ceiling for the model's grade-4 route (textmodel.MAX_URGENT_FOR_ROUTE)")
    args = ap.parse_args(argv)
    if args.route_confidence is not None:
        textmodel.MIN_ROUTE_CONFIDENCE = args.route_confidence
    if args.max_urgent is not None:
        textmodel.MAX_URGENT_FOR_ROUTE = args.max_urgent
    writers = args.writers.split(",")
    scored = args.score.split(",") if args.score else writers
    rows = train.read_jsonl(train.TRAIN_DIR)
    cases = train.read_cases(train.CASES)
    by_writer = {w: [r for r in rows if train.writer_of(r) == w] for w in writers}
    args.cache.mkdir(parents=True, exist_ok=True)
    policy = load_policy()
    labels = {f.id: f.label.lower() for f in policy.flags.flags}
    engine = service._engine(policy)
    total, per_channel, misses = Tally(), {}, []
    for w in scored:
        path = args.cache / f"without-{w}.npz"
        if not path.exists():
            fit = [r for x in writers if x != w for r in by_writer[x]] + cases
            meta, heads = fit_reader(fit)
            textmodel.save(path, meta, heads)
            print(f"fitted without {w}: {len(fit)} rows -> {path}", file=sys.stderr, flush=True)
        meta, heads = textmodel.load(path)
        object.__setattr__(engine, "reader", textmodel.TextReader(meta, heads, labels))
        for row in by_writer[w]:
            got = service.assess(contact_for(row))
            total.add(row, got)
            per_channel.setdefault(str(row["channel"]), Tally()).add(row, got)
            if (int(row["grade"]) <= 2 and got.grade == 4) or (
                    args.list_g1 and int(row["grade"]) == 1 and got.grade > 1
                    and got.grade not in row.get("acceptable_grades", [])):
                misses.append((row["id"], row["channel"], got.grade, row["narrative"][:110], got.route,
                               got.reasons[-1:]))
    print(json.dumps(dict(total.as_dict(), by_channel={c: t.as_dict() for c, t in sorted(per_channel.items())})))
    if args.list:
        for m in misses:
            print(*m, sep=" | ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
