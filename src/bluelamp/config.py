"""Typed settings, read once from the environment (prefix BLUELAMP_)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_KEYS = {"", "change-me", "changeme", "secret", "dev"}


class ConfigError(RuntimeError):
    """A setting is missing or unusable; the message names it."""


class Settings(BaseSettings):
    """All of bluelamp's settings. Required secrets have no default in production."""

    model_config = SettingsConfigDict(env_prefix="BLUELAMP_", extra="ignore")

    env: str = "development"
    var_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = ""
    timezone: str = "Europe/London"
    policy_version: str = ""  # empty: the newest shipped version
    # Narratives longer than this are refused (413); 20k characters is ~10 pages of typed notes.
    max_narrative_chars: int = 20_000
    run_jobs_in_server: bool = True
    # Threads per server process for request handlers (see web/app.py).
    request_threads: int = 4

    @field_validator("env")
    @classmethod
    def _known_env(cls, v: str) -> str:
        if v not in {"development", "test", "production"}:
            raise ValueError("BLUELAMP_ENV must be development, test or production")
        return v

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.var_dir / 'bluelamp.sqlite3').resolve()}"

    def resolved_secret_key(self) -> str:
        """The signing key; generated once and kept under var/ in development."""
        if self.secret_key and self.secret_key not in PLACEHOLDER_KEYS:
            return self.secret_key
        if self.is_production:
            raise ConfigError("BLUELAMP_SECRET_KEY must be set (and not a placeholder) in production")
        self.var_dir.mkdir(parents=True, exist_ok=True)
        path = self.var_dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()



@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
