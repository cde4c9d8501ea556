"""The learned text model: reads what callers mean when they describe instead of naming.

It sits beside the rules (docs/triage.md "The learned model"): word and character n-grams of the
normalised narrative, hashed (so there is no vocabulary to ship), and linear heads for the grade, the
grade-4 route and each flag, trained by `bluelamp.triage.train` on the corpus in `data/triage/train`.
The model file holds only numbers (sparse weight matrices in a NumPy archive, no pickle), so it loads
the same with any scikit-learn release that has the same hashing. Nothing is fetched at run time.

The rules stay in charge of what they are good at (negation, time, answers); the model adds:
  - flags it reads with confidence, unless the rules saw the same flag negated;
  - a grade floor when it reads an emergency or a priority with confidence;
  - a grade-4 route when the rules found no positive evidence at all.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from bluelamp.policy import Policy
from bluelamp.triage.model import Findings, Learned

log = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).parent / "models"
MIN_WORDS = 2
GRADE_NAMES = {1: "an emergency", 2: "a priority", 3: "a scheduled attendance", 4: "no deployment"}
MIN_ROUTE_CONFIDENCE = 0.5  # see docs/triage.md "The learned model" for how this was chosen
MAX_URGENT_FOR_ROUTE = 0.2
# How the model's flags count, and the least confidence for each whatever its trained threshold
# (train.py chooses those by cross-validation). Situational flags (danger now, a weapon, an injury,
# in progress, the suspect there) are shown to the handler with their reason but never graded on:
# the grade's situational facts come only from words the rules can see, with negation, time and the
# handler's answers, and the model's reading of urgency acts through its grade floor instead. A flag
# that lifts a grade on its own needs a confident reading; the vulnerability flags, where callers'
# descriptions hide, take the trained threshold. Short texts give the model too little to read flags.
MIN_FLAG_CONFIDENCE = 0.5
MIN_FLAG_WORDS = 5
SHOWN_ONLY = frozenset({"threat_to_life", "weapon", "injury", "in_progress", "suspect_present",
                              "road_traffic_collision"})
FLAG_CONFIDENCE: dict[str, float] = {"suicide_risk": 0.8, "domestic_abuse": 0.8, "sexual_offence": 0.8,
                                     "substance_misuse": 0.8}


def model_path(policy_version: str) -> Path:
    return MODELS_DIR / f"text-{policy_version}.npz"


@dataclass(frozen=True)
class Head:
    """One linear head: scores = X @ coef.T + intercept."""

    classes: tuple[str, ...]
    coef: sp.csr_matrix  # classes x features
    intercept: np.ndarray

    def __post_init__(self) -> None:
        # features x classes, row-major: one short gather per feature present in a narrative
        object.__setattr__(self, "_by_feature", self.coef.T.tocsr())

    def scores(self, x: sp.csr_matrix) -> np.ndarray:
        by_feature: sp.csr_matrix = self._by_feature  # type: ignore[attr-defined]
        return np.asarray((x @ by_feature).todense()).ravel() + self.intercept


def featurizer(meta: Mapping[str, Any]) -> Any:
    """The hashing featurizer described by the model's metadata (shared by training and reading)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    n = int(meta["n_features"])
    word = HashingVectorizer(n_features=n, alternate_sign=False, analyzer="word",
                             ngram_range=tuple(meta["word_ngrams"]), token_pattern=r"(?u)\b\w+\b",
                             lowercase=False)
    char = HashingVectorizer(n_features=n, alternate_sign=False, analyzer="char_wb",
                             ngram_range=tuple(meta["char_ngrams"]), lowercase=False)
    return word, char


def model_text(normalised: str, channel: str) -> str:
    """What the model reads: the channel as a token, then the normalised narrative."""
    return f"chan{channel} {normalised}"


def features(word: Any, char: Any, texts: list[str]) -> sp.csr_matrix:
    return sp.hstack([word.transform(texts), char.transform(texts)], format="csr")


