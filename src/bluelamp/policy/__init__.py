"""Versioned policy data: grades, clocks, THRIVE prompts, flags, partners, matching rules.

Each version is a folder of YAML files under `versions/`; every file is validated at start-up by the
schema of the same name in `schema.py`, and every decision records the version it used.
"""

from __future__ import annotations

from bluelamp.policy.loader import Policy, PolicyError, available_versions, load_policy

__all__ = ["Policy", "PolicyError", "available_versions", "load_policy"]
