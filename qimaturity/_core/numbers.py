"""Numbers written as text: one function for each purpose, and one rule for them all.

The rule: a value that rounds to zero at the places shown is written as zero (``0``, ``0.00``, ``0%``), never with a
minus sign, which Python's formatting would give it (``f"{-0.004:.2f}"`` is ``-0.00``, ``f"{-0.0:g}"`` is ``-0``).
Rounding is Python's own (the nearest decimal of the binary value), except where :func:`fixed` is asked to round
halves up.

Machines get full values, people get rounded ones: what a program reads (JSON results and records, CSV and workbook
cells) carries the float itself, written as Python's ``repr`` writes it (the shortest text that reads back as the
same float, so 22/3 is 7.333333333333333 and a hand-worked value can be checked to the last digit); what a person
reads (terminal tables, traces, ``explain``, reports) is rounded.

| function | for | 2.5 | 2/3 | -0.004 | -0.00001 |
| --- | --- | --- | --- | --- | --- |
| :func:`decimals` (4) | the base: at most ``places`` decimals, no trailing zeros | 2.5 | 0.6667 | -0.004 | 0 |
| :func:`trace_number` | traces and ``explain`` (``none`` for no value) | 2.5 | 0.6667 | -0.004 | 0 |
| :func:`table_number` | CSV and workbook cells, in full (empty: none) | 2.5 | 0.6666666666666666 | -0.004 | -1e-05 |
| :func:`fixed` (2) | terminal tables: exactly ``places`` decimals | 2.50 | 0.67 | 0.00 | 0.00 |
| :func:`signed` (2) | changes and perception gaps, with their sign | +2.50 | +0.67 | 0.00 | 0.00 |
| :func:`percent` | shares as whole percentages | 250% | 67% | 0% | 0% |
| :func:`given_number` | numbers given (weights, bounds, limits): 6 digits | 2.5 | 0.666667 | -0.004 | -1e-05 |
| :func:`full` | JSON results and records: the float itself | 2.5 | 0.6666666666666666 | -0.004 | -1e-05 |
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache


def _no_negative_zero(text: str) -> str:
    """``-0``, ``-0.00``, ``-0%`` and the like without their minus sign (``+0.00`` without its plus)."""
    if text[:1] in "-+" and not text[1:].strip("0.%"):
        return text[1:]
    return text


@lru_cache(maxsize=4096)  # traces repeat the same few numbers (levels, half levels, weights) many times
def decimals(value: float, places: int) -> str:
    """At most ``places`` decimals, without trailing zeros: 2.5, 3, 0.6667."""
    if type(value) is int or (
        type(value) is float and value.is_integer()
    ):  # most numbers in a trace are levels and weights: the same text, sooner
        return str(int(value))
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _no_negative_zero(text)


def trace_number(value: float | None) -> str:
    """A number in a trace or an explanation: at most 4 decimals; ``none`` for no value."""
    return "none" if value is None else decimals(value, 4)


def table_number(value: float | None) -> str:
    """A number in a CSV or workbook cell, in full: the shortest text that reads back as the same float (Python's
    ``repr``), a whole number without ``.0`` (3, 2.5, 7.333333333333333); 0 for zero, never -0; empty for no
    value."""
    if value is None:
        return ""
    number = full(value)
    assert number is not None
    return str(int(number)) if number.is_integer() else repr(number)


def fixed(value: float, places: int = 2, *, halves_up: bool = False) -> str:
    """Exactly ``places`` decimals: 2.50. With ``halves_up``, a half is rounded up as people expect (3.25 is 3.3 at
    one place, where the binary value, a little under 3.25 for many such numbers, would give 3.2)."""
    if halves_up:
        text = str(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    else:
        text = f"{value:.{places}f}"
    return _no_negative_zero(text)


def signed(value: float, places: int = 2) -> str:
    """A change with its sign, exactly ``places`` decimals: +0.25, -1.50; 0.00 (no sign) when it rounds to zero."""
    return _no_negative_zero(f"{value:+.{places}f}")


def percent(share: float) -> str:
    """A share (0.25) as a whole percentage (25%)."""
    return _no_negative_zero(f"{share * 100:.0f}%")


def given_number(value: float) -> str:
    """A number as it was given (a rubric's weight, threshold or band bound; a limit's setting), as short as it
    reads: 2, 0.5, 0.35."""
    return _no_negative_zero(f"{value:g}")


def full(value: float | None) -> float | None:
    """A number for a machine (JSON results, records), kept a float at full precision: ``json`` writes it with
    ``repr``, which reads back as the same float; 0.0 (never -0.0) for zero; None stays None."""
    if value is None:
        return None
    number = float(value)
    return 0.0 if number == 0 else number
