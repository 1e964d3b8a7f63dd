"""A regulator's or analyst's pages: the closed rounds of their workspaces' organisations as aggregates (each
round's result, and a comparison by organisation type), small groups and cohorts suppressed, and never a
respondent's answer or comment."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from django.test import Client

from qimaturity import load_rubric
from qimaturity.web.organisations.models import Organisation
from qimaturity.web.organisations.scoping import analysed_rounds
from qimaturity.web.rounds.models import Answer, Invitation, Round
from tests.web.world import RUBRIC, World, make_world

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    """The world's users hashed quickly: these tests sign in with force_login, which checks no password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


SECRET = "kestrel-7734 said the ward manager shouts"  # a comment no regulator page may show


def closed_round(
    organisation: Organisation,
    respondents: list[tuple[str, int]],
    *,
    title: str = "",
    when: str = "2025-06-30",
    skip: dict[str, str] | None = None,
) -> Round:
    """A closed round whose respondents (group, level) answer every question asked of their group at that level,
    each with the comment SECRET (and an N/A-free answer set, so the round scores); ``skip``: group -> the id of a
    domain its respondents leave unanswered."""
    skip = skip or {}
    rubric = load_rubric(RUBRIC)
    day = datetime.date.fromisoformat(when)
    round_ = Round.objects.create(
        organisation=organisation,
        title=title or f"{organisation.name} {day.year}",
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        rubric_hash=rubric.content_hash,
        assessment_date=day,
        closes_on=day + datetime.timedelta(days=28),
        groups={},
        status=Round.Status.CLOSED,
    )
    for number, (group, level) in enumerate(respondents, start=1):
        invitation = Invitation.objects.create(
            round=round_,
            group=group,
            respondent_id=f"{group}-{number}",
            submitted_at=datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC),
        )
        Answer.objects.bulk_create(
            Answer(invitation=invitation, question_id=q.id, level=level, comment=f"{SECRET} ({q.id})")
            for d in rubric.domains
            if d.id != skip.get(group)
            for q in d.questions
            if not q.respondents or group in q.respondents
        )
    return round_


def every_group(level: int) -> list[tuple[str, int]]:
    """Respondents who together answer every question: a board member, three frontline staff (a group large enough
    to be shown, asked questions of every domain, so that no value is withheld) and a patient partner."""
    return [("board", level)] + [("frontline", level)] * 3 + [("patient-partners", level)]


def in_workspace_w(world: World, code: str, type_: str) -> Organisation:
    organisation = Organisation.objects.create(code=code, name=f"{code.title()} NHS Trust", type=type_)
    world.workspaces["W"].organisations.add(organisation)
    return organisation


