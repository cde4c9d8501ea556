"""Alerts: what the clock sweep raises (missed reviews, recording clocks, Right 6 clocks, no plan) for a role to act on."""
