"""The chat's rules as plain data and pure functions: frames, limits, wording, transcripts.

Standard library only, so every rule here is testable without a database or a socket.
"""

from __future__ import annotations

import json
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

STATUSES = ("new", "waiting", "active", "closed")
OPERATOR_OUTCOMES = ("contact_recorded", "advice_given", "signposted", "no_further_action",
                     "malicious_or_abusive", "duplicate")
SYSTEM_OUTCOMES = ("abandoned", "ended_by_citizen", "citizen_disconnected")

# The first thing a person in danger needs: said at once, plainly, with the silent-call routes.
EMERGENCY_TEXT = (
    "Call 999 now. If you are in danger, please call 999 rather than waiting for a reply here. "
    "If you cannot speak, call 999 and listen to the operator's questions; cough or tap the phone if "
    "you can. On a mobile, if asked, press 55 so they know it is a real emergency (this is the Silent "
    "Solution). If you are deaf or cannot speak, text 999 if you are registered with emergencySMS. "
    "We have also alerted a supervisor and moved your chat to the front of the queue."
)

WELCOME_TEXT = (
    "Thank you for contacting us. A member of staff will reply as soon as they can. "
    "If you are in danger now, call 999."
)

CANNED: tuple[tuple[str, str, str], ...] = (
    ("greet", "Greeting", "Hello, you're through to the police live chat. How can I help you today?"),
    ("safe", "Are you safe?", "Are you safe to talk right now? If not, you can close this window at any time."),
    ("where", "Location", "Can you tell me where this happened, or where you are now?"),
    ("details", "Your details", "Could you give me your name and a phone number so we can contact you?"),
    ("record", "Recording", "Thank you. I am recording this now and you will be given a reference number."),
    ("101", "Non-urgent", "This is not an emergency, so we will deal with it through our non-emergency service."),
    ("bye", "Closing", "Is there anything else I can help with today? If not, I'll close this chat now."),
)

CLIENT_TYPES = ("hello", "message", "ack", "details", "end", "ping", "status")
OPERATOR_TYPES = ("hello", "take", "send", "open", "transfer", "convert", "close", "ack_alert", "ping", "ack",
                  "operators")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ChatError(ValueError):
    """A chat request cannot be done; `code` is machine-readable, the message says why."""

    def __init__(self, message: str, code: str = "invalid", status: int = 422, field: str = "body") -> None:
        super().__init__(message)
        self.code, self.status, self.field = code, status, field


@dataclass(frozen=True)
class Frame:
    """One validated frame from a socket."""

    type: str
    data: dict[str, Any]


def parse_frame(raw: str | bytes, allowed: Iterable[str], max_bytes: int) -> Frame:
    """Parse and check one frame: JSON object, known type, size within limits."""
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise ChatError(f"frame is {size} bytes; the limit is {max_bytes}", "too_large", 413)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ChatError("frame is not JSON", "invalid_frame") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ChatError("frame must be a JSON object with a 'type'", "invalid_frame")
    if data["type"] not in tuple(allowed):
        raise ChatError(f"unknown frame type {data['type'][:40]!r}", "invalid_frame")
    return Frame(data["type"], data)


def check_body(body: object, max_chars: int) -> str:
    """A message body: text, not blank, within the limit. Kept verbatim (escaped only on display)."""
    if not isinstance(body, str):
        raise ChatError("message body must be text", "invalid_frame", field="body")
    if not body.strip():
        raise ChatError("message is empty", "empty", field="body")
    if len(body) > max_chars:
        raise ChatError(f"message is {len(body)} characters; the limit is {max_chars}", "too_large", 413, "body")
    return body


def check_client_id(value: object) -> str | None:
    """The client's own message id (for de-duplication on resend); optional, but well-formed."""
    if value is None:
        return None
    if not isinstance(value, str) or not _CLIENT_ID.match(value):
        raise ChatError("client_id must be 1-64 letters, digits, '-' or '_'", "invalid_frame", field="client_id")
    return value


def int_field(data: dict[str, Any], name: str, default: int | None = None) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ChatError(f"{name} must be a whole number", "invalid_frame", field=name)
    return value


def public_name(username: str, user_id: int) -> str:
    """What the public sees of a member of staff: a first name (from 'first.last') or a number."""
    first = username.split(".", 1)[0]
    if "." in username and first.isalpha() and 2 <= len(first) <= 30:
        return first.capitalize()
    return f"Operator {user_id}"


def merge_flags(prior: Iterable[str], new: Iterable[str]) -> list[str]:
    """Flags accumulate over the conversation: once raised, a flag stays (order of first raising)."""
    out = list(dict.fromkeys(prior))
    out.extend(f for f in new if f not in out)
    return out


def citizen_narrative(bodies: Iterable[str]) -> str:
    """The contact's narrative: what the person wrote, in order, one message a line."""
    return "\n".join(b.strip() for b in bodies if b.strip())


def transcript_text(lines: Iterable[tuple[datetime, str, str]], reference: str) -> str:
    """A plain-text transcript (time, who, what) for the person who asked for it."""
    out = [f"Police live chat transcript, reference {reference}", ""]
    for at, who, body in lines:
        # Every line break in a message (any of Unicode's) becomes an indented continuation, so
        # nobody can forge a "[time] Police: ..." line inside their own message.
        first, *rest = body.splitlines() or [""]
        out.append(f"[{at:%d %b %Y %H:%M}] {who}: {first}")
        out.extend(f"    | {part}" for part in rest)
    return "\n".join(out) + "\n"


class RateLimiter:
    """Token buckets by key (a chat, an address): a burst, then a steady rate. Bounded memory."""

    def __init__(self, burst: int, per_s: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        self.burst, self.per_s, self.clock, self.max_keys = float(burst), per_s, clock, max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, key: str) -> float:
        """0.0 when allowed (a token is taken), else the seconds to wait before the next try."""
        now = self.clock()
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.per_s)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            allowed = True
        else:
            self._buckets[key] = (tokens, now)
            allowed = False
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        if allowed:
            return 0.0
        return (1.0 - tokens) / self.per_s if self.per_s > 0 else 60.0


@dataclass(frozen=True)
class Event:
    """Something to push to live sockets after the commit: a frame for every socket on a topic.

    Topics: `chat:{id}:public` (the citizen), `chat:{id}:staff` (its operator and watching
    supervisors), `queue` (every operator), `alerts` (supervisors), `user:{id}` (one member of staff).
    """

    topic: str
    frame: dict[str, Any]
