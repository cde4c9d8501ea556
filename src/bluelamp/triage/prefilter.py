"""A literal pre-filter for regexes: skip a pattern when none of the words it needs is in the text.

`required_literals(pattern)` walks the parsed regex and returns a set of strings such that every match
contains at least one of them (or None when no such set is known, and the regex must always run).
Checking a few substrings is far cheaper than running a large alternation over every position.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

# The standard library's own regex parser (re._parser, re._constants since 3.11; private but stable).
P: Any = importlib.import_module("re._parser")
C: Any = importlib.import_module("re._constants")

_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)}
MIN_LEN = 2


def required_literals(pattern: str) -> frozenset[str] | None:
    return _anchors(P.parse(pattern))


def _anchors(seq: Any) -> frozenset[str] | None:
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            candidates.append(frozenset({"".join(run)}))
            run.clear()

    for op, av in seq:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        flush()
        sub: frozenset[str] | None = None
        if op is C.SUBPATTERN:
            sub = _anchors(av[3])
        elif op is C.BRANCH:
            subs = [_anchors(b) for b in av[1]]
            if all(s is not None for s in subs):
                sub = frozenset().union(*[s for s in subs if s is not None])
        elif op in _REPEATS and av[0] >= 1:
            sub = _anchors(av[2])
        elif op is getattr(C, "ATOMIC_GROUP", None):
            sub = _anchors(av)
        if sub is not None:
            candidates.append(sub)
    flush()
    good = [c for c in candidates if c and min(len(s) for s in c) >= MIN_LEN]
    if not good:
        return None
    return max(good, key=lambda c: (min(len(s) for s in c), -len(c)))


class LiteralGate:
    """One scan of the text tells which indicators can match at all.

    The literals of every indicator are compiled into one trie-shaped regex inside a lookahead, so a
    single `finditer` finds, at each position, the longest literal starting there; every shorter
    literal starting at the same position is a prefix of it and is credited too.
    """

    def __init__(self, literals: list[frozenset[str] | None]) -> None:
        self.always = frozenset(i for i, lits in enumerate(literals) if lits is None)
        owners: dict[str, set[int]] = {}
        for i, lits in enumerate(literals):
            for word in lits or ():
                owners.setdefault(word, set()).add(i)
        self.credit = {w: frozenset().union(*(owners[w[:k]] for k in range(1, len(w) + 1) if w[:k] in owners))
                       for w in owners}
        self.regex = re.compile("(?=(" + _trie(sorted(owners)) + "))", re.DOTALL) if owners else None

    def candidates(self, text: str) -> set[int]:
        found = set(self.always)
        if self.regex is not None:
            credit = self.credit
            for m in self.regex.finditer(text):
                found |= credit[m.group(1)]
        return found


def _trie(words: list[str]) -> str:
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _node(root)


def _node(node: dict[str, Any]) -> str:
    alts = [re.escape(ch) + _node(child) for ch, child in sorted(node.items()) if ch]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    if "" in node:  # a word ends here: the rest is optional (greedy, so the longest is found)
        return "(?:" + body + ")?"
    return body
