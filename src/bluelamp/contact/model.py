"""The contact as it arrives (CONTRACT.md "Contact (input)"), validated strictly at the edge."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Channel = Literal["999", "101", "chat", "online"]
PersonRole = Literal["victim", "suspect", "witness", "other"]

# Generous but bounded: stops a runaway client filling the database through one field.
MAX_NARRATIVE = 20_000
MAX_TEXT = 500


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Location(Strict):
    """Where it happened; a missing `urban` counts as urban (the stricter target)."""

    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    description: str | None = Field(default=None, max_length=MAX_TEXT)
    urban: bool | None = None
    # Issue 15: other ways to say where (bluelamp.location resolves them and records which was used).
    grid_ref: str | None = Field(default=None, max_length=32, description="OS grid reference, any precision")
    uprn: str | None = Field(default=None, max_length=12, description="Unique Property Reference Number")
    what3words: str | None = Field(default=None, max_length=120, description="kept as given")
    gazetteer_ref: str | None = Field(default=None, max_length=120,
                                      description="the gazetteer match the handler confirmed")

    @model_validator(mode="after")
    def _where(self) -> Location:
        from bluelamp.location.model import check_uprn, check_what3words, in_uk, parse_grid_ref

        if (self.lat is None) != (self.lon is None):
            raise ValueError("location.lat: give both lat and lon, or neither")
        if self.lat is not None and self.lon is not None and not in_uk(self.lat, self.lon):
            raise ValueError("location.lat: the coordinates are outside the UK (latitude and longitude in WGS84)")
        for name, check in (("grid_ref", parse_grid_ref), ("uprn", check_uprn), ("what3words", check_what3words)):
            value = getattr(self, name)
            if value is not None:
                try:
                    check(value)  # type: ignore[operator]
                except ValueError as exc:
                    raise ValueError(f"location.{name}: {exc}") from None
        return self

    @property
    def is_urban(self) -> bool:
        return self.urban is not False


class Person(Strict):
    """Someone involved: the caller or another person named in the contact."""

    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    dob: date | None = None
    address: str | None = Field(default=None, max_length=MAX_TEXT)
    role: PersonRole | None = None


class Answers(Strict):
    """What the handler established by asking; a given answer overrides the narrative."""

    weapon: bool | None = None
    injury: bool | None = None
    in_progress: bool | None = None
    suspect_present: bool | None = None
    child_present: bool | None = None
    threat_to_life: bool | None = None


class ContactIn(Strict):
    """A contact as received from any channel."""

    channel: Channel
    received_at: datetime | None = None
    # Why a received_at more than an hour ago is given (a contact written up late); imports do not need it.
    received_at_reason: str | None = Field(default=None, max_length=500)
    narrative: str = Field(max_length=MAX_NARRATIVE)
    location: Location | None = None
    caller: Person | None = None
    people: list[Person] = Field(default_factory=list, max_length=50)
    answers: Answers = Field(default_factory=Answers)

    @field_validator("received_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("received_at must carry a time zone (for example 2026-03-01T21:14:05Z)")
        return v

    @field_validator("channel", mode="before")
    @classmethod
    def _channel_text(cls, v: object) -> object:
        # 999 and 101 are often sent as numbers by other systems.
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @property
    def is_urban(self) -> bool:
        return self.location is None or self.location.is_urban

    def caller_role(self) -> str:
        if self.caller is None:
            return "victim"
        return self.caller.role or "victim"
