"""Reading a narrative: normalise chat-style text, find indicators, set aside negated mentions.

Everything here is driven by the policy's `indicators.yaml`; this module only knows how to apply it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

from bluelamp.policy.schema import IndicatorsDoc, NegationRules
from bluelamp.triage.model import Findings, Mention
from bluelamp.triage.prefilter import LiteralGate, required_literals

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_REPEATS = re.compile(r"([a-z])\1{2,}")  # "helppp" -> "help", "noooo" -> "no"
_SPACES = re.compile(r"[ \t\r\f\v]+")
_NEWLINES = re.compile(r" ?\n[\s]*")
_WORD = re.compile(r"\w+")
_MASKED = re.compile(r"\b([a-z]{1,2})[*#@$%]+([a-z]*)")


@dataclass(frozen=True, slots=True)
class _Indicator:
    fact: str
    raises: tuple[str, ...]
    regex: re.Pattern[str]
    reason: str
    negatable: bool
    literals: frozenset[str] | None  # one of these is in every match; None: always run the regex


@dataclass(frozen=True, slots=True)
class _Cue:
    regex: re.Pattern[str]
    max_words: int
    crosses_subject: bool


def _kept(m: re.Match[str]) -> str:
    return (m.group(1) or "") + " " if m.re.groups else " "


class Lexicon:
    """A compiled `indicators.yaml`: `analyse(text)` gives the facts a narrative evidences."""

    def __init__(self, doc: IndicatorsDoc, labels: Mapping[str, str]) -> None:
        words = sorted(doc.normalise, key=len, reverse=True)
        self._replacements = dict(doc.normalise)
        self._words = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b") if words else None
        self._unmask = dict(doc.unmask)
        drops = sorted(doc.drop, key=len, reverse=True)
        self._drop = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in drops) + r")\b ?") if drops else None
        # each figure compiled alone: its first group (if any) is the part to keep ("the noise")
        self._figurative = [re.compile(r"\b(?:" + f + r")\b") for f in doc.figurative]
        self._indicators = [self._compile(i.id, i.raises, i.patterns, i.label, i.reason, i.negatable, labels)
                            for i in doc.indicators]
        self._gate = LiteralGate([i.literals for i in self._indicators])
        self._negation = _Negation(doc.negation)
        self._suppress = [(frozenset(s.by), frozenset(s.clears), frozenset(s.unless)) for s in doc.suppress]

    @staticmethod
    def _compile(fact: str, raises: list[str], patterns: list[str], label: str | None, reason: str,
                 negatable: bool, labels: Mapping[str, str]) -> _Indicator:
        name = label or labels.get(fact) or fact.replace("_", " ")
        source = "|".join(f"(?:{p})" for p in patterns)
        return _Indicator(fact, tuple(raises), re.compile(source), reason.replace("{label}", name), negatable,
                          required_literals(source))

    def normalise(self, text: str) -> str:
        """Lower-case, drop apostrophes, shrink letter runs, rewrite chat spellings, tidy spaces."""
        text = text.translate(_QUOTES).lower().replace("'", "")
        text = _REPEATS.sub(r"\1", text)
        if self._unmask and ("*" in text or "#" in text or "@" in text or "$" in text or "%" in text):
            text = _MASKED.sub(self._unmasked, text)
        if self._words is not None:
            text = self._words.sub(lambda m: self._replacements[m.group(0)], text)
        if self._drop is not None:
            text = self._drop.sub("", text)
        for figure in self._figurative:
            text = figure.sub(_kept, text)
        text = _SPACES.sub(" ", text)
        return _NEWLINES.sub("\n", text).strip()

    def _unmasked(self, m: re.Match[str]) -> str:
        stem = self._unmask.get(m.group(1)) or self._unmask.get(m.group(1)[0])  # "bl**dy" before "b**tard"
        if stem is None:
            return m.group(0)
        tail = m.group(2)
        return stem if stem.endswith(tail) else stem + tail

    def analyse(self, narrative: str) -> Findings:
        """The facts evidenced by the narrative, with every mention (negated ones marked)."""
        return self.analyse_normalised(self.normalise(narrative))

    def analyse_normalised(self, text: str) -> Findings:
        """`analyse` of a narrative already through `normalise` (the caller needs the text too: normalise once)."""
        breaks = self._negation.breaks(text)
        found: list[tuple[int, Mention, tuple[str, ...]]] = []
        candidates = self._gate.candidates(text)
        for index, ind in enumerate(self._indicators):
            if index not in candidates:
                continue
            for m in ind.regex.finditer(text):
                start, end = m.span()
                if start == end:
                    continue
                negated = ind.negatable and self._negation.negated(text, start, end, breaks)
                quote = m.group(0).strip()
                reason = ind.reason.replace("{match}", quote)
                found.append((start, Mention(ind.fact, quote, reason, negated), ind.raises))
        found.sort(key=lambda item: item[0])
        facts: set[str] = set()
        for _, mention, raises in found:
            if not mention.negated:
                facts.add(mention.fact)
                facts.update(raises)
        for by, clears, unless in self._suppress:
            if facts & by and not facts & unless:
                facts -= clears
        return Findings(frozenset(facts), tuple(m for _, m, _ in found))


class _Negation:
    """Decides whether a mention is governed by a negation cue in the same clause."""

    def __init__(self, rules: NegationRules) -> None:
        self.cues = [_Cue(re.compile(c.pattern), c.max_words, c.crosses_subject) for c in rules.cues]
        self.not_negation = re.compile(rules.not_negation.lstrip("^"))
        self.new_subject = re.compile(rules.new_subject)
        self.clause_break = re.compile(rules.clause_break)
        self.after = re.compile(rules.after.lstrip("^"))

    def breaks(self, text: str) -> list[int]:
        return [m.end() for m in self.clause_break.finditer(text)]

    def negated(self, text: str, start: int, end: int, breaks: list[int]) -> bool:
        i = bisect_right(breaks, start)
        clause_start = breaks[i - 1] if i else 0
        prefix = text[clause_start:start]
        if prefix.strip():
            for cue in self.cues:
                for m in cue.regex.finditer(prefix):
                    between = prefix[m.end():]
                    if len(_WORD.findall(between)) > cue.max_words:
                        continue
                    if self.not_negation.match(prefix[m.end():] + text[start:start + 30]):
                        continue
                    if not cue.crosses_subject and self.new_subject.search(between):
                        continue
                    return True
        return self.after.match(text[end:end + 40]) is not None
