"""Dates for people: as the NHS writes them (``30 September 2026``), the same in every report and export."""

from __future__ import annotations

from datetime import date

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
"""The months in English, whatever the machine's locale."""


def day_in_words(day: date) -> str:
    """A date as the NHS writes it: ``30 September 2026`` (no leading zero, the month in full)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def day_in_short_words(day: date) -> str:
    """A date where space is short (a chart's axis): ``30 Sep 2026``, the month cut to its first three letters, as
    the NHS abbreviates months in tables."""
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def iso_in_words(text: str) -> str:
    """An ISO date (``2026-09-30``) as the NHS writes it; text that is not an ISO date is returned as it is."""
    try:
        return day_in_words(date.fromisoformat(text))
    except ValueError:
        return text
