"""The key questions still open for a contact (questions.yaml), in the order a handler asks them."""

from __future__ import annotations

from collections.abc import Mapping

from bluelamp.policy import Policy
from bluelamp.policy.schema_triage import Question, QuestionsDoc
from bluelamp.triage.grading import compiled
from bluelamp.triage.model import Decision

MAX_QUESTIONS = 8


class Questioner:
    """A compiled questions.yaml: `open_questions(decision, answers)` lists what is still to ask."""

    def __init__(self, policy: Policy) -> None:
        self.doc: QuestionsDoc | None = policy.doc("questions") if "questions" in policy.names else None
        self._kinds = [(compiled(k), k.questions) for k in self.doc.kinds] if self.doc is not None else []

    def open_questions(self, decision: Decision, answers: Mapping[str, bool]) -> list[str]:
        if self.doc is None:
            return []
        chosen: list[Question] = []
        for rule, questions in self._kinds:
            if rule.holds(decision.facts):
                chosen.extend(questions)
        if decision.provisional:
            chosen.extend(self.doc.provisional)
        chosen.extend(self.doc.always)
        texts: list[str] = []
        settled: set[str] = set()
        for q in chosen:
            if q.answer is not None and (q.answer in answers or q.answer in settled):
                continue
            if q.text in texts:
                continue
            if q.answer is not None:
                settled.add(q.answer)  # one open question per answer key: the most specific one
            texts.append(q.text)
        return texts[:MAX_QUESTIONS]
