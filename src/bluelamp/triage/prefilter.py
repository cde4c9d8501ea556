"""A literal pre-filter for regexes: skip a pattern when none of the words it needs is in the text.

`required_literals(pattern)` walks the parsed regex and returns a set of strings such that every match
contains at least one of them (or None when no such set is known, and the regex must always run).
Checking a few substrings is far cheaper than running a large alternation over every position.
"""

from __future__ import annotations

from typing import Any

from re import _constants as C  # noqa: N812
from re import _parser as P  # noqa: N812

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
