"""Database-backed job queue and scheduler for timed work."""
