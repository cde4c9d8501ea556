"""The learned text model: reads what callers mean when they describe instead of naming.

It sits beside the rules (docs/triage.md "The learned model"): word and character n-grams of the
normalised narrative, hashed (so there is no vocabulary to ship), and linear heads for the grade, the
grade-4 route and each flag, trained by `bluelamp.triage.train` on the corpus in `data/triage/train`.
The model file holds only numbers (sparse weight matrices in a NumPy archive, no pickle), so it loads
the same with any scikit-learn release that has the same hashing. Nothing is fetched at run time.

The rules stay in charge of what they are good at (negation, time, answers); the model adds:
  - flags it reads with confidence, unless the rules saw the same flag negated;
  - a grade floor when it reads an emergency or a priority with confidence;
  - a grade-4 route (or, since session 10, a grade-3 appointment) when the rules found no positive
    evidence at all and the model reads it clearly, with little urgency.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mmh3
import numpy as np

from bluelamp.policy import Policy
from bluelamp.triage.model import Findings, Learned

if TYPE_CHECKING:
    import scipy.sparse as sp

log = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).parent / "models"
MIN_WORDS = 3  # fewer words than this are not read by the model (session 5: "message 0" on chat read 30%)
GRADE_NAMES = {1: "an emergency", 2: "a priority", 3: "a scheduled attendance", 4: "no deployment"}
MIN_ROUTE_CONFIDENCE = 0.5  # see docs/triage.md "The learned model" for how this was chosen
MAX_URGENT_FOR_ROUTE = 0.2
# A scheduled attendance still sends an officer, so the model may place a contact there with a little more
# urgency in its reading than it may send nobody; session 10, measured on writers i-n unseen (docs/triage.md).
MAX_URGENT_FOR_APPOINTMENT = 0.3
# How the model's flags count, and the least confidence for each whatever its trained threshold
# (train.py chooses those by cross-validation). Situational flags (danger now, a weapon, an injury,
# in progress, the suspect there) are shown to the handler with their reason but never graded on:
# the grade's situational facts come only from words the rules can see, with negation, time and the
# handler's answers, and the model's reading of urgency acts through its grade floor instead. A flag
# that lifts a grade on its own needs a confident reading; the vulnerability flags, where callers'
# descriptions hide, take the trained threshold. Short texts give the model too little to read flags.
MIN_FLAG_CONFIDENCE = 0.5
MIN_FLAG_WORDS = 5
# A grade-4 route is positive evidence that nobody need be sent: the model may give one only for a text
# with something in it ("Need police." or "is anyone there" are not evidence of anything).
MIN_ROUTE_WORDS = 5
SHOWN_ONLY = frozenset({"threat_to_life", "weapon", "injury", "in_progress", "suspect_present",
                              "road_traffic_collision"})
FLAG_CONFIDENCE: dict[str, float] = {"suicide_risk": 0.8, "domestic_abuse": 0.8, "sexual_offence": 0.8,
                                     "substance_misuse": 0.8}


def model_path(policy_version: str) -> Path:
    return MODELS_DIR / f"text-{policy_version}.npz"


@dataclass(frozen=True)
class Head:
    """One linear head, scores = x . coef + intercept, with the weights stored by feature (CSR arrays:
    for feature f, classes `cls[ptr[f]:ptr[f+1]]` carry weights `w[ptr[f]:ptr[f+1]]`)."""

    classes: tuple[str, ...]
    ptr: np.ndarray
    cls: np.ndarray
    w: np.ndarray
    intercept: np.ndarray

    @classmethod
    def from_matrix(cls, classes: tuple[str, ...], coef: Any, intercept: np.ndarray) -> Head:
        """From a classes x features matrix (dense or scipy sparse; training only)."""
        import scipy.sparse as sparse

        by_feature = sparse.csr_matrix(coef).T.tocsr()
        by_feature.sort_indices()
        return cls(classes, by_feature.indptr.astype(np.int64), by_feature.indices.astype(np.int32),
                   by_feature.data.astype(np.float32), np.asarray(intercept, dtype=np.float64))

    def weights_of(self, row: int, features: np.ndarray) -> np.ndarray:
        """The weight of class `row` on each of `features` (0 where none), for the reasons."""
        starts, ends = self.ptr[features], self.ptr[features + 1]
        lengths = ends - starts
        out = np.zeros(len(features))
        total = int(lengths.sum())
        if total:
            offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
            owner = np.repeat(np.arange(len(features)), lengths)
            hit = self.cls[offsets] == row
            out[owner[hit]] = self.w[offsets[hit]]
        return out

    def scores_matrix(self, x: Any) -> np.ndarray:
        """Scores for many narratives at once (training and evaluation; x is scipy sparse)."""
        import scipy.sparse as sparse

        by_feature = sparse.csr_matrix((self.w, self.cls, self.ptr), shape=(len(self.ptr) - 1, len(self.classes)))
        return np.asarray((x @ by_feature).todense()) + self.intercept


_TOKEN = re.compile(r"(?u)\b\w+\b")
_SPACES = re.compile(r"\s\s+")


def word_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """Exactly scikit-learn's word analyzer (token_pattern r"(?u)\b\\w+\b", no lower-casing)."""
    tokens = _TOKEN.findall(text)
    out = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), min(hi, len(tokens)) + 1):
        out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return out


