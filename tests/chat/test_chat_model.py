"""The chat's pure rules: frames, message limits, names shown to the public, rate limits."""

from __future__ import annotations

import pytest

from bluelamp.chat.model import (
    CLIENT_TYPES,
    EMERGENCY_TEXT,
    ChatError,
    RateLimiter,
    check_body,
    check_client_id,
    citizen_narrative,
    merge_flags,
    parse_frame,
    public_name,
)


@pytest.mark.parametrize("raw, code", [
    ("not json", "invalid_frame"),
    ("[1, 2]", "invalid_frame"),
    ('{"no": "type"}', "invalid_frame"),
    ('{"type": "shutdown"}', "invalid_frame"),
    ('{"type": "message", "body": "' + "x" * 20_000 + '"}', "too_large"),
])
def test_a_bad_frame_is_refused_with_a_code(raw, code):
    with pytest.raises(ChatError) as err:
        parse_frame(raw, CLIENT_TYPES, 16_000)
    assert err.value.code == code


def test_a_good_frame_is_parsed():
    frame = parse_frame('{"type": "message", "body": "hi", "client_id": "c1"}', CLIENT_TYPES, 16_000)
    assert frame.type == "message" and frame.data["body"] == "hi"


def test_an_oversized_or_empty_message_is_refused_and_html_is_kept_verbatim():
    with pytest.raises(ChatError) as err:
        check_body("x" * 2001, 2000)
    assert err.value.code == "too_large" and err.value.status == 413
    with pytest.raises(ChatError):
        check_body("   ", 2000)
    with pytest.raises(ChatError):
        check_body(42, 2000)
    html = "<script>alert(1)</script>"
    assert check_body(html, 2000) == html


def test_client_ids_must_be_well_formed():
    assert check_client_id("abc-123_X") == "abc-123_X"
    assert check_client_id(None) is None
    for bad in ("", "a b", "x" * 65, 7, "<id>"):
        with pytest.raises(ChatError):
            check_client_id(bad)


def test_the_public_sees_a_first_name_or_a_number_never_a_username():
    assert public_name("jane.smith", 4) == "Jane"
    assert public_name("chat_operator3", 12) == "Operator 12"
    assert public_name("js2019", 5) == "Operator 5"


# The queue's order is SQL: tests/chat/test_chat_queue_order.py.


def test_flags_accumulate_and_are_never_dropped():
    assert merge_flags(["weapon"], ["domestic_abuse", "weapon"]) == ["weapon", "domestic_abuse"]
    assert merge_flags(["weapon"], []) == ["weapon"]


def test_the_narrative_is_the_persons_words_in_order():
    assert citizen_narrative(["first ", "  ", "second"]) == "first\nsecond"


def test_the_999_message_explains_silent_calls():
    assert "999" in EMERGENCY_TEXT and "55" in EMERGENCY_TEXT


def test_a_token_bucket_allows_a_burst_then_the_steady_rate():
    now = [0.0]
    limiter = RateLimiter(burst=3, per_s=1.0, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.allow("a")
    assert 0.9 < wait <= 1.0
    assert limiter.allow("b") == 0.0  # other keys are not affected
    now[0] += 1.0
    assert limiter.allow("a") == 0.0


def test_the_limiter_forgets_the_oldest_keys_beyond_its_bound():
    limiter = RateLimiter(burst=1, per_s=0.001, clock=lambda: 0.0, max_keys=2)
    for key in ("a", "b", "c"):
        limiter.allow(key)
    assert limiter.allow("a") == 0.0  # "a" was forgotten, so it starts with a full bucket
