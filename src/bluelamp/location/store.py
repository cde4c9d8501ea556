"""Tables of the location context: the gazetteer, how each contact's location was obtained, the
contacts linked to an incident, unit position history (AVL), imported street-level crime and the
force's area boundaries (beats, neighbourhoods, LSOAs)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bluelamp.db.base import Base, UTCDateTime


class GazetteerEntry(Base):
    """A named place the force's gazetteer knows: a street, place, postcode or landmark, with its point."""

    __tablename__ = "gazetteer_entry"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_gazetteer_source_external_id"),
                      Index("ix_gazetteer_uprn", "uprn"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))  # os-open-names, code-point-open, addressbase ...
    external_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # street, place, postcode, landmark, address
    name: Mapped[str] = mapped_column(String(200))
    locality: Mapped[str | None] = mapped_column(String(120), nullable=True)  # town or district
    postcode: Mapped[str | None] = mapped_column(String(10), nullable=True)
    uprn: Mapped[str | None] = mapped_column(String(12), nullable=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class ContactLocation(Base):
    """How a contact's position was obtained, and what was given for it (grid reference, UPRN,
    what3words as given, the gazetteer entry the handler confirmed)."""

    __tablename__ = "contact_location"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str | None] = mapped_column(String(16), nullable=True)  # given, grid_ref, uprn, gazetteer
    grid_ref: Mapped[str | None] = mapped_column(String(32), nullable=True)
    uprn: Mapped[str | None] = mapped_column(String(12), nullable=True)
    what3words: Mapped[str | None] = mapped_column(String(120), nullable=True)
    gazetteer_ref: Mapped[str | None] = mapped_column(String(120), nullable=True)
    match_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)  # a person chose this match
    precision_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    beat: Mapped[str | None] = mapped_column(String(120), nullable=True)  # from the stored boundaries


class IncidentContact(Base):
    """A further contact about an incident (the incident's own contact is `incident.contact_id`)."""

    __tablename__ = "incident_contact"
    __table_args__ = (UniqueConstraint("contact_id", name="uq_incident_contact_contact"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    linked_by: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class UnitPosition(Base):
    """One position of a unit from the vehicle-location feed (the unit row keeps the latest)."""

    __tablename__ = "unit_position"
    __table_args__ = (Index("ix_unit_position_unit_at", "unit_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StreetCrime(Base):
    """One row of data.police.uk street-level crime (month resolution, anonymised snap point)."""

    __tablename__ = "street_crime"
    __table_args__ = (UniqueConstraint("row_key", name="uq_street_crime_row_key"),
                      Index("ix_street_crime_month", "month", "crime_type"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    row_key: Mapped[str] = mapped_column(String(64))  # Crime ID, or a digest of the row for ASB (no ID)
    month: Mapped[date] = mapped_column(Date)
    crime_type: Mapped[str] = mapped_column(String(64))
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lsoa_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    lsoa_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(200), nullable=True)
    area: Mapped[str | None] = mapped_column(String(64), nullable=True)
    h3_cell: Mapped[str | None] = mapped_column(String(16), nullable=True)


class AreaBoundary(Base):
    """One imported boundary (`bluelamp import boundaries`): a policing area, beat, neighbourhood or LSOA.

    The geometry is GeoJSON (Polygon or MultiPolygon, WGS84 longitude/latitude), checked when imported;
    the box beside it lets a look-up skip boundaries far from a point.
    """

    __tablename__ = "area_boundary"
    __table_args__ = (UniqueConstraint("layer", "code", name="uq_area_boundary_layer_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    layer: Mapped[str] = mapped_column(String(16))  # area, beat, neighbourhood, lsoa
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    urban: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    geometry: Mapped[str] = mapped_column(Text)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200))  # the file it came from
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
