"""CAD imports: one adapter per export format, one runner for all (see docs/cad-import.md)."""

from __future__ import annotations

from bluelamp.response.importers.base import Adapter, CadRecord, FileError, GradeMap, RowError
from bluelamp.response.importers.decc import DeccAdapter

ADAPTERS: dict[str, type[Adapter]] = {"decc": DeccAdapter}

__all__ = ["ADAPTERS", "Adapter", "CadRecord", "FileError", "GradeMap", "RowError", "DeccAdapter"]
