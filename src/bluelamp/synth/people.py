"""The demo force's population: households with addresses, people with names, phones and dates of birth.

Built once per seed as numpy arrays (about 1.1 million people in 470,000 households, in well under a
second); the text of a name, phone or address is made only when a person is written to the database.
Phones are unique by construction (an affine bijection of the person's index), so the spine's matching
never merges two demo people by accident. Ages are fixed against 1 July 2025, so a seed's people do not
change with the day the demo is seeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from bluelamp.contact.matching import text_key
from bluelamp.synth.areas import AREAS, COMMON_STREETS, Town

AGE_REFERENCE = date(2025, 7, 1)
ADULT, CHILD, OLDER = 0, 1, 2

FIRST_F = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Emily", "Grace", "Sophie", "Chloe", "Jessica", "Lucy", "Hannah",
    "Sarah", "Emma", "Laura", "Rebecca", "Charlotte", "Gemma", "Kelly", "Nicola", "Amy", "Danielle", "Zoe",
    "Aisha", "Fatima", "Priya", "Agnieszka", "Oksana", "Maria", "Leah", "Jade", "Stacey", "Kirsty", "Natalie",
)
FIRST_M = (
    "Oliver", "George", "Harry", "Jack", "Noah", "Leo", "Jacob", "Thomas", "James", "Daniel", "Matthew", "Ryan",
    "Liam", "Craig", "Lee", "Mark", "Paul", "Darren", "Jamie", "Adam", "Luke", "Callum", "Kieran", "Dean",
    "Mohammed", "Imran", "Arjun", "Piotr", "Tomasz", "Kwame", "Andrei", "Scott", "Wayne", "Gary",
)
FIRST_F_OLD = ("Margaret", "Jean", "Joan", "Doreen", "Brenda", "Patricia", "Sheila", "Irene", "Barbara", "Dorothy",
               "Maureen", "Eileen", "Pauline", "Valerie")
FIRST_M_OLD = ("John", "Brian", "Kenneth", "Dennis", "Roy", "Derek", "Keith", "Alan", "Ronald", "Colin",
               "Trevor", "Malcolm", "Geoffrey", "Raymond")
SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
    "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris",
    "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore",
    "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson",
    "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter",
    "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan",
    "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Hussain", "Ali", "Ahmed", "Kaur",
    "Nowak", "Kowalski", "Wisniewski", "Okafor", "Mensah", "Popescu", "Bloor", "Plant", "Salt", "Capewell",
    "Boulton", "Hassall", "Machin", "Tatton", "Goodwin", "Heath", "Proctor", "Mellor", "Bagnall", "Beardmore",
)

# Household compositions: (share, adults, children (mean of 1..3), older people)
_COMPOSITIONS = (
    (0.20, 1, 0, 0),   # one adult
    (0.22, 2, 0, 0),   # couple
    (0.20, 2, 1, 0),   # couple with children
    (0.08, 1, 1, 0),   # single parent
    (0.08, 0, 0, 1),   # older person alone
    (0.06, 1, 0, 1),   # older couple (one 75+)
    (0.10, 3, 0, 0),   # sharers or grown-up children
    (0.06, 2, 1, 1),   # three generations
)


@dataclass(frozen=True)
class Household:
    """Where a household lives: address text, town and coordinates."""

    address: str
    address_key: str
    town: Town
    area: str
    lat: float
    lon: float


class Population:
    """Every demo person and household, as arrays indexed by person or household number."""

    def __init__(self, seed: int, size: int = 1_100_000) -> None:
        rng = np.random.default_rng([seed, 0])
        self.seed = seed
        self._homes: dict[int, Household] = {}
        self.towns: list[tuple[Town, int]] = [(t, ai) for ai, a in enumerate(AREAS) for t in a.towns]
        comp_share = np.array([c[0] for c in _COMPOSITIONS])
        mean_size = sum(c[0] * (c[1] + 2.0 * c[2] + c[3]) for c in _COMPOSITIONS)
        n_house = int(size / mean_size)
        comp = rng.choice(len(_COMPOSITIONS), size=n_house, p=comp_share / comp_share.sum())
        adults = np.array([c[1] for c in _COMPOSITIONS])[comp]
        kids = np.array([c[2] for c in _COMPOSITIONS])[comp] * rng.integers(1, 4, size=n_house)
        older = np.array([c[3] for c in _COMPOSITIONS])[comp]
        self._households(rng, n_house)
        self._people(rng, adults, kids, older)

    def _households(self, rng: np.random.Generator, n: int) -> None:
        weights = np.array([t.population for t, _ in self.towns], dtype=float)
        self.h_town = rng.choice(len(self.towns), size=n, p=weights / weights.sum()).astype(np.int16)
        self.h_number = rng.integers(1, 180, size=n).astype(np.int16)
        self.h_street = rng.integers(0, 64, size=n).astype(np.int16)
        self.h_pc = rng.integers(0, 10_000, size=n).astype(np.int32)
        spread = np.array([t.spread_km for t, _ in self.towns])[self.h_town]
        self.h_dlat = (rng.normal(0, 1, n) * spread / 111.0).astype(np.float32)
        self.h_dlon = (rng.normal(0, 1, n) * spread / 68.0).astype(np.float32)
        self.h_urban = np.array([t.urban for t, _ in self.towns])[self.h_town]
        self.h_area = np.array([ai for _, ai in self.towns], dtype=np.int8)[self.h_town]

    def _people(self, rng: np.random.Generator, adults: np.ndarray, kids: np.ndarray, older: np.ndarray) -> None:
        n_house = len(adults)
        hh = np.arange(n_house)
        house = np.concatenate([np.repeat(hh, adults), np.repeat(hh, kids), np.repeat(hh, older)])
        kind = np.concatenate([np.full(adults.sum(), ADULT), np.full(kids.sum(), CHILD), np.full(older.sum(), OLDER)])
        order = np.lexsort((kind, house))  # members of a household together, adults first
        self.household = house[order].astype(np.int32)
        self.kind = kind[order].astype(np.int8)
        n = len(self.household)
        self.size = n
        age = np.where(self.kind == CHILD, rng.integers(0, 18, n),
                       np.where(self.kind == OLDER, rng.integers(75, 96, n), rng.triangular(18, 35, 75, n).astype(int)))
        self.dob_days = (AGE_REFERENCE.toordinal() - age * 365.25 - rng.integers(0, 365, n)).astype(np.int32)
        self.female = rng.random(n) < 0.51
        self.first = rng.integers(0, 1 << 15, n).astype(np.int32)
        surname = rng.integers(0, len(SURNAMES), n_house)
        own = rng.random(n) < 0.15
        self.surname = np.where(own, rng.integers(0, len(SURNAMES), n), surname[self.household]).astype(np.int16)
        self.has_phone = np.where(self.kind == CHILD, (age >= 12) & (rng.random(n) < 0.7), rng.random(n) < 0.96)
        self.landline = (self.kind == OLDER) & (rng.random(n) < 0.6)
        self.phone_style = rng.integers(0, 10, n).astype(np.int8)
        self.disability = rng.random(n) < 0.03
        self.mental_health = (self.kind == ADULT) & (rng.random(n) < 0.02)
        starts = np.searchsorted(self.household, hh)
        self.h_first = starts.astype(np.int32)
        self.h_size = (adults + kids + older).astype(np.int8)
        self.adults = np.flatnonzero(self.kind == ADULT).astype(np.int32)
        self.children = np.flatnonzero(self.kind == CHILD).astype(np.int32)
        self.older = np.flatnonzero(self.kind == OLDER).astype(np.int32)
        # The first adult of each household (or -1): parents, partners and carers.
        first_adult = np.full(n_house, -1, dtype=np.int32)
        first_adult[self.household[self.adults][::-1]] = self.adults[::-1]
        self.h_adult = first_adult
        second = np.full(n_house, -1, dtype=np.int32)
        is_second = (self.kind == ADULT) & (np.arange(n) == self.h_first[self.household] + 1)
        second[self.household[is_second]] = np.flatnonzero(is_second)
        self.h_partner = second
        teen = self.children[(AGE_REFERENCE.toordinal() - self.dob_days[self.children]) > 12 * 365.25]
        self.teens = teen[self.h_adult[self.household[teen]] >= 0]

    # --- text, made on demand -------------------------------------------------------------------------

    def name(self, i: int) -> str:
        first = self.first[i]
        names: tuple[str, ...]
        if self.kind[i] == OLDER:
            names = FIRST_F_OLD if self.female[i] else FIRST_M_OLD
        else:
            names = FIRST_F if self.female[i] else FIRST_M
        return f"{names[first % len(names)]} {SURNAMES[self.surname[i]]}"

    def first_name(self, i: int) -> str:
        return self.name(i).split(" ", 1)[0]

    def dob(self, i: int) -> date:
        return date.fromordinal(int(self.dob_days[i]))

    def age_on(self, i: int, day: date) -> int:
        dob = self.dob(i)
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def phone(self, i: int) -> str | None:
        if not self.has_phone[i]:
            return None
        # Unique per person: an affine bijection of the index modulo 10^9 (A is coprime with 10).
        digits = f"{(i * 387_420_489 + 1_000_003 * (self.seed % 997)) % 1_000_000_000:09d}"
        if self.landline[i]:
            return f"01{digits[:3]} {digits[3:]}"
        style = self.phone_style[i]
        if style == 0:
            return f"+44 7{digits[:3]} {digits[3:]}"
        if style == 1:
            return f"07{digits}"
        return f"07{digits[:3]} {digits[3:]}"

    def home(self, house: int) -> Household:
        found = self._homes.get(house)
        if found is None:
            found = self._homes[house] = self._make_home(house)
        return found

    def _make_home(self, house: int) -> Household:
        town, area_i = self.towns[self.h_town[house]]
        area = AREAS[area_i]
        local = area.streets + COMMON_STREETS
        street = local[int(self.h_street[house]) % len(local)]
        pc = int(self.h_pc[house])
        postcode = f"{area.postcodes[pc % len(area.postcodes)]} {pc // 1000 % 10}{'ABDEFGHJLNPQRSTUWXYZ'[pc % 20]}" \
                   f"{'ABDEFGHJLNPQRSTUWXYZ'[pc // 20 % 20]}"
        address = f"{self.h_number[house]} {street}, {town.name}, {postcode}"
        return Household(address, text_key(address) or "", town, area.name, town.lat + float(self.h_dlat[house]),
                         town.lon + float(self.h_dlon[house]))

    def markers(self, i: int, day: date) -> list[str]:
        """Vulnerability markers the force would hold: child, older person, disability, mental health."""
        out = []
        years = (day.toordinal() - int(self.dob_days[i])) / 365.25
        # Near a birthday that matters, work the age out exactly.
        age = self.age_on(i, day) if 17 < years < 19 or 74 < years < 76 else int(years)
        if age < 18:
            out.append("child")
        if age >= 75:
            out.append("older_person")
        if self.disability[i]:
            out.append("disability")
        if self.mental_health[i]:
            out.append("mental_health")
        return out

    def members(self, house: int) -> range:
        start = int(self.h_first[house])
        return range(start, start + int(self.h_size[house]))



@lru_cache(maxsize=2)
def population(seed: int) -> Population:
    """The population of a seed, built once per process (it never changes after it is built)."""
    return Population(seed)
