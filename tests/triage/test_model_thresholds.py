"""The shipped model's grade thresholds come from the whole-engine choice, and the doubt rule is live."""

from __future__ import annotations

import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.policy import load_policy
from bluelamp.triage import textmodel
from bluelamp.triage.service import assess

pytestmark = pytest.mark.nodb


def test_the_floors_were_chosen_on_writers_left_out_and_doubt_is_set() -> None:
    meta, _ = textmodel.load(textmodel.model_path(load_policy().version))
    floor = meta["thresholds"]["floor"]
    assert set(floor) == {"1", "2", "doubt", "held", "by_channel"}
    # the hold (grading.yaml `held`) asks the model to be surer than its floors, never less sure
    assert floor["held"] >= max(floor["1"], floor["2"])
    assert set(floor["by_channel"]) == {"999", "101", "chat", "online"}
    chosen_by = meta["cross_validation"]["floor_chosen_by"]
    assert chosen_by["script"] == "scripts/triage_choose_thresholds.py"
    assert chosen_by["floor"] == floor
    # the evidence behind the choice travels with the model: figures pooled over the left-out writers
    assert chosen_by["pooled_left_out_writers"]["contacts"] > 5000


@pytest.fixture()
def doubting_engine(shipped_model_with_floor):  # type: ignore[no-untyped-def]
    """The shipped model with its doubt threshold set so low that it doubts any reading at all (the
    mechanism under test, not where the threshold sits), put back afterwards."""
    shipped_model_with_floor({"1": 1.01, "2": 1.01, "doubt": 0.0001})


def test_a_doubted_contact_is_never_settled_at_grade_4(doubting_engine) -> None:  # type: ignore[no-untyped-def]
    # the rules alone settle this at grade 4 (damage: telephone resolution); when the model reads any
    # urgency in it, a 999 call stays at its safe grade, provisional, until the answers come
    def on_999(narrative: str, **answers: bool):  # type: ignore[no-untyped-def]
        return assess(ContactIn.model_validate({"channel": "999", "received_at": "2026-03-01T21:14:05Z",
                                                "narrative": narrative, "answers": answers}))

    got = on_999("someone keyed my car overnight")
    assert got.grade == 1 and got.provisional
    assert any("possible urgency" in r for r in got.reasons)
    settled = on_999("someone keyed my car overnight", threat_to_life=False, in_progress=False)
    assert settled.grade == 4


def test_floors_may_differ_by_channel_and_fall_back_to_the_shared_ones() -> None:
    meta, heads = textmodel.load(textmodel.model_path(load_policy().version))
    meta = dict(meta, thresholds=dict(meta["thresholds"], floor={
        "1": 0.5, "2": 0.6, "doubt": 0.4, "by_channel": {"999": {"1": 0.9, "doubt": None}}}))
    reader = textmodel.TextReader(meta, heads, {})
    assert reader.floors_for("999") == {"1": 0.9, "2": 0.6, "doubt": None}
    assert reader.floors_for("101") == {"1": 0.5, "2": 0.6, "doubt": 0.4}


def test_a_channel_floor_changes_only_that_channels_reading() -> None:
    """The same words read on 999 and on 101: raising only 999's floor 1 out of reach stops the model
    lifting the 999 contact to grade 1 and leaves the 101 reading as it was."""
    policy = load_policy()
    meta, heads = textmodel.load(textmodel.model_path(policy.version))
    text = "theres a man outside with something in his hand shouting at the door"
    shared = textmodel.TextReader(dict(meta, thresholds=dict(meta["thresholds"], floor={"1": 0.01, "2": 0.01})),
                                  heads, {})
    split = textmodel.TextReader(dict(meta, thresholds=dict(meta["thresholds"], floor={
        "1": 0.01, "2": 0.01, "by_channel": {"999": {"1": 1.01}}})), heads, {})
    from bluelamp.triage.model import Findings

    none = Findings(frozenset(), ())
    assert shared.read(text, none, "999").floor is not None and shared.read(text, none, "999").floor[0] == 1
    assert split.read(text, none, "999").floor is not None and split.read(text, none, "999").floor[0] == 2
    assert split.read(text, none, "101").floor == shared.read(text, none, "101").floor


def test_chosen_floors_can_be_written_into_a_trained_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json
    import shutil

    from bluelamp.triage import train

    model = tmp_path / "text-2026.1.npz"
    shutil.copy(textmodel.model_path(load_policy().version), model)
    chosen = tmp_path / "thresholds.json"
    floor = {"1": 0.7, "2": 0.6, "doubt": 0.5, "by_channel": {"999": {"1": 0.85, "2": 0.65, "doubt": None}}}
    chosen.write_text(json.dumps({"floor": floor, "evidence": {"at_shipped": {"contacts": 7}}}), encoding="utf-8")
    assert train.main(["--thresholds", str(chosen), "--into", str(model)]) == 0
    meta, heads = textmodel.load(model)
    assert meta["thresholds"]["floor"] == floor
    assert meta["cross_validation"]["floor_chosen_by"]["pooled_left_out_writers"] == {"contacts": 7}
    reader = textmodel.TextReader(meta, heads, {})
    assert reader.floors_for("999")["1"] == 0.85 and reader.floors_for("chat")["1"] == 0.7
