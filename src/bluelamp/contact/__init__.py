"""Contacts: every 999 call, 101 call, chat and online report, recorded once."""
