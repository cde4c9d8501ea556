"""Find, read and validate a policy version."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bluelamp.policy import schema

VERSIONS_DIR = Path(__file__).parent / "versions"


class PolicyError(RuntimeError):
    """A policy file is missing or invalid; the message names the file and field."""


class Policy:
    """One validated policy version; `doc(name)` gives the parsed model of `<name>.yaml`."""

    def __init__(self, version: str, docs: dict[str, BaseModel]) -> None:
        self.version = version
        self._docs = docs

    def doc(self, name: str) -> Any:
        try:
            return self._docs[name]
        except KeyError:
            raise PolicyError(f"policy {self.version} has no {name}.yaml") from None

    @property
    def names(self) -> list[str]:
        return sorted(self._docs)

    # Typed shortcuts for the documents every context uses.
    @property
    def grades(self) -> schema.GradesDoc:
        return self.doc("grades")

    @property
    def routes(self) -> schema.RoutesDoc:
        return self.doc("routes")

    @property
    def flags(self) -> schema.FlagsDoc:
        return self.doc("flags")

    @property
    def thrive(self) -> schema.ThriveDoc:
        return self.doc("thrive")

    @property
    def matching(self) -> schema.MatchingDoc:
        return self.doc("matching")

    @property
    def reassessment(self) -> schema.ReassessmentDoc:
        return self.doc("reassessment")


# libyaml's safe loader where PyYAML was built with it: the same data (tests/triage/test_engine_speed.py),
# eight times faster: most of the policy's share of a process's start (issue #10: triage ready in under 2 s).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def available_versions() -> list[str]:
    return sorted((p.name for p in VERSIONS_DIR.iterdir() if p.is_dir()), key=_version_key)


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) if x.isdigit() else 0 for x in v.split("."))


@lru_cache(maxsize=8)
def load_policy(version: str | None = None) -> Policy:
    """Load and validate a version (default: BLUELAMP_POLICY_VERSION, else the newest)."""
    if not version:
        from bluelamp.config import get_settings

        version = get_settings().policy_version or available_versions()[-1]
    folder = VERSIONS_DIR / version
    if not folder.is_dir():
        raise PolicyError(f"policy version {version!r} not found; available: {', '.join(available_versions())}")
    docs: dict[str, BaseModel] = {}
    for path in sorted(folder.glob("*.yaml")):
        name = path.stem
        model = schema.DOCUMENTS.get(name)
        if model is None:
            raise PolicyError(f"{path.name}: no schema for policy document {name!r}")
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
            docs[name] = model.model_validate(raw)
        except yaml.YAMLError as exc:
            raise PolicyError(f"{version}/{path.name}: not valid YAML: {exc}") from None
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise PolicyError(f"{version}/{path.name}: {where}: {err['msg']}") from None
    missing = [n for n in schema.REQUIRED if n not in docs]
    if missing:
        raise PolicyError(f"policy {version} lacks {', '.join(m + '.yaml' for m in missing)}")
    policy = Policy(version, docs)
    schema.cross_check(policy)
    return policy
