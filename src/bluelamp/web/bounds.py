"""Bounds on every integer and date in a path or query, checked in one place for every route.

Ids are 64-bit in the database: an integer beyond 2**63-1 cannot name a record, and the drivers fail
on it (a 500 before this). Dates outside 1900-2200 name no police record either, and arithmetic on
them overflows (9999-12-31 plus a day). `check_params` is an app-wide dependency: it reads the route's
declared parameters, so a route added later is covered without doing anything.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from typing import Any

from fastapi import HTTPException
from starlette.requests import HTTPConnection

MAX_INT = 2**63 - 1
MIN_YEAR, MAX_YEAR = 1900, 2200


def _kinds(annotation: Any) -> set[type]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kinds(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: set[type] = set()
        for arg in typing.get_args(annotation):
            out |= _kinds(arg)
        return out
    return {annotation} if isinstance(annotation, type) else set()


def _refuse(where: str, name: str, message: str) -> HTTPException:
    return HTTPException(422, detail=f"{where}.{name}: {message}")


def check_value(where: str, name: str, kinds: set[type], raw: str) -> None:
    text = raw.strip()
    if int in kinds and bool not in kinds:
        digits = text.lstrip("+-")
        if digits.isdigit() and (len(digits) > 19 or abs(int(text)) > MAX_INT):
            raise _refuse(where, name, f"must be between {-MAX_INT - 1} and {MAX_INT}")
    if kinds & {dt.date, dt.datetime}:
        year = re.match(r"^[+-]?(\d+)-", text)
        if year and not MIN_YEAR <= int(year.group(1)) <= MAX_YEAR:
            raise _refuse(where, name, f"must be a date between {MIN_YEAR} and {MAX_YEAR}")


async def check_params(request: HTTPConnection) -> None:
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    for where, fields, values in (("path", _all(dependant, "path_params"), request.path_params),
                                  ("query", _all(dependant, "query_params"), request.query_params)):
        for field in fields:
            kinds = _kinds(field.field_info.annotation)
            if not kinds & {int, dt.date, dt.datetime}:
                continue
            key = field.alias or field.name
            if where == "query":
                raws = request.query_params.getlist(key)
            else:
                raws = [str(values[key])] if key in values else []
            for raw in raws:
                check_value(where, key, kinds, raw)


def _all(dependant: Any, attr: str) -> list[Any]:
    found = list(getattr(dependant, attr, []))
    for sub in getattr(dependant, "dependencies", []):
        found.extend(_all(sub, attr))
    return found
