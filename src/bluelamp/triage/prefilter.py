"""A literal pre-filter for regexes: skip a pattern when none of the words it needs is in the text.

`required_literals(pattern)` walks the parsed regex and returns a set of strings such that every match
contains at least one of them (or None when no such set is known, and the regex must always run).
Checking a few substrings is far cheaper than running a large alternation over every position.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

# The standard library's own regex parser (re._parser, re._constants since 3.11; private but stable).
P: Any = importlib.import_module("re._parser")
C: Any = importlib.import_module("re._constants")

_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)}
MIN_LEN = 2


def required_literals(pattern: str) -> frozenset[str] | None:
    return _anchors(P.parse(pattern))


def _anchors(seq: Any) -> frozenset[str] | None:
    return _best(_clauses(seq))


def _clauses(seq: Any) -> list[frozenset[str]]:
    """For each part of the sequence that has them, a set of strings one of which every match holds."""
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
    return candidates


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    good = [c for c in candidates if c and min(len(s) for s in c) >= MIN_LEN]
    if not good:
        return None
    return max(good, key=lambda c: (min(len(s) for s in c), -len(c)))


# A backreference or an inline flag would not survive cutting a pattern into its branches.
_UNSPLITTABLE = re.compile(r"\\[1-9]|\(\?P=|\(\?[aiLmsux]")
_HEADS = (r"\b", "")  # what may stand before the group that is cut: a \b, or nothing (one way to match)
_QUANTIFIERS = ("?", "*", "+", "{")


@dataclass(frozen=True, slots=True)
class Branch:
    """One alternative of a regex, with what every match of it holds."""

    source: str
    literals: frozenset[str] | None  # one of these is in every match (None: not known)
    prefix: str  # every match starts with this ("": not known)


def branches(pattern: str) -> list[Branch]:
    """The pattern's alternatives, in order, such that `pattern` and `"|".join(branches)` find the same
    matches (leftmost-first, the same spans), each branch matching something non-empty.

    Two cuts: the top-level `|`, and `E(?:A|B)F` into `EAF`, `EBF` when E is nothing or `\b` and F
    does not start with a quantifier. The second is exact because E has only one way to match: the
    engine tries A with every way of F, then B with every way of F, either way. Anything else, or a
    branch that could match the empty string, stays whole.
    """
    cuts = [(pattern, pattern, ())] if _UNSPLITTABLE.search(pattern) else _cut(pattern)
    # A branch is its core followed by the tails of the groups it was cut from. Parsing is most of the
    # start-up cost and the branches add up to several times the pattern's length, so each core is
    # parsed alone and each tail once: a match of the branch is a match of its core, then of each tail,
    # so the core gives its prefix, the core and tails its literals, and the core a least width.
    parsed = [P.parse(core) for _, core, _ in cuts]
    prefixes = [_prefix(p) for p in parsed]
    if len(cuts) > 1 and any(not f and p.getwidth()[0] == 0 for f, p in zip(prefixes, parsed, strict=True)):
        cuts, parsed = [(pattern, pattern, ())], [P.parse(pattern)]
        prefixes = [_prefix(parsed[0])]
    tails = {t: _clauses(P.parse(t)) for _, _, ts in cuts for t in set(ts)}
    return [Branch(b, _best(_clauses(p) + [c for t in ts for c in tails[t]]), f)
            for (b, _, ts), p, f in zip(cuts, parsed, prefixes, strict=True)]


def _cut(pattern: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(branch, core, tails): the branch is its core followed by the tails of the groups it was cut from."""
    out: list[tuple[str, str, tuple[str, ...]]] = []
    for part in _top_level(pattern):
        group = _group(part)
        if group is None:
            out.append((part, part, ()))
            continue
        head, alternatives, tail = group
        for alt in alternatives:
            out.extend((branch + tail, core, (*tails, tail) if tail else tails)
                       for branch, core, tails in _cut(head + alt))
    return out


def _group(part: str) -> tuple[str, list[str], str] | None:
    """`E(?:A|B)F` as (E, [A, B], F), when it can be cut; else None."""
    for head in _HEADS:
        if not part.startswith(head + "(?:"):
            continue
        start = len(head) + 3
        end = _closing(part, start)
        tail = part[end + 1:]
        if end < 0 or tail.startswith(_QUANTIFIERS):
            return None
        return head, _top_level(part[start:end]), tail
    return None


# The characters that shape a pattern (escapes and character classes are whole tokens, so skipped).
_TOKENS = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|[()|]", re.DOTALL)


def _scan(pattern: str, start: int = 0) -> Any:
    """(index, char, depth) for every "(", ")" and "|" outside escapes and character classes."""
    depth = 0
    for m in _TOKENS.finditer(pattern, start):
        ch = m.group()
        if len(ch) > 1:
            continue
        if ch == ")":
            depth -= 1
        yield m.start(), ch, depth
        if ch == "(":
            depth += 1


def _top_level(pattern: str) -> list[str]:
    cuts = [i for i, ch, depth in _scan(pattern) if ch == "|" and depth == 0]
    bounds = [-1, *cuts, len(pattern)]
    return [pattern[a + 1:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def _closing(pattern: str, start: int) -> int:
    """The index of the ")" closing the group whose content starts at `start`, or -1."""
    for i, ch, depth in _scan(pattern, start):
        if ch == ")" and depth == -1:
            return i
    return -1


_ZERO_WIDTH = {C.AT, C.ASSERT, C.ASSERT_NOT}


def literal_prefix(pattern: str) -> str:
    """The literal text every match starts with (after \b and lookarounds, which match nothing), or ""."""
    return _prefix(P.parse(pattern))


def _prefix(seq: Any) -> str:
    out = []
    for op, av in seq:
        if op is C.LITERAL:
            out.append(chr(av))
        elif out or op not in _ZERO_WIDTH:
            break
    return "".join(out)


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
