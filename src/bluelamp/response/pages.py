"""The incident board page: open incidents by grade and time left, live clocks, units, dispatch and arrival."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from bluelamp.identity.model import Principal
from bluelamp.response.api import READERS, board
from bluelamp.web.auth import DbSession, page_roles
from bluelamp.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/incidents")
def incident_board(request: Request, session: DbSession,
                   principal: Annotated[Principal, Depends(page_roles(*READERS))]) -> HTMLResponse:
    """The board is drawn by incidents.js from the same JSON it then polls every few seconds."""
    can_act = principal.has_any("dispatcher", "supervisor")
    return render(request, "response/board.html", {"board": board(session), "can_act": can_act})
