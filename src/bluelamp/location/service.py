"""Use cases of the location context: resolve a contact's location, match free text, the area of a point.

A location is resolved in one order, and records how: coordinates as given (`given`), an OS grid
reference (`grid_ref`), a UPRN found in the gazetteer (`uprn`), the gazetteer entry the handler
confirmed, or free text matched with one clear winner (`gazetteer`); otherwise the position stays
unknown (`source` null) and the recommendation says so. A what3words address is kept as given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bluelamp.db.base import table
from bluelamp.location import boundaries, gazetteer
from bluelamp.location.model import LocationError, check_uprn, distance_m
from bluelamp.location.store import ContactLocation, GazetteerEntry
from bluelamp.policy import Policy, load_policy


def rules(policy: Policy | None = None) -> Any:
    return (policy or load_policy()).doc("location")


@dataclass
class Resolved:
    """Where a contact is, and how that was found out."""

    lat: float | None = None
    lon: float | None = None
    source: str | None = None
    urban: bool | None = None  # None: not known from the position (the contact's own flag stands)
    area: str | None = None
    beat: str | None = None
    grid_ref: str | None = None
    uprn: str | None = None
    what3words: str | None = None
    gazetteer_ref: str | None = None
    match_score: float | None = None
    confirmed: bool = False
    precision_m: float | None = None
    label: str | None = None

    def record(self, session: Session, contact_id: int) -> None:
        # A plain INSERT (no ORM object): nothing reads the row back in the contact's transaction.
        session.execute(insert(table(ContactLocation)), [{"contact_id": contact_id, **self.row()}])

    def row(self) -> dict[str, Any]:
        """The contact_location row but its contact_id (recording a contact inserts it with the contact)."""
        return {"source": self.source, "grid_ref": self.grid_ref, "uprn": self.uprn, "what3words": self.what3words,
                "gazetteer_ref": self.gazetteer_ref, "match_score": self.match_score, "confirmed": self.confirmed,
                "precision_m": self.precision_m, "beat": self.beat}


# --- the gazetteer index ------------------------------------------------------------------------------


def index(session: Session, policy: Policy | None = None) -> gazetteer.Index:
    """The match index of the force's gazetteer (the demo force's too, where policy says so)."""
    demo = bool(rules(policy).gazetteer.demo)
    generation = (session.execute(select(func.max(GazetteerEntry.id))).scalar(), demo)

    def build() -> gazetteer.Index:
        rows = session.execute(select(
            GazetteerEntry.source, GazetteerEntry.external_id, GazetteerEntry.kind, GazetteerEntry.name,
            GazetteerEntry.locality, GazetteerEntry.postcode, GazetteerEntry.lat, GazetteerEntry.lon,
            GazetteerEntry.uprn)).all()
        entries = [gazetteer.Entry(f"{r[0]}:{r[1]}", r[2], r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows]
        return gazetteer.Index((gazetteer.demo_entries() if demo else []) + entries)

    return gazetteer.cached("force", generation, build)


def match(session: Session, query: str, limit: int | None = None, policy: Policy | None = None) -> list[gazetteer.Match]:
    doc = rules(policy).gazetteer
    return index(session, policy).match(query, limit=limit or doc.max_results, min_score=doc.min_score)


# --- area and urban from a position -------------------------------------------------------------------


def place_for(session: Session | None, lat: float, lon: float, policy: Policy | None = None) -> boundaries.Place:
    """The area, beat and urban/rural of a position: from the force's imported boundaries
    (`bluelamp import boundaries`) when it has any; else, for the demo force without them, the
    nearest demo town within the policy's distance; else nothing known."""
    return place_in(boundaries.index(session) if session is not None else None, lat, lon, policy)


def place_in(index: boundaries.Index | None, lat: float, lon: float, policy: Policy | None = None) -> boundaries.Place:
    """`place_for` with the boundaries' index already in hand (an import looks many positions up)."""
    if index is not None and len(index):
        return index.locate(lat, lon)
    area, urban = _nearest_demo_town(lat, lon, policy)
    return boundaries.Place(area=area, urban=urban)


