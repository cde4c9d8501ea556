"""Append-only, hash-chained audit trail of every change of state."""
