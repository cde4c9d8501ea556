"""Users, roles, password hashing, login sessions and API tokens."""
