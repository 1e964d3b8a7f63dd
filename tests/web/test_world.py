"""The shared world builds, and its roles are who they say they are."""

import pytest

from qimaturity import load_rubric, score
from qimaturity.web.organisations.scoping import administered_organisations, analysed_organisations
from qimaturity.web.rounds.assessment import round_assessment
from qimaturity.web.rounds.models import Answer
from tests.web.world import ROLES, make_world

pytestmark = pytest.mark.django_db


def test_the_world_has_every_role_and_its_scopes() -> None:
    world = make_world()
    assert set(ROLES) - {"anonymous", "respondent_a", "respondent_b"} == set(world.users)
    assert list(administered_organisations(world.users["admin_x"])) == [world.organisations["X"]]
    assert set(analysed_organisations(world.users["regulator_w"])) == {
        world.organisations["X"],
        world.organisations["Y"],
    }
    assert list(analysed_organisations(world.users["regulator_v"])) == [world.organisations["Z"]]
    rubric = load_rubric("qi-readiness")
    asked = [q for d in rubric.domains for q in d.questions]
    assert Answer.objects.filter(invitation__round=world.rounds["C"]).count() == sum(
        1
        for group in ("board", "frontline", "frontline", "patient-partners")
        for q in asked
        if not q.respondents or group in q.respondents
    )
    # Round C is a valid answers document (every question answered, each by the groups it is asked of): it scores.
    result = score(rubric, round_assessment(world.rounds["C"], rubric))
    assert result.overall.value == 3.0 and [d.value for d in result.domains] == [3.0] * len(rubric.domains)
    assert world.client("admin_x").get("/", secure=True).status_code == 200
