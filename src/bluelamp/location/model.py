"""Pure rules about locations: OS grid references, what3words shape, the UK's bounds, text keys.

Standard library only; the datum conversion (pyproj) is in `grid.py`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

# A generous box round the UK (Great Britain, Northern Ireland, the islands) in WGS84.
UK_LAT = (49.8, 60.95)
UK_LON = (-8.7, 1.8)

SOURCES = ("given", "grid_ref", "uprn", "gazetteer")


class LocationError(ValueError):
    """A location cannot be used; `field` names what is wrong (a 4xx, never a 500)."""

    def __init__(self, message: str, field: str = "location", status: int = 422) -> None:
        super().__init__(message)
        self.field, self.status = field, status


def in_uk(lat: float, lon: float) -> bool:
    return UK_LAT[0] <= lat <= UK_LAT[1] and UK_LON[0] <= lon <= UK_LON[1]


# --- OS grid references ---------------------------------------------------------------------------

_GRID = re.compile(r"^([A-HJ-Z]{2})\s*(\d*)\s*(\d*)$")
_NUMERIC = re.compile(r"^(\d{1,6}(?:\.\d+)?)\s*[,\s]\s*(\d{1,7}(?:\.\d+)?)$")


@dataclass(frozen=True)
class GridPoint:
    """A point on the British National Grid: the centre of the square the reference names."""

    easting: float
    northing: float
    precision_m: float  # the side of the square (1 m for a 10-figure reference, 100 km for letters only)


def parse_grid_ref(text: str) -> GridPoint:
    """Parse "SJ 8846 4681", "SJ88464681", "SJ84", "SJ" or full numbers "388460, 346810".

    The letters name a 100 km square; the digits (an even number, up to ten) are eastings then
    northings within it. The point returned is the centre of the square the reference names, so a
    coarse reference is off by at most half its precision. Raises ValueError naming the problem.
    """
    raw = " ".join(text.strip().upper().split())
    numeric = _NUMERIC.match(raw)
    if numeric:
        e, n = float(numeric.group(1)), float(numeric.group(2))
        if not (0 <= e < 700_000 and 0 <= n < 1_300_000):
            raise ValueError("off the grid: eastings run 0-700000 and northings 0-1300000")
        return GridPoint(e, n, 1.0)
    m = _GRID.match(raw)
    if not m:
        raise ValueError("not an OS grid reference: two letters then an even number of digits, "
                         "e.g. SJ 8846 4681")
    letters, a, b = m.group(1), m.group(2), m.group(3)
    digits = a + b
    if b and len(a) != len(b):
        raise ValueError("eastings and northings must have the same number of digits")
    if len(digits) % 2 or len(digits) > 10:
        raise ValueError("a grid reference has an even number of digits, at most ten")
    l1, l2 = (ord(c) - ord("A") for c in letters)
    l1, l2 = l1 - (l1 > 7), l2 - (l2 > 7)  # the grid's alphabet has no I
    e100 = ((l1 - 2) % 5) * 5 + (l2 % 5)
    n100 = (19 - (l1 // 5) * 5) - (l2 // 5)
    if not (0 <= e100 <= 6 and 0 <= n100 <= 12):
        raise ValueError(f"off the grid: {letters} is not a square of the British National Grid")
    half = len(digits) // 2
    size = 10 ** (5 - half)  # metres per unit of the digits given
    e = int(digits[:half] or 0) * size
    n = int(digits[half:] or 0) * size
    return GridPoint(e100 * 100_000 + e + size / 2, n100 * 100_000 + n + size / 2, float(size))


# --- what3words, UPRN -----------------------------------------------------------------------------

_W3W = re.compile(r"^(?:///)?([^\W\d_]+)[.｡。･・]([^\W\d_]+)[.｡。･・]([^\W\d_]+)$")


def check_what3words(text: str) -> str:
    """A what3words address as given ("///filled.count.soap"): three words joined by dots."""
    value = text.strip()
    if not _W3W.match(value):
        raise ValueError("a what3words address is three words joined by dots, e.g. ///filled.count.soap")
    return value if value.startswith("///") else "///" + value


def check_uprn(text: str) -> str:
    """A Unique Property Reference Number: 1 to 12 digits."""
    value = text.strip()
    if not (value.isdigit() and 1 <= len(value) <= 12):
        raise ValueError("a UPRN is 1 to 12 digits")
    return str(int(value))


# --- text keys and distances ----------------------------------------------------------------------

_ABBREVIATIONS = {"rd": "road", "st": "street", "ln": "lane", "ave": "avenue", "av": "avenue", "dr": "drive",
                  "cl": "close", "cres": "crescent", "gr": "grove", "pl": "place", "sq": "square"}
_NON_WORD = re.compile(r"[^a-z0-9 ]+")
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})?$")


def text_key(text: str) -> str:
    """Lower case, no accents or punctuation, common street abbreviations spelt out."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = _NON_WORD.sub(" ", plain.replace("'", "")).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def postcode_key(text: str) -> str | None:
    """A postcode or postcode district in its standard spacing ("ST1 5AB", "ST1"), or None."""
    m = _POSTCODE.match(" ".join(text.strip().upper().split()))
    if not m:
        return None
    return f"{m.group(1)} {m.group(2)}" if m.group(2) else m.group(1)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))


def flags_compatible(a: list[str] | set[str], b: list[str] | set[str], kinds: set[str]) -> bool:
    """Two contacts can be about one event unless each names a kind of event and they share none
    (a road collision and a domestic are two incidents, however close)."""
    ka, kb = set(a) & kinds, set(b) & kinds
    return not ka or not kb or bool(ka & kb)
