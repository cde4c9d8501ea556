"""Which text features read unseen writers best? A cross-writer comparison on the training part only.

Run: python scripts/triage_compare_features.py
Trains on one writer's rows and scores another writer's (a -> b, b -> a, and c when present), so the
figures measure reading text in a voice the model has not seen, without touching data/triage/heldout.
Compares the hashed word + character n-grams the model uses, wordllama's static embeddings (the
256-dimension model inside its wheel, loaded from the package files: wordllama 0.4 otherwise tries to
fetch its tokenizer from the internet), and both together. Prints ROC AUC for "grade 1" and "grade 1 or
2", mean flag AUC, and route accuracy on grade-4 rows. docs/triage.md records the result.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.multiclass import OneVsRestClassifier

from bluelamp.policy import load_policy
from bluelamp.triage import textmodel
from bluelamp.triage.narrative import Lexicon
from bluelamp.triage.train import META, TRAIN_DIR, training_rows


def embedder() -> Any:
    import wordllama
    from safetensors import safe_open
    from tokenizers import Tokenizer
    from wordllama.inference import WordLlamaInference

    root = Path(wordllama.__file__).parent
    tok = Tokenizer.from_file(str(root / "tokenizers" / "l2_supercat_tokenizer_config.json"))
    with safe_open(str(root / "weights" / "l2_supercat_256.safetensors"), framework="np", device="cpu") as f:
        emb = f.get_tensor("embedding.weight")
    return WordLlamaInference(emb, tok)


def writer_rows(prefix: str) -> list[dict[str, Any]]:
    rows = []
    for path in sorted(TRAIN_DIR.glob(f"{prefix}_*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return training_rows(rows)


def matrices(rows: list[dict[str, Any]], lexicon: Lexicon, wl: Any) -> dict[str, sp.csr_matrix]:
    word, char = textmodel.featurizer(META)
    texts = [textmodel.model_text(lexicon.normalise(r["narrative"]), str(r["channel"])) for r in rows]
    hashed = textmodel.features(word, char, texts)
    emb = np.nan_to_num(np.asarray(wl.embed([lexicon.normalise(r["narrative"]) or "." for r in rows], norm=True),
                                   dtype=np.float64))
    channels = np.array([[str(r["channel"]) == c for c in ("999", "101", "chat", "online")] for r in rows], float)
    dense = sp.csr_matrix(np.hstack([emb * 2.0, channels]))
    return {"hashed": hashed, "embedding": dense, "both": sp.hstack([hashed, dense], format="csr")}


def fit_score(xtr: sp.csr_matrix, ytr: np.ndarray, xte: sp.csr_matrix) -> np.ndarray:
    model = LogisticRegression(C=4.0, solver="liblinear", class_weight="balanced", max_iter=300)
    model.fit(xtr, ytr)
    return np.asarray(model.predict_proba(xte)[:, 1])


def evaluate(train: list[dict[str, Any]], test: list[dict[str, Any]], xtr: sp.csr_matrix, xte: sp.csr_matrix,
             flags: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, cut in (("auc_g1", 1), ("auc_g12", 2)):
        ytr = np.array([r["grade"] <= cut for r in train])
        yte = np.array([r["grade"] <= cut for r in test])
        out[name] = float(roc_auc_score(yte, fit_score(xtr, ytr, xte)))
    aucs = []
    for f in flags:
        ytr = np.array([f in r["flags"] for r in train])
        yte = np.array([f in r["flags"] for r in test])
        if ytr.sum() >= 8 and yte.sum() >= 5:
            aucs.append(roc_auc_score(yte, fit_score(xtr, ytr, xte)))
    out["flag_auc"] = float(np.mean(aucs))
    four_tr = [i for i, r in enumerate(train) if r["grade"] == 4]
    four_te = [i for i, r in enumerate(test) if r["grade"] == 4]
    model = OneVsRestClassifier(LogisticRegression(C=4.0, solver="liblinear", max_iter=300))
    model.fit(xtr[four_tr], [train[i]["route"] for i in four_tr])
    pred = model.predict(xte[four_te])
    out["route_acc_g4"] = float(np.mean([p == test[i]["route"] for p, i in zip(pred, four_te, strict=True)]))
    return out


def main() -> int:
    policy = load_policy()
    lexicon = Lexicon(policy.doc("indicators"), {})
    flags = [f for f in policy.flags.ids() if f not in ("repeat_victim", "repeat_caller")]
    wl = embedder()
    writers = {p: writer_rows(p) for p in ("a", "b", "c") if list(TRAIN_DIR.glob(f"{p}_*.jsonl"))}
    mats = {p: matrices(rows, lexicon, wl) for p, rows in writers.items()}
    results: dict[str, list[dict[str, float]]] = {}
    for tr in writers:
        for te in writers:
            if tr == te:
                continue
            for kind in ("hashed", "embedding", "both"):
                r = evaluate(writers[tr], writers[te], mats[tr][kind], mats[te][kind], flags)
                results.setdefault(kind, []).append(r)
                print(f"{tr} -> {te} {kind:9s} " + " ".join(f"{k} {v:.3f}" for k, v in r.items()), flush=True)
    for kind, rs in results.items():
        print(f"mean {kind:9s} " + " ".join(f"{k} {np.mean([r[k] for r in rs]):.3f}" for k in rs[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
