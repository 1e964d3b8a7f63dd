"""A read-only mapping for the immutable model and results, and a fast maker of frozen dataclasses.

``types.MappingProxyType`` reads like a dict but cannot be hashed, and the model's frozen dataclasses are hashed
and compared by value (a rubric's questions, an assessment's organisation). :class:`FrozenMap` reads like a dict,
cannot be changed, compares equal to any mapping with the same items, and hashes by its items.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """An immutable, hashable mapping that keeps the order its items were given in.

    ``FrozenMap({"beds": 96})["beds"] == 96``; ``FrozenMap({"a": 1}) == {"a": 1}``; ``dict(frozen)`` for a copy to
    change.
    """

    __slots__ = ("_items", "_hash")

    _items: dict[K, V]
    _hash: int | None

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        object.__setattr__(self, "_items", dict(items))
        object.__setattr__(self, "_hash", None)

    def __getitem__(self, key: K) -> V:
        return self._items[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._items == other._items
        if isinstance(other, Mapping):
            return self._items == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(frozenset(self._items.items())))
        assert self._hash is not None
        return self._hash

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._items!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._items,))


def frozen_map(items: Mapping[K, V] | Iterable[tuple[K, V]] | None) -> FrozenMap[K, V]:
    """``items`` as a :class:`FrozenMap` (itself when it already is one; an empty one for ``None``)."""
    if isinstance(items, FrozenMap):
        return items
    return FrozenMap(items or ())


D = TypeVar("D")


def maker(kind: type[D]) -> Callable[..., D]:
    """A function making instances of the frozen dataclass ``kind`` as calling it does (the same parameters and
    defaults, the same object), without the ``object.__setattr__`` per field that a frozen dataclass's ``__init__``
    costs: less than half the time, for the classes scoring makes by the thousand. Only for a class without
    ``__post_init__``, ``__slots__``, default factories or fields left out of ``__init__``."""
    fields = dataclasses.fields(kind)  # type: ignore[arg-type]
    if hasattr(kind, "__post_init__") or "__slots__" in kind.__dict__ or not all(f.init for f in fields):
        raise TypeError(f"{kind.__name__} is not a plain frozen dataclass")
    defaults: dict[str, Any] = {}
    parameters = []
    for field in fields:
        if field.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{kind.__name__}.{field.name} has a default factory")
        if field.default is dataclasses.MISSING:
            parameters.append(field.name)
        else:
            defaults[field.name] = field.default
            parameters.append(f"{field.name}=defaults[{field.name!r}]")
    values = ", ".join(f"{f.name!r}: {f.name}" for f in fields)
    source = (
        f"def make({', '.join(parameters)}):\n"
        f"    made = new(kind)\n"
        f"    made.__dict__.update({{{values}}})\n"
        f"    return made\n"
    )
    namespace: dict[str, Any] = {"new": object.__new__, "kind": kind, "defaults": defaults}
    exec(compile(source, f"<maker of {kind.__name__}>", "exec"), namespace)  # noqa: S102 - our own source
    make: Callable[..., D] = namespace["make"]
    return make
