"""Where the bundled rubrics, schemas and report templates live.

In a wheel they are packed inside the package (``qimaturity/_bundled/...``); in a source checkout or an
editable install they are the top-level folders of the repository.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

# The qimaturity package folder (this module is qimaturity/_core/resources.py).
_PACKAGE = Path(__file__).resolve().parent.parent


def bundled_dir(name: str) -> Path:
    """Path of a bundled folder: ``rubrics``, ``schemas`` or ``reports``."""
    packed = _PACKAGE / "_bundled" / name
    if packed.is_dir():
        return packed
    return _PACKAGE.parent / name


@cache
def schema(name: str) -> dict[str, Any]:
    """A bundled JSON Schema by name, e.g. ``rubric`` for ``schemas/rubric.schema.json``."""
    with open(bundled_dir("schemas") / f"{name}.schema.json", encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded
