"""One row of the access-control matrix: a URL (by name and the world's objects) and, for every role, its status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.web.world import World


@dataclass(frozen=True)
class Case:
    name: str  # the URL's name, namespaced by app ("rounds:detail")
    kwargs: Callable[[World], dict[str, Any]]  # the URL's arguments, from the world's objects
    expected: dict[str, int]  # every role of tests.web.world.ROLES -> the status code it gets
    method: str = "GET"
