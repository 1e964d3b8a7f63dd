"""The access-control matrix: the organisation admin's pages (``rounds:``), for X's objects and Y's.

Everyone without an account (anonymous, respondents) is sent to sign in (302). Of the signed-in, only the
organisation's admin finds its rounds, invitations, reports and audit log (200, or the action's own answer); every
other role, the site admin included, gets 404 whatever the id. The pages with no object (the rounds list, creating
a round) are refused (403) to whoever administers no organisation. Actions are POSTs: a GET of one is 405 for any
signed-in role, before any object is looked up.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from tests.web.access.cases import Case
from tests.web.world import ROLES, World

NO_ACCOUNT = ("anonymous", "respondent_a", "respondent_b")


def _admin_of(owner: str, status: int, others: int = 404) -> dict[str, int]:
    """``status`` for the admin ``owner``, ``others`` for every other signed-in role, 302 for those with no
    account (sent to sign in)."""
    return {role: 302 if role in NO_ACCOUNT else status if role == owner else others for role in ROLES}


def _admins(status: int, others: int) -> dict[str, int]:
    return {role: 302 if role in NO_ACCOUNT else status if role in ("admin_x", "admin_y") else others for role in ROLES}


def _signed_in(status: int) -> dict[str, int]:
    return {role: 302 if role in NO_ACCOUNT else status for role in ROLES}


def _round(key: str) -> Any:
    return lambda w: {"pk": w.rounds[key].pk}


def _invitation(key: str) -> Any:
    return lambda w: {"pk": w.rounds[key].pk, "invitation": w.invitations[key].pk}


def _report(w: World) -> dict[str, Any]:
    """A rendered PDF report of X's closed round C, its file in the data folder's reports/."""
    from qimaturity.web.rounds.models import Report

    report = Report.objects.create(round=w.rounds["C"], file=f"matrix-{w.rounds['C'].pk}.pdf")
    folder = settings.DATA / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / report.file).write_bytes(b"%PDF-1.4\n%%EOF\n")
    return {"pk": w.rounds["C"].pk, "report": report.pk}


CASES = [
    Case("rounds:list", lambda w: {}, _admins(200, 403)),
    Case("rounds:create", lambda w: {}, _admins(200, 403)),
    Case("rounds:create", lambda w: {}, _admins(200, 403), method="POST"),  # an empty form: shown again
    Case("rounds:detail", _round("A"), _admin_of("admin_x", 200)),
    Case("rounds:detail", _round("B"), _admin_of("admin_y", 200)),
    Case("rounds:detail", _round("C"), _admin_of("admin_x", 200)),
    Case("rounds:close", _round("A"), _admin_of("admin_x", 200)),  # the confirmation page
    Case("rounds:close", _round("B"), _admin_of("admin_y", 200)),
    Case("rounds:close", _round("A"), _admin_of("admin_x", 302), method="POST"),
    Case("rounds:close", _round("B"), _admin_of("admin_y", 302), method="POST"),
    Case("rounds:remind", _round("A"), _signed_in(405)),
    Case("rounds:remind", _round("A"), _admin_of("admin_x", 302), method="POST"),
    Case("rounds:remind", _round("B"), _admin_of("admin_y", 302), method="POST"),
    Case("rounds:upload", _round("A"), _admin_of("admin_x", 200)),
    Case("rounds:upload", _round("B"), _admin_of("admin_y", 200)),
    Case("rounds:upload", _round("A"), _admin_of("admin_x", 400), method="POST"),  # no file: the form again
    Case("rounds:invitation", _invitation("A"), _admin_of("admin_x", 200)),
    Case("rounds:invitation", _invitation("B"), _admin_of("admin_y", 200)),
    Case("rounds:new_link", _invitation("A"), _signed_in(405)),
    Case("rounds:new_link", _invitation("A"), _admin_of("admin_x", 200), method="POST"),
    Case("rounds:new_link", _invitation("B"), _admin_of("admin_y", 200), method="POST"),
    # X's round with Y's invitation: found through neither admin.
    Case(
        "rounds:new_link",
        lambda w: {"pk": w.rounds["A"].pk, "invitation": w.invitations["B"].pk},
        _admin_of("admin_x", 404),
        method="POST",
    ),
    Case("rounds:email_link", _invitation("A"), _signed_in(405)),
    Case("rounds:email_link", _invitation("A"), _admin_of("admin_x", 400), method="POST"),  # no address
    Case("rounds:email_link", _invitation("B"), _admin_of("admin_y", 400), method="POST"),
    Case("rounds:download_answers", _round("C"), _admin_of("admin_x", 200)),
    Case("rounds:download_answers", _round("B"), _admin_of("admin_y", 200)),
    Case("rounds:download_result", _round("C"), _admin_of("admin_x", 200)),
    Case("rounds:download_result", _round("B"), _admin_of("admin_y", 404)),  # nothing submitted: no result
    Case("rounds:download_html", _round("B"), _admin_of("admin_y", 404)),  # (the HTML of C: test_rounds_manage)
    Case("rounds:report_request", _round("C"), _signed_in(405)),
    Case("rounds:report_request", _round("C"), _admin_of("admin_x", 302), method="POST"),
    Case("rounds:report_request", _round("B"), _admin_of("admin_y", 404), method="POST"),  # nothing to render
    Case("rounds:report_download", _report, _admin_of("admin_x", 200)),
    Case("rounds:audit", lambda w: {"code": w.organisations["X"].code}, _admin_of("admin_x", 200)),
    Case("rounds:audit", lambda w: {"code": w.organisations["Y"].code}, _admin_of("admin_y", 200)),
    Case("rounds:audit", lambda w: {"code": w.organisations["Z"].code}, _admin_of("nobody", 200)),
]