class TextReader:
    """A loaded model with its thresholds; `read()` turns one narrative into a `Learned`."""

    def __init__(self, meta: dict[str, Any], heads: dict[str, Head], labels: Mapping[str, str]) -> None:
        self.meta = meta
        self.heads = heads
        self.labels = labels
        self.thresholds: dict[str, Any] = meta["thresholds"]
        self._word, self._char = featurizer(meta)
        self._n = int(meta["n_features"])
        self._word_analyzer = self._word.build_analyzer()
        self._char_analyzer = self._char.build_analyzer()

    def vector(self, text: str) -> sp.csr_matrix:
        """One narrative's features, exactly as the HashingVectorizers give them (tested), without their
        per-call overhead: hashed counts per block, each block scaled to unit length."""
        from sklearn.utils import murmurhash3_32

        n = self._n
        cols: list[int] = []
        vals: list[float] = []
        for offset, analyzer in ((0, self._word_analyzer), (n, self._char_analyzer)):
            counts: dict[int, int] = {}
            for token in analyzer(text):
                h = murmurhash3_32(token, seed=0)
                index = (2147483647 - (n - 1)) % n if h == -2147483648 else abs(h) % n
                counts[index] = counts.get(index, 0) + 1
            if counts:
                norm = float(np.sqrt(sum(c * c for c in counts.values())))
                for index in sorted(counts):
                    cols.append(offset + index)
                    vals.append(counts[index] / norm)
        return sp.csr_matrix((np.array(vals), np.array(cols, dtype=np.int64), np.array([0, len(cols)])),
                             shape=(1, 2 * n))

    def probabilities(self, normalised: str, channel: str) -> dict[str, Any]:
        """Grade, route and flag probabilities for one narrative (for evaluation and reasons)."""
        x = self.vector(model_text(normalised, channel))
        return {name: (head, _probs(name, head.scores(x))) for name, head in self.heads.items()} | {"_x": x}

    def read(self, normalised: str, findings: Findings, channel: str) -> Learned:
        if len(normalised.split()) < MIN_WORDS:
            return Learned()  # too little text to read: the rules' fail-safe defaults decide
        out = self.probabilities(normalised, channel)
        text = model_text(normalised, channel)
        negated = {m.fact for m in findings.mentions if m.negated} - set(findings.facts)
        flags: list[tuple[str, str]] = []
        shown: list[tuple[str, str]] = []
        flag_head, flag_p = out["flags"]
        for flag, p in zip(flag_head.classes, flag_p, strict=True):
            threshold = self.thresholds["flags"].get(flag)
            if threshold is None or flag in findings.facts or flag in negated:
                continue
            if len(normalised.split()) < MIN_FLAG_WORDS:
                continue
            if p < max(threshold, FLAG_CONFIDENCE.get(flag, MIN_FLAG_CONFIDENCE)):
                continue
            words = self._words_for(flag_head, flag_head.classes.index(flag), text)
            label = self.labels.get(flag, flag.replace("_", " "))
            (shown if flag in SHOWN_ONLY else flags).append((flag, f"text model reads {label} ({p:.0%}){words}"))
        grade_head, grade_p = out["grade"]
        grades = [int(c) for c in grade_head.classes]
        p_by_grade = dict(zip(grades, grade_p, strict=True))
        floor = None
        for g in (1, 2):
            p_at_least = sum(p for grade, p in p_by_grade.items() if grade <= g)
            if p_at_least >= self.thresholds["floor"][str(g)]:
                words = self._words_for(grade_head, grades.index(g), text)
                floor = (g, f"at least grade {g}: the text model reads {GRADE_NAMES[g]} ({p_at_least:.0%}){words}")
                break
        route = None
        route_head, route_p = out["route"]
        best = int(np.argmax(route_p))
        name = route_head.classes[best]
        # Grade 4 from the model alone needs a clear reading: never while it sees real urgency.
        route_t = max(float(self.thresholds["route"]), MIN_ROUTE_CONFIDENCE)
        urgent_p = p_by_grade.get(1, 0.0) + p_by_grade.get(2, 0.0)
        if (name not in ("deploy", "appointment") and route_p[best] >= route_t
                and p_by_grade.get(4, 0.0) >= route_t and urgent_p < MAX_URGENT_FOR_ROUTE):
            words = self._words_for(route_head, best, text)
            route = (name, f"grade 4, {name}: the text model reads it so ({route_p[best]:.0%}){words}")
        return Learned(flags=tuple(flags), floor=floor, route=route, shown=tuple(shown))

    def _words_for(self, head: Head, row: int, text: str, top: int = 3) -> str:
        """The words (unigrams and bigrams) that pushed this class up most, for the reasons."""
        from sklearn.utils import murmurhash3_32

        start, end = head.coef.indptr[row], head.coef.indptr[row + 1]
        indices, weights = head.coef.indices[start:end], head.coef.data[start:end]
        tokens = [t for t in dict.fromkeys(self._word_analyzer(text)) if not t.startswith("chan")]
        if not tokens or not len(indices):
            return ""
        wanted = np.array([abs(murmurhash3_32(t, seed=0)) % self._n for t in tokens])
        at = np.clip(np.searchsorted(indices, wanted), 0, len(indices) - 1)
        found = indices[at] == wanted
        w = np.where(found, weights[at], 0.0)
        best = [tokens[i] for i in np.argsort(-w)[:top] if w[i] > 0]
        return (": " + ", ".join(f"'{t}'" for t in best)) if best else ""


