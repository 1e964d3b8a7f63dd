"""Natural order: how ids and names are sorted wherever they are shown or written (respondents, organisations,
files of a folder, peer groups), so that ``frontline-6`` comes before ``frontline-10`` and ``org-2`` before
``org-10``, as a person counts."""

from __future__ import annotations

import re
from collections.abc import Iterable

NaturalKey = tuple[tuple[tuple[int, int, str], ...], str]

# ASCII digits only: str.isdigit() and int() also take other scripts' digits and symbols such as '²' (not all of
# them the same way), and int() refuses a run of more than 4,300 digits, while an id or a file name is untrusted text.
_NUMBERS = re.compile(r"([0-9]+)")


def natural_key(text: str) -> NaturalKey:
    """``text``'s sort key in natural order: runs of digits by their value, the rest ignoring case (``a`` before
    ``a1`` before ``a2`` before ``a10`` before ``B``); texts equal so far keep one order between them by the text
    as it is (``Org-1`` and ``org-1``, ``a-01`` and ``a-1``). A run of digits is compared as a number without
    becoming one (by its length without leading zeros, then its digits), so any length of run is sorted."""
    pieces = _NUMBERS.split(text.casefold())
    key = []
    for index, piece in enumerate(pieces):
        if index % 2:  # the split's odd pieces are the runs of digits
            value = piece.lstrip("0")
            key.append((0, len(value), value))
        elif piece:
            key.append((1, 0, piece))
    return tuple(key), text


def natural_parts_key(parts: Iterable[str]) -> tuple[NaturalKey, ...]:
    """The sort key of a path's parts in natural order, part by part (a folder's files together, before those of a
    later folder)."""
    return tuple(natural_key(part) for part in parts)
