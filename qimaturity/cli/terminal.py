"""User text made safe to print on a terminal, and the console the command line prints its tables on.

An organisation name, a comment or a cell value can carry escape sequences (``\x1b[2J`` clears the screen,
others retitle the window or hide text) or a lone surrogate, which the terminal's encoder refuses. Every place
that prints user text goes through :func:`terminal_text`.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

PIPE_WIDTH = 100_000
"""The width tables and trees are laid out in when stdout is not a terminal (a pipe, a file, a CI log) and
COLUMNS does not say one: wide enough that no cell wraps or is cut, so each row is one line and a program reading
the output sees every word."""

_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_NEWLINE = re.compile("[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def terminal_text(text: str, *, newlines: bool = False) -> str:
    """``text`` without C0 and C1 control characters (ESC among them) and with lone surrogates shown as U+FFFD.

    A tab becomes a space; a line break is kept only when ``newlines`` (a message of several lines)."""
    text = text.replace("\t", " ") if newlines else text.replace("\t", " ").replace("\n", " ")
    text = (_CONTROL if newlines else _CONTROL_OR_NEWLINE).sub("", text)
    return _SURROGATE.sub("\ufffd", text)


def stdout_console() -> Console:
    """The rich console of the command's tables and trees, on stdout: the width COLUMNS gives (a whole number of
    columns, at least 1); else a terminal's own width; else, off a terminal, :data:`PIPE_WIDTH` (rich would take 80
    columns, wrapping cells and cutting words). A COLUMNS of 0, or of anything but digits, is not a width (rich would
    take 0 and print nothing)."""
    import shutil

    from rich.console import Console

    given = os.environ.get("COLUMNS", "").strip()
    if given.isascii() and given.isdigit() and len(given) <= 6 and int(given) > 0:
        width = int(given)
    elif _isatty(sys.stdout):
        width = shutil.get_terminal_size().columns  # the terminal's, where COLUMNS is not a width
    else:
        width = PIPE_WIDTH
    return Console(highlight=False, width=width)


def _isatty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):  # a closed or detached stream
        return False
