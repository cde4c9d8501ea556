"""bluelamp: open platform for police contact and demand management."""

__version__ = "0.1.0"
