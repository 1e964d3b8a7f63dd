"""Safe YAML and JSON loading that keeps the line and column of every value.

PyYAML alone would silently keep the last of two duplicate keys, expand aliases into shared objects that any
later walk multiplies, and forget where each value came from. Here the document is composed into a node tree
with the C safe loader, then walked once: aliases, merge keys, unknown tags, whole numbers of more than
``MAX_INTEGER_DIGITS`` digits and nesting deeper than ``MAX_DEPTH`` are refused, and the position of every key
and value is recorded so that later errors can point at ``file:line:column``. Duplicate keys (the first value is
kept) and text holding a NUL, another control character or a lone surrogate are reported with the document's
other problems. JSON goes through :func:`strict_json`, which applies the same limits and text checks.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path as FsPath
from typing import Any

import yaml

from qimaturity._core.limits import MAX_ALIAS_PROBLEMS, MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_INTEGER_DIGITS, MAX_PROBLEMS
from qimaturity._core.problems import DocPath, InputError, Problem, pointer, sort_problems

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_INT = "tag:yaml.org,2002:int"
_SCALAR_TAGS = {
    _STR,
    _TIMESTAMP,
    _INT,
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


@dataclass(frozen=True)
class ScalarSource:
    """How a scalar value was written in the file, kept for documents whose messages quote or point into it."""

    style: str | None
    """None for a plain scalar; ``'`` or ``"`` for a quoted one; ``|`` or ``>`` for a block."""
    end: tuple[int, int]
    """Line and column (1-based) just past the scalar."""
    written: str
    """The scalar as YAML read it before giving it a type: ``1.10`` for a value that became the number 1.1."""


