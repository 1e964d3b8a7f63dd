"""Where a rubric id is looked up: the search path.

A rubric named by id (``psc-maturity``) is the file ``ID.yaml`` (or ``ID.yml``) in one of these folders, in this
order: the folders the caller gives (``--rubric-path``, ``search_path=``), those of the environment variable
``QIMATURITY_RUBRIC_PATH`` (separated by ``os.pathsep``), then the bundled rubrics. An id found in more than one
of them is refused, naming every place: a folder's file never silently stands in for a bundled rubric or for
another folder's, and which rubric scored an assessment never depends on the order of a path. A path (anything
with a ``.yaml`` or ``.yml`` suffix or a ``/``, or an existing file) is never looked up: it is the file.

Files found on the path are read as any rubric is (size, depth and count limits); only regular files count, so
that a device or a pipe in a folder cannot stall a listing.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

from qimaturity._core.kinds import YAML_SUFFIXES, is_yaml
from qimaturity._core.limits import MAX_FOLDER_RUBRICS
from qimaturity._core.order import natural_key
from qimaturity._core.problems import InputError, Problem
from qimaturity._core.resources import bundled_dir
from qimaturity.rubric.checks import did_you_mean

RUBRIC_PATH_VARIABLE = "QIMATURITY_RUBRIC_PATH"
"""The environment variable that names folders of rubrics, separated by ``os.pathsep`` (``:``, or ``;`` on
Windows), searched after the folders given and before the bundled rubrics."""

BUNDLED = "bundled"
GIVEN = "search path"

SearchPath = str | PathLike[str] | Sequence[str | PathLike[str]] | None
"""Folders to look up rubric ids in: one folder, several, or None for none besides the environment's."""


@dataclass(frozen=True)
class RubricFolder:
    """A folder on the search path, and what put it there: the caller (``search path``), the environment variable
    (``QIMATURITY_RUBRIC_PATH``) or the installation (``bundled``)."""

    path: Path
    origin: str


def rubric_search_path(
    search_path: SearchPath = None, *, environ: Mapping[str, str] | None = None
) -> tuple[RubricFolder, ...]:
    """The folders rubric ids are looked up in, in order: ``search_path``, then ``QIMATURITY_RUBRIC_PATH`` (of
    ``environ``, by default the process's environment), then the bundled rubrics. A folder named twice is kept
    where it is first named; empty entries of the variable are skipped."""
    given: Iterable[str | PathLike[str]]
    if search_path is None:
        given = ()
    elif isinstance(search_path, str | PathLike):
        given = (search_path,)
    else:
        given = search_path
    variable = (os.environ if environ is None else environ).get(RUBRIC_PATH_VARIABLE, "")
    folders = [
        *(RubricFolder(Path(p).expanduser(), GIVEN) for p in given),
        *(RubricFolder(Path(p).expanduser(), RUBRIC_PATH_VARIABLE) for p in variable.split(os.pathsep) if p.strip()),
        RubricFolder(bundled_dir("rubrics"), BUNDLED),
    ]
    seen: set[Path] = set()
    unique = []
    for folder in folders:
        key = _identity(folder.path)
        if key not in seen:
            seen.add(key)
            unique.append(folder)
    return tuple(unique)


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return path.absolute()


def is_rubric_id_ref(ref: str | PathLike[str]) -> bool:
    """Whether ``ref`` names a rubric by id rather than by path (see the module's docstring)."""
    if isinstance(ref, PathLike):
        return False
    text = str(ref)
    if not text or is_yaml(text) or "/" in text or os.sep in text:
        return False
    candidate = Path(text)
    # A folder that happens to bear the id (a consultant's project folder) is no rubric file: look the id up.
    return not (candidate.exists() and not candidate.is_dir())


@dataclass(frozen=True)
class RubricFile:
    """A file on the search path that an id may name: its id (the file name without its suffix), the folder it
    is in, and whether it is a regular file (anything else is listed as a problem, and never read)."""

    id: str
    path: Path
    folder: RubricFolder
    regular: bool = True


