"""The plan: every contact of the period as numpy arrays (when, channel, kind, where, who), no text yet.

Each local date is drawn from its own random stream (seed, date), so a date's contacts do not depend
on how long a history is seeded or when. The whole period is planned at once (a year in about two
seconds), so repeat callers and repeat victims are counted exactly as the spine's matching would count
them, even though the rows are then written newest first.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta

import numpy as np

from bluelamp.clock import LONDON
from bluelamp.synth import shapes
from bluelamp.synth.kinds import (
    ANONYMOUS,
    KIND_INDEX,
    KINDS,
    MISSING_CHILD,
    OLDER_CALLER,
    PARTNER,
    PERSONAS,
    SUBJECT_OLDER,
)
from bluelamp.synth.people import Population

ROLES = ("victim", "suspect", "witness", "other")
ROLE_INDEX = {r: i for i, r in enumerate(ROLES)}
ANSWER_SHARE = {"999": 0.65, "101": 0.35, "chat": 0.0, "online": 0.0}
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass
class Plan:
    """One row per contact, sorted by time. Person numbers index the Population; -1 means nobody."""

    t: np.ndarray          # received, epoch seconds UTC (int64)
    day: np.ndarray        # local date ordinal
    seq: np.ndarray        # number within its date and channel (for the external reference)
    channel: np.ndarray    # index into shapes.CHANNELS
    kind: np.ndarray       # index into KINDS
    house: np.ndarray      # household of the location, or -1
    town: np.ndarray       # index into Population.towns
    dlat: np.ndarray       # offset of the location from the household or town centre
    dlon: np.ndarray
    caller: np.ndarray
    caller_role: np.ndarray
    other: np.ndarray
    other_role: np.ndarray
    variant: np.ndarray
    answered: np.ndarray   # the handler recorded THRIVE answers
    earlier_calls: np.ndarray    # contacts by the same caller in the repeat window before this one
    earlier_victim: np.ndarray   # contacts in which this contact's victim was the victim, same window

    def __len__(self) -> int:
        return len(self.t)

    def take(self, index: np.ndarray) -> Plan:
        return Plan(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


class Personas:
    """The frequent callers: who they are, how often they call, and who else is in their contacts."""

    def __init__(self, pop: Population, seed: int) -> None:
        rng = np.random.default_rng([seed, 3])
        people, groups, rates, others = [], [], [], []
        for gi, (name, (count, mean_rate, _kinds, _mix)) in enumerate(PERSONAS.items()):
            if name == "carer_missing":
                teens = rng.choice(pop.teens, size=count, replace=False)
                chosen = pop.h_adult[pop.household[teens]]
                other = teens
            elif name == "da_victim":
                couples = np.flatnonzero(pop.h_partner >= 0)
                homes = rng.choice(couples, size=count, replace=False)
                chosen = np.where(rng.random(count) < 0.8, pop.h_partner[homes], pop.h_adult[homes])
                partner = np.where(chosen == pop.h_adult[homes], pop.h_partner[homes], pop.h_adult[homes])
                ex = rng.choice(pop.adults, size=count)
                other = np.where(rng.random(count) < 0.6, partner, ex)
            elif name == "worried_older":
                chosen = rng.choice(pop.older, size=count, replace=False)
                other = np.full(count, -1)
            else:
                chosen = rng.choice(pop.adults, size=count, replace=False)
                other = np.full(count, -1)
            people.append(chosen)
            groups.append(np.full(count, gi))
            rates.append(rng.gamma(2.0, mean_rate / 2.0, size=count))
            others.append(other)
        self.person = np.concatenate(people).astype(np.int32)
        self.group = np.concatenate(groups).astype(np.int8)
        self.rate = np.concatenate(rates)
        self.other = np.concatenate(others).astype(np.int32)
        self.names = list(PERSONAS)
        mix = np.array([PERSONAS[n][3] for n in self.names])  # group x channel
        self.weight = self.rate[:, None] * mix[self.group]     # person x channel, contacts a year
        self.kinds = [np.array([KIND_INDEX[k] for k in PERSONAS[n][2]]) for n in self.names]

    def daily_mean(self, channel: int) -> float:
        return float(self.weight[:, channel].sum() / 365.25)


class Planner:
    """Plans contacts for any range of dates; the same seed always gives the same plan for a date."""

    def __init__(self, seed: int, pop: Population, window_days: int = 365) -> None:
        self.seed = seed
        self.pop = pop
        self.personas = Personas(pop, seed)
        self.window_days = window_days
        weights = np.array([k.weights for k in KINDS], dtype=float)  # kind x channel
        tod = np.array([k.tod for k in KINDS], dtype=float)           # kind x bucket
        probs = weights[:, :, None] * tod[:, None, :]                  # kind x channel x bucket
        self.kind_p = probs / probs.sum(axis=0, keepdims=True)
        self.who = np.array([k.who for k in KINDS])
        self.home = np.array([k.at_home for k in KINDS])
        self.role = np.array([ROLE_INDEX[k.caller_role] for k in KINDS], dtype=np.int8)
        self.couples = np.flatnonzero(pop.h_partner >= 0).astype(np.int32)

    def plan(self, start: datetime, end: datetime) -> Plan:
        """Every contact received in [start, end), sorted by time, with repeat counts worked out."""
        first = start.astimezone(LONDON).date()
        last = end.astimezone(LONDON).date()
        days = [self.day(first + timedelta(days=i)) for i in range((last - first).days + 1)]
        columns = {name: np.concatenate([d[name] for d in days]) for name in days[0]}
        t0, t1 = int(start.timestamp()), int(end.timestamp())
        keep = (columns["t"] >= t0) & (columns["t"] < t1)
        columns = {k: v[keep] for k, v in columns.items()}
        order = np.argsort(columns["t"], kind="stable")
        columns = {k: v[order] for k, v in columns.items()}
        window = self.window_days * 86400
        columns["earlier_calls"] = _earlier(columns["caller"], columns["t"], window)
        victim = np.where(columns["caller_role"] == 0, columns["caller"],
                          np.where(columns["other_role"] == 0, columns["other"], -1))
        columns["earlier_victim"] = _earlier(victim, columns["t"], window)
        return Plan(**columns)

    def day(self, day: date) -> dict[str, np.ndarray]:
        rng = np.random.default_rng([self.seed, 1, day.toordinal()])
        parts = [self._channel_day(rng, day, ci, ch) for ci, ch in enumerate(shapes.CHANNELS)]
        return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}

    def _channel_day(self, rng: np.random.Generator, day: date, ci: int, channel: str) -> dict[str, np.ndarray]:
        pop, per = self.pop, self.personas
        level = shapes.expected_daily(day, channel) * float(np.exp(rng.normal(0.0, 0.05)))
        persona_mean = per.daily_mean(ci) * level / shapes.DAILY_MEAN[channel]
        n_base = int(rng.poisson(max(level - persona_mean, 0.0)))
        n_per = int(rng.poisson(persona_mean))
        n = n_base + n_per
        hours = rng.choice(24, size=n, p=shapes.hourly_weights(day, channel))
        secs = hours * 3600 + rng.integers(0, 3600, size=n)
        bucket = np.where((hours >= 8) & (hours < 17), 0, np.where((hours >= 17) & (hours < 23), 1, 2))
        kind = np.zeros(n, dtype=np.int16)
        for b in range(3):
            mask = bucket[:n_base] == b
            kind[:n_base][mask] = rng.choice(len(KINDS), size=int(mask.sum()), p=self.kind_p[:, ci, b])
        caller, other, house, other_role = self._people(rng, kind[:n_base])
        role = self.role[kind].copy()
        if n_per:
            w = per.weight[:, ci]
            who = rng.choice(len(w), size=n_per, p=w / w.sum())
            kinds = np.array([per.kinds[g][rng.integers(len(per.kinds[g]))] for g in per.group[who]], dtype=np.int16)
            kind[n_base:] = kinds
            p_caller, p_other = per.person[who], per.other[who]
            p_other_role = np.where(self.who[kinds] == PARTNER, 1, np.where(p_other >= 0, 3, 0)).astype(np.int8)
            p_other = np.where(np.isin(self.who[kinds], (PARTNER, MISSING_CHILD)), p_other, -1)
            p_other_role = np.where(p_other >= 0, p_other_role, 0).astype(np.int8)
            p_house = pop.household[np.where(self.who[kinds] == MISSING_CHILD, np.maximum(p_other, 0), p_caller)]
            caller = np.concatenate([caller, p_caller])
            other = np.concatenate([other, p_other])
            other_role = np.concatenate([other_role, p_other_role])
            house = np.concatenate([house, p_house])
            role[n_base:] = np.where(per.group[who] == per.names.index("shop_security"), 2, role[n_base:])
        at_home = self.home[kind] & (house >= 0)
        anywhere = rng.integers(0, len(pop.h_town), size=n)
        town = pop.h_town[np.where(house >= 0, house, anywhere)]
        spread = np.where(at_home, 0.0, 1.0)
        return {
            "t": _to_utc(day, secs), "day": np.full(n, day.toordinal(), dtype=np.int32),
            "seq": np.arange(n, dtype=np.int32), "channel": np.full(n, ci, dtype=np.int8), "kind": kind,
            "house": np.where(at_home, house, -1).astype(np.int32), "town": town.astype(np.int16),
            "dlat": (rng.normal(0, 1, n) * spread * 1.2 / 111).astype(np.float32),
            "dlon": (rng.normal(0, 1, n) * spread * 1.2 / 68).astype(np.float32),
            "caller": caller.astype(np.int32), "caller_role": role.astype(np.int8),
            "other": other.astype(np.int32), "other_role": other_role.astype(np.int8),
            "variant": rng.integers(0, 1 << 15, size=n).astype(np.int16),
            "answered": rng.random(n) < ANSWER_SHARE[channel],
        }

    def _people(self, rng: np.random.Generator, kind: np.ndarray) -> tuple[np.ndarray, ...]:
        """Callers, other people, the household of the location and the other person's role."""
        pop, n = self.pop, len(kind)
        who = self.who[kind]
        caller = rng.choice(pop.adults, size=n)
        older = (who == OLDER_CALLER) & (rng.random(n) < 0.4)
        caller = np.where(older, rng.choice(pop.older, size=n), caller)
        other = np.full(n, -1, dtype=np.int32)
        other_role = np.zeros(n, dtype=np.int8)
        house = pop.household[caller]
        # Domestic abuse: the victim calls; the suspect is their partner, or an ex living elsewhere.
        m = who == PARTNER
        homes = rng.choice(self.couples, size=int(m.sum()))
        victim_first = rng.random(len(homes)) < 0.25
        victim = np.where(victim_first, pop.h_adult[homes], pop.h_partner[homes])
        partner = np.where(victim_first, pop.h_partner[homes], pop.h_adult[homes])
        ex = rng.choice(pop.adults, size=len(homes))
        caller[m], house[m] = victim, homes
        other[m] = np.where(rng.random(len(homes)) < 0.7, partner, ex)
        other_role[m] = ROLE_INDEX["suspect"]
        # Concern for an older person in another household.
        m = who == SUBJECT_OLDER
        subject = rng.choice(pop.older, size=int(m.sum()))
        other[m], other_role[m], house[m] = subject, ROLE_INDEX["other"], pop.household[subject]
        # A child of the caller's household is missing.
        m = who == MISSING_CHILD
        teen = rng.choice(pop.teens, size=int(m.sum()))
        other[m], other_role[m] = teen, ROLE_INDEX["other"]
        house[m] = pop.household[teen]
        caller[m] = pop.h_adult[house[m]]
        m = who == ANONYMOUS
        caller[m], house[m] = -1, -1
        return caller, other, house, other_role


