"""Victims: the Victims' Code rights, Right 6 clocks, needs, referrals, DASH and MARAC."""
