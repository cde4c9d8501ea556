"""The training corpus keeps the labelling standard, and no held-out contact leaks into it.

Every training row is checked with the same rules the writers' checker applies
(`scripts/corpus/corpus_check.py`), ids are unique across writers, and no training narrative of nine
words or more is, word for word, a held-out one (a held-out contact copied into training would make
the held-out figures measure fit). Short openings such as "please help" or "I want to report an assault"
are written independently by many writers and are not counted as leaks (MIN_WORDS).
"""
from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ROOT / "data" / "triage" / "train"
HELD_OUT = sorted((ROOT / "data" / "triage").glob("heldout*"))  # every held-out part, C, f and later
# A row written before the checker existed whose labels are deliberate: a child at risk who is not present
# (the mother threatens to take the children with her).
KNOWN = {("d-0427", "answer child_present false, flag present")}
# A narrative this long or longer, word for word in both parts, is a leak. Session 13: short openings that
# the handler's answers decide ("I want to report an assault", "there's a man shouting in the street") were
# written independently by the new held-out writers ha and hb and by training writers a-ae (17 rows, none longer
# than eight words as counted here, "there's" being two), so the bound moved from five words to nine.
MIN_WORDS = 9


def _checker():
    spec = importlib.util.spec_from_file_location("corpus_check", ROOT / "scripts" / "corpus" / "corpus_check.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(folder: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _words(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def test_every_training_row_keeps_the_labelling_standard():
    checker = _checker()
    found = []
    for row in _rows(TRAIN):
        full = {"answers": {}, "referrals": [], "acceptable_grades": [row["grade"]], "voice": "-", **row}
        if not row["narrative"]:
            full["narrative"] = "(silent)"  # a silent 999 call: an empty narrative is the case itself
        found += [(row["id"], p) for p in checker.problems(full) if (row["id"], p) not in KNOWN]
    assert found == []


def test_ids_are_unique_across_writers():
    counts = Counter(row["id"] for row in _rows(TRAIN))
    assert [i for i, n in counts.items() if n > 1] == []


def test_no_held_out_narrative_is_in_the_training_part():
    held = {_words(r["narrative"]) for folder in HELD_OUT for r in _rows(folder)}
    leaked = [r["id"] for r in _rows(TRAIN)
              if len(_words(r["narrative"]).split()) >= MIN_WORDS and _words(r["narrative"]) in held]
    assert leaked == []