def area_for(lat: float, lon: float, policy: Policy | None = None,
             session: Session | None = None) -> tuple[str | None, bool | None]:
    """(policing area, urban) of a position (see `place_for`)."""
    place = place_for(session, lat, lon, policy)
    return place.area, place.urban


def _nearest_demo_town(lat: float, lon: float, policy: Policy | None = None) -> tuple[str | None, bool | None]:
    """(policing area, urban) of the nearest demo town within the policy's distance, else (None, None)."""
    doc = rules(policy)
    if not doc.gazetteer.demo:
        return None, None
    from bluelamp.synth.areas import AREAS

    best: tuple[float, str, bool] | None = None
    for area in AREAS:
        for town in area.towns:
            d = distance_m(lat, lon, town.lat, town.lon)
            if best is None or d < best[0]:
                best = (d, area.name, town.urban)
    if best is None or best[0] > doc.area.max_km * 1000:
        return None, None
    return best[1], best[2]


# --- resolving a contact's location -------------------------------------------------------------------


def resolve(session: Session, location: Any, policy: Policy | None = None) -> Resolved:
    """Resolve a contact's `location` (contact.model.Location, already checked for shape)."""
    out = Resolved()
    if location is None:
        return out
    out.what3words = location.what3words
    if location.lat is not None and location.lon is not None:
        out.lat, out.lon, out.source = location.lat, location.lon, "given"
    if location.grid_ref:
        from bluelamp.location.grid import grid_ref_to_wgs84

        try:
            lat, lon, precision = grid_ref_to_wgs84(location.grid_ref)
        except ValueError as exc:
            raise LocationError(str(exc), "location.grid_ref") from None
        out.grid_ref = " ".join(location.grid_ref.upper().split())
        if out.source is None:
            out.lat, out.lon, out.source, out.precision_m = lat, lon, "grid_ref", precision
    if location.uprn:
        out.uprn = check_uprn(location.uprn)
        if out.source is None:
            row = session.execute(select(GazetteerEntry.lat, GazetteerEntry.lon)
                                  .where(GazetteerEntry.uprn == out.uprn).limit(1)).first()
            if row is not None:
                out.lat, out.lon, out.source = row[0], row[1], "uprn"
    if getattr(location, "gazetteer_ref", None):
        entry = index(session, policy).get(location.gazetteer_ref)
        if entry is None:
            raise LocationError("not an entry of the gazetteer: match the location again", "location.gazetteer_ref")
        out.gazetteer_ref, out.confirmed, out.label = entry.ref, True, entry.label
        if out.source is None:
            out.lat, out.lon, out.source = entry.lat, entry.lon, "gazetteer"
    elif out.source is None and location.description:
        _auto_match(session, location.description, out, policy)
    if out.lat is not None and out.lon is not None:
        place = place_for(session, out.lat, out.lon, policy)
        out.area, out.urban, out.beat = place.area, place.urban, place.beat
    return out


def _auto_match(session: Session, text: str, out: Resolved, policy: Policy | None) -> None:
    """Free text nobody confirmed: placed only when one entry clearly wins (fail safe: else unknown)."""
    doc = rules(policy).gazetteer
    found = match(session, text, limit=2, policy=policy)
    if not found or found[0].score < doc.auto_accept_score:
        return
    if len(found) > 1 and found[1].score >= found[0].score - 3:
        return  # two places fit as well: a person must choose
    best = found[0]
    out.lat, out.lon, out.source = best.entry.lat, best.entry.lon, "gazetteer"
    out.gazetteer_ref, out.match_score, out.label = best.entry.ref, best.score, best.entry.label


def location_of(session: Session, contact_id: int) -> ContactLocation | None:
    return session.get(ContactLocation, contact_id)


def location_json(row: ContactLocation | None, positioned: bool = False) -> dict[str, Any]:
    """The extra `location` fields of a stored contact: how its position was obtained (a contact
    stored before issue 15, or seeded in bulk, with a position: as given)."""
    if row is None:
        return {"source": "given" if positioned else None}
    return {"source": row.source, "grid_ref": row.grid_ref, "uprn": row.uprn, "what3words": row.what3words,
            "gazetteer_ref": row.gazetteer_ref, "confirmed": row.confirmed, "precision_m": row.precision_m,
            "beat": row.beat}
