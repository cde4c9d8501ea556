"""Grading: from facts to a grade, a route and referrals, by the rules in `grading.yaml`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

from bluelamp.policy import Policy
from bluelamp.policy.schema import Condition, GradingDoc
from bluelamp.triage.model import Decision, Findings, Learned

HISTORY_FLAGS = ("repeat_victim", "repeat_caller")
CHANNELS = ("999", "101", "chat", "online")
RCRP_FACTS = frozenset({"mental_health", "suicide_risk", "welfare_concern"})
CHANNEL_FACTS = tuple(f"channel_{c}" for c in CHANNELS)  # rules may test the channel as a fact
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


def compiled(condition: Condition) -> _Rule:
    """A policy condition as frozensets, for conditions tested on every contact."""
    return _Rule(condition)


class Grader:
    """A compiled `grading.yaml` for one policy version."""

    def __init__(self, policy: Policy) -> None:
        self.doc: GradingDoc = policy.doc("grading")
        self._derive = [_Rule(r) for r in self.doc.derive]
        self._urgent = [_Rule(r) for r in self.doc.urgent]
        self._routes = [_Rule(r) for r in self.doc.routes]
        self._referral_rules = [_Rule(r) for r in self.doc.referrals]
        self._floors = [_Rule(r) for r in self.doc.floors]
        self._held = [_Rule(r) for r in self.doc.held]
        self._set_aside = [_Rule(r) for r in self.doc.set_aside]
        self.unclear = frozenset(self.doc.unclear)
        self.flag_ids = policy.flags.ids()
        self.labels = {f.id: f.label.lower() for f in policy.flags.flags}
        self.police_attend_when = frozenset(policy.thrive.right_care_right_person.police_attend_when)
        self.agency_order = [a.id for a in policy.routes.agencies]
        self.agency_names = {a.id: a.name for a in policy.routes.agencies}

    def decide(self, findings: Findings, answers: Mapping[str, bool], history: Iterable[str] = (),
               channel: str | None = None, learned: Learned | None = None) -> Decision:
        """Apply answers and history to the narrative's facts, then grade, route and refer.

        Fail safe (DESIGN.md): floors make urgent facts deploy whatever else was found; a contact with
        no positive evidence gets its channel's safe grade, marked provisional; grade 4 needs a rule
        (or the learned model) that positively places it there.
        """
        facts = set(findings.facts)
        reasons = _mention_reasons(findings)
        if learned is not None:
            for flag, why in learned.flags:
                if flag not in facts:
                    facts.add(flag)
                    reasons.append(why)
        # the answers that contradict something read from the words (by the rules or the model)
        read = facts | ({f for f, _ in learned.shown} if learned is not None else set())
        contradicted = self._contradicted(read, answers)
        reasons += self._apply_answers(facts, answers)
        for flag in history:
            if flag in HISTORY_FLAGS and flag not in facts:
                facts.add(flag)
                reasons.append(_HISTORY_REASONS[flag])
        if channel in CHANNELS:
            facts.add(f"channel_{channel}")
        for rule in self._derive:
            if rule.holds(facts):
                facts.add(rule.source.fact)
        # A given answer overrides everything, derived facts included.
        facts -= {r.flag for k, r in self.doc.answers.items() if answers.get(k) is False and r.removes_flag}
        frozen = frozenset(facts)
        grade, route, rule_reasons, evidenced = self._grade_and_route(frozen)
        reasons += rule_reasons
        shown = self._shown(learned, frozen, answers, reasons)
        grade, route, provisional = self._fail_safe(frozen, answers, channel, learned, grade, route, evidenced,
                                                    reasons, shown, contradicted)
        referrals = self._referrals(frozen, route)
        flags = tuple(f for f in self.flag_ids if f in frozen or f in shown)
        return Decision(grade, route, frozen, flags, referrals, tuple(_unique(reasons)), provisional)

    def _fail_safe(self, facts: frozenset[str], answers: Mapping[str, bool], channel: str | None,
                   learned: Learned | None, grade: int, route: str, evidenced: bool,
                   reasons: list[str], shown: AbstractSet[str] = frozenset(),
                   contradicted: bool = False) -> tuple[int, str, bool]:
        """Floors, the learned model's reading, and the channel's safe grade when nothing is evidenced."""
        lifted = self._answers_lift(answers)
        provisional = bool(facts & self.unclear)
        for compiled in self._floors:
            rule = compiled.source
            if rule.grade < grade and compiled.holds(facts):
                grade, route = rule.grade, self._route_for(rule.grade)
                reasons.append(f"at least grade {rule.grade}: {rule.reason}")
            elif rule.grade < grade and shown and compiled.holds(facts | shown):
                # An urgent flag the model reads (and the answers have not ruled out) is shown to the
                # handler: the grade follows it, provisionally, until the key questions settle it.
                read = ", ".join(self.labels.get(f, f) for f in sorted(shown))
                grade, route = rule.grade, self._route_for(rule.grade)
                reasons.append(f"at least grade {rule.grade}, provisional: the text model reads {read}; "
                               f"{rule.reason} until the answers show otherwise")
                provisional = evidenced = True
        # Answers decide what they answer: the model's reading of the words gives way once the handler has
        # ruled out the danger itself (nobody in danger, not happening now) or something the words were read
        # to say (the offender is not there after all). A "no" to a question about something nobody read
        # (no weapon, no child there) does not quiet it: someone being hit with bare hands is an emergency.
        answered_no = contradicted or any(answers.get(k) is False for k in self.doc.model_gives_way_to)
        reading = learned.floor if learned is not None else None
        held = next((r.source for r in self._held if r.holds(facts)), None)
        if learned is not None and held is not None and reading != learned.floor_held:
            if reading is not None and reading[0] < grade:
                reasons.append(f"the text model must read urgency more surely to lift it: {held.reason}")
            reading = learned.floor_held
        if reading is not None and not answered_no:
            floor, why = reading
            if floor < grade:
                grade, route = floor, self._route_for(floor)
                reasons.append(why)
                # the model's reading is a reason to send, not the facts that settle it
                provisional = provisional or not evidenced
                evidenced = True
        # Unclear or contradictory (a plea for help; the model reading urgency the rules did not): grade 4
        # is not settled until the answers say so, whatever the rules found.
        doubted = learned is not None and learned.doubt is not None and not answered_no and held is None
        if grade == 4 and evidenced and (provisional or doubted) and self.doc.no_evidence is not None:
            rules = self.doc.no_evidence
            default = rules.answered if lifted else rules.by_channel.get(channel or "", rules.answered)
            if default.grade < grade:
                if doubted and learned is not None and learned.doubt is not None:
                    reasons.append(learned.doubt[1])
                grade, route = default.grade, self._route_for(default.grade)
                reasons.append(f"provisional grade {default.grade}: {default.reason}")
                provisional = True
        if not evidenced and grade == 4:
            if learned is not None and learned.route is not None and not (facts & self.unclear):
                route, why = learned.route
                if route == "appointment":  # the model's clear reading places it at grade 3, to be confirmed
                    grade, provisional = 3, True
                reasons.append(why)
            elif self.doc.no_evidence is not None:
                rules = self.doc.no_evidence
                default = rules.answered if lifted else rules.by_channel.get(channel or "", rules.answered)
                if default.grade < grade:
                    grade, route = default.grade, self._route_for(default.grade)
                    reasons.append(f"provisional grade {default.grade}: {default.reason}")
                provisional = True
            else:
                reasons.append(f"grade 4, {route}: nothing needing police action was identified")
                provisional = True
        return grade, route, provisional

    def _shown(self, learned: Learned | None, facts: frozenset[str], answers: Mapping[str, bool],
               reasons: list[str]) -> set[str]:
        """The model's report-only flags, unless the handler's answers ruled them out."""
        if learned is None:
            return set()
        ruled_out = {r.flag for k, r in self.doc.answers.items() if answers.get(k) is False}
        ruled_out |= {c for k, r in self.doc.answers.items() if answers.get(k) is False for c in r.clears}
        shown = set()
        for flag, why in learned.shown:
            aside = next((r.source for r in self._set_aside if r.source.flag == flag and r.holds(facts)), None)
            if aside is not None and flag not in facts:
                reasons.append(f"the text model's reading of {self.labels.get(flag, flag)} set aside: {aside.reason}")
                continue
            if flag not in facts and flag not in ruled_out:
                shown.add(flag)
                reasons.append(why)
        return shown

    def _lifting_keys(self) -> list[str]:
        return self.doc.no_evidence.lifted_by if self.doc.no_evidence is not None else []

    def _answers_lift(self, answers: Mapping[str, bool]) -> bool:
        """True when the handler has answered "no" to every question that rules out an emergency."""
        keys = self.doc.no_evidence.lifted_by if self.doc.no_evidence is not None else []
        return bool(keys) and all(answers.get(k) is False for k in keys)

    @staticmethod
    def _route_for(grade: int) -> str:
        return "deploy" if grade <= 2 else "appointment"

    def _contradicted(self, read: AbstractSet[str], answers: Mapping[str, bool]) -> bool:
        """True when a "no" answer sets aside a fact the rules or the model read in the words."""
        for key, value in answers.items():
            rule = self.doc.answers.get(key)
            if rule is not None and value is False and (read & set(rule.clears) or rule.flag in read):
                return True
        return False

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

    def _grade_and_route(self, facts: frozenset[str]) -> tuple[int, str, list[str], bool]:
        """The grade and route the rules give, and whether a rule positively placed it (not the fallback)."""
        reasons: list[str] = []
        urgent = [r.source for r in self._urgent if r.holds(facts)]
        if facts & RCRP_FACTS:  # the threshold decision is recorded whenever it applies
            reasons.append(self._rcrp_reason(facts, urgent_route=bool(urgent)))
        if urgent:
            best = min(urgent, key=lambda r: r.grade)
            reasons.append(f"grade {best.grade}: {best.reason}")
            return best.grade, "deploy", reasons, True
        for compiled in self._routes:
            rule = compiled.source
            if rule.right_care_right_person and facts & self.police_attend_when:
                continue
            if compiled.holds(facts):
                reasons.append(f"grade {rule.grade}, {rule.route}: {rule.reason}")
                return rule.grade, rule.route, reasons, True
        return 4, self.doc.fallback_route, reasons, False

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
