"""The optional extras: which packages each one brings, and the one way a feature says that its extra is missing.

A plain ``pip install qimaturity`` validates, scores, explains, imports survey exports and writes every report (HTML,
PDF, XLSX, CSV, JSON); the extras of pyproject.toml's ``[project.optional-dependencies]`` add the rest. Code that
imports an extra's package does so inside :func:`extra_imports`, or first calls :func:`require_extras` where the
whole extra must be there before anything is done, so that a missing package raises :class:`ExtraMissing`. The
command line reports it in one line, with exit code 2 (the set-up, not a bug)::

    qimaturity: score-export needs the scale extra: pip install 'qimaturity[scale]'

Where one file among many needs an extra (a FHIR response or a Parquet export in a folder being scored), the
error becomes that file's problem (:meth:`ExtraMissing.problem`), and the other files are scored.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from qimaturity._core.problems import Problem

EXTRAS: dict[str, tuple[str, ...]] = {
    "dask": ("dask", "distributed"),
    "fhir": ("fhir.resources", "pydantic"),
    "scale": ("polars",),
    "web": (
        "django",
        "django_tasks",
        "django_tasks_db",
        "csp",
        "axes",
        "argon2",
        "dj_database_url",
        "whitenoise",
        "granian",
        "psycopg",
        "nhsuk_frontend_jinja",
        "cryptography",
    ),
}
"""The modules each extra brings that qimaturity imports (tests/test_extras.py holds them to pyproject.toml)."""

_EXTRA_OF = {module.split(".")[0]: extra for extra, modules in EXTRAS.items() for module in modules}


def install_command(extras: Sequence[str]) -> str:
    """``pip install 'qimaturity[fhir]'``: what brings these extras."""
    return f"pip install 'qimaturity[{','.join(extras)}]'"


class ExtraMissing(ImportError):
    """A feature was asked for whose extra is not installed. ``feature`` names what was asked for (a command, an
    option, a function), ``extras`` the extras it needs that are missing; ``name`` is the missing module, when
    known. An :class:`ImportError`, so that ``except ImportError`` catches it too."""

    def __init__(self, feature: str, extras: Sequence[str], module: str | None = None) -> None:
        self.feature = feature
        self.extras = tuple(extras)
        super().__init__(self.message(), name=module)

    def needs(self) -> str:
        """``the fhir extra``, ``the dask and scale extras``."""
        if len(self.extras) == 1:
            return f"the {self.extras[0]} extra"
        return f"the {', '.join(self.extras[:-1])} and {self.extras[-1]} extras"

    def message(self) -> str:
        return f"{self.feature} needs {self.needs()}: {install_command(self.extras)}"

    def __str__(self) -> str:
        return self.message()

    def __reduce__(self) -> tuple[type[ExtraMissing], tuple[str, tuple[str, ...], str | None]]:
        # Raised in a worker process, it is pickled back to the caller whole.
        return type(self), (self.feature, self.extras, self.name)

    def problem(self, file: str) -> Problem:
        """The error as the problem of one file that needs the extra, for a run that reads others too."""
        return Problem(file, None, None, "/", f"{self.feature} needs {self.needs()}", install_command(self.extras))


def installed(module: str) -> bool:
    """Whether ``module`` (``polars``, ``fhir.resources``) can be imported, without importing it (a dotted name's
    parent packages are imported)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package missing, or an import system that refuses the name
        return False


def extra_installed(extra: str) -> bool:
    """Whether every module of ``extra`` (a key of :data:`EXTRAS`) can be imported."""
    return all(installed(module) for module in EXTRAS[extra])


def require_extras(feature: str, *extras: str) -> None:
    """Raise :class:`ExtraMissing` naming those of ``extras`` that are not installed, if any: for a feature that
    must not start (make a folder, read an export) without them."""
    missing = [extra for extra in extras if not extra_installed(extra)]
    if missing:
        raise ExtraMissing(feature, missing)


@contextmanager
def extra_imports(feature: str) -> Iterator[None]:
    """Imports of an extra's packages for ``feature``: a module of an extra that cannot be found raises
    :class:`ExtraMissing` naming that extra; any other import error is raised as it is (a bug, or a broken
    installation of a package of the base)."""
    try:
        yield
    except ModuleNotFoundError as error:
        extra = _EXTRA_OF.get((error.name or "").split(".")[0])
        if extra is None:
            raise
        raise ExtraMissing(feature, [extra], error.name) from None
