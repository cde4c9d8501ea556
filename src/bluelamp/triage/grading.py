"""Grading: from facts to a grade, a route and referrals, by the rules in `grading.yaml`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bluelamp.policy import Policy
from bluelamp.policy.schema import Condition, GradingDoc
from bluelamp.triage.model import Decision, Findings

HISTORY_FLAGS = ("repeat_victim", "repeat_caller")
_HISTORY_REASONS = {
    "repeat_victim": "repeat victim: an earlier contact as victim in the last 12 months (check for escalation)",
    "repeat_caller": "repeat caller: earlier contacts in the last 12 months (check the history)",
}


class _Rule:
    """A condition compiled to frozensets (pydantic attribute access is too slow per contact)."""

    __slots__ = ("all", "any", "unless", "source")

    def __init__(self, source: Condition) -> None:
        self.all = frozenset(source.all)
        self.any = frozenset(source.any)
        self.unless = frozenset(source.unless)
        self.source: Any = source

    def holds(self, facts: frozenset[str] | set[str]) -> bool:
        return self.all <= facts and (not self.any or not self.any.isdisjoint(facts)) and self.unless.isdisjoint(facts)


class Grader:
    """A compiled `grading.yaml` for one policy version."""

    def __init__(self, policy: Policy) -> None:
        self.doc: GradingDoc = policy.doc("grading")
        self._derive = [_Rule(r) for r in self.doc.derive]
        self._urgent = [_Rule(r) for r in self.doc.urgent]
        self._routes = [_Rule(r) for r in self.doc.routes]
        self._referral_rules = [_Rule(r) for r in self.doc.referrals]
        self.flag_ids = policy.flags.ids()
        self.labels = {f.id: f.label.lower() for f in policy.flags.flags}
        self.police_attend_when = frozenset(policy.thrive.right_care_right_person.police_attend_when)
        self.agency_order = [a.id for a in policy.routes.agencies]
        self.agency_names = {a.id: a.name for a in policy.routes.agencies}

    def decide(self, findings: Findings, answers: Mapping[str, bool], history: Iterable[str] = ()) -> Decision:
        """Apply answers and history to the narrative's facts, then grade, route and refer."""
        facts = set(findings.facts)
        reasons = _mention_reasons(findings)
        reasons += self._apply_answers(facts, answers)
        for flag in history:
            if flag in HISTORY_FLAGS and flag not in facts:
                facts.add(flag)
                reasons.append(_HISTORY_REASONS[flag])
        for rule in self._derive:
            if rule.holds(facts):
                facts.add(rule.source.fact)
        # A given answer overrides everything, derived facts included.
        facts -= {r.flag for k, r in self.doc.answers.items() if answers.get(k) is False and r.removes_flag}
        frozen = frozenset(facts)
        grade, route, why = self._grade_and_route(frozen)
        reasons += why
        referrals = self._referrals(frozen, route)
        flags = tuple(f for f in self.flag_ids if f in frozen)
        return Decision(grade, route, frozen, flags, referrals, tuple(_unique(reasons)))

    def _apply_answers(self, facts: set[str], answers: Mapping[str, bool]) -> list[str]:
        reasons = []
        for key, value in answers.items():
            rule = self.doc.answers.get(key)
            if rule is None or value is None:
                continue
            label = self.labels.get(rule.flag, rule.flag)
            if value:
                facts.add(rule.flag)
                reasons.append(f"handler confirmed: {key.replace('_', ' ')} ({label})")
                continue
            cleared = facts & set(rule.clears)
            if rule.removes_flag:
                cleared |= facts & {rule.flag}
            facts -= cleared
            if cleared:
                reasons.append(f"handler answered no {key.replace('_', ' ')}: the narrative's mention is set aside")
        return reasons

    def _grade_and_route(self, facts: frozenset[str]) -> tuple[int, str, list[str]]:
        reasons: list[str] = []
        urgent = [r.source for r in self._urgent if r.holds(facts)]
        if "mental_health" in facts:
            reasons.append(self._rcrp_reason(facts, urgent_route=bool(urgent)))
        if urgent:
            best = min(urgent, key=lambda r: r.grade)
            reasons.append(f"grade {best.grade}: {best.reason}")
            return best.grade, "deploy", reasons
        for compiled in self._routes:
            rule = compiled.source
            if rule.right_care_right_person and facts & self.police_attend_when:
                continue
            if compiled.holds(facts):
                reasons.append(f"grade {rule.grade}, {rule.route}: {rule.reason}")
                return rule.grade, rule.route, reasons
        reasons.append(f"grade 4, {self.doc.fallback_route}: nothing needing police action was identified")
        return 4, self.doc.fallback_route, reasons

    def _rcrp_reason(self, facts: frozenset[str], urgent_route: bool) -> str:
        met = sorted(facts & self.police_attend_when)
        if met:
            why = ", ".join(self.labels.get(f, f) for f in met)
            return f"Right Care, Right Person: threshold met ({why}); police attend, health partners support"
        if "crime" in facts:
            return "Right Care, Right Person: a crime to investigate, so police attend; health partners support"
        if urgent_route:
            return "Right Care, Right Person: police attend for a genuine concern for safety; health partners support"
        return ("Right Care, Right Person: no crime and no real and immediate risk to life or of serious harm; "
                "the health partner owns the risk")

    def _referrals(self, facts: frozenset[str], route: str) -> tuple[str, ...]:
        chosen = set()
        for compiled in self._referral_rules:
            rule = compiled.source
            if rule.routes and route not in rule.routes:
                continue
            if route == f"refer:{rule.agency}":
                continue
            if compiled.holds(facts):
                chosen.add(rule.agency)
        return tuple(a for a in self.agency_order if a in chosen)


def _mention_reasons(findings: Findings) -> list[str]:
    """One reason per fact still standing (first mention), and the negated flags set aside."""
    seen: set[str] = set()
    reasons = []
    for m in findings.mentions:
        if m.fact in seen:
            continue
        if not m.negated and m.fact in findings.facts:
            seen.add(m.fact)
            reasons.append(m.reason)
    for m in findings.mentions:
        if m.negated and m.fact not in findings.facts and m.fact not in seen:
            seen.add(m.fact)
            reasons.append(f"negated, not raised: '{m.text}'")
    return reasons


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
