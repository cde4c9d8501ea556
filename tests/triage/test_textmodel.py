"""The learned text model: its file, its features and its part in a decision (issue #10 item 3)."""

from __future__ import annotations

import numpy as np
import pytest

from bluelamp.contact.model import ContactIn
from bluelamp.policy import load_policy
from bluelamp.triage import service, textmodel

pytestmark = pytest.mark.nodb


@pytest.fixture(scope="module")
def reader() -> textmodel.TextReader:
    policy = load_policy()
    got = textmodel.load_reader(policy, {f.id: f.label.lower() for f in policy.flags.flags})
    assert got is not None, "the model for the current policy ships in the package"
    return got


def test_the_model_file_holds_numbers_only_and_names_its_training(reader: textmodel.TextReader) -> None:
    path = textmodel.model_path(load_policy().version)
    with np.load(path, allow_pickle=False) as z:  # no pickle: refuses to load objects
        assert "meta" in z.files
    assert reader.meta["policy_version"] == load_policy().version
    assert reader.meta["trained_on"]["rows"] >= 2000
    assert set(reader.heads) == {"grade", "route", "flags"}
    assert path.stat().st_size < 10_000_000


@pytest.mark.parametrize("text", ["chan999 hes got a knfie!! £20 ça va", "chan101 ", "chanchat sum1  tryna brk in a"])
def test_fast_features_equal_the_hashing_vectorizers(reader: textmodel.TextReader, text: str) -> None:
    idx, val = reader.features_of(text)
    fast = np.zeros(2 * int(reader.meta["n_features"]))
    fast[idx] = val
    word, char = textmodel.featurizer(reader.meta)
    slow = textmodel.features(word, char, [text]).toarray()[0]
    assert np.abs(fast - slow).max() == 0.0


@pytest.mark.parametrize("text", ["he's took all her tablets and she won't wake up", "any update on my crime ref",
                                  "sum1 tryna brk in rn pls hlp"])
def test_stacked_scoring_equals_each_head_on_the_hashing_vectorizers(reader: textmodel.TextReader,
                                                                     text: str) -> None:
    """The reader scores all heads in one product; it must give what each head's matrix gives."""
    word, char = textmodel.featurizer(reader.meta)
    x = textmodel.features(word, char, [textmodel.model_text(text, "999")])
    fast = reader.probabilities(text, "999")
    for name, head in reader.heads.items():
        slow = textmodel._probs(name, head.scores_matrix(x)[0])
        assert np.allclose(fast[name][1], slow, rtol=1e-5, atol=1e-6), name


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_reading_a_contact_needs_no_scikit_learn_or_scipy() -> None:
    import subprocess
    import sys

    code = ("import sys; from bluelamp.contact.model import ContactIn; from bluelamp.triage.service import assess; "
            "a = assess(ContactIn.model_validate({'channel': '999', 'narrative': 'my nan has gone out in her "
            "nightie and its freezing and we cant find her anywhere'})); "
            "print(any(m.startswith(('sklearn', 'scipy')) for m in sys.modules), a.grade)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "False", "the model must load without scikit-learn (start-up time)"


def test_without_a_model_the_rules_and_fail_safe_defaults_still_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textmodel, "model_path", lambda version: textmodel.MODELS_DIR / "missing.npz")
    monkeypatch.setattr(service, "_USE_MODEL", True)
    service._engine.cache_clear()
    try:
        got = service.assess(ContactIn.model_validate({"channel": "999", "narrative": "hmm"}))
        assert (got.grade, got.provisional) == (1, True)
        assert not any(r.startswith("text model") for r in got.reasons)
    finally:
        service._engine.cache_clear()


def test_model_reasons_say_which_words_drove_it() -> None:
    got = service.assess(ContactIn.model_validate({
        "channel": "101", "narrative": "an older lad keeps picking my 14 year old daughter up in his car and "
                                       "giving her vodka and a new phone"}))
    model_reasons = [r for r in got.reasons if r.startswith(("text model", "at least grade"))]
    assert "exploitation" in got.flags or "child_at_risk" in got.flags, got.reasons
    assert all("'" in r for r in model_reasons if "text model" in r), model_reasons


def test_the_compact_file_format_keeps_every_weight_to_float16_precision(tmp_path) -> None:
    """Saved small (uint8 counts and classes, float16 weights) and read back: the same features and classes
    exactly, each weight within float16's relative step; an old-format file still loads."""
    meta, heads = textmodel.load(textmodel.model_path(load_policy().version))
    head = heads["route"]
    textmodel.save(tmp_path / "m.npz", meta, {"grade": heads["grade"], "route": head, "flags": heads["flags"]})
    _, again = textmodel.load(tmp_path / "m.npz")
    back = again["route"]
    assert back.classes == head.classes
    assert np.array_equal(back.ptr, head.ptr) and back.ptr.dtype == np.int64
    assert np.array_equal(back.cls, head.cls) and back.cls.dtype == np.int32
    assert back.w.dtype == np.float32
    assert np.all(np.abs(back.w - head.w) <= np.abs(head.w) * 2.0 ** -11 + 1e-7)
    old = {"meta": np.array("{}")}
    for name, h in again.items():
        old.update({f"{name}_classes": np.array('["' + '","'.join(h.classes) + '"]'), f"{name}_ptr": h.ptr,
                    f"{name}_cls": h.cls, f"{name}_w": h.w, f"{name}_intercept": h.intercept})
    np.savez_compressed(tmp_path / "old.npz", **old)
    _, old_heads = textmodel.load(tmp_path / "old.npz")
    assert np.array_equal(old_heads["route"].w, back.w)


def test_a_head_with_more_classes_than_a_byte_holds_is_refused(tmp_path) -> None:
    classes = tuple(f"c{i}" for i in range(300))
    head = textmodel.Head(classes, np.array([0, 1], dtype=np.int64), np.array([299], dtype=np.int32),
                          np.array([0.5], dtype=np.float32), np.zeros(300))
    with pytest.raises(ValueError, match="255 classes"):
        textmodel.save(tmp_path / "m.npz", {}, {"grade": head, "route": head, "flags": head})
