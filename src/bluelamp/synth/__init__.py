"""The synthetic demo force: a deterministic county force shaped like Staffordshire.

`plan` decides who contacts the force, when, on which channel and about what (cheap, vectorised, the
whole period at once, so repeat callers and victims are known before any row is written); `render`
turns a slice of the plan into rows of the spine's tables; `demo` writes them in batches. Everything
follows from the seed: the same seed gives the same force, the same people and the same contacts for
the same dates. See docs/demo-force.md.
"""
