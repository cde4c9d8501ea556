"""Temporal shape of demand: channel volumes, hour of day, day of week, season and bank holidays.

Pure functions over dates (local Europe/London time). The figures are chosen to look like published
UK force demand and the real call data in ../shared/data/real (see docs/demo-force.md): a trough
around 05:00, a late-afternoon and evening peak, busier Friday and Saturday nights, a summer high,
and bank holidays that look like Sundays for 101 but are slightly busier for 999.
"""

from __future__ import annotations

import math
from datetime import date
from functools import lru_cache

import holidays
import numpy as np

CHANNELS: tuple[str, ...] = ("999", "101", "chat", "online")
# Mean contacts per day by channel: about 2,000 in all (999 35 %, 101 50 %, chat 8 %, online 7 %).
DAILY_MEAN: dict[str, float] = {"999": 700.0, "101": 1000.0, "chat": 160.0, "online": 140.0}

# Relative weight of each local hour 00..23, by channel.
_HOURLY: dict[str, tuple[float, ...]] = {
    "999": (3.6, 3.0, 2.5, 1.9, 1.5, 1.3, 1.6, 2.3, 3.1, 3.7, 4.1, 4.3,
            4.5, 4.6, 4.8, 5.2, 5.6, 5.9, 6.0, 5.8, 5.5, 5.3, 5.0, 4.4),
    "101": (1.0, 0.7, 0.5, 0.42, 0.4, 0.38, 0.9, 2.4, 4.6, 5.8, 6.2, 6.3,
            6.3, 6.3, 6.4, 6.6, 6.7, 6.6, 6.0, 5.2, 4.4, 3.6, 2.7, 1.8),
    "chat": (1.2, 0.8, 0.5, 0.35, 0.32, 0.3, 0.6, 1.5, 3.5, 5.5, 6.2, 6.3,
             6.0, 6.0, 6.1, 6.0, 5.8, 5.6, 5.6, 5.9, 6.0, 5.5, 4.2, 2.6),
    "online": (2.2, 1.5, 1.0, 0.7, 0.5, 0.45, 0.8, 1.8, 3.4, 4.8, 5.4, 5.6,
               5.5, 5.5, 5.4, 5.3, 5.2, 5.3, 5.6, 6.0, 6.2, 5.8, 4.9, 3.5),
}

# Day-of-week multipliers, Monday first.
_WEEKDAY: dict[str, tuple[float, ...]] = {
    "999": (0.95, 0.93, 0.93, 0.95, 1.04, 1.13, 1.07),
    "101": (1.10, 1.05, 1.03, 1.01, 1.00, 0.90, 0.91),
    "chat": (1.08, 1.05, 1.03, 1.00, 0.98, 0.92, 0.94),
    "online": (1.14, 1.04, 1.00, 0.98, 0.96, 0.92, 0.96),
}

# How bank holidays change each channel's volume (101 and chat staff see a quiet, Sunday-like day).
_BANK_HOLIDAY: dict[str, float] = {"999": 1.06, "101": 0.74, "chat": 0.85, "online": 0.92}
SEASON_AMPLITUDE = 0.08  # +8 % in mid-July, -8 % in mid-January
SEASON_PEAK_DAY = 196  # day of year of the summer high (mid-July)


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> dict[date, str]:
    """England and Wales bank holidays of a year (the `holidays` package, subdivision ENG)."""
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year).items())


def is_bank_holiday(day: date) -> bool:
    return day in bank_holidays(day.year)


def season(day: date) -> float:
    """Annual multiplier: a smooth summer high and winter low."""
    doy = day.timetuple().tm_yday
    return 1.0 + SEASON_AMPLITUDE * math.cos(2 * math.pi * (doy - SEASON_PEAK_DAY) / 365.25)


def day_type(day: date) -> int:
    """0-6 = Monday..Sunday; a bank holiday counts as a Sunday (its shape, not its volume)."""
    return 6 if is_bank_holiday(day) else day.weekday()


def expected_daily(day: date, channel: str) -> float:
    """Expected number of contacts on one local date on one channel."""
    value = DAILY_MEAN[channel] * _WEEKDAY[channel][day.weekday()] * season(day)
    if is_bank_holiday(day):
        value *= _BANK_HOLIDAY[channel]
        if channel == "101" and day.month == 12 and day.day == 25:
            value *= 0.75  # Christmas Day is the quietest day of the year for non-emergency lines
    return value / _weekday_mean(channel)


@lru_cache(maxsize=8)
def _weekday_mean(channel: str) -> float:
    return sum(_WEEKDAY[channel]) / 7


def _night_before_day_off(day: date) -> bool:
    """Friday and Saturday nights, and the night before a bank holiday, are the busy nights."""
    tomorrow = date.fromordinal(day.toordinal() + 1)
    return day.weekday() in (4, 5) or is_bank_holiday(tomorrow)


def hourly_weights(day: date, channel: str) -> np.ndarray:
    """Probability of each local hour 00..23 on this date, for this channel (sums to 1)."""
    base = np.array(_HOURLY[channel], dtype=float)
    weekday = day_type(day)
    if weekday >= 5:
        # Weekend and bank-holiday mornings start later.
        base[6:10] *= (0.65, 0.6, 0.65, 0.8)
    if channel in ("999", "101"):
        yesterday = date.fromordinal(day.toordinal() - 1)
        if _night_before_day_off(yesterday):
            base[0:5] *= (1.9, 1.9, 1.8, 1.6, 1.3)  # the small hours after a Friday or Saturday night out
        if _night_before_day_off(day):
            base[20:24] *= (1.12, 1.22, 1.32, 1.45)
        if day.month == 1 and day.day == 1:
            base[0:5] *= 1.8  # New Year's Eve
        if (day.month, day.day) in ((10, 31), (11, 5)):
            base[17:23] *= 1.3  # Halloween and Bonfire Night
    if is_bank_holiday(day) and channel == "101":
        base[8:17] *= 0.85
    return base / base.sum()
