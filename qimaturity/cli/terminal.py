"""User text made safe to print on a terminal.

An organisation name, a comment or a cell value can carry escape sequences (``\x1b[2J`` clears the screen,
others retitle the window or hide text) or a lone surrogate, which the terminal's encoder refuses. Every place
that prints user text goes through :func:`terminal_text`.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_NEWLINE = re.compile("[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def terminal_text(text: str, *, newlines: bool = False) -> str:
    """``text`` without C0 and C1 control characters (ESC among them) and with lone surrogates shown as U+FFFD.

    A tab becomes a space; a line break is kept only when ``newlines`` (a message of several lines)."""
    text = text.replace("\t", " ") if newlines else text.replace("\t", " ").replace("\n", " ")
    text = (_CONTROL if newlines else _CONTROL_OR_NEWLINE).sub("", text)
    return _SURROGATE.sub("\ufffd", text)
