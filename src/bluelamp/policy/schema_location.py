"""Schema of the location policy document (registered in `schema.DOCUMENTS`): issue 15."""

from __future__ import annotations

from pydantic import Field

from bluelamp.policy.schema import CROSS_CHECKS, DOCUMENTS, Strict


class GazetteerRules(Strict):
    demo: bool = False
    min_score: float = Field(ge=0, le=100)
    auto_accept_score: float = Field(ge=0, le=100)
    max_results: int = Field(ge=1, le=50)


class AreaRules(Strict):
    max_km: float = Field(gt=0)


class PositionRules(Strict):
    stale_after_minutes: float = Field(gt=0)
    max_future_seconds: float = Field(ge=0, le=3600)


class TravelRules(Strict):
    urban_kmh: float = Field(gt=0, le=200)
    rural_kmh: float = Field(gt=0, le=200)
    detour_factor: float = Field(ge=1, le=3)
    turnout_seconds: float = Field(ge=0, le=1800)


class DuplicateRules(Strict):
    distance_m: float = Field(gt=0, le=20_000)
    minutes: float = Field(gt=0, le=24 * 60)
    max_results: int = Field(ge=1, le=50)
    kind_flags: list[str] = Field(default_factory=list)


class HotspotRules(Strict):
    h3_resolution: int = Field(ge=4, le=11)


class LocationDoc(Strict):
    gazetteer: GazetteerRules
    area: AreaRules
    positions: PositionRules
    travel: TravelRules
    duplicates: DuplicateRules
    hotspots: HotspotRules


def _kind_flags_known(policy) -> None:  # type: ignore[no-untyped-def]
    if "location" not in policy.names:
        return
    known = set(policy.flags.ids())
    for flag in policy.doc("location").duplicates.kind_flags:
        if flag not in known:
            raise ValueError(f"location.yaml: duplicates.kind_flags: {flag!r} is not a flag of flags.yaml")


DOCUMENTS["location"] = LocationDoc
CROSS_CHECKS.append(_kind_flags_known)