def text_of(page: bytes) -> str:
    """The page's words, tags dropped, entities read and spaces joined (what a reader reads)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.decode())))


def test_analysed_rounds_are_the_closed_rounds_of_the_analysed_organisations() -> None:
    world = make_world()
    z_closed = closed_round(world.organisations["Z"], every_group(2))
    assert list(analysed_rounds(world.users["regulator_w"])) == [world.rounds["C"]]  # not A or B: open
    assert list(analysed_rounds(world.users["regulator_v"])) == [z_closed]
    for role in ("admin_x", "admin_y", "site_admin"):
        assert not analysed_rounds(world.users[role]).exists()  # administering is not analysing


def test_a_round_shows_its_result_with_small_groups_suppressed() -> None:
    world = make_world()
    northfield = in_workspace_w(world, "northfield", "community")
    # Three board members at level 2, three frontline staff at 4, one manager and one patient partner at 3: board
    # and frontline reach the rubric's min_group_size (3), the manager and the patient partner do not.
    round_ = closed_round(
        northfield, [("board", 2)] * 3 + [("frontline", 4)] * 3 + [("managers", 3), ("patient-partners", 3)]
    )
    response = world.client("regulator_w").get(f"/cohorts/rounds/{round_.pk}/", secure=True)
    assert response.status_code == 200
    page = text_of(response.content)
    assert "Northfield NHS Trust" in page and "Responses 8" in page
    assert "Board 3 Yes" in page and "Frontline staff 3 Yes" in page
    assert re.search(r"Managers 1 No: fewer than 3 respondents", page)
    assert re.search(r"Patient partners 1 No: fewer than 3 respondents", page)
    # Leadership: board 2.00 and frontline 4.00, a gap of 2.00 (the engine's value_a - value_b: -2.00), flagged;
    # no gap names a suppressed group.
    assert "Leadership Board and Frontline staff 2.00 and 4.00 -2.00 Yes" in page
    assert "Managers and" not in page and "and Managers" not in page and "and Patient partners" not in page
    assert SECRET not in response.content.decode()


def test_a_domain_answered_only_by_a_hidden_group_is_withheld_from_the_regulator() -> None:
    world = make_world()
    # A board member and three frontline staff at level 3 who leave Patient involvement unanswered (the bundled
    # rubric asks no domain of patient partners alone), and one patient partner at level 1, the only one to answer
    # it: board and patient partners are under the rubric's min_group_size (3), frontline staff are shown.
    round_ = closed_round(
        world.organisations["X"],
        [("board", 3)] + [("frontline", 3)] * 3 + [("patient-partners", 1)],
        title="Riverside 2025 autumn",
        when="2025-09-30",
        skip={"board": "patient-involvement", "frontline": "patient-involvement"},
    )
    # Patient involvement: each of its six questions answered by the patient partner alone, at 1, so each question's
    # value is 1 and the domain's weighted mean is 1.00, level 1 (Not started): the patient partner's answers.
    # Learning from patient safety is asked of the board, managers and frontline staff: board 3 and frontline
    # median 3, pooled 3.00, level 3 (Developing).
    own = text_of(world.client("admin_x").get(f"/rounds/{round_.pk}/", secure=True).content)
    assert "Patient involvement 1 (Not started) 1.00" in own
    assert "Learning from patient safety 3 (Developing) 3.00" in own
    response = world.client("regulator_w").get(f"/cohorts/rounds/{round_.pk}/", secure=True)
    assert response.status_code == 200
    page = text_of(response.content)
    assert "Patient involvement Withheld: answered only by groups with fewer than 3 respondents 6" in page
    assert "1.00" not in page and "Not started" not in page
    assert "Learning from patient safety 3.00 3: Developing 3" in page
    # The overall value is the domains' weighted mean, by weights the rubric publishes (Leadership and Governance
    # 1.5, the seven others 1; 10 in all): the trust's 2.72 and the eight values shown (2.85, 2.93, 3.00 four times,
    # 2.80, 2.72) would give the withheld one back, 10 x 2.72 - 1.5 x (2.85 + 2.93) - 12.00 - 2.80 - 2.72 = 1.01, so
    # it is withheld too.
    reason = "beside the domains' values it would give away the withheld value of Patient involvement"
    assert f"Overall Withheld: {reason}." in page
    assert "(value" not in page
    assert SECRET not in response.content.decode()
    # The comparison, and the cohort report to download, leave out the same values, and say so.
    compared = text_of(world.client("regulator_w").get("/cohorts/compare/", secure=True).content)
    assert "Riverside NHS Trust acute 2025-09-30 Withheld (see the notes)" in compared
    assert "Riverside NHS Trust (the overall value, Patient involvement)" in compared
    report = world.client("regulator_w").get("/cohorts/compare/qi-readiness/report.html", secure=True)
    assert "Riverside NHS Trust (the overall value, Patient involvement)" in text_of(report.content)


def test_a_round_whose_every_respondent_is_in_a_hidden_group_shows_no_value() -> None:
    world = make_world()
    # Round C: a board member, two frontline staff and a patient partner, all at 3; every group under 3.
    response = world.client("regulator_w").get(f"/cohorts/rounds/{world.rounds['C'].pk}/", secure=True)
    page = text_of(response.content)
    assert "Withheld: every respondent is in a group with fewer than 3 respondents." in page
    assert "3.00" not in page and "(value" not in page
    assert page.count("Withheld: answered only by groups with fewer than 3 respondents") == 9  # every domain


def test_the_comparison_groups_organisations_by_type_and_suppresses_small_groups() -> None:
    world = make_world()  # X (acute): closed round C, every answer at 3; Y (acute): only an open round
    for code, level in (("ashby", 1), ("brook", 2), ("carlton", 2), ("denby", 3)):
        closed_round(in_workspace_w(world, code, "acute"), every_group(level))
    for code, level in (("elm", 1), ("fenwick", 3)):
        closed_round(in_workspace_w(world, code, "community"), every_group(level))
    # An older round of Ashby at level 3 is not its latest: the comparison takes the 2025-06-30 one (level 1).
    closed_round(Organisation.objects.get(code="ashby"), every_group(3), title="Ashby 2024", when="2024-06-30")
    response = world.client("regulator_w").get("/cohorts/compare/", secure=True)
    assert response.status_code == 200
    page = text_of(response.content)
    # Overall values (every answer at one level L gives L): X's round C has every respondent in a group under the
    # rubric's min_group_size, so its values are withheld and it counts in no figure (it is still one of the
    # organisations). Acute 1, 2, 2, 3 -> median 2.00, quartiles (inclusive: positions 0.75 and 2.25 of 0..3) 1.75
    # and 2.25, range 1.00 to 3.00; all six values 1, 1, 2, 2, 3, 3 -> median 2.00, quartiles (positions 1.25 and
    # 3.75 of 0..5) 1.25 and 2.75; community (2 organisations, under the minimum cohort of 5) suppressed.
    assert re.search(r"All organisations 7 2\.00 1\.25 to 2\.75 1\.00 to 3\.00", page), page
    assert re.search(r"Acute organisations 5 2\.00 1\.75 to 2\.25 1\.00 to 3\.00", page)
    assert re.search(r"Community organisations 2 Suppressed: fewer than 5 organisations", page)
    assert "Ashby NHS Trust acute 2025-06-30 1.00" in page and "2024-06-30" not in page
    assert "7 Riverside NHS Trust acute 2025-03-31 Withheld (see the notes)" in page
    assert "answered only by groups with fewer than 3 respondents, and overall values" in page
    assert "Riverside NHS Trust (every value)" in page
    assert "Hillside" not in page  # its only round is open
    assert SECRET not in response.content.decode()


def test_no_regulator_page_shows_a_respondents_comment() -> None:
    world = make_world()
    Answer.objects.filter(invitation__round=world.rounds["C"]).update(comment=SECRET, justification=SECRET)
    for code, level in (("ashby", 1), ("brook", 2), ("carlton", 2), ("denby", 3)):
        closed_round(in_workspace_w(world, code, "acute"), every_group(level))
    # Groups of three: the engine shows their values (and, in an admin's report, their answers and comments).
    closed_round(
        in_workspace_w(world, "elm", "acute"), [(g, 2) for g in ("board", "frontline", "patient-partners")] * 3
    )
    client = world.client("regulator_w")
    pages = ["/cohorts/", "/cohorts/compare/", "/cohorts/compare/qi-readiness/report.html"]
    pages += [f"/cohorts/rounds/{r.pk}/" for r in analysed_rounds(world.users["regulator_w"])]
    assert len(pages) == 3 + 6
    for path in pages:
        response = client.get(path, secure=True)
        assert response.status_code == 200, path
        assert SECRET not in response.content.decode(), path
        assert "kestrel" not in response.content.decode(), path


def test_the_cohort_report_downloads_as_an_html_attachment() -> None:
    world = make_world()
    response = world.client("regulator_w").get("/cohorts/compare/qi-readiness/report.html", secure=True)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cohort-qi-readiness.html"'
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    report = text_of(response.content)
    # Riverside's only closed round (C, every answer at 3) has every respondent in a group under the rubric's
    # min_group_size: the report ranks it without a score or level ("-"; its region is blank) and says why; its
    # value, 3.00, is nowhere.
    assert "1 Riverside NHS Trust acute - - Peer groups" in report
    assert "Riverside NHS Trust (every value)" in report
    assert "3.00" not in report


def test_only_an_analyst_has_the_closed_rounds_page() -> None:
    world = make_world()
    assert world.client("regulator_w").get("/cohorts/", secure=True).status_code == 200
    assert world.client("admin_x").get("/cohorts/", secure=True).status_code == 403
    assert Client().get("/cohorts/", secure=True).status_code == 302