def _probs(name: str, scores: np.ndarray) -> np.ndarray:
    if name == "flags":
        return 1.0 / (1.0 + np.exp(-scores))
    z = np.exp(scores - scores.max())
    return z / z.sum()


def save(path: Path, meta: dict[str, Any], heads: dict[str, Head]) -> None:
    arrays: dict[str, Any] = {"meta": np.array(json.dumps(meta, sort_keys=True))}
    for name, head in heads.items():
        c = head.coef.tocsr()
        arrays[f"{name}_classes"] = np.array(json.dumps(list(head.classes)))
        arrays[f"{name}_data"] = c.data.astype(np.float32)
        arrays[f"{name}_indices"] = c.indices.astype(np.int32)
        arrays[f"{name}_indptr"] = c.indptr.astype(np.int64)
        arrays[f"{name}_shape"] = np.array(c.shape, dtype=np.int64)
        arrays[f"{name}_intercept"] = head.intercept.astype(np.float64)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def load(path: Path) -> tuple[dict[str, Any], dict[str, Head]]:
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        heads = {}
        for name in ("grade", "route", "flags"):
            shape = tuple(int(v) for v in z[f"{name}_shape"])
            coef = sp.csr_matrix((z[f"{name}_data"].astype(np.float64), z[f"{name}_indices"],
                                  z[f"{name}_indptr"]), shape=shape)
            heads[name] = Head(tuple(json.loads(str(z[f"{name}_classes"]))), coef, z[f"{name}_intercept"])
    return meta, heads


@lru_cache(maxsize=4)
def _cached(path: Path) -> tuple[dict[str, Any], dict[str, Head]] | None:
    if not path.exists():
        return None
    return load(path)


def load_reader(policy: Policy, labels: Mapping[str, str]) -> TextReader | None:
    """The model for this policy version, or None (rules only) when none has been trained for it."""
    loaded = _cached(model_path(policy.version))
    if loaded is None:
        log.warning("no text model for policy %s: triage uses the rules alone", policy.version)
        return None
    meta, heads = loaded
    known = set(policy.flags.ids())
    unknown = [f for f in heads["flags"].classes if f not in known]
    if unknown:
        log.warning("text model names unknown flags %s: ignored", unknown)
    return TextReader(meta, heads, labels)
