"""Response: incidents with attendance clocks, units, dispatch and arrival."""
