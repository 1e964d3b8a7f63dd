"""The access-control matrix: a regulator's or analyst's pages (``cohorts:``).

Only an analyst (a Membership of role analyst) has the list of closed rounds and the comparison: another signed-in
user gets 403 (the page confirms no object), someone not signed in the sign-in page (302). A round's page is found
only in the analyst's scope (closed rounds of their workspaces' organisations): another workspace's analyst, the
organisation's own admin and the site admin get 404, as does everyone for an open round. The cohort report of a
rubric exists only where the analyst's organisations have a closed round of it (regulator V's have none).
"""

from __future__ import annotations

from typing import Any

from tests.web.access.cases import Case
from tests.web.world import World


def _expect(regulator_w: int, regulator_v: int, others: int) -> dict[str, int]:
    """302 for the roles without an account (anonymous, respondents), ``others`` for the admins and the site admin."""
    return {
        "anonymous": 302,
        "respondent_a": 302,
        "respondent_b": 302,
        "admin_x": others,
        "admin_y": others,
        "regulator_w": regulator_w,
        "regulator_v": regulator_v,
        "site_admin": others,
    }


def _round(key: str) -> Any:
    def kwargs(w: World) -> dict[str, Any]:
        return {"round_id": w.rounds[key].pk}

    return kwargs


CASES = [
    Case("cohorts:index", lambda w: {}, _expect(200, 200, 403)),
    Case("cohorts:compare", lambda w: {}, _expect(200, 200, 403)),
    # Round C: X's closed round, in workspace W (regulator W's), not in V.
    Case("cohorts:round", _round("C"), _expect(200, 404, 404)),
    # Round A: X's open round: no analyst sees it before it closes.
    Case("cohorts:round", _round("A"), _expect(404, 404, 404)),
    # Round B: Y's open round.
    Case("cohorts:round", _round("B"), _expect(404, 404, 404)),
    Case("cohorts:report", lambda w: {"rubric_id": "qi-readiness"}, _expect(200, 404, 403)),
    Case("cohorts:report", lambda w: {"rubric_id": "no-such-rubric"}, _expect(404, 404, 403)),
]
