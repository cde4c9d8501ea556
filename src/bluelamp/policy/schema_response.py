"""Schemas of the response policy documents (registered in `schema.DOCUMENTS`): closure dispositions."""

from __future__ import annotations

from pydantic import Field, model_validator

from bluelamp.policy.schema import DOCUMENTS, Strict


class Disposition(Strict):
    """How an incident ended: a code a controller chooses when closing it."""

    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    attended: bool = True  # the code describes an incident officers attended (False: closed without attendance)


class DispositionsDoc(Strict):
    dispositions: list[Disposition] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> DispositionsDoc:
        codes = [d.code for d in self.dispositions]
        if len(codes) != len(set(codes)):
            raise ValueError("disposition codes must be unique")
        return self

    def get(self, code: str) -> Disposition | None:
        return next((d for d in self.dispositions if d.code == code), None)


DOCUMENTS.update({"dispositions": DispositionsDoc})

__all__ = ["Disposition", "DispositionsDoc"]
