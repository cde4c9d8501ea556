"""Typed settings, read once from the environment (prefix BLUELAMP_)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_KEYS = {"", "change-me", "changeme", "secret", "dev"}
MIN_SECRET_BYTES = 32
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# Always trusted by the per-address caps (web/address_caps.py): the machine itself.
LOOPBACK = "127.0.0.0/8,::1/128"
# Trusted by default besides loopback: the private ranges (RFC 1918, RFC 4193), where staff are.
PRIVATE_NETWORKS = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"


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
    # `bluelamp serve` runs due jobs (clocks, reminders, nightly summaries) in a thread. With several
    # server processes, set this false in all but one (or run `bluelamp jobs run` on its own);
    # jobs are leased, so two runners never run the same job at once.
    run_jobs_in_server: bool = True
    # Threads per server process for request handlers (see web/app.py).
    request_threads: int = 4
    # Threads of the contact-recording pool (web/pools.py), for measuring on the machine at hand: a
    # contact's thread waits on ~14 round trips, so a few more threads may overlap them (BENCHMARKS.md).
    contact_threads: int = Field(default=4, ge=1, le=64)
    # Anonymous requests (sign-in, the victims' page, the public dashboard) admitted a second and at
    # once per server process; past either a 429 with Retry-After (web/admission.py).
    anonymous_per_s: float = Field(default=100.0, gt=0)
    anonymous_in_flight: int = Field(default=16, ge=1)
    # Per client address (web/address_caps.py): HTTP requests in flight and WebSockets open at once per
    # server process; past either a 429 (a socket is refused before it is accepted); 0 turns a cap off.
    # Never capped: contact recording, and addresses in trusted_networks (comma-separated CIDRs; loopback
    # always; by default the private ranges too, where a control room's handlers share one NAT address;
    # "none": loopback only). docs/security.md, "Per-address caps".
    address_http_in_flight: int = Field(default=32, ge=0, le=1_000_000)
    address_sockets: int = Field(default=32, ge=0, le=1_000_000)
    trusted_networks: str = PRIVATE_NETWORKS
    # How long a thread may hold the GIL while another waits for it (Python's default is 5 ms). A
    # contact's thread gives the GIL up at every SQL statement and then waits up to this long to get it
    # back from a busy thread, so a short interval keeps it from waiting behind other work. Not yet shown
    # to help on the loaded shared machine (BENCHMARKS.md, session 5): 5 is Python's own default.
    gil_switch_ms: float = Field(default=0.5, gt=0, le=100)
    # Seconds between the full garbage collections of a server process (web/collector.py); 0 leaves them
    # to Python, which ran one every 30-50 s under the chat benchmark, each stopping the process for a
    # third of a second with 1,000 sockets open (BENCHMARKS.md, session 7).
    gc_full_every_s: float = Field(default=300.0, ge=0)
    # Origins (scheme://host[:port]) besides the server's own that staff pages may be used from, e.g.
    # behind a TLS-terminating proxy; and the force website(s) that embed the public chat widget.
    allowed_origins: str = ""
    public_origins: str = ""
    # The key of the audit chain's HMAC (held outside the database); empty: derived from secret_key.
    audit_key: str = ""
    # Comma-separated proxy addresses whose X-Forwarded-For / X-Forwarded-Proto are believed; empty: none.
    trusted_proxies: str = ""
    # The map's base layer (docs/dispatcher.md): a folder of raster tiles {z}/{x}/{y}.png that bluelamp
    # serves at /map/tiles/, or a tile URL template on this origin (a path such as /tiles/{z}/{x}/{y}.png
    # behind the same proxy), or a local PMTiles archive (raster or vector) that bluelamp serves by range at
    # /map/base.pmtiles. None: the force's area boundaries and roads from local GeoJSON.
    map_pmtiles: str = ""
    map_tile_dir: str = ""
    map_tile_url: str = ""
    map_tile_attribution: str = ""
    map_max_zoom: int = 18

    @field_validator("env")
    @classmethod
    def _known_env(cls, v: str) -> str:
        if v not in {"development", "test", "production"}:
            raise ValueError("BLUELAMP_ENV must be development, test or production")
        return v

    @field_validator("trusted_networks")
    @classmethod
    def _networks(cls, v: str) -> str:
        parse_networks(v)  # a typo is an error at start, not a network silently left out
        return v

    def trusted_network_list(self) -> tuple[Network, ...]:
        """Loopback and the configured networks, for the per-address caps."""
        return parse_networks(LOOPBACK) + parse_networks(self.trusted_networks)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = (self.var_dir / "bluelamp.sqlite3").resolve()
        if not path.exists():  # created 0600: the records are not world-readable
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        return f"sqlite:///{path}"

    def allowed_origin_list(self) -> tuple[str, ...]:
        return tuple(o.strip() for o in self.allowed_origins.split(",") if o.strip())

    def public_origin_list(self) -> tuple[str, ...]:
        return tuple(o.strip() for o in self.public_origins.split(",") if o.strip())

    def resolved_secret_key(self) -> str:
        """The signing key; generated once and kept under var/ in development."""
        if self.is_production:
            if not self.secret_key or self.secret_key in PLACEHOLDER_KEYS:
                raise ConfigError("BLUELAMP_SECRET_KEY must be set (and not a placeholder) in production")
            if len(self.secret_key.encode()) < MIN_SECRET_BYTES or len(set(self.secret_key)) < 16:
                raise ConfigError(f"BLUELAMP_SECRET_KEY must be at least {MIN_SECRET_BYTES} random bytes in "
                                  "production (for example: python3 -c 'import secrets; "
                                  "print(secrets.token_urlsafe(48))')")
            return self.secret_key
        if self.secret_key and self.secret_key not in PLACEHOLDER_KEYS:
            return self.secret_key
        path = self.var_dir / "secret_key"
        try:
            found = path.stat()
        except FileNotFoundError:
            self.var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:  # created 0600 from the start, never world-readable for a moment
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it first
            else:
                with os.fdopen(fd, "w") as out:
                    out.write(secrets.token_urlsafe(48))
            found = path.stat()
        # Read again only when the file changed (its mtime or size): the key is asked for on every
        # sign-in attempt (the throttle's keyed digests, the log's references), and a read a request
        # was a measurable part of an anonymous request's CPU (issue 11, session 11).
        stamp = (found.st_mtime_ns, found.st_size, found.st_ino)
        hit = _key_files.get(str(path))
        if hit is not None and hit[0] == stamp:
            return hit[1]
        key = path.read_text().strip()
        _key_files[str(path)] = (stamp, key)
        return key


# The key file last read, per path: ((mtime_ns, size, inode), key).
_key_files: dict[str, tuple[tuple[int, int, int], str]] = {}


def parse_networks(text: str) -> tuple[Network, ...]:
    """Comma-separated CIDRs (a bare address is a /32 or /128); "" or "none" is none."""
    if text.strip().lower() in ("", "none"):
        return ()
    found = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            found.append(ipaddress.ip_network(part, strict=True))
        except ValueError as exc:
            hint = " (host bits set: give the network's first address)" if "host bits" in str(exc) else ""
            raise ValueError(f"{part!r} is not a network such as 10.0.0.0/8 or fd00::/8{hint}") from None
    return tuple(found)


def describe(exc: ValidationError) -> str:
    """One line naming each bad environment variable, what is wrong and the value given."""
    parts = []
    for err in exc.errors():
        name = "BLUELAMP_" + "_".join(str(x) for x in err["loc"]).upper()
        message = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{name}: {message} (got {err.get('input')!r})")
    return "; ".join(parts) or str(exc)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:  # a bad setting stops the start with one clear line, not a traceback
        raise ConfigError(describe(exc)) from None