def char_wb_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """Exactly scikit-learn's char_wb analyzer: n-grams inside each word padded with spaces."""
    out: list[str] = []
    for word in _SPACES.sub(" ", text).split():
        w = " " + word + " "
        for n in range(lo, hi + 1):
            offset = 0
            out.append(w[offset:offset + n])
            while offset + n < len(w):
                offset += 1
                out.append(w[offset:offset + n])
            if offset == 0:  # a short word counts once
                break
    return out


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


def model_text(normalised: str, channel: str, with_channel: bool = True) -> str:
    """What the model reads: the channel as a token (unless the model was trained without it, meta
    `channel_token: false`), then the normalised narrative."""
    return f"chan{channel} {normalised}" if with_channel else normalised


def features(word: Any, char: Any, texts: list[str]) -> sp.csr_matrix:
    """Many narratives at once with scikit-learn's vectorisers (training and tests only)."""
    import scipy.sparse as sparse

    return sparse.hstack([word.transform(texts), char.transform(texts)], format="csr")


class TextReader:
    """A loaded model with its thresholds; `read()` turns one narrative into a `Learned`."""

    def __init__(self, meta: dict[str, Any], heads: dict[str, Head], labels: Mapping[str, str]) -> None:
        self.meta = meta
        self.heads = heads
        self.labels = labels
        self.thresholds: dict[str, Any] = meta["thresholds"]
        self._n = int(meta["n_features"])
        self._word_range = tuple(int(v) for v in meta["word_ngrams"])
        self._char_range = tuple(int(v) for v in meta["char_ngrams"])
        self._with_channel = bool(meta.get("channel_token", True))  # files before session 5 always had it
        self._column: dict[str, int] = {}  # token -> hashed column; callers' words repeat, hashing is the cost
        self._by_word: dict[str, np.ndarray] = {}  # word -> its character n-grams' columns
        self._stack_heads()
        # Each flag's least probability (its trained threshold, raised to FLAG_CONFIDENCE), in class order,
        # so one comparison finds the flags read; a flag without a threshold is never read.
        limits = [self.thresholds["flags"].get(f) for f in heads["flags"].classes]
        self._flag_known = np.array([t is not None for t in limits], dtype=bool)
        self._flag_limits = np.array([np.inf if t is None else max(t, FLAG_CONFIDENCE.get(f, MIN_FLAG_CONFIDENCE))
                                      for f, t in zip(heads["flags"].classes, limits, strict=True)],
                                     dtype=np.float64)

    def _stack_heads(self) -> None:
        """All heads' weights side by side over the union of their features: one gather and one
        product per narrative instead of one per head (same numbers as `Head.scores`, tested)."""
        heads = list(self.heads.values())
        n_features = len(heads[0].ptr) - 1
        present = np.unique(np.concatenate([np.nonzero(np.diff(h.ptr))[0] for h in heads]))
        lookup = np.full(n_features, len(present), dtype=np.int64)
        lookup[present] = np.arange(len(present))
        width = sum(len(h.classes) for h in heads)
        dense = np.zeros((len(present) + 1, width), dtype=np.float32)
        self._slices: dict[str, slice] = {}
        start = 0
        for name, h in self.heads.items():
            rows = np.repeat(np.arange(n_features), np.diff(h.ptr))
            dense[lookup[rows], start + h.cls] = h.w
            self._slices[name] = slice(start, start + len(h.classes))
            start += len(h.classes)
        self._lookup, self._dense = lookup, dense
        self._intercept = np.concatenate([h.intercept for h in heads]).astype(np.float64)

    def _index(self, token: str) -> int:
        """A token's column, as scikit-learn's HashingVectorizer computes it (signed MurmurHash3)."""
        h = mmh3.hash(token, 0, signed=True)
        index = (2147483647 - (self._n - 1)) % self._n if h == -2147483648 else abs(h) % self._n
        if len(self._column) > 500_000:  # bounded: a flood of novel text cannot grow memory for ever
            self._column.clear()
        self._column[token] = index
        return index

    def _char_columns(self, word: str) -> np.ndarray:
        cached = self._by_word.get(word)
        if cached is None:
            if len(self._by_word) > 200_000:
                self._by_word.clear()
            cached = self._indices(char_wb_ngrams(word, *self._char_range))
            self._by_word[word] = cached
        return cached

    def _indices(self, tokens: list[str]) -> np.ndarray:
        column = self._column
        return np.array([c if (c := column.get(t)) is not None else self._index(t) for t in tokens], dtype=np.int64)

    def features_of(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """One narrative's features exactly as the HashingVectorizers give them (tested): hashed counts
        per block (words, then characters), each block scaled to unit length."""
        words = Counter(word_ngrams(text, *self._word_range))
        return self._features(text, words, self._indices(list(words)))

    def _features(self, text: str, words: Counter[str], word_columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`features_of` from the word n-grams already counted and hashed (`read` needs them again)."""
        idx: list[np.ndarray] = []
        val: list[np.ndarray] = []
        word_counts = np.fromiter(words.values(), dtype=np.float64, count=len(words))
        # Character n-grams never cross a word, so each word's columns are computed once and reused.
        split = text.split()
        char_columns = np.concatenate([self._char_columns(w) for w in split]) if split else word_columns[:0]
        for offset, columns, counts in ((0, word_columns, word_counts), (self._n, char_columns, None)):
            if not len(columns):
                continue
            if counts is None:  # each character n-gram counts 1: the counts of its column are the sums
                unique, how_many = np.unique(columns, return_counts=True)
                summed: np.ndarray = how_many.astype(np.float64)
            else:
                unique, inverse = np.unique(columns, return_inverse=True)
                summed = np.bincount(inverse, weights=counts)
            idx.append(unique + offset)
            val.append(summed / np.sqrt(float((summed * summed).sum())))
        if not idx:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(idx), np.concatenate(val)

    def probabilities(self, normalised: str, channel: str) -> dict[str, Any]:
        """Grade, route and flag probabilities for one narrative (for evaluation and reasons)."""
        return self._probabilities(*self.features_of(model_text(normalised, channel, self._with_channel)))

    def _probabilities(self, idx: np.ndarray, val: np.ndarray) -> dict[str, Any]:
        if len(idx):
            scores = val @ self._dense[self._lookup[idx]].astype(np.float64) + self._intercept
        else:
            scores = self._intercept.copy()
        return {name: (head, _probs(name, scores[self._slices[name]])) for name, head in self.heads.items()}

    def floors_for(self, channel: str) -> dict[str, float]:
        """The grade floors and doubt threshold for a channel: the model's probabilities mean different
        things on 999 (where most training calls are emergencies) and on 101, so since session 5 the
        thresholds may be chosen per channel (`floor.by_channel`), each falling back to the shared one."""
        floor = self.thresholds["floor"]
        out = {k: v for k, v in floor.items() if k != "by_channel"}
        out.update(floor.get("by_channel", {}).get(channel, {}))
        return out

    def read(self, normalised: str, findings: Findings, channel: str) -> Learned:
        n_words = len(normalised.split())
        if n_words < MIN_WORDS:
            return Learned()  # too little text to read: the rules' fail-safe defaults decide
        text = model_text(normalised, channel, self._with_channel)
        # The word n-grams are counted and hashed once: for the features and again for the reasons.
        counted = Counter(word_ngrams(text, *self._word_range))
        columns = self._indices(list(counted))
        out = self._probabilities(*self._features(text, counted, columns))
        evidence = _Evidence(self, list(counted), columns)  # the reasons' words, worked out when first asked
        negated = {m.fact for m in findings.mentions if m.negated} - set(findings.facts)
        flags: list[tuple[str, str]] = []
        shown: list[tuple[str, str]] = []
        flag_head, flag_p = out["flags"]
        read = self._flag_known & ~(flag_p < self._flag_limits) if n_words >= MIN_FLAG_WORDS else []
        for k in np.flatnonzero(read):
            flag, p = flag_head.classes[k], flag_p[k]
            if flag in findings.facts or flag in negated:
                continue
            words = evidence.words_for("flags", int(k))
            label = self.labels.get(flag, flag.replace("_", " "))
            (shown if flag in SHOWN_ONLY else flags).append((flag, f"text model reads {label} ({p:.0%}){words}"))
        grade_head, grade_p = out["grade"]
        grades = [int(c) for c in grade_head.classes]
        p_by_grade = dict(zip(grades, grade_p, strict=True))
        floors = self.floors_for(channel)
        floor = self._floor(grades, p_by_grade, evidence, {g: float(floors[str(g)]) for g in (1, 2)})
        # Where the rules found positive evidence against an emergency (grading.yaml `held`) the model must
        # be surer to lift; without a `held` threshold in the file, the ordinary floors apply (as before).
        held_t = floors.get("held")
        floor_held = floor if held_t is None else self._floor(
            grades, p_by_grade, evidence,
            {g: max(float(floors[str(g)]), float(held_t)) for g in (1, 2)})
        doubt = None
        urgent_p = p_by_grade.get(1, 0.0) + p_by_grade.get(2, 0.0)
        doubt_t = floors.get("doubt")
        if floor is None and doubt_t is not None and urgent_p >= float(doubt_t):
            doubt = (urgent_p, f"the text model reads possible urgency ({urgent_p:.0%})"
                               f"{evidence.words_for('grade', grades.index(1))}")
        route = None
        route_head, route_p = out["route"]
        best = int(np.argmax(route_p))
        name = route_head.classes[best]
        # Grade 4 from the model alone needs a clear reading: never while it sees real urgency.
        route_t = max(float(self.thresholds["route"]), MIN_ROUTE_CONFIDENCE)
        if (n_words >= MIN_ROUTE_WORDS and name != "deploy"
                and route_p[best] >= route_t
                and p_by_grade.get(4 if name != "appointment" else 3, 0.0) >= route_t
                and urgent_p < (MAX_URGENT_FOR_APPOINTMENT if name == "appointment" else MAX_URGENT_FOR_ROUTE)):
            words = evidence.words_for("route", best)
            if name == "appointment":
                # Session 10: a clear reading of a matter for a scheduled attendance (a break-in found
                # on coming home) is positive evidence too; without it such a 999 call took the
                # channel's safe grade 1 ("nothing yet established"). It stays provisional.
                route = (name, f"grade 3, appointment: the text model reads a matter for a scheduled "
                               f"attendance ({route_p[best]:.0%}){words}")
            else:
                route = (name, f"grade 4, {name}: the text model reads it so ({route_p[best]:.0%}){words}")
        return Learned(flags=tuple(flags), floor=floor, route=route, shown=tuple(shown), doubt=doubt,
                       floor_held=floor_held)

    def _floor(self, grades: list[int], p_by_grade: dict[int, float], evidence: _Evidence,
               thresholds: dict[int, float]) -> tuple[int, str] | None:
        """The most urgent grade whose "at least this urgent" probability reaches its threshold."""
        for g in (1, 2):
            p_at_least = sum(p for grade, p in p_by_grade.items() if grade <= g)
            if p_at_least >= thresholds[g]:
                words = evidence.words_for("grade", grades.index(g))
                return g, f"at least grade {g}: the text model reads {GRADE_NAMES[g]} ({p_at_least:.0%}){words}"
        return None


class _Evidence:
    """The words (unigrams and bigrams) of one narrative that pushed a class up most, for the reasons.

    One per `read`, so request threads sharing the reader share nothing; the weight rows of its words
    are gathered from the stacked heads once, on first use, for every head and class at once.
    """

    def __init__(self, reader: TextReader, ngrams: list[str], columns: np.ndarray) -> None:
        self.reader = reader
        self.ngrams = ngrams
        self.columns = columns
        self.tokens: list[str] = []
        self.rows: np.ndarray | None = None

    def words_for(self, head: str, row: int, top: int = 3) -> str:
        if self.rows is None:
            keep = [i for i, t in enumerate(self.ngrams) if not t.startswith("chan")]
            self.tokens = [self.ngrams[i] for i in keep]
            self.rows = self.reader._dense[self.reader._lookup[self.columns[keep]]]
        if not self.tokens:
            return ""
        # float64 as Head.weights_of gives them, so argsort orders ties exactly as before
        w = self.rows[:, self.reader._slices[head].start + row].astype(np.float64)
        best = [self.tokens[i] for i in np.argsort(-w)[:top] if w[i] > 0]
        return (": " + ", ".join(f"'{t}'" for t in best)) if best else ""


def _probs(name: str, scores: np.ndarray) -> np.ndarray:
    if name == "flags":
        return 1.0 / (1.0 + np.exp(-scores))
    z = np.exp(scores - scores.max())
    return z / z.sum()


def save(path: Path, meta: dict[str, Any], heads: dict[str, Head]) -> None:
    """Stored small: per feature the number of classes it weighs (uint8), class indices as uint8 and the
    weights as float16 (their 11 significant bits are far finer than the pruning step; half the file)."""
    arrays: dict[str, Any] = {"meta": np.array(json.dumps(meta, sort_keys=True))}
    for name, head in heads.items():
        counts = np.diff(head.ptr)
        if len(head.classes) > 255 or (counts.size and int(counts.max()) > 255):
            raise ValueError(f"head {name}: more than 255 classes cannot be stored as uint8")
        arrays[f"{name}_classes"] = np.array(json.dumps(list(head.classes)))
        arrays[f"{name}_count"] = counts.astype(np.uint8)
        arrays[f"{name}_cls8"] = head.cls.astype(np.uint8)
        arrays[f"{name}_w16"] = head.w.astype(np.float16)
        arrays[f"{name}_intercept"] = head.intercept
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def _head(z: Any, name: str) -> Head:
    classes = tuple(json.loads(str(z[f"{name}_classes"])))
    if f"{name}_count" not in z.files:  # the format before session 13: int64 ptr, int32 cls, float32 w
        return Head(classes, z[f"{name}_ptr"], z[f"{name}_cls"], z[f"{name}_w"], z[f"{name}_intercept"])
    ptr = np.zeros(len(z[f"{name}_count"]) + 1, dtype=np.int64)
    np.cumsum(z[f"{name}_count"], out=ptr[1:])
    return Head(classes, ptr, z[f"{name}_cls8"].astype(np.int32), z[f"{name}_w16"].astype(np.float32),
                z[f"{name}_intercept"])


def load(path: Path) -> tuple[dict[str, Any], dict[str, Head]]:
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        heads = {name: _head(z, name) for name in ("grade", "route", "flags")}
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
