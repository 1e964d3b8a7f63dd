"""The access-control matrix: every URL of the site, requested as every role, gets the status its case expects.

The URL conf (``qimaturity.web.urls``) is walked through every ``include``; each named pattern needs at least one
case in a module of ``tests/web/access/`` (each module's ``CASES``), so a new URL without an entry fails here, and
each case names a status for every role of ``tests.web.world.ROLES``. Django's admin (namespace ``admin``: a pattern
for every model and action) is not walked pattern by pattern: ``tests/web/access/site.py`` checks a few of its pages,
and the static files (served by WhiteNoise, outside the URL conf) by cases named with a path (``/static/...``).

Cost: the world is built once for the whole matrix, and every request runs inside a savepoint that is rolled back
afterwards, so a role that is allowed to change something (submitting, closing a round, signing out) changes it for
no other request, whatever the order. The users' passwords are hashed with a fast hasher in this test alone (the
site's argon2 takes about 0.3 s a user, and the clients sign in with ``force_login``, which checks no password).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.db import transaction
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

import tests.web.access
from tests.web.access.cases import Case
from tests.web.world import ROLES, make_world

# The admin's patterns are Django's own (a changelist, add, change, delete and history page for every model):
# checked by a few explicit cases in tests/web/access/site.py rather than one by one.
NOT_WALKED = ("admin",)


def url_patterns(
    patterns: list[object] | None = None, namespace: str = "", route: str = ""
) -> Iterator[tuple[str | None, str]]:
    """Every pattern of the URL conf as (its namespaced name or None, its route), through every ``include``."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in NOT_WALKED and not namespace:
                continue
            yield from url_patterns(pattern.url_patterns, inner, route + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else None, route + str(pattern.pattern))


def collected_cases() -> list[tuple[str, Case]]:
    """Every module's ``CASES`` in tests/web/access/, with the module's name."""
    found = []
    for module in pkgutil.iter_modules(tests.web.access.__path__):
        if module.name == "cases":
            continue
        cases = importlib.import_module(f"tests.web.access.{module.name}").CASES
        found.extend((module.name, case) for case in cases)
    return found


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [header, tuple("-" * w for w in widths), *rows]
    return "\n".join("  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines)


def test_every_url_of_the_site_has_a_case() -> None:
    named = {case.name for _, case in collected_cases()}
    patterns = list(url_patterns())
    missing = [(name or "(no name)", route) for name, route in patterns if name is None or name not in named]
    assert not missing, "URLs without an entry in tests/web/access/:\n" + _table(("URL name", "route"), missing)
    assert len(patterns) >= 3  # the walk found the site's own pages


def test_every_case_gives_a_status_for_every_role() -> None:
    wrong = [
        (
            module,
            case.method,
            case.name,
            ", ".join(sorted(set(ROLES) - set(case.expected))) or "-",
            ", ".join(sorted(set(case.expected) - set(ROLES))) or "-",
        )
        for module, case in collected_cases()
        if set(case.expected) != set(ROLES)
    ]
    assert not wrong, "cases without every role:\n" + _table(("module", "method", "URL", "missing", "unknown"), wrong)


@pytest.mark.slow
@pytest.mark.django_db
def test_every_role_gets_the_expected_status_from_every_url(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = make_world()
    # One client a role for the whole walk (a client loads the middleware on its first request, and WhiteNoise
    # indexes every static file then); its cookies are put back after each request, as the database is.
    clients = {role: world.client(role) for role in ROLES}
    signed_in = {role: SimpleCookie(client.cookies) for role, client in clients.items()}
    mismatches: list[tuple[str, ...]] = []
    requests = 0
    for module, case in collected_cases():
        for role in ROLES:
            client = clients[role]
            client.raise_request_exception = False  # an error is a 500 in the table, not the end of the walk
            with transaction.atomic():
                kwargs = case.kwargs(world)
                try:
                    url = case.name if case.name.startswith("/") else reverse(case.name, kwargs=kwargs or None)
                except NoReverseMatch:
                    url, status = "no such URL", "-"
                else:
                    status = str(getattr(client, case.method.lower())(url, secure=True).status_code)
                    requests += 1
                transaction.set_rollback(True)  # nothing a request changed reaches the next one
            client.cookies = SimpleCookie(signed_in[role])
            expected = str(case.expected.get(role, "(none)"))
            if status != expected:
                mismatches.append((module, case.method, case.name, url, role, expected, status))
    assert not mismatches, f"{len(mismatches)} of {requests} requests got another status:\n" + _table(
        ("module", "method", "URL name", "path", "role", "expected", "got"), mismatches
    )
