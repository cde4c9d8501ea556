"""Schema of the telephony policy document (registered in `schema.DOCUMENTS`)."""

from __future__ import annotations

from pydantic import Field, model_validator

from bluelamp.policy.schema import DOCUMENTS, Strict

FINDINGS = ("vulnerability", "recent_999", "open_incident", "open_crime", "repeat_victim", "callback_requested")


class CallbackTier(Strict):
    """Calls whose number matches any of `when` get this priority and deadline (the last tier: all others)."""

    priority: int = Field(ge=1, le=9)
    deadline_minutes: int = Field(ge=1, le=7 * 24 * 60)
    when: list[str] = Field(default_factory=list)


class TelephonyDoc(Strict):
    """The 101 call-back queue and the linking of contacts to calls (docs/telephony.md)."""

    callback_lines: list[str] = Field(min_length=1)
    alert_lines: list[str] = Field(min_length=1)
    max_attempts: int = Field(ge=1, le=10)
    retry_minutes: int = Field(ge=1, le=24 * 60)
    recent_999_hours: int = Field(ge=1, le=24 * 30)
    history_days: int = Field(ge=1, le=3 * 366)
    link_window_minutes: int = Field(ge=1, le=24 * 60)
    tiers: list[CallbackTier] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> TelephonyDoc:
        for tier in self.tiers:
            unknown = [w for w in tier.when if w not in FINDINGS]
            if unknown:
                raise ValueError(f"unknown finding {unknown[0]!r}; findings are {', '.join(FINDINGS)}")
        if self.tiers[-1].when:
            raise ValueError("the last tier is the default for every other call: its `when` must be empty")
        lines = {"999", "101", "sms", "relay"}
        for name in self.callback_lines + self.alert_lines:
            if name not in lines:
                raise ValueError(f"unknown line {name!r}")
        if set(self.callback_lines) & set(self.alert_lines):
            raise ValueError("a line is either a call-back line or an alert line, not both")
        return self


DOCUMENTS["telephony"] = TelephonyDoc

__all__ = ["CallbackTier", "TelephonyDoc", "FINDINGS"]
