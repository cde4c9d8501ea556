"""Triage: the THRIVE assessment of a contact from its narrative and the handler's answers.

`service.assess` grades a contact and proposes a route; `service.screen_text` screens live-chat text.
Both are pure (no database); the rules live in policy files `indicators.yaml` and `grading.yaml`.
"""
