"""Telephony: call events from the contact-centre platform, imported hourly reports, the call measures and the 101 call-back queue."""
