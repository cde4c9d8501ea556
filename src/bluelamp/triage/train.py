"""Train the triage text model on the training corpus: `python -m bluelamp.triage.train`.

Reads `data/triage/train/*.jsonl` (docs/triage-corpus.md) and, as more development data, the public
cases in `tests/triage/cases.yaml`. Never reads `data/triage/heldout`. Thresholds are chosen from
out-of-fold predictions (4-fold cross-validation on the training part only), and written into the
model file with the cross-validated figures, so the choice can be checked and repeated.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from bluelamp.policy import load_policy
from bluelamp.triage import textmodel
from bluelamp.triage.narrative import Lexicon

ROOT = Path(__file__).resolve().parents[3]
TRAIN_DIR = ROOT / "data" / "triage" / "train"
CASES = ROOT / "tests" / "triage" / "cases.yaml"

META: dict[str, Any] = {"n_features": 2**17, "word_ngrams": [1, 2], "char_ngrams": [3, 5], "channel_token": True}
C_GRADE, C_ROUTE, C_FLAG = 4.0, 4.0, 4.0
MIN_POSITIVES = 8
PRUNE = 0.02  # weights smaller than this (absolute) are dropped: a smaller file, nearly the same decisions
SITUATIONAL = {"threat_to_life", "weapon", "injury", "in_progress", "suspect_present", "road_traffic_collision"}
FOLDS = 4


def read_jsonl(folder: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise SystemExit(f"{path.name}:{number}: not JSON ({exc.msg})") from None
    return rows


def read_cases(path: Path) -> list[dict[str, Any]]:
    import yaml

    if not path.exists():
        return []
    out = []
    for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
        out.append({"id": case["id"], "channel": str(case.get("channel", "999")), "narrative": case["narrative"],
                    "answers": case.get("answers", {}), "grade": case["grade"], "route": case["route"],
                    "flags": case["flags"]})
    return out


def training_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows whose labels follow from the narrative alone (answers change labels the text cannot see)."""
    return [r for r in rows if not r.get("answers")]


