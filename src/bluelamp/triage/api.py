"""`POST /api/v1/triage`: assess a contact without recording it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from bluelamp.contact.model import ContactIn
from bluelamp.triage import service
from bluelamp.web.auth import require_roles

router = APIRouter(tags=["triage"])


@router.post(
    "/triage",
    dependencies=[Depends(require_roles("call_handler", "chat_operator", "dispatcher", "supervisor"))],
)
def triage(contact: ContactIn) -> dict[str, Any]:
    """Assess a contact (THRIVE, flags, grade, route) without recording it; never a repeat flag."""
    return service.assess(contact).to_dict()
