"""Demand: forecasts, staffing (Erlang C/A), rotas (CP-SAT) and what-if simulation (SimPy)."""
