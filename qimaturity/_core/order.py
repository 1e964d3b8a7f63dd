"""Natural order: how ids and names are sorted wherever they are shown or written (respondents, organisations,
files of a folder, peer groups), so that ``frontline-6`` comes before ``frontline-10`` and ``org-2`` before
``org-10``, as a person counts."""

from __future__ import annotations

import re
from collections.abc import Iterable

NaturalKey = tuple[tuple[tuple[int, int | str], ...], str]

_NUMBERS = re.compile(r"(\d+)")


def natural_key(text: str) -> NaturalKey:
    """``text``'s sort key in natural order: runs of digits by their value, the rest ignoring case (``a`` before
    ``a1`` before ``a2`` before ``a10`` before ``B``); texts equal so far keep one order between them by the text
    as it is (``Org-1`` and ``org-1``, ``a-01`` and ``a-1``)."""
    pieces = tuple(
        (0, int(piece)) if piece.isdigit() else (1, piece) for piece in _NUMBERS.split(text.casefold()) if piece
    )
    return pieces, text


def natural_parts_key(parts: Iterable[str]) -> tuple[NaturalKey, ...]:
    """The sort key of a path's parts in natural order, part by part (a folder's files together, before those of a
    later folder)."""
    return tuple(natural_key(part) for part in parts)
