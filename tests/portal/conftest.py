"""Helpers for the victim's own page: a crime with a victim (and its access code), and signing in."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest


@dataclass
class Case:
    crime_id: int
    victim_id: int
    code: str

    @property
    def reference(self) -> str:
        return f"CR{self.crime_id}"


@pytest.fixture
def make_case(db, who, make_contact):  # type: ignore[no-untyped-def]
    """make_case(offence=..., domestic=..., parties=...) -> Case with the code issued at recording."""
    from bluelamp.crime import service as crimes
    from bluelamp.victims import portal_codes
    from bluelamp.victims.service import victims_of

    def make(offence: str = "burglary_residential", domestic: bool = False, parties: list | None = None,
             team: str = "test-team") -> Case:
        with db.unit_of_work() as session:
            crime = crimes.record_crime(
                session, who("investigator", team=team), offence=offence, risk="medium", contact_id=make_contact(),
                domestic=domestic, parties=parties or [{"role": "victim", "name": "Jo Bloggs", "dob": "1985-05-05"}])
            victim = victims_of(session, crime.id)[0]
            code = portal_codes.issued_in(session)[victim.id][0]
            return Case(crime.id, victim.id, code)

    return make


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the form carries no CSRF token"
    return found.group(1)


def sign_in(client, reference: str, code: str):  # type: ignore[no-untyped-def]
    token = form_token(client.get("/my-case").text)
    return client.post("/my-case/sign-in", data={"reference": reference, "code": code, "csrf_token": token},
                       follow_redirects=False)


def post(client, path: str, data: dict):  # type: ignore[no-untyped-def]
    token = form_token(client.get("/my-case").text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
