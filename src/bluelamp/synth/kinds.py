"""Kinds of contact the demo force receives: how often on each channel, when, who is involved.

The words of each kind are in `narratives.py`; this module holds the numbers. Weights are relative
within a channel; `tod` multiplies a kind's weight by time of day (day 08-17, evening 17-23, night
23-08), so shoplifting happens by day and noise complaints at night.
"""

from __future__ import annotations

from dataclasses import dataclass

# Who is involved, and how the plan finds them in the population.
ADULT = "adult"            # the caller is a random adult; nobody else is named
OLDER_CALLER = "older"     # the caller is often an older person (fraud, doorstep crime)
PARTNER = "partner"        # the caller is the victim; their partner or ex-partner is the suspect
SUBJECT_OLDER = "subject"  # the caller reports concern for an older person in another household
MISSING_CHILD = "missing"  # a parent or carer reports a child of their household missing
ANONYMOUS = "anonymous"    # no caller details (silent calls, anonymous information)


@dataclass(frozen=True)
class Kind:
    """One kind of contact."""

    id: str
    category: str
    weights: tuple[float, float, float, float]  # 999, 101, chat, online
    tod: tuple[float, float, float] = (1.0, 1.0, 1.0)
    who: str = ADULT
    caller_role: str = "victim"
    at_home: bool = True


KINDS: tuple[Kind, ...] = (
    Kind("domestic_abuse", "domestic", (11, 3, 4, 0), (0.7, 1.3, 1.4), PARTNER),
    Kind("domestic_historic", "domestic", (0, 2, 2, 0.5), (1.3, 0.9, 0.5), PARTNER),
    Kind("assault", "violence", (5, 2.5, 1, 1.5), (0.7, 1.2, 1.7), at_home=False),
    Kind("assault_weapon", "violence", (2.5, 0.3, 0, 0), (0.6, 1.2, 1.9), caller_role="witness", at_home=False),
    Kind("weapon_sighting", "violence", (1.2, 0.3, 0.2, 0), (0.8, 1.2, 1.3), caller_role="witness", at_home=False),
    Kind("threats", "violence", (3, 2.5, 2, 1), (0.9, 1.2, 1.1)),
    Kind("sexual_offence", "sexual", (1.5, 0.8, 0.6, 0.3), (0.6, 1.1, 1.8)),
    Kind("hate_crime", "hate", (0.8, 0.8, 0.6, 2), (1.0, 1.2, 0.9), at_home=False),
    Kind("stalking", "harassment", (0.8, 1.5, 2, 1.5), (1.0, 1.1, 0.9)),
    Kind("harassment", "harassment", (0.6, 4, 7, 6), (1.1, 1.1, 0.6)),
    Kind("concern_welfare", "welfare", (9, 4, 3, 0), (1.0, 1.0, 1.0), SUBJECT_OLDER, "other"),
    Kind("mental_health", "welfare", (6, 1.5, 1, 0), (0.8, 1.1, 1.3)),
    Kind("suicide_risk", "welfare", (2, 0.3, 0.5, 0), (0.7, 1.1, 1.5), caller_role="other"),
    Kind("missing_person", "missing", (4, 1, 0.5, 0), (0.8, 1.2, 1.2), MISSING_CHILD, "other"),
    Kind("missing_found", "missing", (0, 1, 0.5, 0), (1.0, 1.1, 0.8), MISSING_CHILD, "other"),
    Kind("child_concern", "welfare", (2, 1.5, 0.8, 0), (1.2, 1.0, 0.6), caller_role="witness"),
    Kind("burglary_in_progress", "burglary", (3, 0, 0, 0), (0.7, 0.9, 1.6)),
    Kind("burglary_report", "burglary", (2, 3.5, 1, 2), (1.5, 0.8, 0.5)),
    Kind("theft", "theft", (1, 7, 8, 20), (1.3, 1.0, 0.4), at_home=False),
    Kind("theft_in_progress", "theft", (2, 0, 0, 0), (1.0, 1.0, 1.0), caller_role="witness", at_home=False),
    Kind("shoplifting", "theft", (3, 3, 0, 10), (1.6, 0.9, 0.05), caller_role="witness", at_home=False),
    Kind("vehicle_crime", "theft", (0.5, 5, 3, 12), (1.3, 0.8, 0.6)),
    Kind("criminal_damage", "damage", (1, 5, 4, 14), (1.1, 1.0, 0.8)),
    Kind("fraud", "fraud", (0.3, 6, 12, 14), (1.4, 0.8, 0.3), OLDER_CALLER),
    Kind("asb", "asb", (9, 8, 8, 8), (0.7, 1.4, 1.3), caller_role="witness", at_home=False),
    Kind("disturbance", "asb", (5, 1, 0, 0), (0.4, 1.3, 2.3), caller_role="witness", at_home=False),
    Kind("noise", "asb", (0.5, 6, 5, 1), (0.3, 1.2, 2.6), caller_role="other"),
    Kind("neighbour_dispute", "civil", (0.5, 4, 3, 1), (1.1, 1.1, 0.6), caller_role="other"),
    Kind("civil_matter", "civil", (0, 3, 3, 0), (1.4, 0.8, 0.3), caller_role="other"),
    Kind("rtc_injury", "traffic", (3, 0, 0, 0), (1.2, 1.1, 0.7), caller_role="witness", at_home=False),
    Kind("rtc_damage", "traffic", (3, 2, 0, 8), (1.3, 1.0, 0.5), caller_role="witness", at_home=False),
    Kind("drink_driver", "traffic", (2, 0.5, 0, 0), (0.6, 1.4, 1.5), caller_role="witness", at_home=False),
    Kind("road_obstruction", "traffic", (1.5, 3, 0, 0), (1.2, 1.0, 0.7), caller_role="other", at_home=False),
    Kind("suspicious", "suspicious", (6, 3, 1, 0), (0.8, 1.1, 1.3), caller_role="witness", at_home=False),
    Kind("drugs_info", "drugs", (0, 3, 1, 2), (1.1, 1.0, 0.8), ANONYMOUS, "other", at_home=False),
    Kind("lost_property", "property", (0, 6, 10, 6), (1.3, 0.9, 0.4), caller_role="other", at_home=False),
    Kind("found_property", "property", (0, 2, 1, 0), (1.4, 0.8, 0.3), caller_role="other", at_home=False),
    Kind("update_request", "admin", (0, 18, 25, 0), (1.4, 0.7, 0.2)),
    Kind("general_enquiry", "admin", (0, 5, 10, 0), (1.4, 0.7, 0.2), caller_role="other"),
    Kind("animal", "other", (1, 1.5, 0, 0), (1.0, 1.0, 1.0), caller_role="other", at_home=False),
    Kind("collapse", "welfare", (2, 0, 0, 0), (1.0, 1.0, 1.0), caller_role="witness", at_home=False),
    Kind("silent_call", "admin", (6, 0, 0, 0), (1.0, 1.0, 1.0), ANONYMOUS, "other"),
    Kind("misuse", "admin", (2, 0, 0, 0), (0.8, 1.0, 1.4), caller_role="other"),
)

