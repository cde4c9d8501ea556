"""Chat settings (environment prefix BLUELAMP_CHAT_), read once."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class ChatSettings(BaseSettings):
    """Limits of the public channels; every one can be changed without code."""

    model_config = SettingsConfigDict(env_prefix="BLUELAMP_CHAT_", extra="ignore")

    # How many chats one operator may hold at once (the staffing model's "chat concurrency").
    max_per_operator: int = 3
    max_message_chars: int = 2000
    max_frame_bytes: int = 16_000
    # Token buckets: a burst, then a steady rate. Per chat, per address, chat starts, online reports.
    chat_burst: int = 8
    chat_per_s: float = 1.0
    address_burst: int = 40
    address_per_s: float = 5.0
    starts_burst: int = 6
    starts_per_s: float = 1 / 30
    reports_burst: int = 5
    reports_per_s: float = 1 / 120
    # After this many invalid frames a socket is closed (1008).
    max_invalid_frames: int = 20
    # A waiting chat whose citizen has been gone this long is closed as abandoned.
    abandon_after_s: int = 300
    # Cross-process fan-out: "auto" (PostgreSQL LISTEN/NOTIFY when on PostgreSQL), "postgres" or "off".
    fanout: str = "auto"


@lru_cache(maxsize=1)
def get_chat_settings() -> ChatSettings:
    return ChatSettings()
