"""A consultancy's brand on its clients' reports.

A consultancy workspace keeps its brand as a brand file's YAML text (``Workspace.brand``), checked when it is
saved and again when a report is made, by the same reader as the CLI's ``--brand FILE``
(:func:`qimaturity.report.branding.parse_brand`). A brand kept in the site has no logo: the site reads no file a
brand names.

Which brand a report wears: the brand of the consultancy workspace through which the user who asks for the report
administers the organisation (an admin membership over that workspace, which holds the organisation). The same
organisation's report asked for by its trust's own admin, or by anyone with no such membership, has the default
look. A consultant whose several consultancy workspaces hold the organisation gets the brand of the first by name
(then slug) whose brand is not empty.
"""

from __future__ import annotations

from typing import Any

from qimaturity.report.branding import DEFAULT_BRAND, Brand, parse_brand
from qimaturity.web.organisations.models import Membership, Organisation, Workspace


def brand_text_for(user: Any, organisation: Organisation) -> tuple[str, str] | None:
    """The brand (its workspace's slug and its YAML text) of ``organisation``'s reports made for ``user``, or
    ``None`` for the default look."""
    if user is None or not user.is_authenticated:
        return None
    workspace = (
        Workspace.objects.filter(
            kind=Workspace.Kind.CONSULTANCY,
            organisations=organisation,
            id__in=Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values("workspace"),
        )
        .exclude(brand="")
        .order_by("name", "slug")
        .first()
    )
    return None if workspace is None else (workspace.slug, workspace.brand)


def report_brand(user: Any, organisation: Organisation) -> Brand:
    """The :class:`Brand` of ``organisation``'s reports made for ``user`` (see the module); raises
    :class:`~qimaturity.InputError` when the stored brand no longer reads (a font since removed from the machine)."""
    found = brand_text_for(user, organisation)
    if found is None:
        return DEFAULT_BRAND
    slug, text = found
    return parse_brand(text, f"brand of workspace {slug}")