KIND_INDEX: dict[str, int] = {k.id: i for i, k in enumerate(KINDS)}

# Frequent callers, with the kinds of contact they make and how often (contacts a year).
PERSONAS: dict[str, tuple[int, float, tuple[str, ...], tuple[float, float, float, float]]] = {
    # name: (how many people, mean contacts a year, kinds, channel mix 999/101/chat/online)
    "da_victim": (600, 7.0, ("domestic_abuse", "domestic_abuse", "threats", "stalking", "domestic_historic"),
                  (0.65, 0.25, 0.10, 0.0)),
    "asb_complainant": (300, 18.0, ("asb", "noise", "neighbour_dispute", "criminal_damage", "update_request"),
                        (0.15, 0.65, 0.15, 0.05)),
    "mh_frequent": (200, 22.0, ("mental_health", "mental_health", "suicide_risk", "threats"),
                    (0.7, 0.25, 0.05, 0.0)),
    "worried_older": (300, 7.0, ("suspicious", "fraud", "concern_welfare", "update_request"),
                      (0.3, 0.6, 0.05, 0.05)),
    "carer_missing": (150, 14.0, ("missing_person", "missing_person", "missing_found"), (0.5, 0.5, 0.0, 0.0)),
    "shop_security": (80, 35.0, ("shoplifting",), (0.35, 0.25, 0.0, 0.40)),
}
