"""The gazetteer's match index: free text to streets, places, postcodes and landmarks.

The demo force's gazetteer is built from its geography (synth/areas.py); a force's own entries are
imported (OS Open Names, Code-Point Open) into `gazetteer_entry`. Matching is fuzzy (rapidfuzz):
the query's words are looked up in the index's vocabulary allowing misspellings, the entries that
share the rarest of them are scored with WRatio, and a postcode in the query is matched exactly.
The index is held in memory and rebuilt when the table changes (its highest id moves).
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bluelamp.location.model import postcode_key, text_key

_POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.I)
_NUMBER = re.compile(r"^\d+[a-z]?$")
MAX_CANDIDATES = 600
STOPWORDS = frozenset({"the", "on", "of", "near", "outside", "opposite", "corner", "junction", "and", "by", "at",
                       "in", "off", "behind", "o", "s"})
SHORTLIST = 60  # the best by token-set ratio, re-ranked word by word


@dataclass(frozen=True)
class Entry:
    """One gazetteer entry as the index holds it; `ref` is `source:external_id`, stable across rebuilds."""

    ref: str
    kind: str
    name: str
    locality: str | None
    postcode: str | None
    lat: float
    lon: float
    uprn: str | None = None

    @property
    def label(self) -> str:
        parts = [self.name] + [p for p in (self.locality, self.postcode) if p and p != self.name]
        return ", ".join(parts)


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float

    def to_dict(self) -> dict[str, object]:
        e = self.entry
        return {"ref": e.ref, "kind": e.kind, "label": e.label, "name": e.name, "locality": e.locality,
                "postcode": e.postcode, "lat": round(e.lat, 6), "lon": round(e.lon, 6),
                "score": round(self.score, 1)}


class Index:
    """Entries with their text keys, an inverted index of words, and postcodes."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: list[Entry] = list(entries)
        self.keys: list[str] = [text_key(e.label) for e in self.entries]
        self.name_keys: list[str] = [text_key(e.name) for e in self.entries]
        self.places: frozenset[int] = frozenset(i for i, e in enumerate(self.entries) if e.kind == "place")
        self.by_ref: dict[str, int] = {e.ref: i for i, e in enumerate(self.entries)}
        words: dict[str, list[int]] = defaultdict(list)
        self.by_postcode: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(self.keys):
            for w in set(key.split()):
                words[w].append(i)
            pc = self.entries[i].postcode
            if pc:
                self.by_postcode[pc.upper()].append(i)
        self.words = dict(words)
        self.vocabulary: list[str] = list(self.words)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, ref: str) -> Entry | None:
        i = self.by_ref.get(ref)
        return self.entries[i] if i is not None else None

    def _similar_words(self, word: str) -> list[str]:
        if word in self.words and len(word) <= 3:
            return [word]
        cutoff = 100 if len(word) <= 3 else 75 if len(word) <= 5 else 70
        found = process.extract(word, self.vocabulary, scorer=fuzz.ratio, limit=8, score_cutoff=cutoff)
        return [w for w, _, _ in found]

    def match(self, query: str, limit: int = 5, min_score: float = 60) -> list[Match]:
        """The best entries for a free-text location, best first (score 0-100)."""
        key = text_key(query)
        if not key:
            return []
        found: dict[int, float] = {}
        pc = _POSTCODE_IN_TEXT.search(query) or None
        district = postcode_key(query.strip()) or (postcode_key(query.replace(" ", ""))
                                                   if len(query.strip()) <= 8 else None)
        wanted = None
        if pc:
            wanted = f"{pc.group(1).upper()} {pc.group(2).upper()}"
        elif district:
            wanted = district
        if wanted:
            for i in self.by_postcode.get(wanted, ()):
                found[i] = 100.0 if self.entries[i].kind == "postcode" else 90.0
        words = [w for w in key.split() if not _NUMBER.match(w) and w not in STOPWORDS]
        if words:
            text = " ".join(words)
            candidates = self._candidates(words)
            if candidates:
                choices = {i: self.keys[i] for i in candidates}
                shortlist = process.extract(text, choices, scorer=fuzz.token_set_ratio, limit=SHORTLIST,
                                            score_cutoff=min_score * 0.8)
                places = candidates & self.places  # a town is never crowded out by its streets
                for i in {i for _, _, i in shortlist} | places:
                    score = _word_score(words, self.keys[i].split())
                    entry = self.entries[i]
                    if text == self.name_keys[i]:
                        score = 100.0  # the name exactly: "Leek" is the town
                    elif entry.kind == "place":  # a town named alone, misspelt: "abbotts bromley"
                        score = max(score, _word_score(words, self.name_keys[i].split()) - 2)
                    if score >= min_score:
                        found[i] = max(found.get(i, 0.0), score)
        ranked = sorted(found.items(), key=lambda kv: (-kv[1], _kind_order(self.entries[kv[0]].kind), kv[0]))
        return [Match(self.entries[i], s) for i, s in ranked[:limit]]

    def _candidates(self, words: Sequence[str]) -> set[int]:
        """Entries sharing the most (possibly misspelt) words with the query: the rarest words count
        first, and a word in more than a fifth of the gazetteer ("road") only breaks ties."""
        groups: list[set[int]] = []
        for w in words:
            found: set[int] = set()
            for similar in self._similar_words(w):
                found.update(self.words[similar])
            if found:
                groups.append(found)
        if not groups:
            return set()
        groups.sort(key=len)
        common = max(1000, len(self.entries) // 5)
        hits: Counter[int] = Counter()
        for i, ids in enumerate(groups):
            if i and len(ids) > common:
                break  # too common to tell entries apart; the re-ranking still scores every word
            hits.update(ids)
        if len(hits) <= MAX_CANDIDATES:
            return set(hits)
        by_count: dict[int, list[int]] = defaultdict(list)
        for i, n in hits.items():
            by_count[n].append(i)
        out: set[int] = set()
        for n in sorted(by_count, reverse=True):  # the entries sharing most words first
            out.update(by_count[n][: MAX_CANDIDATES - len(out)])
            if len(out) >= MAX_CANDIDATES:
                break
        return out


def _word_score(query: Sequence[str], entry: Sequence[str]) -> float:
    """How well the query's words are found in the entry (each word's best fuzzy match, averaged),
    lowered a little for entry words the query does not mention: "Leek" is the town before "Leek Road"."""
    if not entry:
        return 0.0
    used: set[int] = set()
    total = 0.0
    for w in query:
        best, at = 0.0, -1
        for j, e in enumerate(entry):
            r = 100.0 if w == e else fuzz.ratio(w, e)
            if r > best:
                best, at = r, j
        if best >= 70:
            used.add(at)
        total += best if best >= 60 else 0.0
    coverage = len({entry[j] for j in used}) / len(set(entry))
    return total / len(query) * (0.85 + 0.15 * coverage)


def _kind_order(kind: str) -> int:
    return {"address": 0, "landmark": 1, "street": 2, "postcode": 3, "place": 4}.get(kind, 5)


# --- the demo force's gazetteer ----------------------------------------------------------------------

LANDMARKS = ("Bus Station", "Train Station", "Retail Park", "Leisure Centre", "Recreation Ground",
             "Police Station", "Library", "Town Hall")


def _offset(seed: str, spread_km: float) -> tuple[float, float]:
    """A fixed pseudo-random offset (km east, km north) within the town's spread."""
    h = hashlib.sha256(seed.encode()).digest()
    angle = h[0] / 256 * 2 * math.pi
    radius = (0.15 + 0.85 * h[1] / 256) * spread_km
    return radius * math.cos(angle), radius * math.sin(angle)


def _moved(lat: float, lon: float, east_km: float, north_km: float) -> tuple[float, float]:
    return lat + north_km / 111.32, lon + east_km / (111.32 * math.cos(math.radians(lat)))


def demo_entries() -> list[Entry]:
    """The demo force's gazetteer: its areas and towns, their streets, postcode districts and landmarks."""
    from bluelamp.synth.areas import AREAS, COMMON_STREETS

    out: list[Entry] = []
    for area in AREAS:
        out.append(Entry(f"demo:area:{text_key(area.name)}", "place", area.name, None, None, area.lat, area.lon))
        for n, pc in enumerate(area.postcodes):
            town = area.towns[n % len(area.towns)]
            out.append(Entry(f"demo:postcode:{pc}", "postcode", pc, town.name, pc, town.lat, town.lon))
        for town in area.towns:
            if text_key(town.name) != text_key(area.name):
                out.append(Entry(f"demo:place:{text_key(town.name)}", "place", town.name, area.name, None,
                                 town.lat, town.lon))
            streets = list(dict.fromkeys(area.streets + COMMON_STREETS))
            for street in streets:
                lat, lon = _moved(town.lat, town.lon, *_offset(f"{town.name}/{street}", town.spread_km))
                out.append(Entry(f"demo:street:{text_key(town.name)}:{text_key(street)}", "street", street,
                                 town.name, None, lat, lon))
            if town.urban:
                for mark in LANDMARKS:
                    lat, lon = _moved(town.lat, town.lon, *_offset(f"{town.name}/{mark}", town.spread_km / 3))
                    out.append(Entry(f"demo:landmark:{text_key(town.name)}:{text_key(mark)}", "landmark",
                                     mark, town.name, None, lat, lon))
    return out


# --- the cached index -----------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, tuple[object, Index]] = {}


def cached(name: str, generation: object, build: object) -> Index:
    """The index called `name` at this generation, building it (once, under a lock) when it moved."""
    hit = _cache.get(name)
    if hit is not None and hit[0] == generation:
        return hit[1]
    with _lock:
        hit = _cache.get(name)
        if hit is not None and hit[0] == generation:
            return hit[1]
        index = build()  # type: ignore[operator]
        _cache[name] = (generation, index)
        return index


def clear_cache() -> None:
    with _lock:
        _cache.clear()
