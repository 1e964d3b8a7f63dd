"""Safe YAML loading that keeps the line and column of every value.

PyYAML alone would silently keep the last of two duplicate keys, expand aliases into shared objects that any
later walk multiplies, and forget where each value came from. Here the document is composed into a node tree
with the C safe loader, then walked once: duplicate keys, aliases, merge keys and unknown tags are refused, and
the position of every key and value is recorded so that later errors can point at ``file:line:column``.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml

from .limits import MAX_ALIAS_PROBLEMS, MAX_DEPTH, MAX_DOCUMENT_BYTES
from .problems import InputError, Path, Problem, pointer

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_SCALAR_TAGS = {
    _STR,
    _TIMESTAMP,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


@dataclass(frozen=True)
class SourceDocument:
    """Plain data (dicts, lists, scalars) parsed from a file, with the position of every value and key."""

    name: str
    data: Any
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> tuple[int | None, int | None]:
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

    def problem(self, path: Path, message: str, hint: str = "", *, key: bool = False) -> Problem:
        line, column = self.locate(path, key=key)
        return Problem(self.name, line, column, pointer(path), message, hint)


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key '{key}'")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"'{name}' is not a finite number")


def strict_json(text: str) -> Any:
    """Parse JSON refusing duplicate keys and NaN/Infinity, which the json module accepts silently.

    Raises :class:`json.JSONDecodeError` for bad syntax and :class:`ValueError` for a refused key or constant.
    """
    return json.loads(text, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant)


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
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.single(name, f"cannot read the file: {exc.strerror}") from None
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


def load_yaml(path: FsPath | str, *, max_bytes: int = MAX_DOCUMENT_BYTES, display: str | None = None) -> SourceDocument:
    """Load a YAML file safely into a :class:`SourceDocument`; raise :class:`InputError` on any problem."""
    path = FsPath(path)
    name = display or str(path)
    return parse_yaml(read_text(path, max_bytes=max_bytes, display=name), name)


def parse_yaml(text: str, name: str) -> SourceDocument:
    """Parse YAML text into a :class:`SourceDocument` whose root must be a mapping."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise InputError(
            [Problem(name, line, column, "/", f"invalid YAML: {message}", "fix the YAML syntax here")]
        ) from None
    except yaml.YAMLError as exc:
        raise InputError.single(name, f"invalid YAML: {exc}", "fix the YAML syntax") from None
    finally:
        loader.dispose()
    if node is None:
        raise InputError.single(name, "the file is empty", "it must hold a YAML mapping (key: value lines)")
    walker = _Walker(name)
    data = walker.build(node, (), 0)
    if walker.problems:
        raise InputError(walker.problems)
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
    return SourceDocument(name, data, walker.marks, walker.key_marks)


class _Walker:
    def __init__(self, name: str):
        self.name = name
        self.marks: dict[Path, tuple[int, int]] = {}
        self.key_marks: dict[Path, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.alias_problems = 0

    def _problem(self, mark: Any, path: Path, message: str, hint: str) -> None:
        self.problems.append(Problem(self.name, mark.line + 1, mark.column + 1, pointer(path), message, hint))

    def build(self, node: Any, path: Path, depth: int, use_mark: Any = None) -> Any:
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

    def _scalar(self, node: Any, path: Path) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self._problem(node.start_mark, path, f"unsupported YAML tag {node.tag}", "remove the tag")
            return None
        if node.tag in (_STR, _TIMESTAMP):
            # Dates stay text: the schema checks their format and JSON has no date type.
            return node.value
        value = _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
        if isinstance(value, float) and not math.isfinite(value):
            self._problem(node.start_mark, path, f"'{node.value}' is not a finite number", "write an ordinary number")
            return None
        return value

    def _mapping(self, node: Any, path: Path, depth: int) -> dict[str, Any]:
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
                self._problem(
                    key_node.start_mark,
                    child,
                    f"duplicate key '{key}' (first at line {first_seen[key]})",
                    "remove one of them: YAML readers silently keep only the last",
                )
                continue
            first_seen[key] = line
            self.key_marks[child] = (line, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child, depth + 1, use_mark=key_node.start_mark)
        return result
