"""The web layer: app factory, auth dependencies, templates, static files."""
