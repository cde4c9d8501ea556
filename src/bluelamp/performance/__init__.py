"""Performance: the measures the inspectorate uses, computed from the records, never typed in."""
