"""Narrative text: fill a template's slots, then add the mess of real contacts.

Handlers' notes get their shorthand and the odd capital-letter note; chat gets lower case, text-speak and
greetings; anything may get common misspellings. Narratives come from a fixed pool per kind, channel
style (`NarrativePool`), so the same few hundred texts recur, as real call types do, and
triage results can be cached.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bluelamp.synth.areas import COMMON_STREETS, COUNTY_TOWNS, PLACES, ROADS
from bluelamp.synth.bulk import RawJSON
from bluelamp.synth.kinds import KINDS
from bluelamp.synth.narratives import NARRATIVES

STYLES = ("note", "chat", "online")
VARIANTS = 16

_SLOTS: dict[str, tuple[str, ...]] = {
    "rel": ("partner", "ex-partner", "husband", "boyfriend", "ex", "ex-boyfriend", "fiance"),
    "item": ("phone", "purse", "wallet", "bike", "laptop", "handbag", "car keys", "iPad", "AirPods", "tools"),
    "vehicle": ("a silver Ford Focus", "a black BMW", "a white Transit van", "a red Vauxhall Corsa",
                "a grey Audi A3", "a blue Nissan Qashqai", "a black Range Rover", "a white Kia"),
    "weapon": ("knife", "machete", "baseball bat", "hammer", "screwdriver", "kitchen knife", "bottle"),
    "first": ("Tyler", "Kayleigh", "Josh", "Mason", "Ellie", "Brandon", "Megan", "Connor", "Courtney", "Reece",
              "Maisie", "Kai"),
    "old_first": ("Margaret", "Jean", "Doreen", "Brenda", "Ken", "Dennis", "Roy", "Derek", "Sheila", "Alan"),
    "shop": ("Boots", "Tesco Express", "B&M", "Home Bargains", "Sainsbury's", "Superdrug", "the Co-op", "Greggs",
             "Iceland", "Lidl"),
    "goods": ("meat", "alcohol", "razor blades", "perfume", "baby formula", "chocolate", "coffee", "washing powder",
              "steaks", "vapes"),
    "when": ("last night", "this morning", "yesterday afternoon", "over the weekend", "earlier today", "on Tuesday",
             "on Friday night", "about an hour ago"),
    "officer": ("PC Harris", "PC 4521", "DC Morgan", "the officer", "PCSO Walker", "DC Bloor"),
}

_MISSPELL: dict[str, str] = {
    "neighbour": "nieghbour", "burglary": "burglery", "harassment": "harrasment", "threatened": "threatend",
    "definitely": "definately", "because": "becuase", "separate": "seperate", "received": "recieved",
    "suspicious": "suspicous", "weird": "wierd", "police": "polise", "necessary": "neccessary",
    "their": "there", "stolen": "stollen", "aggressive": "agressive", "immediately": "immediatly",
    "knife": "knive", "daughter": "daugther", "threatening": "threatning", "ambulance": "ambulence",
    "believes": "beleives",
}
_CHAT: tuple[tuple[str, str], ...] = (
    (r"\byou\b", "u"), (r"\bare\b", "r"), (r"\bplease\b", "pls"), (r"\bbecause\b", "cos"), (r"\bI'm\b", "im"),
    (r"\bdon't\b", "dont"), (r"\bcan't\b", "cant"), (r"\btonight\b", "2nite"), (r"\bthanks\b", "thx"),
)
_GREETINGS = ("hi ", "hello ", "hiya, ", "hi there. ", "", "", "", "")
_SIGNOFFS = ("", "", "", " thanks", " pls help", "?", " x", " what do i do")
_NOTE_PREFIX = ("", "", "", "", "", "C/S ", "Caller states ", "Info: ", "UPPER")
_NOTE_SUFFIX = ("", "", "", "", "", " Caller's number withheld.", " Advised re preserving evidence.",
                " Caller calm.", " Call back number confirmed.")


@dataclass(frozen=True)
class Variant:
    """One narrative and the answers a handler would record for it."""

    text: str
    facts: dict[str, bool]

    @property
    def facts_json(self) -> RawJSON:
        return RawJSON(json.dumps(self.facts))


def _pick(rng: np.random.Generator, options: tuple[str, ...] | list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def fill(template: str, rng: np.random.Generator) -> str:
    """Fill a template's slots. Streets and places are ones any town of the county has."""
    town = _pick(rng, COUNTY_TOWNS)
    street, street2 = _pick(rng, COMMON_STREETS), _pick(rng, COMMON_STREETS)
    values = {k: _pick(rng, v) for k, v in _SLOTS.items()}
    values.update(
        street=street, street2=street2, town=town,
        age=str(int(rng.integers(11, 17))), age_old=str(int(rng.integers(78, 96))),
        amount=f"£{int(rng.choice([45, 80, 120, 250, 400, 650, 1200, 2500, 4800, 12000]))}",
        ref=f"SP-{int(rng.integers(2024, 2027))}{int(rng.integers(1, 13)):02d}{int(rng.integers(1, 29)):02d}"
            f"-{int(rng.integers(1, 2000)):04d}",
        hours=str(int(rng.integers(6, 12))),
    )
    values["place"] = _pick(rng, PLACES).format(street=street)
    values["road"] = _pick(rng, ROADS).format(street=street, street2=street2)
    return template.format(**values)


