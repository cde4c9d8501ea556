"""The two sockets: the citizen's `/chat/ws` (no account; the chat token in the first frame, never in
the URL) and the console's `/chat/ws/operator` (signed-in chat operators and supervisors).

Protocol (JSON text frames). A client sends `hello` with the last sequence number it holds and gets
everything after it; each message carries its chat's sequence number, and a message sent with a
client_id is stored once however often it is resent: so a dropped connection loses and duplicates
nothing. Bad frames get an `error` frame with a code; the socket stays open unless they keep coming.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, WebSocket, WebSocketDisconnect, WebSocketException
from pydantic import ValidationError

from bluelamp.audit import access as access_log
from bluelamp.chat import hub as hubs
from bluelamp.chat import operations, service
from bluelamp.chat.api import DetailsIn, client_address
from bluelamp.chat.model import (
    CLIENT_TYPES,
    OPERATOR_TYPES,
    ChatError,
    Frame,
    check_client_id,
    int_field,
    parse_frame,
)
from bluelamp.chat.settings import get_chat_settings
from bluelamp.identity.model import Principal
from bluelamp.web.auth import RoleGuard, current_principal, public

router = APIRouter()


class SocketRoles(RoleGuard):
    """The role guard for a socket: the session cookie's user must hold one of the roles."""

    def __call__(self, websocket: WebSocket) -> Principal:  # type: ignore[override]
        principal = current_principal(websocket)  # type: ignore[arg-type]
        if principal is None or not principal.has_any(*self.roles):
            raise WebSocketException(code=1008, reason="sign in as a chat operator or supervisor")
        return principal


async def _receive(ws: WebSocket) -> str | None:
    """The next text frame; None when the peer has gone. A binary frame is an invalid frame."""
    msg = await ws.receive()
    if msg["type"] == "websocket.disconnect":
        return None
    text = msg.get("text")
    return text if text is not None else "\x00binary"


class _Session:
    """What a socket keeps between frames: its connection, strikes for bad frames, its peer."""

    def __init__(self, ws: WebSocket, conn: hubs.Conn) -> None:
        self.ws, self.conn, self.strikes = ws, conn, 0
        self.address = client_address(ws)

    def fail(self, exc: ChatError, frame: Frame | None) -> bool:
        """Tell the client what was wrong; True when it has sent too many bad frames to keep."""
        reply: dict[str, Any] = {"type": "error", "code": exc.code, "detail": str(exc)}
        if frame is not None:
            for key in ("client_id", "ref"):
                if isinstance(frame.data.get(key), str | int):
                    reply[key] = frame.data[key]
        self.conn.send(reply)
        if exc.code in ("invalid_frame", "too_large"):
            self.strikes += 1
        return self.strikes > get_chat_settings().max_invalid_frames


# ---- the sockets ------------------------------------------------------------------------------

@router.websocket("/chat/ws/operator")
async def operator_socket(websocket: WebSocket,
                          principal: Annotated[Principal, Depends(SocketRoles(operations.OPERATORS))]) -> None:
    await _operator(websocket, principal)


# How long a citizen socket on /chat/ws may take to send its first frame (the one with the token).
FIRST_FRAME_S = 10.0


@router.websocket("/chat/ws", dependencies=[Depends(public)])
async def citizen_socket_first_frame(websocket: WebSocket) -> None:
    """The widget's socket: the chat token travels in the first frame (`hello` with `token`), never in
    the URL, so it stays out of proxy and server access logs. The Origin check (web/security.py) is
    the same as for every socket."""
    await websocket.accept()
    try:
        raw = await asyncio.wait_for(_receive(websocket), FIRST_FRAME_S)
    except (TimeoutError, WebSocketDisconnect):
        with contextlib.suppress(Exception):
            await websocket.close(1008)
        return
    if raw is None:
        return
    try:
        frame = parse_frame(raw, ("hello",), get_chat_settings().max_frame_bytes)
        token = frame.data.get("token")
        if not isinstance(token, str) or not 0 < len(token) <= 200:
            raise ChatError("the first frame is hello with the chat token", "invalid_frame", field="token")
    except ChatError as exc:
        await websocket.send_json({"type": "error", "code": exc.code, "detail": str(exc)})
        await websocket.close(1008)
        return
    await _citizen(websocket, token, frame)


