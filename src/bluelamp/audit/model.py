"""Digest rules of the audit chain (pure functions)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_digest(content: dict[str, Any]) -> str:
    """Digest of what changed (before/after); kept beside the entry so content can be erased."""
    return hashlib.sha256(canonical(content).encode()).hexdigest()


def entry_digest(
    seq: int, prev: str, at: datetime, actor: str, action: str, entity: str, entity_id: str, content: str,
    key: bytes | None = None,
) -> str:
    """Digest of one entry, chained to the previous one's: an HMAC-SHA256 with the audit key (held
    outside the database), so an edited chain cannot be recomputed by someone who can only write the
    database. Without a key (entries written before the chain was keyed): plain SHA-256."""
    header = canonical([seq, prev, at.isoformat(), actor, action, entity, entity_id, content]).encode()
    if key is None:
        return hashlib.sha256(header).hexdigest()
    return hmac.new(key, header, hashlib.sha256).hexdigest()


def pending_mac(nonce: str, at: datetime, actor: str, action: str, entity: str, entity_id: str, content: str,
                key: bytes) -> str:
    """MAC of an entry committed but not yet chained (audit_pending): the sealer chains only entries
    whose MAC holds, so write access to the tables alone can neither forge an entry into the chain nor
    edit one while it waits. The nonce keeps two identical entries apart (a unique index on the MAC
    then refuses a copied row while the original waits)."""
    header = canonical(["pending-v1", nonce, at.isoformat(), actor, action, entity, entity_id, content]).encode()
    return hmac.new(key, header, hashlib.sha256).hexdigest()
