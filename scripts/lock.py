"""Write requirements.lock: the exact versions, as installed and tested here, of everything bluelamp needs.

Run: python scripts/lock.py            (after `pip install -e '.[dev]'` and a green test run)
     python scripts/lock.py --check    (exit 1 if the lock no longer matches pyproject's dependencies)

The lock is a pip constraints file: `pip install -c requirements.lock -e '.[dev]'` (what scripts/test.sh
and so CI run) installs these versions and nothing newer, while pyproject.toml keeps honest ranges for
people who install bluelamp as a library. It walks the dependency closure of bluelamp[dev] through the
installed packages' metadata, so it pins what was tested, not what the index offers today.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def closure(root: str = "bluelamp", extras: tuple[str, ...] = ("dev",)) -> dict[str, str]:
    """Installed name -> version for every package bluelamp[extras] needs, directly or not."""
    env = default_environment()
    found: dict[str, str] = {}
    todo: list[tuple[str, tuple[str, ...]]] = [(root, extras)]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    while todo:
        name, want = todo.pop()
        if (name, want) in seen:
            continue
        seen.add((name, want))
        if _name(name) == _name(root):
            # The root's own requirements from this checkout's pyproject.toml, not from the installed
            # metadata (which may be another checkout's, e.g. an editable install of the main tree).
            lines = _own_requirements()
        else:
            try:
                dist = metadata.distribution(name)
            except metadata.PackageNotFoundError:
                raise SystemExit(f"{name} is required but not installed: run pip install -e '.[dev]' first") from None
            found[_name(dist.metadata["Name"])] = dist.version
            lines = list(dist.requires or [])
        for line in lines:
            req = Requirement(line)
            if req.marker is not None and not any(
                    req.marker.evaluate({**env, "extra": e}) for e in (want or ("",))):
                continue
            todo.append((req.name, tuple(sorted(req.extras))))
    return found


def _own_requirements() -> list[str]:
    """pyproject.toml's dependencies, and each extra's as `REQ; extra == "NAME"` (metadata form)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project.get("dependencies", []))
    for extra, reqs in project.get("optional-dependencies", {}).items():
        lines += [f'{r}; extra == "{extra}"' for r in reqs]
    return lines


def render(pins: dict[str, str]) -> str:
    head = ("# Tested versions of everything bluelamp[dev] needs; written by scripts/lock.py, installed by\n"
            "# scripts/test.sh as constraints. Regenerate after changing dependencies and running the suite.\n")
    return head + "".join(f"{name}=={version}\n" for name, version in sorted(pins.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = render(closure())
    if args.check:
        current = LOCK.read_text(encoding="utf-8") if LOCK.exists() else ""
        if current != text:
            print("requirements.lock does not match the installed dependency closure: run scripts/lock.py")
            return 1
        return 0
    LOCK.write_text(text, encoding="utf-8")
    print(f"{LOCK.name}: {text.count('==')} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
