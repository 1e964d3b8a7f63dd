"""The access-control matrix: the pages of the whole site (start page, sign in and out), the Django admin and the
static files.

The admin's URLs are Django's (one list for every model) and are not walked one by one: the matrix checks a few of
them here, which show the admin's own gate (a sign-in for everyone but the site admin). Static files are served by
WhiteNoise, outside the URL conf: a case named by a path ("/static/...") checks that they are public.
"""

from __future__ import annotations

from typing import Any

from tests.web.access.cases import Case
from tests.web.world import ROLES, World


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def _signed_in(status: int, others: int) -> dict[str, int]:
    """``status`` for the roles with an account, ``others`` for the anonymous and respondents (no account)."""
    return {role: status if role not in ("anonymous", "respondent_a", "respondent_b") else others for role in ROLES}


def _site_admin(status: int, others: int) -> dict[str, int]:
    return {role: status if role == "site_admin" else others for role in ROLES}


def _closed_round(w: World) -> dict[str, Any]:
    return {"object_id": w.rounds["C"].pk}


CASES = [
    Case("home", lambda w: {}, _signed_in(200, 302)),
    Case("login", lambda w: {}, _all(200)),
    Case("logout", lambda w: {}, _all(405)),  # signing out is a POST (a link cannot sign anyone out)
    Case("logout", lambda w: {}, _all(302), method="POST"),
    # The admin: only the site admin (a superuser, so staff) gets in; everyone else is sent to its sign-in page.
    Case("admin:index", lambda w: {}, _site_admin(200, 302)),
    Case("admin:login", lambda w: {}, _site_admin(302, 200)),  # the signed-in site admin is sent on to the index
    Case("admin:rounds_round_changelist", lambda w: {}, _site_admin(200, 302)),
    Case("admin:rounds_round_change", _closed_round, _site_admin(200, 302)),
    # Answers are not in the admin: not even the site admin reads what a respondent said.
    Case("/admin/rounds/answer/", lambda w: {}, _site_admin(404, 302)),
    Case("admin:organisations_membership_add", lambda w: {}, _site_admin(200, 302)),
    # Static files: public (the sign-in page needs them).
    Case("/static/nhsuk/nhsuk-frontend.min.css", lambda w: {}, _all(200)),
    Case("/static/qimaturity/site.js", lambda w: {}, _all(200)),
]
