"""Narratives: every template fills, and the pool has the mess of real contacts."""

from __future__ import annotations

import numpy as np

from bluelamp.synth.kinds import KINDS
from bluelamp.synth.narratives import NARRATIVES
from bluelamp.synth.text import NarrativePool, chatify, fill, misspell


def test_every_kind_has_words_and_every_template_fills():
    rng = np.random.default_rng(1)
    assert {k.id for k in KINDS} == set(NARRATIVES)
    for kind, styles in NARRATIVES.items():
        assert styles["note"], kind
        for template, facts in styles["note"] + styles["own"]:
            text = fill(template, rng)
            assert "{" not in text and "}" not in text, text
            assert set(facts) <= {"weapon", "injury", "in_progress", "suspect_present", "child_present",
                                  "threat_to_life"}


def test_kinds_with_chat_or_online_weight_have_words_of_their_own_or_notes():
    for kind in KINDS:
        if kind.weights[2] or kind.weights[3]:
            assert NARRATIVES[kind.id]["own"] or NARRATIVES[kind.id]["note"], kind.id


def test_the_pool_holds_negations_misspellings_and_chat_style():
    pool = NarrativePool(42)
    texts = [pool.get(k, s, v).text for k in range(len(KINDS)) for s in range(3) for v in range(pool.size)]
    assert len(set(texts)) > 1000
    joined = "\n".join(texts).lower()
    for negation in ("no weapons", "nobody hurt", "not threatening", "no injuries"):
        assert negation in joined, negation
    assert any(w in joined for w in ("nieghbour", "definately", "threatend", "suspicous", "stollen", "knive"))
    assert " pls" in joined or " u " in joined


def test_the_same_seed_gives_the_same_words():
    a, b = NarrativePool(3), NarrativePool(3)
    assert [a.get(0, 0, v).text for v in range(16)] == [b.get(0, 0, v).text for v in range(16)]
    assert [a.get(0, 0, v).text for v in range(16)] != [NarrativePool(4).get(0, 0, v).text for v in range(16)]


def test_chat_and_misspelling_transforms():
    rng = np.random.default_rng(5)
    out = {chatify("Please can you help, I'm scared because he is outside.", rng) for _ in range(20)}
    assert any("pls" in o or "u " in o or "im " in o for o in out)
    wrong = {misspell("My neighbour was threatened with a knife", np.random.default_rng(s)) for s in range(20)}
    assert any("nieghbour" in w or "threatend" in w or "knive" in w for w in wrong)