def misspell(text: str, rng: np.random.Generator) -> str:
    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        wrong = _MISSPELL.get(word.lower())
        return wrong if wrong and rng.random() < 0.7 else word

    return re.sub(r"[A-Za-z]+", swap, text)


def chatify(text: str, rng: np.random.Generator) -> str:
    out = text.lower() if rng.random() < 0.7 else text
    for pattern, repl in _CHAT:
        if rng.random() < 0.6:
            out = re.sub(pattern, repl, out, flags=re.IGNORECASE)
    out = out.rstrip(".")
    return _pick(rng, _GREETINGS) + out + _pick(rng, _SIGNOFFS)


def note_style(text: str, rng: np.random.Generator) -> str:
    """A handler's habits: shorthand at the start, the odd note typed in capitals, a closing remark."""
    prefix = _pick(rng, _NOTE_PREFIX)
    if prefix == "UPPER":
        return text.upper()
    if prefix and not text.startswith(("Caller", "C/S")):
        text = prefix + text[0].lower() + text[1:] if prefix != "Info: " else prefix + text
    return text + _pick(rng, _NOTE_SUFFIX)


def make_variant(kind_id: str, style: str, rng: np.random.Generator) -> Variant:
    texts = NARRATIVES[kind_id]
    notes, own = texts["note"], texts["own"]
    if style == "note":
        if own and rng.random() < 0.2:
            template, facts = own[int(rng.integers(len(own)))]
            text = "Caller says: '" + fill(template, rng) + "'"
        else:
            template, facts = notes[int(rng.integers(len(notes)))]
            text = note_style(fill(template, rng), rng)
    else:
        pool = own or notes
        template, facts = pool[int(rng.integers(len(pool)))]
        text = fill(template, rng)
        if style == "chat":
            text = chatify(text, rng)
    if rng.random() < 0.15:
        text = misspell(text, rng)
    return Variant(text, dict(facts))


class NarrativePool:
    """A fixed set of narratives per kind and channel style, made from the seed (lazily, on first use).

    The words are the same in every area (streets and places any town has), so the pool stays small
    and its triage results can be reused across the county; the contact's own location says where.
    """

    def __init__(self, seed: int, size: int = VARIANTS) -> None:
        self.seed = seed
        self.size = size
        self.variants: dict[tuple[int, int], list[Variant]] = {}

    def get(self, kind: int, style: int, variant: int) -> Variant:
        key = (kind, style)
        found = self.variants.get(key)
        if found is None:
            rng = np.random.default_rng([self.seed, 2, kind, style])
            found = [make_variant(KINDS[kind].id, STYLES[style], rng) for _ in range(self.size)]
            self.variants[key] = found
        return found[variant % self.size]


def style_of(channel: str) -> int:
    return {"999": 0, "101": 0, "chat": 1, "online": 2}[channel]


# Where a narrative says it happened ("outside the chip shop on Mill Lane", "a fight on High Street"),
# so the contact's location can agree with its words. A street someone left "towards" is not the place.
_STREET_ALT = "|".join(re.escape(s) for s in sorted(COMMON_STREETS, key=len, reverse=True))
_CANONICAL = {s.lower(): s for s in COMMON_STREETS}
_PLACE_RES = [(re.compile(re.escape(p).replace(re.escape("{street}"), f"({_STREET_ALT})"), re.IGNORECASE), p)
              for p in sorted(PLACES + tuple(r for r in ROADS if r != "{street}" and "{street2}" not in r),
                              key=len, reverse=True)]
_STREET_RE = re.compile(rf"\b(?<!towards )(?<!down )(?<!along )({_STREET_ALT})\b", re.IGNORECASE)


def place_in(text: str) -> str | None:
    """The place a narrative names, as a location line ("The Co-op on High Street"), or None."""
    return _place_in(text)


@lru_cache(maxsize=8192)
def _place_in(text: str) -> str | None:
    best: tuple[int, str] | None = None
    for pattern, template in _PLACE_RES:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            street = _CANONICAL.get(m.group(1).lower(), m.group(1)) if m.groups() else ""
            place = template.format(street=street) if "{street}" in template else template
            place = place.removeprefix("outside ")
            best = (m.start(), place[0].upper() + place[1:])
    if best is not None:
        return best[1]
    m = _STREET_RE.search(text)
    return _CANONICAL.get(m.group(1).lower()) if m else None
