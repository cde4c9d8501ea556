"""The THRIVE record in plain English, built from the facts behind the decision."""

from __future__ import annotations

from collections.abc import Mapping

from bluelamp.triage.model import Decision

_THREAT = ("threat_to_life", "weapon", "in_progress", "suspect_present", "threats", "violence",
           "dangerous_driving", "fire", "stalking_harassment")
_CRIMES = {
    "violence": "violence against the person", "robbery": "robbery", "burglary": "burglary",
    "theft": "theft", "criminal_damage": "criminal damage", "arson": "arson", "fraud": "fraud",
    "sexual_offence": "sexual offence", "hate_crime": "hate crime", "stalking_harassment": "stalking or harassment",
    "exploitation": "exploitation", "threats": "threats", "weapon": "possession or use of a weapon",
    "dangerous_driving": "dangerous or drink driving", "fail_to_stop": "failing to stop after a collision",
    "dog_attack": "dangerous dog", "drugs_supply": "drug supply", "domestic_abuse": "domestic abuse",
    "spiking": "spiking", "asb": "anti-social behaviour",
}
_SIGNAL_LABELS = {"threats": "threats made", "violence": "violence", "dangerous_driving": "dangerous driving",
                  "fire": "fire"}


def build(decision: Decision, labels: Mapping[str, str], vulnerability_markers: set[str],
          agency_names: Mapping[str, str], risk: str) -> dict[str, str]:
    """Threat, harm, risk, investigation, vulnerability and engagement for one decision."""
    facts = decision.facts
    return {
        "threat": _threat(decision, labels),
        "harm": _harm(facts),
        "risk": risk,
        "investigation": _investigation(decision),
        "vulnerability": _vulnerability(decision, labels, vulnerability_markers),
        "engagement": _engagement(decision, agency_names),
    }


def _label(fact: str, labels: Mapping[str, str]) -> str:
    return labels.get(fact) or _SIGNAL_LABELS.get(fact) or fact.replace("_", " ")


def _threat(decision: Decision, labels: Mapping[str, str]) -> str:
    present = [_label(f, labels) for f in _THREAT if f in decision.facts]
    level = {1: "Immediate threat", 2: "Threat needing a prompt response"}.get(decision.grade, "No immediate threat")
    text = f"{level}: {', '.join(present)}." if present else f"{level} identified from the account."
    if "ended" in decision.facts and "suspect_present" not in decision.facts:
        text += " The offender has left."
    return text


def _harm(facts: frozenset[str]) -> str:
    parts = []
    if "serious_injury" in facts:
        parts.append("Serious injury reported; medical help needed.")
    elif "injury" in facts:
        parts.append("Injury reported.")
    else:
        parts.append("No injury reported.")
    if facts & {"theft", "burglary", "robbery", "criminal_damage", "arson"}:
        parts.append("Loss of or damage to property.")
    if "fraud" in facts:
        parts.append("Financial loss.")
    if facts & {"domestic_abuse", "stalking_harassment", "hate_crime", "sexual_offence", "threats"}:
        parts.append("Fear and psychological harm; risk of repeat harm.")
    return " ".join(parts)


def _investigation(decision: Decision) -> str:
    if decision.route == "update_request":
        return "An existing case: pass to the officer in charge or the bureau."
    crimes = [name for fact, name in _CRIMES.items() if fact in decision.facts]
    if not crimes:
        if "road_traffic_collision" in decision.facts:
            return "Collision: record the details; check for offences (no insurance, failing to stop)."
        return "No crime identified from the account."
    text = f"Possible offences: {', '.join(crimes)}."
    if decision.route in {"deploy", "appointment"}:
        text += " Preserve the scene and any CCTV; identify witnesses; record within 24 hours."
    elif decision.route.startswith("refer:"):
        text += " Reported through the partner named in the route."
    else:
        text += " Record the crime and investigate by phone or online."
    return text


def _vulnerability(decision: Decision, labels: Mapping[str, str], markers: set[str]) -> str:
    present = [_label(f, labels) for f in decision.flags if f in markers]
    if not present:
        return "No vulnerability identified from the account; ask whether anyone else at the address is at risk."
    text = f"Vulnerability: {', '.join(present)}."
    if {"domestic_abuse", "child_at_risk"} & decision.facts:
        text += " Identify others in the household, especially children."
    if "domestic_abuse" in decision.facts:
        text += " Complete a DASH risk assessment."
    return text


def _engagement(decision: Decision, agency_names: Mapping[str, str]) -> str:
    route = decision.route
    if route == "deploy":
        text = ("Officers deployed now; keep the caller on the line if safe, give safety advice and ask them "
                "to preserve the scene.")
    elif route == "appointment":
        text = "Offer an appointment within 48 hours; give crime-prevention and scene-preservation advice."
    elif route == "telephone_resolution":
        text = "Record and investigate by phone or online; give a crime reference and the Victims' Code information."
    elif route == "update_request":
        text = "Tell the caller the officer in charge will update them, and when."
    elif route.startswith("refer:"):
        agency = agency_names.get(route[6:], route[6:])
        text = f"Refer to {agency}, who own the response; give the caller their details and record the referral."
    else:
        text = "Give advice or signpost; no police action needed."
    if decision.referrals:
        names = ", ".join(agency_names.get(a, a) for a in decision.referrals)
        text += f" Also alert or refer: {names}."
    return text
