"""The Python packages a requirement brings, worked out from pyproject.toml and the installed packages' metadata (the
test environment has every extra installed), without installing anything."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, requires

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import ROOT

PROJECT = canonicalize_name("qimaturity")


def project() -> dict[str, object]:
    """pyproject.toml's ``[project]`` table."""
    table: dict[str, object] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return table


def optional_dependencies() -> dict[str, list[Requirement]]:
    """Each extra's requirements, as pyproject.toml lists them."""
    listed = project()["optional-dependencies"]
    assert isinstance(listed, dict)
    return {extra: [Requirement(line) for line in lines] for extra, lines in listed.items()}


def base_dependencies() -> list[Requirement]:
    listed = project()["dependencies"]
    assert isinstance(listed, list)
    return [Requirement(line) for line in listed]


def closure(requirements: Iterable[Requirement]) -> set[str]:
    """The distributions (canonical names) these requirements install, their dependencies included, markers
    evaluated. qimaturity itself, with its extras, is read from pyproject.toml (so this checkout's, not an installed
    copy's); the others from the installed packages' metadata."""
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(requirement, frozenset(requirement.extras)) for requirement in requirements]
    while todo:
        requirement, extras = todo.pop()
        name = canonicalize_name(requirement.name)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        if name == PROJECT:
            optional = optional_dependencies()
            needed = base_dependencies() + [r for extra in sorted(extras) for r in optional[extra]]
        else:
            try:
                listed = requires(name) or []
            except PackageNotFoundError:
                continue
            needed = [
                r
                for r in map(Requirement, listed)
                if r.marker is None or any(r.marker.evaluate({"extra": extra}) for extra in ("", *extras))
            ]
        todo.extend((r, frozenset(r.extras)) for r in needed)
    return {name for name, _ in seen}