def _binary(x: sp.csr_matrix, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """One binary logistic regression (liblinear: fast on sparse n-grams); weights and intercept."""
    from sklearn.linear_model import LogisticRegression

    if y.all() or not y.any():
        return np.zeros(x.shape[1]), (10.0 if y.all() else -10.0)
    model = LogisticRegression(C=c, solver="liblinear", class_weight="balanced", max_iter=200)
    model.fit(x, y)
    return model.coef_[0], float(model.intercept_[0])


def _one_vs_rest(x: sp.csr_matrix, labels: np.ndarray, c: float, prune: float) -> textmodel.Head:
    classes = sorted(set(labels.tolist()))
    fitted = [_binary(x, labels == k, c) for k in classes]
    return textmodel.Head.from_matrix(tuple(str(k) for k in classes),
                                      _sparse(np.vstack([w for w, _ in fitted]), prune),
                                      np.array([b for _, b in fitted]))


def fit_heads(x: sp.csr_matrix, rows: list[dict[str, Any]], flag_ids: list[str], c: float | None = None,
              prune: float = PRUNE, c_grade: float | None = None) -> dict[str, textmodel.Head]:
    """The three heads; `c` (inverse regularisation of the route and flag heads, and of the grade head unless
    `c_grade` is given) and `prune` default to the shipped settings, and are given only to try others
    (docs/triage.md says which were tried and why)."""
    heads: dict[str, textmodel.Head] = {
        "grade": _one_vs_rest(x, np.array([str(r["grade"]) for r in rows]), c_grade or c or C_GRADE, prune),
        "route": _one_vs_rest(x, np.array([r["route"] for r in rows]), c or C_ROUTE, prune),
    }
    kept = [f for f in flag_ids if sum(f in r["flags"] for r in rows) >= MIN_POSITIVES]
    fitted = [_binary(x, np.array([f in r["flags"] for r in rows]), c or C_FLAG) for f in kept]
    heads["flags"] = textmodel.Head.from_matrix(tuple(kept), _sparse(np.vstack([w for w, _ in fitted]), prune),
                                                np.array([b for _, b in fitted]))
    return heads


def _sparse(coef: np.ndarray, prune: float) -> sp.csr_matrix:
    c = np.where(np.abs(coef) >= prune, coef, 0.0)
    return sp.csr_matrix(c)


_SPEAK = {"you": "u", "please": "pls", "someone": "sum1", "because": "cos", "are": "r", "right now": "rn",
          "people": "ppl", "your": "ur", "trying to": "tryna", "going to": "gonna", "boyfriend": "bf"}


def voice(text: str, rng: random.Random) -> str:
    """A copy in another voice, the meaning kept: lower case without punctuation, a typo or two, text-speak.
    Augmenting with these teaches the character n-grams the spellings real callers use."""
    out = text.lower()
    if rng.random() < 0.7:
        out = re.sub(r"[.,!?;:'\"()]", "", out)
    if rng.random() < 0.5:
        for long_form, short in _SPEAK.items():
            out = re.sub(rf"\b{long_form}\b", short, out)
    words = out.split()
    for _ in range(rng.randint(0, 2)):
        candidates = [i for i, w in enumerate(words) if len(w) > 4]
        if not candidates:
            break
        i = rng.choice(candidates)
        w = words[i]
        k = rng.randrange(1, len(w) - 1)
        words[i] = rng.choice([w[:k] + w[k + 1:], w[:k] + w[k + 1] + w[k] + w[k + 2:], w[:k] + w[k] + w[k:]])
    return " ".join(words)


def writer_of(row: dict[str, Any]) -> str:
    """Who wrote a row: the letter before the dash of its id (docs/triage-corpus.md), "cases" otherwise."""
    head, dash, _ = str(row.get("id", "")).partition("-")
    return head if dash and len(head) == 1 else "cases"


def out_of_fold(x: sp.csr_matrix, rows: list[dict[str, Any]], flag_ids: list[str], folds: int = FOLDS,
                seed: int = 7, x_aug: sp.csr_matrix | None = None, by_writer: bool = False,
                c: float | None = None, prune: float = PRUNE, c_grade: float | None = None) -> dict[str, Any]:
    """Probabilities for every row from a model that never saw it: k random folds, or (`by_writer`)
    one fold per writer, so that each row is read by a model that never saw its writer's voice."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(rows))
    if by_writer:
        writers = np.array([writer_of(r) for r in rows])
        parts = [order[writers[order] == w] for w in sorted(set(writers.tolist()))]
    else:
        parts = np.array_split(order, folds)
    grade_p = np.zeros((len(rows), 4))
    route_p: dict[int, dict[str, float]] = {}
    flag_p: dict[int, dict[str, float]] = {}
    for part in parts:
        train_idx = np.setdiff1d(order, part)
        fold_rows = [rows[i] for i in train_idx]
        fold_x = x[train_idx]
        if x_aug is not None:  # the voice copies of the training rows only: nothing of `part` leaks in
            fold_x = sp.vstack([fold_x, x_aug[train_idx]], format="csr")
            fold_rows = fold_rows + fold_rows
        heads = fit_heads(fold_x, fold_rows, flag_ids, c, prune, c_grade)
        sub = x[part]
        for name, head in heads.items():
            scores = head.scores_matrix(sub)
            for row, i in enumerate(part):
                p = textmodel._probs(name, scores[row])
                if name == "grade":
                    for k, cls in enumerate(head.classes):
                        grade_p[i, int(cls) - 1] = p[k]
                elif name == "route":
                    route_p[int(i)] = dict(zip(head.classes, p.tolist(), strict=True))
                else:
                    flag_p[int(i)] = dict(zip(head.classes, p.tolist(), strict=True))
    return {"grade": grade_p, "route": route_p, "flags": flag_p}


def choose_thresholds(rows: list[dict[str, Any]], oof: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Thresholds from out-of-fold predictions, with the figures that justify each."""
    truth = np.array([r["grade"] for r in rows])
    gp = oof["grade"]
    grid = [round(t, 2) for t in np.arange(0.10, 0.96, 0.05)]
    figures: dict[str, Any] = {}
    floor: dict[str, float] = {}
    # Floor 1: as sensitive as possible while at most 2% of true grade 3-4 contacts are lifted to 1.
    # Floor 2: at most 3% of true grade 3-4 contacts lifted to 2 or 1.
    for g, limit, low in ((1, 0.02, truth >= 3), (2, 0.03, truth >= 3)):
        p_at_least = gp[:, :g].sum(axis=1)
        chosen = grid[-1]
        for t in grid:
            if low.sum() and (p_at_least[low] >= t).mean() <= limit:
                chosen = t
                break
        floor[str(g)] = chosen
        hit = truth <= g
        figures[f"floor_{g}"] = {"threshold": chosen,
                                 "recall_of_true": float((p_at_least[hit] >= chosen).mean()) if hit.sum() else None,
                                 "lifted_false": float((p_at_least[low] >= chosen).mean()) if low.sum() else None}
    # Doubt: when the rules settle a contact at grade 4 but the model reads some urgency, the contact is
    # left at its channel's safe grade, provisional, until the questions are answered. The threshold is
    # the lowest that doubts at most 10% of true grade-4 contacts out of fold.
    p_urgent = gp[:, :2].sum(axis=1)
    four, urgent = truth == 4, truth <= 2
    doubt = grid[-1]
    for t in grid:
        if four.sum() and (p_urgent[four] >= t).mean() <= 0.10:
            doubt = t
            break
    floor["doubt"] = doubt
    figures["doubt"] = {"threshold": doubt,
                        "true_urgent_reached": float((p_urgent[urgent] >= doubt).mean()) if urgent.sum() else None,
                        "true_grade4_doubted": float((p_urgent[four] >= doubt).mean()) if four.sum() else None}
    # Route: accept a grade-4 route when the model's pick is right at least 85% of the time.
    route_t = grid[-1]
    for t in grid:
        picks = [(max(p, key=p.get), r["route"]) for i, r in enumerate(rows)
                 if (p := oof["route"][i]) and max(p.values()) >= t and gp[i, 3] >= t
                 and max(p, key=p.get) not in ("deploy", "appointment")]
        if picks and sum(a == b for a, b in picks) / len(picks) >= 0.85:
            route_t = t
            break
    figures["route"] = {"threshold": route_t}
    # Flags: per flag, the threshold with the best F2 (recall weighs twice precision: a missed
    # vulnerability is worse than an extra prompt), never below 0.35, among thresholds precise enough:
    # situational flags drive the floors and the rules read them well (negation, time), so the model
    # adds one only when it is nearly always right; vulnerability flags are where descriptions hide.
    flags: dict[str, float] = {}
    names = sorted({f for p in oof["flags"].values() for f in p})
    for flag in names:
        y = np.array([flag in r["flags"] for r in rows])
        p = np.array([oof["flags"][i].get(flag, 0.0) for i in range(len(rows))])
        best, best_f = None, -1.0
        for t in grid:
            pred = p >= t
            tp = float((pred & y).sum())
            if tp == 0:
                continue
            prec, rec = tp / pred.sum(), tp / y.sum()
            f2 = 5 * prec * rec / (4 * prec + rec)
            if f2 > best_f and prec >= (0.9 if flag in SITUATIONAL else 0.75):
                best, best_f = t, f2
        if best is not None:
            flags[flag] = max(best, 0.35)
            figures[f"flag_{flag}"] = {"threshold": flags[flag], "f2": round(best_f, 3)}
    return {"floor": floor, "route": route_t, "flags": flags}, figures


def _floors(chosen: dict[str, Any]) -> dict[str, Any]:
    """The grade floors of a thresholds file (scripts/triage_choose_thresholds.py), per channel too."""
    def num(v: Any) -> float | None:
        return None if v is None else float(v)

    return {str(k): ({str(c): {str(g): num(t) for g, t in by.items()} for c, by in v.items()}
                     if k == "by_channel" else num(v)) for k, v in chosen["floor"].items()}


def _chosen_by(floor: dict[str, Any], path: Path) -> dict[str, Any]:
    evidence = json.loads(path.read_text(encoding="utf-8")).get("evidence", {})
    return {"script": "scripts/triage_choose_thresholds.py", "floor": floor,
            "pooled_left_out_writers": evidence.get("at_shipped") or evidence.get("at_chosen")}


def _dev_row(row: dict[str, Any]) -> bool:
    return int(hashlib.sha256(str(row.get("id", row["narrative"])).encode()).hexdigest(), 16) % 5 == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=TRAIN_DIR)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--no-cases", action="store_true", help="leave out tests/triage/cases.yaml")
    parser.add_argument("--augment", action="store_true",
                        help="also train on one copy of each row in another voice (lower case, typos, text-speak)")
    parser.add_argument("--by-writer", action="store_true",
                        help="choose thresholds on one fold per writer (a voice the model has not seen) instead "
                             "of 4 random folds; measured in session 3, not the default (docs/triage.md)")
    parser.add_argument("--thresholds", type=Path, default=None,
                        help="grade floors and doubt chosen by scripts/triage_choose_thresholds.py (the whole "
                             "engine on each writer left out) instead of the model's own out-of-fold rule")
    parser.add_argument("--no-channel", action="store_true",
                        help="train without the channel token: the model reads the words only, and the channel "
                             "is left to the rules' fail-safe defaults (measured in session 5, docs/triage.md)")
    parser.add_argument("--into", type=Path, default=None,
                        help="with --thresholds: write the chosen floors into this already trained model file "
                             "(heads unchanged, the evidence recorded) instead of training again")
    parser.add_argument("--dev-out", type=Path, default=None,
                        help="keep one row in five (by id) out of training and write them here, to develop "
                             "the rules against a model that has not seen them")
    parser.add_argument("--c", type=float, default=None,
                        help=f"inverse regularisation of all three heads (default {C_GRADE:g})")
    parser.add_argument("--c-grade", type=float, default=None,
                        help="inverse regularisation of the grade head alone (default: --c)")
    parser.add_argument("--prune", type=float, default=PRUNE,
                        help=f"drop weights smaller than this, absolute (default {PRUNE:g}): a smaller file")
    args = parser.parse_args(argv)
    if args.into is not None:
        if args.thresholds is None:
            parser.error("--into needs --thresholds")
        meta, heads = textmodel.load(args.into)
        meta["thresholds"]["floor"] = _floors(json.loads(args.thresholds.read_text(encoding="utf-8")))
        meta["cross_validation"]["floor_chosen_by"] = _chosen_by(meta["thresholds"]["floor"], args.thresholds)
        textmodel.save(args.into, meta, heads)
        print(json.dumps({"model": str(args.into), "floor": meta["thresholds"]["floor"]}, indent=1))
        return 0
    if "heldout" in str(args.corpus):
        print("refusing to train on the held-out part", file=sys.stderr)
        return 2
    import sklearn

    policy = load_policy()
    lexicon = Lexicon(policy.doc("indicators"), {})
    rows = read_jsonl(args.corpus) + ([] if args.no_cases else read_cases(CASES))
    if args.dev_out is not None:
        dev = [r for r in rows if _dev_row(r)]
        rows = [r for r in rows if not _dev_row(r)]
        args.dev_out.write_text("".join(json.dumps(r) + "\n" for r in dev), encoding="utf-8")
    rows = training_rows(rows)
    if len(rows) < 50:
        print(f"only {len(rows)} training rows under {args.corpus}", file=sys.stderr)
        return 1
    flag_ids = [f for f in policy.flags.ids() if f not in ("repeat_victim", "repeat_caller")]
    base_meta = dict(META, channel_token=not args.no_channel)
    chan = bool(base_meta["channel_token"])
    word, char = textmodel.featurizer(base_meta)
    texts = [textmodel.model_text(lexicon.normalise(r["narrative"]), str(r["channel"]), chan) for r in rows]
    x = textmodel.features(word, char, texts)
    x_aug = None
    if args.augment:
        rng = random.Random(11)
        x_aug = textmodel.features(word, char, [
            textmodel.model_text(lexicon.normalise(voice(r["narrative"], rng)), str(r["channel"]), chan) for r in rows])
    by_writer = args.by_writer and len({writer_of(r) for r in rows}) >= 3
    oof = out_of_fold(x, rows, flag_ids, x_aug=x_aug, by_writer=by_writer, c=args.c, prune=args.prune,
                      c_grade=args.c_grade)
    thresholds, figures = choose_thresholds(rows, oof)
    if args.thresholds is not None:
        thresholds["floor"] = _floors(json.loads(args.thresholds.read_text(encoding="utf-8")))
        figures["floor_chosen_by"] = _chosen_by(thresholds["floor"], args.thresholds)
    if x_aug is not None:
        heads = fit_heads(sp.vstack([x, x_aug], format="csr"), rows + rows, flag_ids, args.c, args.prune,
                          args.c_grade)
    else:
        heads = fit_heads(x, rows, flag_ids, args.c, args.prune, args.c_grade)
    digest = hashlib.sha256("\n".join(sorted(json.dumps(r, sort_keys=True) for r in rows)).encode()).hexdigest()
    meta = dict(base_meta, c=args.c or C_ROUTE, c_grade=args.c_grade or args.c or C_GRADE, prune=args.prune,
                augmented="one voice copy per row (train.voice)" if args.augment else None,
                folds="one per writer" if by_writer else f"{FOLDS} random",
                thresholds=thresholds, cross_validation=figures, sklearn=sklearn.__version__,
                policy_version=policy.version, trained_on={"rows": len(rows), "sha256": digest[:16],
                                                           "grades": dict(Counter(str(r["grade"]) for r in rows))})
    out = args.out or textmodel.model_path(policy.version)
    textmodel.save(out, meta, heads)
    nnz = sum(len(h.w) for h in heads.values())
    print(json.dumps({"rows": len(rows), "model": str(out), "bytes": out.stat().st_size, "weights": nnz,
                      "thresholds": thresholds, "cross_validation": figures}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
