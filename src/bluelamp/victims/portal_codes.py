"""Access codes and sign-in for the victim's own page (/my-case).

A code is issued when a victim record opens (shown once to the recording officer, who gives it to the
victim) and re-issued or revoked by victim care. Only its argon2 hash is kept. A code works for many
sign-ins until it expires (policy `portal.code_valid_days`) or is revoked; re-issuing revokes the old one.

Sign-in never tells whether a reference exists: a malformed or unknown reference, a wrong, expired or
revoked code and a crime not shown online all get the same answer, after at least
`portal.hashes_checked` argon2 checks (dummy hashes make up the number) and one attempt row written.
Wrong codes are counted per reference and per client address from the `portal_attempt` table.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bluelamp import clock, cpu
from bluelamp.audit import service as audit
from bluelamp.config import get_settings
from bluelamp.policy import Policy, load_policy
from bluelamp.policy.schema_crime import PortalRules
from bluelamp.victims.portal_store import PortalAttempt, PortalSession, VictimAccessCode
from bluelamp.victims.store import Victim

# OWASP's minimum argon2id setting (19 MiB, 2 passes): a 59-bit random code needs no more, and a crime
# recorded with several victims should not wait seconds for their hashes.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# No 0/O, 1/I/L: a code read out on the phone or copied from a letter is not mistyped.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 31^12, about 2^59
REFERENCE = re.compile(r"^\s*(?:CR)?\s*-?\s*(\d{1,9})\s*$", re.IGNORECASE)
ISSUED_KEY = "portal_codes_issued"  # session.info: victim id -> (code, expires) for the caller to show once


def rules(policy: Policy | None = None) -> PortalRules:
    return (policy or load_policy()).doc("victims_code").portal


def reference_of(crime_id: int) -> str:
    """The crime reference as victims are given it (the letters say the same)."""
    return f"CR{crime_id}"


def parse_reference(text: str) -> int | None:
    m = REFERENCE.match(text or "")
    return int(m.group(1)) if m else None


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise(code: str) -> str:
    """What the victim typed, as the code was hashed: capitals, no spaces or dashes, O read as 0 is not."""
    return re.sub(r"[\s\-]", "", (code or "")).upper()[:64]


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-access-code")


def _verify(hashed: str, code: str) -> bool:
    # in a worker process of lower priority (bluelamp.cpu), never on the request threads
    return cpu.run("portal", cpu.verify_argon2, hashed, code)


def digest(value: str) -> str:
    """A keyed digest: repeats can be counted without keeping the value (a reference, an address)."""
    key = get_settings().resolved_secret_key().encode()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()[:32]


# --- issuing and revoking ------------------------------------------------------------------------


def _revoke_open(session: Session, victim_id: int, actor: str, now: datetime) -> int:
    result = session.execute(update(VictimAccessCode).where(
        VictimAccessCode.victim_id == victim_id, VictimAccessCode.revoked_at.is_(None)).values(
        revoked_at=now, revoked_by=actor).returning(VictimAccessCode.id))
    revoked = [r[0] for r in result.all()]
    if revoked:
        # Signed-in sessions on a revoked code end with it.
        session.execute(update(PortalSession).where(PortalSession.code_id.in_(revoked),
                                                    PortalSession.ended_at.is_(None)).values(ended_at=now))
    return len(revoked)


def issue(session: Session, victim: Victim, actor: str, policy: Policy | None = None) -> tuple[str, datetime]:
    """A new code for the victim (any earlier one is revoked). The plain code is returned once, and kept in
    `session.info` for the route that shows it; only the hash is stored."""
    now = clock.now()
    _revoke_open(session, victim.id, actor, now)
    code = new_code()
    expires = now + timedelta(days=rules(policy).code_valid_days)
    row = VictimAccessCode(victim_id=victim.id, crime_id=victim.crime_id, code_hash=_hasher.hash(normalise(code)),
                           issued_at=now, issued_by=actor, expires_at=expires)
    session.add(row)
    session.flush()
    audit.record(session, actor, "victim.access_code_issued", "victim", victim.id,
                 after={"code_id": row.id, "expires_at": clock.iso(expires)})  # never the code itself
    session.info.setdefault(ISSUED_KEY, {})[victim.id] = (code, expires)
    return code, expires


def issued_in(session: Session) -> dict[int, tuple[str, datetime]]:
    """Codes issued in this unit of work (victim id -> code, expiry), to be shown once."""
    return dict(session.info.get(ISSUED_KEY, {}))


def revoke(session: Session, victim: Victim, actor: str) -> int:
    now = clock.now()
    n = _revoke_open(session, victim.id, actor, now)
    audit.record(session, actor, "victim.access_code_revoked", "victim", victim.id, after={"revoked": n})
    return n


def code_state(session: Session, victim_id: int) -> dict[str, object]:
    """Whether the victim has a code that works now (for victim care's page; never the code)."""
    now = clock.now()
    row = session.execute(select(VictimAccessCode).where(VictimAccessCode.victim_id == victim_id)
                          .order_by(VictimAccessCode.id.desc()).limit(1)).scalar_one_or_none()
    if row is None:
        return {"state": "none", "issued_at": None, "expires_at": None, "last_used_at": None}
    state = "revoked" if row.revoked_at else ("expired" if row.expires_at <= now else "active")
    return {"state": state, "issued_at": clock.iso(row.issued_at), "expires_at": clock.iso(row.expires_at),
            "last_used_at": clock.iso(row.last_used_at)}


# --- signing in ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: a victim and code when right, else why (never shown to the visitor)."""

    outcome: str  # signed_in, wrong_code, throttled, hidden
    victim_id: int | None = None
    code_id: int | None = None


def _failures(session: Session, column: Any, value: str, since: datetime) -> int:
    return int(session.execute(select(func.count()).select_from(PortalAttempt).where(
        column == value, PortalAttempt.outcome == "wrong_code", PortalAttempt.at >= since)).scalar_one())


def throttled(session: Session, ref_d: str, addr_d: str, now: datetime, r: PortalRules) -> bool:
    since = now - timedelta(minutes=r.failure_window_minutes)
    return (_failures(session, PortalAttempt.ref_digest, ref_d, since) >= r.reference_failures
            or _failures(session, PortalAttempt.addr_digest, addr_d, since) >= r.address_failures)


def check(session: Session, reference: str, code: str, address: str, *, shown_online: Callable[[Session, int], bool],
          policy: Policy | None = None) -> SignIn:
    """Check a reference and code; writes the attempt (in the caller's transaction)."""
    r = rules(policy)
    now = clock.now()
    ref_d, addr_d = digest(reference), digest(address)
    typed = normalise(code)
    if throttled(session, ref_d, addr_d, now, r):
        for _ in range(r.hashes_checked):  # the same work as any other answer
            _verify(_dummy_hash(), typed)
        result = SignIn("throttled")
    else:
        crime_id = parse_reference(reference)
        rows = [] if crime_id is None else list(session.execute(select(VictimAccessCode).where(
            VictimAccessCode.crime_id == crime_id, VictimAccessCode.revoked_at.is_(None),
            VictimAccessCode.expires_at > now).order_by(VictimAccessCode.id)).scalars())
        found = None
        hashes = [row.code_hash for row in rows] + [_dummy_hash()] * max(0, r.hashes_checked - len(rows))
        for i, hashed in enumerate(hashes):  # every hash is checked: no early answer
            if _verify(hashed, typed) and i < len(rows) and found is None:
                found = rows[i]
        if found is None:
            result = SignIn("wrong_code")
        elif not shown_online(session, found.crime_id):
            result = SignIn("hidden", found.victim_id, found.id)
        else:
            found.last_used_at = now
            result = SignIn("signed_in", found.victim_id, found.id)
    session.add(PortalAttempt(at=now, ref_digest=ref_d, addr_digest=addr_d, ok=result.outcome == "signed_in",
                              outcome=result.outcome))
    if result.outcome == "hidden" and result.victim_id is not None:
        audit.record(session, f"victim:{result.victim_id}", "portal.sign_in_hidden", "victim", result.victim_id)
    return result


# --- victims' sessions ---------------------------------------------------------------------------


def _session_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(session: Session, signin: SignIn) -> str:
    assert signin.victim_id is not None and signin.code_id is not None
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(PortalSession(digest=_session_digest(secret), victim_id=signin.victim_id, code_id=signin.code_id,
                              started_at=now, last_seen_at=now))
    audit.record(session, f"victim:{signin.victim_id}", "portal.signed_in", "victim", signin.victim_id)
    return secret


def resolve_session(session: Session, secret: str | None, policy: Policy | None = None) -> PortalSession | None:
    """The live session of this cookie; ends it when idle or too old, or when its code no longer works."""
    if not secret or len(secret) > 200:
        return None
    r = rules(policy)
    now = clock.now()
    row = session.execute(select(PortalSession).where(PortalSession.digest == _session_digest(secret))
                          ).scalar_one_or_none()
    if row is None or row.ended_at is not None:
        return None
    code = session.get(VictimAccessCode, row.code_id)
    if (code is None or code.revoked_at is not None or code.expires_at <= now
            or now - row.last_seen_at > timedelta(minutes=r.session_idle_minutes)
            or now - row.started_at > timedelta(minutes=r.session_max_minutes)):
        row.ended_at = now
        return None
    row.last_seen_at = now
    return row


def end_session(session: Session, secret: str | None) -> int | None:
    if not secret:
        return None
    row = session.execute(select(PortalSession).where(PortalSession.digest == _session_digest(secret))
                          ).scalar_one_or_none()
    if row is None or row.ended_at is not None:
        return None
    row.ended_at = clock.now()
    audit.record(session, f"victim:{row.victim_id}", "portal.signed_out", "victim", row.victim_id)
    return row.victim_id