def _to_utc(day: date, secs: np.ndarray) -> np.ndarray:
    """Local seconds after midnight on a London date to epoch seconds UTC (DST-aware)."""
    base = (day.toordinal() - _EPOCH_ORDINAL) * 86400
    midnight = datetime(day.year, day.month, day.day, tzinfo=LONDON)
    off0 = int(midnight.utcoffset().total_seconds())  # type: ignore[union-attr]
    off1 = int((midnight + timedelta(hours=12)).utcoffset().total_seconds())  # type: ignore[union-attr]
    # Clocks change at 01:00 UTC; a local time before 02:00 keeps the midnight offset.
    offset = np.where(secs < 7200, off0, off1)
    return (base + secs - offset).astype(np.int64)


def _earlier(person: np.ndarray, t: np.ndarray, window: int) -> np.ndarray:
    """For each row, how many earlier rows of the same person fall in [t - window, t)."""
    out = np.zeros(len(person), dtype=np.int32)
    known = np.flatnonzero(person >= 0)
    if not len(known):
        return out
    tt = t[known] - int(t.min()) + window + 1
    key = person[known].astype(np.int64) * (1 << 36) + tt
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    lo = np.searchsorted(sorted_key, sorted_key - window, side="left")
    lo_same = np.searchsorted(sorted_key, sorted_key, side="left")  # rows at the very same second are not earlier
    out[known[order]] = (lo_same - lo).astype(np.int32)
    return out


def utc(ts: int) -> datetime:
    return datetime.fromtimestamp(int(ts), UTC)
