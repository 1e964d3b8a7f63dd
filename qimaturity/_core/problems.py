"""Problems found in user input, and the error that carries them.

Every problem has a place: the file, the line and column where known, a JSON-pointer-like path into the
document, a message and a hint saying what to do. Validation collects all problems in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

DocPath = tuple[str | int, ...]
"""A place in a document: the keys and list indexes from its root, e.g. ``("domains", 0, "questions", 2)``."""


def pointer(path: DocPath) -> str:
    """Render a path as a JSON pointer (``/domains/0/questions/2/weight``); the root is ``/``."""
    if not path:
        return "/"
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, with its place and a hint."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        text = f"{place}: {self.path}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }


class InputError(Exception):
    """Bad input: one or more problems the user must fix. The CLI turns this into exit code 2."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, file: str, message: str, hint: str = "", line: int | None = None) -> InputError:
        return cls([Problem(file, line, None, "/", message, hint)])


class OptionError(ValueError):
    """An option or argument a function cannot use (an output of an unknown kind, a missing templates folder, an
    unknown batch format...): not a problem in an input file. ``option`` names the command-line option it comes
    from, so that the command reports it as a usage error of that option."""

    def __init__(self, message: str, option: str | None = None):
        super().__init__(message)
        self.option = option


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Order problems by position in the file (problems without a line last), keeping them unique."""
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda p: (p.file, p.line is None, p.line or 0, p.column or 0, p.path, p.message))


SHOWN_CHARS = 80
"""The most characters of a value a message quotes: a longer one is cut (a cell, a key, a whole document)."""


def shown_text(value: Any, most: int = SHOWN_CHARS) -> str:
    """A value as a message quotes it: ``'text'``, cut to ``most`` characters with ``...`` (and the length said)
    when longer, so that no message carries a long cell or a whole document."""
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():  # a control character (an escape sequence, a line break) is shown, not obeyed
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(text) <= most:
        return f"'{text}'"
    return f"'{text[: most - 3]}...' ({len(text):,} characters)"


SHOWN_ALIKE = 3
"""How many problems alike (see :func:`problem_lines`) are shown in full before the rest are summed up."""
_CELL_PATH = re.compile(r"/rows/\d+/")
_CELL_NAME = re.compile(r"^cell [A-Z]+[0-9]+: ")
_QUESTION = re.compile(r"question '[^']*'")


def _alike(problem: Problem) -> tuple[str, ...]:
    """What problems alike share: the file and the message, apart from the place. A problem in a cell of an export or
    a template is alike another of the same message apart from the cell and the question its column holds (the same
    bad label in many columns); any other, of the same message and hint at another line."""
    if _CELL_PATH.search(problem.path):
        return (problem.file, "cell", _QUESTION.sub("question", _CELL_NAME.sub("", problem.message)))
    return (problem.file, "", problem.message, problem.hint)


def numbers_text(numbers: Iterable[int], most: int = 6) -> str:
    """Whole numbers as runs: ``5-12, 14, 20-21``; past ``most`` runs, ``, ...``."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs[:most])
    return text + (", ..." if len(runs) > most else "")


def problem_lines(problems: Sequence[Problem], shown: int = SHOWN_ALIKE) -> list[str]:
    """The problems as lines to print, in their order, with problems alike (the same message at other rows, cells or
    lines) shown ``shown`` at a time: after the last one shown, one line says where the others are, e.g.
    ``export.csv: the same problem in 237 more cells: rows 5-12, 14, ...; columns 8-17``."""
    groups: dict[tuple[str, ...], list[Problem]] = {}
    for problem in problems:
        groups.setdefault(_alike(problem), []).append(problem)
    lines: list[str] = []
    seen: dict[tuple[str, ...], int] = {}
    for problem in problems:
        key = _alike(problem)
        at = seen[key] = seen.get(key, -1) + 1
        # One more alike is shown as it is: a line summing up one problem says no less than the problem.
        if at < shown or len(groups[key]) == shown + 1:
            lines.append(str(problem))
        if at == shown - 1 and len(groups[key]) > shown + 1:
            lines.append(_rest(groups[key][shown:]))
    return lines


def _rest(rest: Sequence[Problem]) -> str:
    """The line that stands for the problems alike past those shown."""
    rows = [p.line for p in rest if p.line is not None]
    if _CELL_PATH.search(rest[0].path):
        text = f"{rest[0].file}: the same problem in {len(rest):,} more cells"
        columns = [p.column for p in rest if p.column is not None]
        places = [f"rows {numbers_text(rows)}"] if rows else []
        places += [f"columns {numbers_text(columns)}"] if columns and len(set(columns)) > 1 else []
        places += [f"column {columns[0]}"] if columns and len(set(columns)) == 1 else []
        return text + (": " + "; ".join(places) if places else "")
    text = f"{rest[0].file}: the same problem {len(rest):,} more times"
    return text + (f": lines {numbers_text(rows)}" if rows else "")
