"""The span of dates a client's record accepts (sessions, episode starts, goal dates)."""

from __future__ import annotations

from datetime import date, timedelta

__all__ = ["EARLIEST_DATE", "GOAL_DAYS_AHEAD", "SESSION_DAYS_AHEAD", "implausible"]

EARLIEST_DATE = date(1900, 1, 1)
SESSION_DAYS_AHEAD = 366  # sessions are booked ahead, but not years ahead
GOAL_DAYS_AHEAD = 3653  # a goal's target date may lie years ahead, not centuries


def implausible(day: date, days_ahead: int = SESSION_DAYS_AHEAD) -> str | None:
    """Why ``day`` cannot be right (a year typed as 0202 or 9999, say), or None when it lies
    between :data:`EARLIEST_DATE` and ``days_ahead`` days from today."""
    latest = date.today() + timedelta(days=days_ahead)
    if EARLIEST_DATE <= day <= latest:
        return None
    return f"Enter a date between {EARLIEST_DATE:%Y-%m-%d} and {latest:%Y-%m-%d}."
