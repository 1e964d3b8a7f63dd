"""The Jinja environment of the web pages: autoescaped, the NHS.UK frontend macros on the search path."""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """The path of the URL named ``name`` (Django's ``reverse``)."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options: Any) -> Environment:
    # The nhsuk-frontend-jinja macros read optional parameters that are not given (params.classes and the like):
    # ChainableUndefined lets them, as their README asks.
    dirs = options.pop("loader", None)
    options["undefined"] = ChainableUndefined
    options["autoescape"] = True
    env = Environment(**options)
    own = dirs if dirs is not None else env.loader
    env.loader = ChoiceLoader(
        [own, PackageLoader("nhsuk_frontend_jinja")] if own else [PackageLoader("nhsuk_frontend_jinja")]
    )
    env.globals.update(static=static, url=url)
    return env


__all__ = ["FileSystemLoader", "environment", "url"]
