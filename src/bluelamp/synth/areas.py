"""Geography of the demo force: eight policing areas of a Staffordshire-like county (~1.1 m people).

Centres and populations are close to the real districts (rounded); streets are common English street
names plus a few local ones. Urban or rural is decided per town, so an area's urban share follows from
where its people live.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Town:
    """A town or village: where households are placed."""

    name: str
    lat: float
    lon: float
    population: int
    urban: bool
    spread_km: float  # standard deviation of household positions around the centre


@dataclass(frozen=True)
class Area:
    """A policing area (local policing team) with its towns, postcode districts and local streets."""

    name: str
    lat: float
    lon: float
    towns: tuple[Town, ...]
    postcodes: tuple[str, ...]
    streets: tuple[str, ...]

    @property
    def population(self) -> int:
        return sum(t.population for t in self.towns)

    @property
    def urban_share(self) -> float:
        return sum(t.population for t in self.towns if t.urban) / self.population


def _t(name: str, lat: float, lon: float, pop: int, urban: bool, spread: float = 1.2) -> Town:
    return Town(name, lat, lon, pop, urban, spread)


AREAS: tuple[Area, ...] = (
    Area("Stoke-on-Trent", 53.015, -2.180, (
        _t("Hanley", 53.024, -2.174, 62_000, True, 1.4), _t("Burslem", 53.045, -2.197, 45_000, True, 1.2),
        _t("Tunstall", 53.061, -2.211, 35_000, True, 1.0), _t("Longton", 52.988, -2.134, 52_000, True, 1.3),
        _t("Fenton", 53.001, -2.158, 30_000, True, 1.0), _t("Stoke", 53.004, -2.186, 34_000, True, 1.0),
    ), ("ST1", "ST2", "ST3", "ST4", "ST6"),
        ("Leek Road", "Etruria Road", "Waterloo Road", "Uttoxeter Road", "Trentham Road", "Bucknall New Road",
         "Victoria Road", "Church Street", "Market Street", "Lichfield Street", "Hartshill Road")),
    Area("Newcastle-under-Lyme", 53.012, -2.227, (
        _t("Newcastle-under-Lyme", 53.012, -2.227, 75_000, True, 1.4), _t("Kidsgrove", 53.086, -2.238, 25_000, True),
        _t("Audley", 53.050, -2.301, 9_000, False, 2.0), _t("Madeley", 52.995, -2.338, 5_000, False, 2.0),
        _t("Keele", 53.003, -2.287, 8_000, False, 1.5),
    ), ("ST5", "ST7"),
        ("Liverpool Road", "London Road", "High Street", "Keele Road", "Brunswick Street", "Station Road")),
    Area("Stafford", 52.806, -2.117, (
        _t("Stafford", 52.806, -2.117, 72_000, True, 1.6), _t("Stone", 52.903, -2.146, 16_000, True, 1.0),
        _t("Eccleshall", 52.858, -2.252, 6_000, False, 2.5), _t("Gnosall", 52.782, -2.252, 5_000, False, 2.5),
        _t("Hixon", 52.830, -1.998, 3_000, False, 2.5), _t("Great Haywood", 52.800, -2.010, 4_000, False, 2.5),
    ), ("ST16", "ST17", "ST18", "ST15", "ST21"),
        ("Newport Road", "Lichfield Road", "Greengate Street", "Foregate Street", "Stone Road", "Weston Road")),
    Area("Cannock Chase", 52.690, -2.030, (
        _t("Cannock", 52.690, -2.030, 45_000, True, 1.4), _t("Hednesford", 52.711, -2.000, 18_000, True),
        _t("Rugeley", 52.760, -1.936, 25_000, True), _t("Norton Canes", 52.664, -1.968, 7_000, False, 1.8),
        _t("Cannock Wood", 52.716, -1.953, 3_000, False, 2.5),
    ), ("WS11", "WS12", "WS15"),
        ("Walsall Road", "Wolverhampton Road", "Hednesford Road", "Market Street", "Brook Square", "Pye Green Road")),
    Area("Lichfield", 52.682, -1.826, (
        _t("Lichfield", 52.682, -1.826, 34_000, True, 1.3), _t("Burntwood", 52.680, -1.926, 27_000, True),
        _t("Armitage", 52.741, -1.882, 5_000, False, 2.2), _t("Alrewas", 52.733, -1.750, 3_000, False, 2.2),
        _t("Shenstone", 52.640, -1.843, 7_000, False, 2.2), _t("Fazeley", 52.612, -1.700, 5_000, False, 1.8),
    ), ("WS13", "WS14", "WS7", "B78"),
        ("Bird Street", "Tamworth Road", "Cannock Road", "Chase Road", "Dam Street", "Birmingham Road")),
    Area("Tamworth", 52.633, -1.695, (
        _t("Tamworth", 52.633, -1.695, 62_000, True, 1.8), _t("Wilnecote", 52.610, -1.675, 12_000, True),
        _t("Glascote", 52.622, -1.670, 6_000, True, 0.8),
    ), ("B77", "B79"),
        ("Ankerside", "Watling Street", "Lichfield Street", "Coton Lane", "Ashby Road", "Upper Gungate")),
    Area("East Staffordshire", 52.803, -1.637, (
        _t("Burton upon Trent", 52.803, -1.637, 77_000, True, 1.8), _t("Uttoxeter", 52.898, -1.865, 14_000, True),
        _t("Barton-under-Needwood", 52.762, -1.720, 5_000, False, 2.0), _t("Tutbury", 52.858, -1.688, 4_000, False, 2.0),
        _t("Abbots Bromley", 52.817, -1.877, 2_000, False, 3.0), _t("Rocester", 52.953, -1.837, 3_000, False, 2.5),
    ), ("DE13", "DE14", "DE15", "ST14"),
        ("Horninglow Road", "Station Street", "Derby Road", "Shobnall Road", "High Street", "Bridge Street")),
    Area("Moorlands and South", 52.950, -2.050, (
        _t("Leek", 53.105, -2.023, 21_000, True, 1.2), _t("Cheadle", 52.986, -1.990, 13_000, True),
        _t("Biddulph", 53.118, -2.176, 19_000, True), _t("Codsall", 52.627, -2.195, 11_000, False, 2.0),
        _t("Penkridge", 52.723, -2.116, 9_000, False, 2.2), _t("Kinver", 52.449, -2.229, 7_000, False, 2.5),
        _t("Wombourne", 52.532, -2.186, 14_000, False, 1.8), _t("Longnor", 53.180, -1.870, 1_500, False, 4.0),
    ), ("ST13", "ST10", "ST8", "WV8", "ST19", "DY7", "WV5"),
        ("Derby Street", "Ashbourne Road", "Newcastle Road", "Stafford Road", "Histons Hill", "Mill Street")),
)

COMMON_STREETS: tuple[str, ...] = (
    "Church Street", "Station Road", "High Street", "Victoria Road", "Park Lane", "Mill Lane", "Queen Street",
    "King Street", "Green Lane", "The Crescent", "Manor Road", "School Lane", "Oak Drive", "Chestnut Close",
    "Meadow View", "Albert Street", "Springfield Road", "Windsor Avenue", "Beech Grove", "Orchard Way",
    "Elm Road", "Castle Street", "New Road", "Grange Road", "Highfield Avenue", "Cedar Close", "Moor Lane",
    "Brookside", "Holly Bank", "Willow Walk",
)

# Places where non-domestic incidents happen, worded to fit any town of the county ({street} is filled in).
PLACES: tuple[str, ...] = (
    "the Co-op on {street}", "Tesco on {street}", "the Asda car park", "the park off {street}",
    "the bus station", "outside the chip shop on {street}", "the Wetherspoons on {street}",
    "the retail park", "the train station", "the corner of {street}", "the McDonald's drive-thru",
    "the recreation ground", "the Aldi on {street}", "the petrol station on {street}", "the canal towpath",
    "the leisure centre car park", "the primary school on {street}", "the Spar on {street}",
)

ROADS: tuple[str, ...] = (
    "the A34", "the A50", "the A500", "the M6 near junction 14", "the A38", "the A5", "the A51", "the A449",
    "the A53", "the A520", "the roundabout on {street}", "{street}", "the junction of {street} and {street2}",
)

# Towns named in narratives ("he lives in Leek now"): any town of the county will do.
COUNTY_TOWNS: tuple[str, ...] = (
    "Stoke", "Newcastle", "Stafford", "Cannock", "Lichfield", "Tamworth", "Burton", "Leek", "Uttoxeter",
    "Stone", "Rugeley", "Kidsgrove", "Biddulph", "Cheadle",
)
