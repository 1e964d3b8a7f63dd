"""Problems found in user input, and the error that carries them.

Every problem has a place: the file, the line and column where known, a JSON-pointer-like path into the
document, a message and a hint saying what to do. Validation collects all problems in one pass.
"""

from __future__ import annotations

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
