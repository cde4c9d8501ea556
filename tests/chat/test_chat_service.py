"""The chat's use cases on a real database: screening, escalation, the queue, operators, records."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bluelamp.audit import service as audit
from bluelamp.chat import operations, service, store
from bluelamp.chat.model import ChatError
from bluelamp.contact import service as contacts


def _start(db, **details):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        token, chat, _ = service.start_chat(s, details)
        return token, chat.id


def _say(db, token, body, client_id=None):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        msg, events, duplicate = service.citizen_message(s, token, body, client_id)
        return msg.seq, events, duplicate


def _chat(db, chat_id):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        return s.get(store.Chat, chat_id)


def test_messages_get_per_chat_sequence_numbers_and_a_resend_is_stored_once(db):
    token, chat_id = _start(db)
    other, _ = _start(db)
    assert _say(db, token, "hello", "c1")[0] == 2  # 1 is the welcome notice
    assert _say(db, other, "hello")[0] == 2
    seq, events, duplicate = _say(db, token, "hello", "c1")
    assert (seq, events, duplicate) == (2, [], True)
    assert _say(db, token, "again", "c2")[0] == 3
    with db.unit_of_work() as s:
        assert [m.seq for m in store.messages_after(s, chat_id, 0)] == [1, 2, 3]


def test_the_first_message_queues_the_chat_and_html_is_stored_verbatim(db):
    token, chat_id = _start(db)
    assert _chat(db, chat_id).status == "new"
    _say(db, token, "<img src=x onerror=alert(1)> my shed was broken into")
    chat = _chat(db, chat_id)
    assert chat.status == "waiting" and chat.queued_at is not None
    with db.unit_of_work() as s:
        assert store.messages_after(s, chat_id, 1)[0].body.startswith("<img src=x onerror=alert(1)>")


def test_an_emergency_shows_999_at_once_alerts_a_supervisor_and_jumps_the_queue(db):
    calm, calm_id = _start(db)
    _say(db, calm, "I would like some advice about a parking dispute with a neighbour")
    urgent, urgent_id = _start(db)
    seq, events, _ = _say(db, urgent, "he has a knife and is threatening to kill me")
    public = [e.frame for e in events if e.topic == f"chat:{urgent_id}:public"]
    assert [f["kind"] for f in public] == ["text", "emergency"]
    assert "Call 999 now" in public[1]["body"] and "55" in public[1]["body"]
    assert public[1]["seq"] == seq + 1
    assert any(e.topic == "alerts" for e in events)
    chat = _chat(db, urgent_id)
    assert chat.emergency and chat.risk_grade == 1 and "weapon" in chat.flags
    with db.unit_of_work() as s:
        assert [c.id for c in store.waiting_chats(s)] == [urgent_id, calm_id]
        alert = store.open_alerts(s)[0]
        assert alert.chat_id == urgent_id and alert.kind == "chat_emergency"
        assert [e.action for e in audit.trail(s, "chat", urgent_id)][-1] == "chat.emergency_screened"
    # A second alarming message does not repeat the warning or the alert.
    _, again, _ = _say(db, urgent, "he still has the knife")
    assert not [e for e in again if e.topic == "alerts"]


def test_risk_flags_accumulate_over_the_conversation(db):
    token, chat_id = _start(db)
    _say(db, token, "my ex partner keeps turning up at my house")
    first = _chat(db, chat_id)
    assert "domestic_abuse" in first.flags and not first.emergency
    _say(db, token, "thanks for listening")
    assert "domestic_abuse" in _chat(db, chat_id).flags  # not message by message
    _say(db, token, "he is outside now and he has a knife")
    chat = _chat(db, chat_id)
    assert {"domestic_abuse", "weapon"} <= set(chat.flags)
    assert chat.risk_grade == 1 and chat.emergency


def test_an_operator_takes_the_head_of_the_queue_up_to_the_concurrency_limit(db, principal, chat_settings):
    chat_settings(max_per_operator=2)
    op = principal("chat_operator")
    tokens = [_start(db) for _ in range(3)]
    for token, _ in tokens:
        _say(db, token, "my bike was stolen from outside the station")
    with db.unit_of_work() as s:
        first, _ = operations.take(s, op)
    assert first.id == tokens[0][1] and first.status == "active"
    with db.unit_of_work() as s:
        operations.take(s, op)
    with pytest.raises(ChatError) as err, db.unit_of_work() as s:
        operations.take(s, op)
    assert err.value.code == "at_limit"


def test_a_chat_cannot_be_taken_twice(db, principal):
    a, b = principal("chat_operator"), principal("chat_operator")
    token, chat_id = _start(db)
    _say(db, token, "hello")
    with db.unit_of_work() as s:
        operations.take(s, a, chat_id)
    with pytest.raises(ChatError) as err, db.unit_of_work() as s:
        operations.take(s, b, chat_id)
    assert err.value.status == 409


def test_only_the_assigned_operator_replies_and_the_public_sees_a_first_name_only(db, principal):
    a, b = principal("chat_operator"), principal("chat_operator")
    token, chat_id = _start(db)
    _say(db, token, "hello")
    with db.unit_of_work() as s:
        _, events = operations.take(s, a, chat_id)
    with db.unit_of_work() as s:
        _, events = operations.send(s, a, chat_id, "Hello, how can I help?", "op-1")
    public = [e.frame for e in events if e.topic.endswith(":public")][0]
    assert public["author"] == f"Operator {a.user_id}" and a.username not in str(public)
    with pytest.raises(ChatError) as err, db.unit_of_work() as s:
        operations.send(s, b, chat_id, "I am not yours")
    assert err.value.status == 403


def test_a_transfer_moves_the_chat_and_respects_the_targets_limit(db, principal, chat_settings):
    chat_settings(max_per_operator=1)
    a, b, c = principal("chat_operator"), principal("chat_operator"), principal("chat_operator")
    ids = []
    for _ in range(2):
        token, chat_id = _start(db)
        _say(db, token, "hello")
        ids.append(chat_id)
    with db.unit_of_work() as s:
        operations.take(s, a, ids[0])
    with db.unit_of_work() as s:
        operations.take(s, c, ids[1])
    with db.unit_of_work() as s:
        chat, events = operations.transfer(s, a, ids[0], b.user_id)
    assert chat.operator_id == b.user_id and chat.transfers == 1
    assert {e.topic for e in events} >= {f"user:{a.user_id}", f"user:{b.user_id}"}
    with pytest.raises(ChatError) as err, db.unit_of_work() as s:
        operations.transfer(s, b, ids[0], c.user_id)
    assert err.value.code == "at_limit"


def test_a_chat_becomes_a_contact_from_the_persons_words_and_takes_the_usual_route(db, principal):
    op = principal("chat_operator")
    token, chat_id = _start(db, name="Sam Jones", phone="07700 900123")
    _say(db, token, "My partner hit me and has a knife, he is still here")
    _say(db, token, "I am in the kitchen")
    with db.unit_of_work() as s:
        operations.take(s, op, chat_id)
    with db.unit_of_work() as s:
        operations.send(s, op, chat_id, "Stay on the chat, officers are coming")
    with db.unit_of_work() as s:
        result, _ = operations.convert(s, op, chat_id, {"location": {"description": "4 High St"}})
    with db.unit_of_work() as s:
        contact = contacts.get_contact(s, result["id"])
        assert contact.channel == "chat"
        assert contact.narrative == "My partner hit me and has a knife, he is still here\nI am in the kitchen"
        assert contact.grade == 1 and contact.route == "deploy" and result["incident_id"] is not None
        assert contact.location_description == "4 High St"
        trail = audit.trail(s, "chat", chat_id)
        converted = [e for e in trail if e.action == "chat.converted"][0]
        assert converted.content["after"]["contact_id"] == result["id"]
        assert len(converted.content["after"]["transcript_sha256"]) == 64
    with pytest.raises(ChatError) as err, db.unit_of_work() as s:
        operations.convert(s, op, chat_id)
    assert err.value.code == "already_recorded"
    with db.unit_of_work() as s:
        chat, _ = operations.finish(s, op, chat_id, None)
    assert chat.outcome == "contact_recorded" and chat.status == "closed"


def test_closing_keeps_waiting_handling_and_outcome_and_a_bad_outcome_is_refused(db, principal, fixed_clock):
    op = principal("chat_operator")
    token, chat_id = _start(db)
    _say(db, token, "a question about lost property")
    fixed_clock.advance(seconds=90)
    with db.unit_of_work() as s:
        operations.take(s, op, chat_id)
    fixed_clock.advance(seconds=300)
    with pytest.raises(ChatError), db.unit_of_work() as s:
        operations.finish(s, op, chat_id, "nonsense")
    with db.unit_of_work() as s:
        operations.finish(s, op, chat_id, "advice_given")
    with db.unit_of_work() as s:
        figures = operations.chat_figures(s, fixed_clock.now.replace(hour=0), fixed_clock.advance(seconds=1))
        row = figures["rows"][0]
        assert row["waiting_s"] == 90 and row["handling_s"] == 300
        assert row["outcome"] == "advice_given" and row["abandoned"] is False
        closed = [e for e in audit.trail(s, "chat", chat_id) if e.action == "chat.closed"][0]
        assert closed.content["after"]["messages"] == 4  # welcome, question, operator joined, closing


def test_a_person_who_leaves_before_an_answer_is_counted_as_abandoned(db, fixed_clock, chat_settings):
    chat_settings(abandon_after_s=60)
    token, chat_id = _start(db)
    _say(db, token, "hello is anyone there")
    with db.unit_of_work() as s:
        service.citizen_presence(s, token, connected=False, seen_seq=2)
    fixed_clock.advance(seconds=30)
    with db.unit_of_work() as s:
        assert service.sweep_abandoned(s) == []
    fixed_clock.advance(seconds=31)
    with db.unit_of_work() as s:
        assert service.sweep_abandoned(s)
    chat = _chat(db, chat_id)
    assert chat.status == "closed" and chat.outcome == "abandoned" and chat.citizen_seen_seq == 2
    with pytest.raises(ChatError) as err:
        _say(db, token, "I'm back")
    assert err.value.code == "closed"


def test_the_person_can_end_the_chat_and_request_a_transcript(db, principal):
    op = principal("chat_operator")
    token, chat_id = _start(db)
    _say(db, token, "<b>bold</b> question")
    with db.unit_of_work() as s:
        operations.take(s, op, chat_id)
    with db.unit_of_work() as s:
        service.citizen_end(s, token)
    assert _chat(db, chat_id).outcome == "ended_by_citizen"
    with db.unit_of_work() as s:
        text = service.citizen_transcript(s, token)
        assert "You: <b>bold</b> question" in text and op.username not in text
        assert f"Operator {op.user_id}" in text
        assert "chat.transcript_requested" in [e.action for e in audit.trail(s, "chat", chat_id)]


def test_the_matching_preview_finds_a_repeat_caller_and_changes_nothing(db, principal):
    from bluelamp.contact.model import ContactIn
    from bluelamp.contact.store import Person

    handler = principal("call_handler")
    for text in ("my neighbour is playing loud music", "my neighbour's music again", "the music once more"):
        with db.unit_of_work() as s:
            contacts.record_contact(s, ContactIn.model_validate(
                {"channel": "101", "narrative": text, "caller": {"name": "Ann Lee", "phone": "07700 900555"}}), handler)
    op = principal("chat_operator")
    token, chat_id = _start(db, phone="07700900555")
    _say(db, token, "it is the music again")
    with db.unit_of_work() as s:
        before = len(s.execute(select(Person)).all())
        view = operations.view(s, op, chat_id)
        assert "repeat_caller" in view["matching"]["history_flags"]
    token2, chat2 = _start(db, name="Nobody Known", phone="01234 567890")
    _say(db, token2, "hello")
    with db.unit_of_work() as s:
        operations.view(s, op, chat2)
    with db.unit_of_work() as s:
        assert len(s.execute(select(Person)).all()) == before
