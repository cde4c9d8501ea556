"""Reading a narrative: normalise chat-style text, find indicators, set aside negated mentions.

Everything here is driven by the policy's `indicators.yaml`; this module only knows how to apply it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby

from bluelamp.policy.schema import IndicatorsDoc, NegationRules
from bluelamp.triage.model import Findings, Mention
from bluelamp.triage.prefilter import Branch, LiteralGate, branches

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
    branches: tuple[Branch, ...]  # the regex cut into its alternatives (prefilter.branches), each gated alone


class _Branch:
    """One alternative of an indicator's regex. Where every match starts with a literal, the places to
    try are found with `str.find` (the re engine would try the regex at every position of the text)."""

    __slots__ = ("source", "prefix", "_regex")

    def __init__(self, branch: Branch) -> None:
        self.source = branch.source
        self.prefix = branch.prefix if len(branch.prefix) >= 2 else ""  # "": try every position
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:  # compiled when first needed: thousands of branches, most rarely live
            self._regex = re.compile(self.source)
        return self._regex

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """`self.regex.search(text, pos)`."""
        if not self.prefix:
            return (self._regex or self.regex).search(text, pos)
        find, match, prefix = text.find, (self._regex or self.regex).match, self.prefix
        i = find(prefix, pos)
        while i >= 0:
            m = match(text, i)  # lookbehinds and \b still see the text before i
            if m is not None:
                return m
            i = find(prefix, i + 1)
        return None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """`self.regex.finditer(text)` (no match is empty: each holds its prefix)."""
        m = self.search(text)
        while m is not None:
            yield m
            m = self.search(text, m.end())


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
        # Every branch of every indicator, in order, with the indicator it belongs to: the gate tells which
        # branches can match at all, and only those run (a branch without its literal cannot match).
        sources = [(index, b) for index, ind in enumerate(self._indicators) for b in ind.branches]
        self._owner = [index for index, _ in sources]
        self._branches = [_Branch(b) for _, b in sources]
        self._gate = LiteralGate([b.literals for _, b in sources])
        self._prefixes = [b.prefix for b in self._branches]
        self._negation = _Negation(doc.negation)
        self._suppress = [(frozenset(s.by), frozenset(s.clears), frozenset(s.unless)) for s in doc.suppress]

    @staticmethod
    def _compile(fact: str, raises: list[str], patterns: list[str], label: str | None, reason: str,
                 negatable: bool, labels: Mapping[str, str]) -> _Indicator:
        name = label or labels.get(fact) or fact.replace("_", " ")
        source = "|".join(f"(?:{p})" for p in patterns)
        return _Indicator(fact, tuple(raises), re.compile(source), reason.replace("{label}", name), negatable,
                          tuple(branches(source)))

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
        # Branch order is indicator order; a branch whose first words are not in the text cannot match.
        prefixes = self._prefixes
        live = [i for i in sorted(self._gate.candidates(text)) if prefixes[i] in text]
        for index, group in groupby(live, key=self._owner.__getitem__):
            ind = self._indicators[index]
            for m in self._matches(ind, list(group), text):
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

    def _matches(self, ind: _Indicator, live: list[int], text: str) -> Iterator[re.Match[str]]:
        """`ind.regex.finditer(text)`, running only the branches that can match."""
        if len(live) == len(ind.branches):
            return ind.regex.finditer(text)
        if len(live) == 1:
            return self._branches[live[0]].finditer(text)
        return _leftmost_first([self._branches[i] for i in live], text)


def _leftmost_first(regexes: list[_Branch], text: str) -> Iterator[re.Match[str]]:
    """What `re.compile("|".join(regexes)).finditer(text)` finds, from each regex run alone: at the
    leftmost start any of them matches, the first of them in order wins; then on from its end.
    (Exact because no branch matches the empty string: prefilter.branches.)"""
    pending = [r.search(text) for r in regexes]
    pos = 0
    while True:
        best = None
        for k, m in enumerate(pending):
            if m is not None and m.start() < pos:  # overlapped by the last match: look again after it
                m = pending[k] = regexes[k].search(text, pos)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        if best is None:
            return
        yield best
        pos = best.end()


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
