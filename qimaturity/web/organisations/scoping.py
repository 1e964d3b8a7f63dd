"""One scoping function per role: every view that returns objects starts from one of these querysets.

A view never writes ``Round.objects.filter(...)`` on its own: it asks for the rounds a user may administer, or may
see as aggregates, and narrows that. An object outside the scope is then simply not found (404), whatever its id.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from qimaturity.web.organisations.models import Membership, Organisation
from qimaturity.web.rounds.models import Round


def _organisations(user: Any, role: object) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    memberships = Membership.objects.filter(user=user, role=role)
    return Organisation.objects.filter(
        Q(id__in=memberships.values("organisation")) | Q(workspaces__in=memberships.values("workspace"))
    ).distinct()


def administered_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations whose rounds ``user`` runs (an organisation admin's, or a consultant's clients)."""
    return _organisations(user, Membership.Role.ADMIN)


def analysed_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations whose closed rounds ``user`` sees as aggregates (a regulator's or analyst's)."""
    return _organisations(user, Membership.Role.ANALYST)


def analysed_rounds(user: Any) -> QuerySet[Round]:
    """The closed rounds of the organisations ``user`` analyses: what a regulator or analyst sees, as aggregates
    only (never an answer or a comment)."""
    return Round.objects.filter(organisation__in=analysed_organisations(user), status=Round.Status.CLOSED)
