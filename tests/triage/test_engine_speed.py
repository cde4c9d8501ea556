"""The speed-ups of session 9 change nothing: cut regexes find what the whole ones find, YAML loads the same."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from bluelamp.policy import load_policy
from bluelamp.policy.loader import _YAML_LOADER, VERSIONS_DIR
from bluelamp.triage import service
from bluelamp.triage.narrative import _Branch, _leftmost_first
from bluelamp.triage.prefilter import branches

ROOT = Path(__file__).resolve().parents[2]


def _narratives() -> list[str]:
    lexicon = service._engine(load_policy()).lexicon
    rows = [json.loads(line) for path in sorted((ROOT / "data/triage/train").glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()[::7] if line.strip()]
    return [lexicon.normalise(r["narrative"]) for r in rows]


def spans(matches: object) -> list[tuple[int, int]]:
    return [m.span() for m in matches]  # type: ignore[attr-defined]


@pytest.mark.parametrize("pattern, cut", [
    (r"\b(?:a|b)\b", [r"\ba\b", r"\bb\b"]),
    (r"(?:x)|\b(?:a[|)]b|c\)d)", ["x", r"\ba[|)]b", r"\bc\)d"]),
    (r"\b(?:a|b) (?:c|d)\w*", [r"\ba (?:c|d)\w*", r"\bb (?:c|d)\w*"]),
    (r"\b(?:a|b)?x", [r"\b(?:a|b)?x"]),  # the quantifier belongs to the group: not cut
    (r"\b(?:a|)", [r"\b(?:a|)"]),  # a branch would match the empty string: the whole pattern stays
    (r"(?<!q)\b(?:a|b)", [r"(?<!q)\b(?:a|b)"]),  # a lookbehind before the group: not a head that is cut
    (r"\b(a)\1", [r"\b(a)\1"]),  # a backreference: never cut
])
def test_a_pattern_is_cut_only_where_the_alternatives_are_exact(pattern: str, cut: list[str]) -> None:
    assert [b.source for b in branches(pattern)] == cut


def test_every_indicator_cut_into_branches_finds_the_same_matches() -> None:
    lexicon = service._engine(load_policy()).lexicon
    cuts = [[_Branch(b) for b in ind.branches] for ind in lexicon._indicators]  # each compiled once
    for text in _narratives():
        for ind, cut in zip(lexicon._indicators, cuts, strict=True):
            assert spans(_leftmost_first(cut, text)) == spans(ind.regex.finditer(text)), (ind.fact, text)


def test_a_branch_searched_from_its_prefix_finds_what_the_regex_finds() -> None:
    for source in [r"\bkid", r"(?<!was a )\bchild\b", r"\bhe (?:has|had) a knife", r"\bno\b"]:
        (branch,) = [_Branch(b) for b in branches(source)]
        assert branch.prefix
        for text in ["kid kidding skid kid", "was a child, a child", "he has a knife he had a knife", "no no",
                     "nothing", ""]:
            assert spans(branch.finditer(text)) == spans(re.finditer(source, text))


def test_leftmost_first_prefers_the_earlier_branch_at_the_same_start() -> None:
    cut = [_Branch(b) for b in branches(r"\b(?:ab|abc|b|bc)")]
    for text in ["abc bc", "abcabc b", "xbc ab"]:
        assert spans(_leftmost_first(cut, text)) == spans(re.finditer(r"\b(?:ab|abc|b|bc)", text))


def test_the_fast_yaml_loader_reads_every_policy_file_as_the_python_one_does() -> None:
    files = sorted(VERSIONS_DIR.glob("*/*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=_YAML_LOADER) == yaml.safe_load(text), path.name