@dataclass(frozen=True)
class SourceDocument:
    """Plain data (dicts, lists, scalars) parsed from a file, with the position of every value and key."""

    name: str
    data: Any
    marks: dict[DocPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[DocPath, tuple[int, int]] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    """Problems that did not stop the reading (a duplicate key, whose first value is kept; forbidden characters in
    text): whoever checks the document reports them with its own."""
    scalars: dict[DocPath, ScalarSource] = field(default_factory=dict)
    """How each scalar was written, when the reader was asked to keep it (``scalar_sources=True``)."""

    def locate(self, path: DocPath, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the value at ``path``, or of its nearest ancestor that has one."""
        if key and path in self.key_marks:
            return self.key_marks[path]
        probe = tuple(path)
        while True:
            if probe in self.marks:
                return self.marks[probe]
            if not probe:
                return (None, None)
            probe = probe[:-1]

    def problem(self, path: DocPath, message: str, hint: str = "", *, key: bool = False) -> Problem:
        line, column = self.locate(path, key=key)
        return Problem(self.name, line, column, pointer(path), message, hint)

    def locate_in_text(self, path: DocPath, offset: int) -> tuple[int | None, int | None]:
        """Line and column of the character at ``offset`` (1-based) of the text at ``path``, where the file shows
        that text character for character: one line, plain or quoted, with no escapes other than a quoted ``''``.
        Elsewhere (a block, a folded line, an escape, a document without scalar sources), where the value starts."""
        found = self.scalars.get(path)
        start = self.marks.get(path)
        text = self.data_at(path)
        if found is None or start is None or not isinstance(text, str) or found.end[0] != start[0]:
            return self.locate(path)
        width = found.end[1] - start[1]
        before = text[: max(offset - 1, 0)]
        if found.style is None and width == len(text):
            return start[0], start[1] + len(before)
        if found.style == "'" and width == len(text) + 2 + text.count("'"):
            return start[0], start[1] + 1 + len(before) + before.count("'")
        if found.style == '"' and width == len(text) + 2:
            return start[0], start[1] + 1 + len(before)
        return self.locate(path)

    def data_at(self, path: DocPath) -> Any:
        """The value at ``path``, or None when there is none."""
        value = self.data
        for part in path:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return None
        return value


# C0 and C1 control characters other than tab, line feed and carriage return; DEL; lone surrogates.
_FORBIDDEN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_HINT = "remove it: text may hold tabs and line breaks but no other control characters"
_SURROGATE_HINT = "remove it: U+D800 to U+DFFF are halves of a UTF-16 pair, not characters"


def text_problem(text: str) -> tuple[str, str] | None:
    """What is wrong with ``text`` as text (a NUL, another control character, a lone surrogate) and a hint, or
    None when nothing is."""
    found = text_problem_at(text)
    return None if found is None else found[1:]


def text_problem_at(text: str) -> tuple[int, str, str] | None:
    """As :func:`text_problem`, with the offset in ``text`` of the first character that is refused."""
    match = _FORBIDDEN_TEXT.search(text)
    if match is None:
        return None
    code = ord(match.group())
    if code == 0:
        return match.start(), "holds a NUL character (U+0000)", _CONTROL_HINT
    if 0xD800 <= code <= 0xDFFF:
        return match.start(), f"holds a lone surrogate (U+{code:04X}), which is not valid Unicode", _SURROGATE_HINT
    return match.start(), f"holds the control character U+{code:04X}", _CONTROL_HINT


class DocumentError(ValueError):
    """A document refused: the message, a hint, and where (JSON path; 1-based line and column when known)."""

    def __init__(
        self, message: str, hint: str, *, line: int | None = None, column: int | None = None, path: DocPath = ()
    ):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.line = line
        self.column = column
        self.path = path

    def problem(self, name: str) -> Problem:
        """This error as a problem of the file ``name``."""
        return Problem(name, self.line, self.column, pointer(self.path), self.message, self.hint)


class JsonSyntaxError(DocumentError):
    """Text that is not JSON at all (as opposed to JSON beyond a limit)."""


def _text_place(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _first_place(text: str, pattern: str, *, after: int = 0) -> tuple[int | None, int | None, int]:
    """Line and column of the first match of ``pattern`` at or after ``after`` (and the offset past it)."""
    match = re.compile(pattern).search(text, after)
    if match is None:
        return None, None, after
    line, column = _text_place(text, match.start())
    return line, column, match.end()


def _depth_place(text: str) -> tuple[int | None, int | None]:
    """Where the JSON text first opens more than ``MAX_DEPTH`` levels (strings skipped)."""
    depth = 0
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return _text_place(text, match.start())
        elif token in "]}":
            depth -= 1
    return None, None


# In JSON text, a forbidden character is either an escape or (C1 controls, DEL) itself: raw C0 controls are
# invalid JSON already.
_SUSPECT_JSON_TEXT = re.compile(r"(?i)\\u(?:00[0-1]|007f|00[89]|d[89a-f])|[\x7f-\x9f]")


@dataclass(frozen=True)
class _Refused:
    """A number the JSON reader refused, left where it stood in the data so that the walk can name its path."""

    message: str
    pattern: str  # finds it in the text; searched only for the one reported, so that many cost no more than one


class _JsonReading:
    """One reading of a JSON text: the hooks json.loads calls, and the findings that do not stop it."""

    def __init__(self, text: str):
        self.text = text
        self.duplicates: dict[int, tuple[dict[str, Any], list[str]]] = {}
        self.findings: list[DocumentError] = []
        self.text_after = 0
        self.more = 0  # findings past MAX_PROBLEMS, only counted
        self.refused = False
        # Most documents hold no forbidden character, written raw or as an escape: then text is not walked.
        self.texts_suspect = _SUSPECT_JSON_TEXT.search(text) is not None

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        repeated: list[str] = []
        for key, value in pairs:
            if key in result:
                repeated.append(key)  # the first value is kept, as the YAML reader does
            else:
                result[key] = value
        if repeated:
            self.duplicates[id(result)] = (result, repeated)  # the dict is kept alive, so its id stays unique
        return result

    def integer(self, digits: str) -> Any:
        if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
            self.refused = True
            return _Refused(
                f"a whole number of {len(digits.lstrip('-')):,} digits, over the limit of {MAX_INTEGER_DIGITS}",
                rf"-?\d{{{MAX_INTEGER_DIGITS + 1},}}",
            )
        return int(digits)

    def real(self, digits: str) -> Any:
        value = float(digits)
        if not math.isfinite(value):
            self.refused = True
            return _Refused(f"'{digits[:40]}' is too large to be a number", re.escape(digits) + r"(?![\d.eE])")
        return value

    def constant(self, name: str) -> Any:
        self.refused = True
        return _Refused(f"'{name}' is not a finite number", r"(?<![\w\"])" + re.escape(name))

    def walk(self, value: Any, path: DocPath, depth: int) -> None:
        """Check nesting, duplicate keys and text, in document order."""
        if depth > MAX_DEPTH:
            line, column = _depth_place(self.text)
            raise DocumentError(
                f"nested more than {MAX_DEPTH} levels deep",
                "flatten the document",
                line=line,
                column=column,
                path=path,
            )
        if isinstance(value, _Refused):
            line, column, _ = _first_place(self.text, value.pattern)
            raise DocumentError(value.message, "write an ordinary number", line=line, column=column, path=path)
        if isinstance(value, str):
            if self.texts_suspect:
                self.check_text(value, path)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.walk(item, (*path, index), depth + 1)
        elif isinstance(value, dict):
            entry = self.duplicates.get(id(value))
            for key, item in value.items():
                if self.texts_suspect:
                    self.check_text(key, (*path, key), key=True)
                self.walk(item, (*path, key), depth + 1)
            for key in entry[1] if entry is not None and entry[0] is value else ():
                self.add(
                    DocumentError(
                        f"duplicate key '{key}'",
                        "remove one of them: readers differ on which they keep",
                        path=(*path, key),
                    )
                )

    def add(self, finding: DocumentError) -> None:
        if len(self.findings) < MAX_PROBLEMS:
            self.findings.append(finding)
        else:
            self.more += 1

    def check_text(self, text: str, path: DocPath, *, key: bool = False) -> None:
        problem = text_problem(text)
        if problem is None:
            return
        if len(self.findings) >= MAX_PROBLEMS:
            self.more += 1
            return
        char = _FORBIDDEN_TEXT.search(text)
        assert char is not None
        code = ord(char.group())
        # The character is written as an escape (\u0000) or, for C1 controls, as itself.
        pattern = "(?i)" + re.escape(f"\\u{code:04x}") + "|" + re.escape(char.group())
        line, column, self.text_after = _first_place(self.text, pattern, after=self.text_after)
        what = "a key" if key else "text"
        message, hint = problem
        self.add(DocumentError(f"{what} {message}", hint, line=line, column=column, path=path))


def read_json(text: str) -> tuple[Any, list[DocumentError]]:
    """Parse JSON text with the limits of :mod:`qimaturity._core.limits`; return the data and the findings that did not
    stop the reading (duplicate keys, whose first value is kept; forbidden characters in text).

    Raises :class:`DocumentError` for bad syntax, NaN or Infinity, a number too large (``1e400``, more than
    ``MAX_INTEGER_DIGITS`` digits) and nesting deeper than ``MAX_DEPTH``.
    """
    quick = _quick_json(text)
    if quick is not None:
        return quick, []
    return _read_json_fully(text)


def _read_json_fully(text: str) -> tuple[Any, list[DocumentError]]:
    """:func:`read_json` with every hook looking at every number, mapping and text."""
    reading = _JsonReading(text)
    try:
        data = json.loads(
            text,
            object_pairs_hook=reading.pairs,
            parse_int=reading.integer,
            parse_float=reading.real,
            parse_constant=reading.constant,
        )
    except json.JSONDecodeError as exc:
        raise JsonSyntaxError(f"invalid JSON: {exc.msg}", "fix the syntax", line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        line, column = _depth_place(text)
        raise DocumentError(
            f"nested more than {MAX_DEPTH} levels deep", "flatten the document", line=line, column=column
        ) from None
    # The full walk (with paths) is needed only when something may be wrong: most documents skip it.
    if reading.refused or reading.duplicates or reading.texts_suspect or _too_deep(data, MAX_DEPTH):
        reading.walk(data, (), 0)
    if reading.more:
        reading.findings.append(_more(reading.more))
    return data, reading.findings


_KEY_END = re.compile(r'"\s*:')
_WHOLE_LIMIT = 10**MAX_INTEGER_DIGITS


def _quick_json(text: str) -> Any:
    """The data of JSON text in which :func:`read_json` would find nothing, parsed by json's C reader without the
    hooks that look (most answers files: half the time), or None when something may be found, for the full reading
    to find. Nothing is found when no forbidden character is written (raw or as an escape), no number is out of
    bounds (a whole number of too many digits, NaN, Infinity or a number too large for a float), nothing nests too
    deep and no key is repeated: the number of keys in the data equals the number of places in the text where a
    quote is followed by a colon (every key's end is such a place; any other lies inside a text, after an escaped
    quote, so equal counts leave no room for a repeated key)."""
    if (not text.isascii() or "\\u" in text) and _SUSPECT_JSON_TEXT.search(text):
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    keys = _keys_within(data, MAX_DEPTH)
    if keys is None or keys != _key_ends(text):
        return None
    return data


def _key_ends(text: str) -> int:
    """How many places in valid JSON ``text`` a quote is followed by a colon, with only whitespace between (what
    _KEY_END finds). In ASCII JSON the only whitespace after a quote is a space, tab or line end (a raw control
    character is refused inside a text): where none follows a quote, every such place is a quote and a colon
    side by side, counted without the regular expression (in half the time)."""
    if text.isascii() and '" ' not in text and '"\n' not in text and '"\t' not in text and '"\r' not in text:
        return text.count('":')
    return len(_KEY_END.findall(text))


def _keys_within(value: Any, remaining: int) -> int | None:
    """How many keys the mappings in ``value`` hold, or None when a number in it is out of bounds or something lies
    more than ``remaining`` levels down (as :func:`_too_deep` measures)."""
    if remaining < 0:
        return None
    if type(value) is dict:
        keys = len(value)
        children: Any = value.values()
    elif type(value) is list:
        keys = 0
        children = value
    else:
        return 0 if _in_bounds(value) else None
    for child in children:
        kind = type(child)
        if kind is dict or kind is list:
            inner = _keys_within(child, remaining - 1)
            if inner is None:
                return None
            keys += inner
        elif remaining == 0:
            return None
        elif kind is int:
            if not -_WHOLE_LIMIT < child < _WHOLE_LIMIT:
                return None
        elif kind is float and not math.isfinite(child):
            return None
    return keys


def _in_bounds(value: Any) -> bool:
    """Whether a value json.loads gave is one the full reading lets through as it is."""
    if type(value) is int:
        return bool(-_WHOLE_LIMIT < value < _WHOLE_LIMIT)
    if type(value) is float:
        return math.isfinite(value)
    return True


def _more(count: int) -> DocumentError:
    return DocumentError(f"and {count:,} more problems like these", "fix the ones above, then run again")


def _too_deep(value: Any, remaining: int) -> bool:
    """Whether a value nested in ``value`` lies more than ``remaining`` levels down."""
    if remaining < 0:
        return True
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        if isinstance(child, dict | list):
            if _too_deep(child, remaining - 1):
                return True
        elif remaining == 0:
            return True
    return False


def strict_json(text: str) -> Any:
    """Parse JSON that holds to the limits: no duplicate keys, NaN, Infinity or numbers too large (``1e400``, more
    than ``MAX_INTEGER_DIGITS`` digits), no nesting deeper than ``MAX_DEPTH``, no NUL, other control characters or
    lone surrogates in text.

    Raises :class:`DocumentError` (a :class:`ValueError`) saying what is wrong and where.
    """
    data, findings = read_json(text)
    if findings:
        raise findings[0]
    return data


def parse_json(text: str, name: str) -> SourceDocument:
    """Parse a JSON file's text into a :class:`SourceDocument` (any top-level value); raise :class:`InputError` for
    what stops the reading. Duplicate keys and forbidden characters are in the document's ``problems``, placed
    by the YAML reader (JSON is YAML) where it can read the file."""
    try:
        data, findings = read_json(text)
    except DocumentError as exc:
        raise InputError([exc.problem(name)]) from None
    if not findings:
        return SourceDocument(name, data)
    try:
        located = parse_yaml(text, name, keep_going=True)
    except InputError:
        located = None
    if located is None or len(located.problems) < len(findings):
        return SourceDocument(name, data, problems=tuple(f.problem(name) for f in findings))
    return SourceDocument(name, data, located.marks, located.key_marks, located.problems)


def plain_document(data: Mapping[str, Any], name: str) -> SourceDocument:
    """A document given as Python data (a notebook's dict, a form's answers) instead of a file, checked as a file's
    text is: nesting within ``MAX_DEPTH``, whole numbers within ``MAX_INTEGER_DIGITS`` digits, finite numbers, keys
    that are text, no control characters or lone surrogates in text. The data is copied into a new document of
    plain values (mappings, lists, text, numbers, booleans, None); a ``datetime.date`` becomes its ISO text, as a
    date in a YAML file stays text. Problems carry the JSON path and no line.

    Raises :class:`InputError` with every problem that stops the reading; forbidden characters in text are left in
    the document's ``problems`` for whoever checks it, as :func:`parse_yaml` does with ``keep_going``.
    """
    stops: list[Problem] = []
    findings: list[Problem] = []

    def add(into: list[Problem], path: DocPath, message: str, hint: str) -> None:
        into.append(Problem(name, None, None, pointer(path), message, hint))

    def text(value: str, path: DocPath, what: str) -> str:
        found = text_problem(value)
        if found is not None:
            add(findings, path, f"{what} {found[0]}", found[1])
        return value

    def copy(value: Any, path: DocPath, depth: int) -> Any:
        if depth > MAX_DEPTH:
            add(stops, path, f"nested more than {MAX_DEPTH} levels deep", "flatten the document")
            return None
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):
            return text(value, path, "text")
        if isinstance(value, int):
            if abs(value) >= 10**MAX_INTEGER_DIGITS:
                add(stops, path, f"a whole number of more than {MAX_INTEGER_DIGITS} digits", "write an ordinary number")
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                add(stops, path, f"'{value}' is not a finite number", "write an ordinary number")
            return value
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Mapping):
            result: dict[str, Any] = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    add(stops, (*path, str(key)), f"a key must be text, not {type(key).__name__}", "use a text key")
                    continue
                result[text(key, (*path, key), "a key")] = copy(item, (*path, key), depth + 1)
            return result
        if isinstance(value, list | tuple):
            return [copy(item, (*path, index), depth + 1) for index, item in enumerate(value)]
        add(
            stops,
            path,
            f"a value of type {type(value).__name__} is not plain data",
            "give text, a number, true or false, None, a list or a mapping",
        )
        return None

    if not isinstance(data, Mapping):
        raise InputError.single(name, "the document is not a mapping", "give a dict of the answers file's keys")
    plain = copy(data, (), 0)
    for found in (stops, findings):
        if len(found) > MAX_PROBLEMS:
            more = len(found) - MAX_PROBLEMS
            del found[MAX_PROBLEMS:]
            found.append(_more(more).problem(name))
    if stops:
        raise InputError(sort_problems([*stops, *findings]))
    return SourceDocument(name, plain, problems=tuple(findings))


def byte_place(raw: bytes, offset: int) -> tuple[int, int]:
    """Line and column (1-based) of a byte offset in a file's bytes."""
    return raw.count(b"\n", 0, offset) + 1, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1


def check_input_file(
    path: FsPath,
    name: str,
    *,
    max_bytes: int,
    kind: str,
    size_hint: str = "split it, or check that this is the file you meant",
) -> int:
    """Refuse, with a clear message, a path that is missing, unreadable, a folder or over ``max_bytes``; return its
    size. ``kind`` names what was expected, e.g. "a YAML file"."""
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise InputError.single(name, "file not found", "check the path") from None
    except OSError as exc:
        raise InputError.single(name, f"cannot read the file: {exc.strerror}") from None
    if path.is_dir():
        raise InputError.single(name, "is a folder, not a file", f"give the path of {kind}")
    if size > max_bytes:
        raise InputError.single(name, f"file is {size:,} bytes, over the limit of {max_bytes:,}", size_hint)
    return size


def read_text(path: FsPath, *, max_bytes: int = MAX_DOCUMENT_BYTES, display: str | None = None) -> str:
    """Read a file as UTF-8 text (a byte-order mark is allowed), refusing huge and non-UTF-8 files."""
    name = display or str(path)
    check_input_file(path, name, max_bytes=max_bytes, kind="a YAML file")
    try:
        # At most one byte past the limit: a file that grew since, or a device that reports no size (/dev/zero).
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError.single(name, f"cannot read the file: {exc.strerror}") from None
    if len(raw) > max_bytes:
        raise InputError.single(
            name, f"file is over the limit of {max_bytes:,} bytes", "split it, or check that this is the file you meant"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = byte_place(raw, exc.start)
        raise InputError(
            [
                Problem(
                    name,
                    line,
                    column,
                    "/",
                    f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
                    "save the file with UTF-8 encoding",
                )
            ]
        ) from None


def load_yaml(
    path: FsPath | str,
    *,
    max_bytes: int = MAX_DOCUMENT_BYTES,
    display: str | None = None,
    keep_going: bool = False,
    scalar_sources: bool = False,
) -> SourceDocument:
    """Load a YAML file safely into a :class:`SourceDocument`; raise :class:`InputError` on any problem (see
    :func:`parse_yaml` for ``keep_going`` and ``scalar_sources``)."""
    path = FsPath(path)
    name = display or str(path)
    text = read_text(path, max_bytes=max_bytes, display=name)
    return parse_yaml(text, name, keep_going=keep_going, scalar_sources=scalar_sources)


# What libyaml says when unquoted text holds ": ": in a block, a second key on the line; in a flow mapping
# ({descriptor: Monthly: often}), a key where a ',' or '}' should come.
_MISREAD_COLON = re.compile(r"mapping values are not allowed|while parsing a flow mapping did not find expected ','")
_KEY_BEFORE = re.compile(r"(?:^\s*(?:-\s+)?|([{,])\s*)([A-Za-z_][\w.-]*):[ \t]+")


def yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (which JSON strings also are)."""
    return json.dumps(text, ensure_ascii=False)


def _colon_hint(text: str, line: int, column: int) -> str:
    """The hint for a ": " that YAML took for a key inside unquoted text, at 0-based ``line`` and ``column``:
    quote the text, shown quoted when the line says which text it is."""
    general = 'fix the YAML syntax here; if this is text that holds ": ", put the text in quotes: text: "Aim: ..."'
    lines = text.splitlines()
    if line >= len(lines):
        return general
    source = lines[line]
    keys = list(_KEY_BEFORE.finditer(source, 0, column))
    if not keys:
        return general
    key = keys[-1]
    value = source[key.end() :]
    if key.group(1):  # in a flow mapping the text ends at the next ", key:" or the closing brace
        stop = re.search(r",\s*[A-Za-z_][\w.-]*:\s|\}", value[column - key.end() :])
        value = value[: column - key.end() + stop.start()] if stop else value
    else:  # in a block " #" starts a comment
        value = value.split(" #", 1)[0]
    value = value.strip()
    if not value or value[0] in "'\"[{|>&*!":
        return general
    return f"a colon followed by a space starts a key: quote the whole text: {key.group(2)}: {yaml_quoted(value)}"


def parse_yaml(text: str, name: str, *, keep_going: bool = False, scalar_sources: bool = False) -> SourceDocument:
    """Parse YAML text into a :class:`SourceDocument` whose root must be a mapping.

    A duplicate key (the first value is kept) or forbidden characters in text raise :class:`InputError` like any
    other problem, unless ``keep_going``: then they are left in the document's ``problems`` for the caller to
    report with the problems it finds itself. With ``scalar_sources`` the document keeps how each scalar was
    written (:class:`ScalarSource`), for messages that quote or point into it.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        hint = "fix the YAML syntax here"
        if "invalid Unicode character escape" in message:
            hint = _SURROGATE_HINT.replace("remove it", "remove the \\u escape here")
        elif mark is not None and _MISREAD_COLON.search(message):
            hint = _colon_hint(text, mark.line, mark.column)
        raise InputError([Problem(name, line, column, "/", f"invalid YAML: {message}", hint)]) from None
    except yaml.YAMLError as exc:
        raise InputError.single(name, f"invalid YAML: {exc}", "fix the YAML syntax") from None
    finally:
        loader.dispose()
    if node is None:
        raise InputError.single(name, "the file is empty", "it must hold a YAML mapping (key: value lines)")
    walker = _Walker(name, scalar_sources=scalar_sources)
    data = walker.build(node, (), 0)
    if walker.more_findings:
        walker.findings.append(_more(walker.more_findings).problem(name))
    if walker.problems or (walker.findings and not keep_going):
        raise InputError(sort_problems([*walker.problems, *walker.findings]))
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise InputError(
            [
                Problem(
                    name,
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                    "/",
                    f"the document is {kind}, not a mapping",
                    "the top level must be key: value lines",
                )
            ]
        )
    return SourceDocument(name, data, walker.marks, walker.key_marks, tuple(walker.findings), walker.scalars)


class _Walker:
    def __init__(self, name: str, *, scalar_sources: bool = False):
        self.name = name
        self.scalar_sources = scalar_sources
        self.scalars: dict[DocPath, ScalarSource] = {}
        self.marks: dict[DocPath, tuple[int, int]] = {}
        self.key_marks: dict[DocPath, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.findings: list[Problem] = []  # problems after which the document still reads (see SourceDocument)
        self.more_findings = 0  # past MAX_PROBLEMS, only counted
        self.seen: set[int] = set()
        self.alias_problems = 0

    def _problem(self, mark: Any, path: DocPath, message: str, hint: str) -> None:
        self.problems.append(Problem(self.name, mark.line + 1, mark.column + 1, pointer(path), message, hint))

    def _finding(self, mark: Any, path: DocPath, message: str, hint: str) -> None:
        if len(self.findings) >= MAX_PROBLEMS:
            self.more_findings += 1
            return
        self.findings.append(Problem(self.name, mark.line + 1, mark.column + 1, pointer(path), message, hint))

    def _check_text(self, node: Any, path: DocPath, what: str) -> None:
        problem = text_problem(node.value)
        if problem is not None:
            self._finding(node.start_mark, path, f"{what} {problem[0]}", problem[1])

    def build(self, node: Any, path: DocPath, depth: int, use_mark: Any = None) -> Any:
        if id(node) in self.seen:
            # The composer hands back the very same node for an alias: refuse rather than expand.
            self.alias_problems += 1
            if self.alias_problems <= MAX_ALIAS_PROBLEMS:
                anchor = node.start_mark.line + 1
                self._problem(
                    use_mark or node.start_mark,
                    path,
                    f"YAML aliases are not allowed (this reuses the value at line {anchor})",
                    "write the value out in full",
                )
            return None
        self.seen.add(id(node))
        self.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if depth > MAX_DEPTH:
            self._problem(node.start_mark, path, f"nested more than {MAX_DEPTH} levels deep", "flatten the document")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if node.tag not in _COLLECTION_TAGS:
            self._problem(node.start_mark, path, f"unsupported YAML tag {node.tag}", "remove the tag")
            return None
        if isinstance(node, yaml.SequenceNode):
            # An alias inside a list has no position of its own: point at the list.
            mark = node.start_mark
            return [self.build(item, (*path, i), depth + 1, use_mark=mark) for i, item in enumerate(node.value)]
        return self._mapping(node, path, depth)

    def _scalar(self, node: Any, path: DocPath) -> Any:
        if self.scalar_sources:
            end = (node.end_mark.line + 1, node.end_mark.column + 1)
            self.scalars[path] = ScalarSource(node.style or None, end, node.value)  # the C reader writes plain as ""
        if node.tag not in _SCALAR_TAGS:
            self._problem(node.start_mark, path, f"unsupported YAML tag {node.tag}", "remove the tag")
            return None
        if node.tag in (_STR, _TIMESTAMP):
            # Dates stay text: the schema checks their format and JSON has no date type.
            self._check_text(node, path, "text")
            return node.value
        # A plain decimal whole number (a level, a count) is what the YAML constructor would give, without its
        # cost. (A leading zero is octal in YAML 1.1, so such numbers go through the constructor below.)
        text = node.value
        if (
            node.tag == _INT
            and len(text) <= 9
            and text.isascii()
            and text.isdigit()
            and (text[0] != "0" or text == "0")
        ):
            return int(text)
        if node.tag == _INT and sum(c.isdigit() for c in node.value) > MAX_INTEGER_DIGITS:
            # Refused before conversion: Python converts huge decimal numbers slowly, then refuses to print them.
            self._too_long(node, path, sum(c.isdigit() for c in node.value))
            return None
        try:
            value = _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
        except (ValueError, ArithmeticError, IndexError, TypeError):  # e.g. 0x_, 0b_, an empty !!int
            self._problem(node.start_mark, path, f"'{node.value}' is not a number", "write an ordinary number")
            return None
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**MAX_INTEGER_DIGITS:
            self._too_long(node, path, int(value.bit_length() * math.log10(2)) + 1)  # hexadecimal, octal, base 60
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self._problem(node.start_mark, path, f"'{node.value}' is not a finite number", "write an ordinary number")
            return None
        return value

    def _too_long(self, node: Any, path: DocPath, digits: int) -> None:
        self._problem(
            node.start_mark,
            path,
            f"a whole number of {digits:,} digits, over the limit of {MAX_INTEGER_DIGITS}",
            "write an ordinary number",
        )

    def _mapping(self, node: Any, path: DocPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(key_node.start_mark, path, "a key must be plain text", "use a simple key")
                continue
            if key_node.tag == _MERGE:
                self._problem(key_node.start_mark, path, "YAML merge keys (<<) are not allowed", "write keys out")
                continue
            key = str(key_node.value)
            child = (*path, key)
            line = key_node.start_mark.line + 1
            if key in first_seen:
                self._finding(
                    key_node.start_mark,
                    child,
                    f"duplicate key '{key}' (first at line {first_seen[key]})",
                    "remove one of them: readers differ on which they keep",
                )
                continue
            self._check_text(key_node, child, "a key")
            first_seen[key] = line
            self.key_marks[child] = (line, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child, depth + 1, use_mark=key_node.start_mark)
        return result
