"""The shared world builds, and its roles are who they say they are."""

import pytest

from qimaturity import load_assessment, load_rubric, score
from qimaturity.web.organisations.scoping import administered_organisations, analysed_organisations
from qimaturity.web.rounds.assessment import round_document
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
    # Round C's answers pass the rubric's checks (each question answered by the groups it is asked of) and score.
    rubric = load_rubric("qi-readiness")
    assert score(rubric, load_assessment(round_document(world.rounds["C"]), rubric)).overall.level == 3
    asked = {
        group: sum(not q.respondents or group in q.respondents for q in rubric.questions())
        for group in ("board", "frontline", "patient-partners")
    }
    answers = Answer.objects.filter(invitation__round=world.rounds["C"]).count()
    assert answers == asked["board"] + 2 * asked["frontline"] + asked["patient-partners"]
    assert world.client("admin_x").get("/", secure=True).status_code == 200
