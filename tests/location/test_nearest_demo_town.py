"""The demo force's area from a position: the precomputed loop (session 13) chooses exactly what the
plain loop over model.distance_m chose."""

from __future__ import annotations

import random

from bluelamp.location import service
from bluelamp.location.model import distance_m
from bluelamp.policy import load_policy
from bluelamp.synth.areas import AREAS


def _plain(lat: float, lon: float) -> tuple[str | None, bool | None]:
    doc = service.rules(load_policy())
    best: tuple[float, str, bool] | None = None
    for area in AREAS:
        for town in area.towns:
            d = distance_m(lat, lon, town.lat, town.lon)
            if best is None or d < best[0]:
                best = (d, area.name, town.urban)
    if best is None or best[0] > doc.area.max_km * 1000:
        return None, None
    return best[1], best[2]


def test_same_town_as_the_plain_loop() -> None:
    rnd = random.Random(13)
    towns = [(t.lat, t.lon) for a in AREAS for t in a.towns]
    points = [(52.8 + rnd.random() / 10, -2.1 + rnd.random() / 10) for _ in range(2000)]
    points += [(50 + rnd.random() * 6, -5 + rnd.random() * 6) for _ in range(2000)]  # near and far
    points += towns + [((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) for a, b in zip(towns[:-1], towns[1:], strict=True)]  # on and between
    policy = load_policy()
    for lat, lon in points:
        assert service._nearest_demo_town(lat, lon, policy) == _plain(lat, lon), (lat, lon)

