"""The one way times and flags are shown (web/templating.py filters on the shared Jinja environment)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bluelamp.web.templating import flagwords, localdate, localtime, templates

pytestmark = pytest.mark.nodb


def test_localtime_renders_london_summer_and_winter() -> None:
    assert localtime(datetime(2026, 12, 1, 7, 26, 6, tzinfo=UTC)) == "01 Dec 07:26"
    assert localtime(datetime(2026, 7, 1, 7, 26, tzinfo=UTC)) == "01 Jul 08:26"  # BST


def test_localtime_naive_is_utc_and_iso_strings_are_read() -> None:
    assert localtime(datetime(2026, 7, 1, 23, 30)) == "02 Jul 00:30"
    assert localtime("2026-12-02T07:26:06.238987Z") == "02 Dec 07:26"
    assert localtime("2026-07-02T07:26:06+00:00") == "02 Jul 08:26"


def test_localtime_never_raises_on_odd_values() -> None:
    assert localtime(None) == "—"
    assert localtime("") == "—"
    assert localtime("not a time") == "not a time"


def test_localdate() -> None:
    assert localdate(datetime(2026, 12, 1, 23, 59, tzinfo=UTC)) == "01 Dec 2026"
    assert localdate("2026-06-30T23:30:00Z") == "01 Jul 2026"


def test_flagwords_uses_policy_labels() -> None:
    assert flagwords(["threat_to_life", "weapon"]) == "Threat to life, Weapon"
    assert flagwords("elderly") == "Elderly person"
    assert flagwords("domestic_abuse,child_at_risk") == "Domestic abuse, Child at risk"
    assert flagwords(["not_in_policy"]) == "Not in policy"
    assert flagwords([]) == "—"


def test_filters_registered_on_the_one_environment() -> None:
    t = templates.env.from_string("{{ t|localtime }} {{ t|localdate }} {{ f|flagwords }}")
    assert t.render(t=datetime(2026, 12, 1, 7, 26, tzinfo=UTC), f=["injury"]) == "01 Dec 07:26 01 Dec 2026 Injury"