async def _citizen(websocket: WebSocket, chat_token: str, first: Frame) -> None:
    app = websocket.app
    hub = hubs.get_hub(app)
    try:
        chat = await hubs.run(app, lambda s: (service.chat_for_token(s, chat_token), []))
    except ChatError:
        await websocket.send_json({"type": "error", "code": "unknown_chat", "detail": "this chat does not exist"})
        await websocket.close(4404)
        return
    conn = hubs.Conn(websocket)
    hub.subscribe(conn, f"chat:{chat.id}:public")
    state = _Session(websocket, conn)
    seen = 0
    if chat.status != "closed":
        await hubs.run(app, lambda s: (None, service.citizen_presence(s, chat_token, True)))
    try:
        await _citizen_frame(state, chat.id, chat_token, first)
        while True:
            raw = await _receive(websocket)
            if raw is None:
                break
            frame: Frame | None = None
            try:
                frame = parse_frame(raw, CLIENT_TYPES, get_chat_settings().max_frame_bytes)
                if frame.type == "ack":
                    seen = max(seen, int_field(frame.data, "seq"))
                else:
                    await _citizen_frame(state, chat.id, chat_token, frame)
            except ChatError as exc:
                if state.fail(exc, frame):
                    await conn.finish()  # the last error frame goes out before the close
                    await websocket.close(1008)
                    break
    except WebSocketDisconnect:
        pass
    finally:
        hub.drop(conn)
        await conn.finish()
        with contextlib.suppress(Exception):  # the database is down: the sweep catches up later
            await hubs.run(app, lambda s: (None, service.citizen_presence(s, chat_token, False, seen)))


async def _citizen_frame(state: _Session, chat_id: int, token: str, frame: Frame) -> None:
    app = state.ws.app
    hub = hubs.get_hub(app)
    data = frame.data
    if frame.type == "hello":
        after = int_field(data, "last_seq", 0)
        chat, frames = await hubs.run(app, lambda s: (service.citizen_resume(s, token, after), []))
        for f in frames:
            state.conn.send(f)
        state.conn.send(await _status(app, token))
    elif frame.type == "message":
        client_id = check_client_id(data.get("client_id"))
        wait = max(hub.per_chat.allow(str(chat_id)), hub.per_address.allow(state.address))
        if wait:
            raise ChatError(f"too many messages: wait {wait:.1f} s", "rate_limited", 429)
        msg, duplicate = await hubs.run(app, lambda s: _pair(service.citizen_message(s, token, data.get("body"),
                                                                                      client_id)))
        if duplicate:
            state.conn.send(service.public_message(msg))  # the resend is acknowledged, not stored again
    elif frame.type == "details":
        try:
            details = DetailsIn.model_validate({k: v for k, v in data.items() if k != "type"})
        except ValidationError as exc:
            raise ChatError(f"details: {exc.errors()[0]['msg']}", "invalid_frame") from None
        await hubs.run(app, lambda s: service.citizen_details(s, token, details.model_dump()))
        state.conn.send({"type": "details_saved"})
    elif frame.type == "end":
        await hubs.run(app, lambda s: service.citizen_end(s, token))
    elif frame.type == "ping":
        state.conn.send({"type": "pong"})
    elif frame.type == "status":
        state.conn.send(await _status(app, token))


async def _status(app: Any, token: str) -> dict[str, Any]:
    """The person's status frame with their place in the queue while they wait."""
    def read(s: Any) -> dict[str, Any]:
        chat = service.chat_for_token(s, token)
        return service.public_status(chat, service.queue_position(s, chat))
    result: dict[str, Any] = await hubs.read(app, read)
    return result


async def _log_read(state: _Session, principal: Principal, chat_id: int) -> None:
    """A transcript shown on the console is a read like `GET /api/v1/chats/{id}`: in the access log
    first (audit/access.py), and not shown if it cannot be logged."""
    try:
        await anyio.to_thread.run_sync(access_log.write, state.ws.app.state.db, principal.actor, "chat",
                                       str(chat_id), "/chat/ws/operator", state.address, None)
    except Exception:
        raise ChatError("the access log is unavailable: the chat was not shown", "unavailable", 503) from None


def _pair(result: tuple[Any, list[Any], bool]) -> tuple[tuple[Any, bool], list[Any]]:
    msg, events, duplicate = result
    return (msg, duplicate), events


# ---- the console ------------------------------------------------------------------------------

# An open console re-checks its session this often: a disabled user, an ended session or a role
# taken away closes the socket within this time (the contract allows 10 s).
SOCKET_RECHECK_S = 5.0


async def _watch_session(websocket: WebSocket, roles: tuple[str, ...]) -> None:
    while True:
        await asyncio.sleep(SOCKET_RECHECK_S)
        principal = await anyio.to_thread.run_sync(current_principal, websocket)  # type: ignore[arg-type]
        if principal is None or not principal.has_any(*roles):
            with contextlib.suppress(Exception):
                await websocket.close(1008, "session ended")
            return