def _entries(folder: Path) -> list[Path]:
    """The YAML files of a folder, in natural order; hidden ones (an editor's lock files) left out."""
    return sorted(
        (p for p in folder.iterdir() if p.suffix.lower() in YAML_SUFFIXES and not p.name.startswith(".")),
        key=lambda p: natural_key(p.name),
    )


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:  # a dangling symlink, or no permission: reading it says which
        return True


def places_of(ident: str, folders: Sequence[RubricFolder]) -> list[RubricFile]:
    """Every file on the search path that the id ``ident`` names, in search order."""
    found = []
    for folder in folders:
        for suffix in YAML_SUFFIXES:
            path = folder.path / f"{ident}{suffix}"
            if path.is_symlink() or path.exists():
                found.append(RubricFile(ident, path, folder, _is_regular(path)))
    return found


def find_rubric_file(ident: str, folders: Sequence[RubricFolder]) -> RubricFile:
    """The one file the id ``ident`` names on the search path ``folders``; :class:`InputError` when none does, or
    when more than one does (each place is named)."""
    found = places_of(ident, folders)
    if len(found) == 1:
        if not found[0].regular:
            raise InputError.single(str(found[0].path), "is not a regular file", "a rubric is a YAML file")
        return found[0]
    if found:
        places = "; ".join(f"{display_name(f.path)} ({f.folder.origin})" for f in found)
        raise InputError.single(
            ident,
            f"rubric id '{ident}' names {len(found)} files: {places}",
            "give the path of the one you mean, or rename the others: an id must name one rubric",
        )
    known = sorted({f.id for folder in folders for f in _listable(folder)})
    looked = []
    for folder in folders:
        if folder.origin == BUNDLED:
            looked.append(f"the bundled rubrics ({', '.join(f.id for f in _listable(folder)) or 'none'})")
        else:
            missing = "" if folder.path.is_dir() else ", no such folder"
            looked.append(f"{folder.path} ({folder.origin}{missing})")
    hint = did_you_mean(ident, known)
    raise InputError.single(
        ident,
        "no rubric has this id, and there is no such file",
        f"{hint + ' ' if hint else ''}looked in: {'; '.join(looked)}; or give a path",
    )


def display_name(path: Path) -> str:
    """How messages name a rubric file: a bundled one by its place in the project (``rubrics/NAME.yaml``), not
    an installation path; any other as found."""
    try:
        return str(Path("rubrics") / path.resolve().relative_to(bundled_dir("rubrics").resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(path)


def _listable(folder: RubricFolder) -> list[RubricFile]:
    try:
        if not folder.path.is_dir():
            return []
        paths = _entries(folder.path)[:MAX_FOLDER_RUBRICS]
    except OSError:
        return []
    return [RubricFile(p.stem, p, folder, _is_regular(p)) for p in paths]


def rubric_files(folders: Sequence[RubricFolder]) -> tuple[list[RubricFile], list[Problem]]:
    """Every rubric file on the search path, folder by folder in search order, and the problems of the folders
    themselves (missing, unreadable, holding more than ``MAX_FOLDER_RUBRICS`` YAML files)."""
    files: list[RubricFile] = []
    problems: list[Problem] = []
    for folder in folders:
        name = str(folder.path)
        if not folder.path.is_dir():
            what = "no such folder" if not folder.path.exists() else "is not a folder"
            problems.append(Problem(name, None, None, "/", f"{what} (on the rubric search path: {folder.origin})"))
            continue
        try:
            paths = _entries(folder.path)
        except OSError as error:
            problems.append(Problem(name, None, None, "/", f"cannot read the folder: {error.strerror}"))
            continue
        if len(paths) > MAX_FOLDER_RUBRICS:
            problems.append(
                Problem(
                    name,
                    None,
                    None,
                    "/",
                    f"holds {len(paths):,} YAML files, over the limit of {MAX_FOLDER_RUBRICS:,}: the first "
                    f"{MAX_FOLDER_RUBRICS:,} are listed",
                    "keep a folder of rubrics for rubrics only",
                )
            )
        files += [RubricFile(p.stem, p, folder, _is_regular(p)) for p in paths[:MAX_FOLDER_RUBRICS]]
    return files, problems