async def _operator(websocket: WebSocket, principal: Principal) -> None:
    app = websocket.app
    hub = hubs.get_hub(app)
    await websocket.accept()
    conn = hubs.Conn(websocket, principal.user_id)
    hub.subscribe(conn, "queue")
    hub.subscribe(conn, f"user:{principal.user_id}")
    if principal.has_any("supervisor"):
        hub.subscribe(conn, "alerts")
    state = _Session(websocket, conn)
    watcher = asyncio.create_task(_watch_session(websocket, operations.OPERATORS))
    try:
        await _snapshot(state, principal)
        while True:
            raw = await _receive(websocket)
            if raw is None:
                break
            frame: Frame | None = None
            try:
                frame = parse_frame(raw, OPERATOR_TYPES, get_chat_settings().max_frame_bytes)
                await _operator_frame(state, principal, frame)
            except ChatError as exc:
                if state.fail(exc, frame):
                    await conn.finish()  # the last error frame goes out before the close
                    await websocket.close(1008)
                    break
    except (WebSocketDisconnect, RuntimeError):
        pass  # RuntimeError: the watcher closed the socket under a pending receive
    finally:
        watcher.cancel()
        hub.drop(conn)
        await conn.finish()


async def _snapshot(state: _Session, principal: Principal) -> None:
    hub = hubs.get_hub(state.ws.app)
    snap = await hubs.run(state.ws.app, lambda s: (operations.snapshot(s, principal), []))
    mine = list(snap["mine"])
    if mine and not await _log_streams(state, principal, mine):
        snap["mine"], mine = [], []
        state.conn.send({"type": "error", "code": "unavailable",
                         "detail": "the access log is unavailable: your chats' messages are not shown"})
    for chat_id in mine:
        hub.subscribe(state.conn, f"chat:{chat_id}:staff")
    state.conn.send(snap)


async def _log_streams(state: _Session, principal: Principal, chat_ids: list[int]) -> bool:
    """Each chat whose live messages this console will receive is a read of that chat, logged before the
    first message goes out; a console that reconnects again and again (a flaky network, a refresh
    storm) writes one row per operator and chat in the access log's window (audit/access.py)."""
    try:
        await anyio.to_thread.run_sync(access_log.write_list, state.ws.app.state.db, principal.actor,
                                       [("chat", str(c)) for c in chat_ids], STREAM_ROUTE, state.address)
    except Exception:
        return False
    return True


STREAM_ROUTE = "/chat/ws/operator#stream"  # the access log's route for a console's live message streams


async def _operator_frame(state: _Session, principal: Principal, frame: Frame) -> None:
    app, data, conn = state.ws.app, frame.data, state.conn
    hub = hubs.get_hub(app)
    ref = data.get("ref")
    if frame.type == "hello":
        await _snapshot(state, principal)
        return
    if frame.type in ("ping", "ack"):
        if frame.type == "ping":
            conn.send({"type": "pong"})
        return
    if frame.type == "operators":
        targets = await hubs.read(app, lambda s: operations.transfer_targets(s, principal))
        conn.send({"type": "operators", "ref": ref, "operators": targets})
        return
    if frame.type == "ack_alert" and not principal.has_any("supervisor"):
        raise ChatError("only a supervisor acknowledges alerts", "forbidden", 403)
    if frame.type == "ack_alert":
        alert_id = int_field(data, "alert_id")
        await hubs.run(app, lambda s: operations.ack_alert(s, principal, alert_id))
        return
    chat_id = int_field(data, "chat_id") if data.get("chat_id") is not None or frame.type != "take" else None
    if frame.type == "take":
        chat = await hubs.run(app, lambda s: operations.take(s, principal, chat_id))
        chat_id = chat.id
    if frame.type in ("take", "open"):
        assert chat_id is not None
        cid = chat_id
        after = int_field(data, "last_seq", 0)
        detail = await hubs.run(app, lambda s: (operations.view(s, principal, cid, after), []))
        await _log_read(state, principal, cid)
        hub.subscribe(conn, f"chat:{cid}:staff")
        conn.send({"type": "chat_view", "ref": ref, "chat": detail})
    elif frame.type == "send":
        client_id = check_client_id(data.get("client_id"))
        msg = await hubs.run(app, lambda s: operations.send(s, principal, int(chat_id or 0), data.get("body"),
                                                            client_id))
        conn.send(dict(msg, ref=ref))
    elif frame.type == "transfer":
        to = int_field(data, "to_user_id")
        await hubs.run(app, lambda s: operations.transfer(s, principal, int(chat_id or 0), to))
        hub.unsubscribe(conn, f"chat:{chat_id}:staff")
        conn.send({"type": "transferred", "ref": ref, "chat_id": chat_id, "to_user_id": to})
    elif frame.type == "convert":
        extra = {k: data[k] for k in ("answers", "location", "caller", "people") if isinstance(data.get(k), dict | list)}
        result = await hubs.run(app, lambda s: operations.convert(s, principal, int(chat_id or 0), extra))
        conn.send({"type": "converted", "ref": ref, **result})
    elif frame.type == "close":
        outcome = data.get("outcome") if isinstance(data.get("outcome"), str) else None
        await hubs.run(app, lambda s: operations.finish(s, principal, int(chat_id or 0), outcome))
        conn.send({"type": "closed", "ref": ref, "chat_id": chat_id})
