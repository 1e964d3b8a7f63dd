"""The respondent's journey: the link, one page per domain, saving as they go, the review, submission, and the
round's answers leaving the system as the answers file the command line reads."""

from __future__ import annotations

import datetime
import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from qimaturity import load_assessment, load_rubric, score
from qimaturity.rubric.forms import Form, FormDomain, build_form
from qimaturity.scoring.tables import result_json
from qimaturity.web.logs import HideLinks
from qimaturity.web.organisations.models import Organisation
from qimaturity.web.rounds.assessment import round_assessment, round_document
from qimaturity.web.rounds.models import Answer, Invitation, Round
from qimaturity.web.rounds.tokens import new_token
from tests.web.world import RUBRIC, make_world

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    """The failed-lookup counters live in the cache, which outlives a test: each test starts and ends with none."""
    cache.clear()
    yield
    cache.clear()


class World:
    """Two organisations' open rounds, A (Riverside) and B (Hillside), each with one frontline respondent invited:
    what the journey needs (tests.web.world's users, whose passwords take seconds to hash, are not)."""

    def __init__(self) -> None:
        rubric = load_rubric(RUBRIC)
        self.organisations: dict[str, Organisation] = {}
        self.rounds: dict[str, Round] = {}
        self.invitations: dict[str, Invitation] = {}
        self.tokens: dict[str, str] = {}
        for key, code, name in (("A", "riverside", "Riverside"), ("B", "hillside", "Hillside")):
            organisation = Organisation.objects.create(code=code, name=f"{name} NHS Trust", type="acute")
            self.organisations[key] = organisation
            self.rounds[key] = Round.objects.create(
                organisation=organisation,
                title=f"{name} 2026",
                rubric_id=rubric.id,
                rubric_version=rubric.version,
                rubric_hash=rubric.content_hash,
                assessment_date=datetime.date(2026, 3, 31),
                closes_on=datetime.date.today() + datetime.timedelta(days=28),
                groups={"board": 1, "frontline": 2},
            )
            self.invitations[key], self.tokens[key] = invite(self.rounds[key], "frontline", "frontline-1")


@pytest.fixture
def world() -> World:
    return World()


def invite(round_: Round, group: str, respondent_id: str) -> tuple[Invitation, str]:
    token, stored = new_token()
    return Invitation.objects.create(round=round_, group=group, respondent_id=respondent_id, token_hash=stored), token


def form_of(group: str) -> Form:
    return build_form(load_rubric(RUBRIC), group=group)


def url(name: str, token: str, **kwargs: Any) -> str:
    return reverse(f"respond:{name}", kwargs={"token": token, **kwargs})


def version_on(page: bytes) -> str:
    found = re.search(rb'name="version" value="(\d+)"', page)
    assert found, "the page carries no version"
    return found.group(1).decode()


def filled(domain: FormDomain, level: int = 3, **extra: str) -> dict[str, str]:
    """A page's post answering every question at ``level`` (and the fields in ``extra``)."""
    data = {item.question.id: str(level) for item in domain.questions}
    data.update(extra)
    return data


def save_page(client: Client, token: str, number: int, data: dict[str, str], action: str = "continue") -> Any:
    page = client.get(url("page", token, number=number), secure=True)
    assert page.status_code == 200
    return client.post(
        url("page", token, number=number), {"version": version_on(page.content), "action": action, **data}, secure=True
    )


# ---- The whole journey -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_board_member_answers_every_page_reviews_and_submits_then_sees_only_thanks(world: World) -> None:
    invitation, token = invite(world.rounds["A"], "board", "board-9")
    form = form_of("board")
    client = Client()
    start = client.get(url("start", token), secure=True)
    assert start.status_code == 200
    text = start.content.decode()
    assert "Riverside NHS Trust" in text and "Riverside 2026" in text
    assert f"are {len(form.domains)} pages" in text and f"{len(form.questions)} questions in all" in text
    assert "saved every time you go to another page" in text and "same" in text and "link until" in text
    assert "seen only by the people who run this assessment at Riverside NHS Trust" in text
    assert "groups of respondents, never for one person" in text
    invitation.refresh_from_db()
    assert invitation.opened_at is None  # opening the link is not starting (mail scanners open links too)

    evidence_item = next(item for item in form.questions if item.evidence_level is not None)
    na_item = next(item for item in form.questions if item.question.na_allowed)
    for number, domain in enumerate(form.domains, start=1):
        page = client.get(url("page", token, number=number), secure=True)
        shown = page.content.decode()
        assert f"Page {number} of {len(form.domains)}" in shown and domain.domain.title in shown
        data = filled(domain)
        ids = {item.question.id for item in domain.questions}
        if evidence_item.question.id in ids:
            qid = evidence_item.question.id
            data.update(
                {
                    qid: "4",
                    f"{qid}-evidence": "Board minutes, 14 January 2026, item 6",
                    f"{qid}-evidence-date-day": "14",
                    f"{qid}-evidence-date-month": "1",
                    f"{qid}-evidence-date-year": "2026",
                    f"{qid}-comment": "Minuted\r\nevery quarter",
                }
            )
        if na_item.question.id in ids:
            data.update({na_item.question.id: "na", f"{na_item.question.id}-justification": "No such compact here"})
        response = client.post(
            url("page", token, number=number), {"version": version_on(page.content), **data}, secure=True
        )
        assert response.status_code == 302
        following = url("page", token, number=number + 1) if number < len(form.domains) else url("review", token)
        assert response["Location"] == following
        if number == 1:
            invitation.refresh_from_db()
            assert invitation.opened_at is not None  # started: the first page saved

    review = client.get(url("review", token), secure=True).content.decode()
    assert f"You have answered all {len(form.questions)} questions" in review and "Not answered" not in review
    assert "N/A: No such compact here" in review and "4 Embedded" in review
    submitted = client.post(url("review", token), secure=True)
    assert submitted.status_code == 302 and submitted["Location"] == url("start", token)
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None
    saved = {answer.question_id: answer for answer in invitation.answers.all()}
    assert set(saved) == {item.question.id for item in form.questions}
    assert saved[evidence_item.question.id].evidence == [
        {"reference": "Board minutes, 14 January 2026, item 6", "date": "2026-01-14"}
    ]
    assert saved[evidence_item.question.id].comment == "Minuted\nevery quarter"  # the browser's CRLF as one line end
    assert saved[na_item.question.id].na and saved[na_item.question.id].justification == "No such compact here"

    # After submission every URL of the link shows the thank-you page and nothing else; nothing more is saved.
    for address in (url("start", token), url("page", token, number=1), url("review", token)):
        page = client.get(address, secure=True)
        assert page.status_code == 200 and b"Your answers have been sent" in page.content
        assert b'name="version"' not in page.content and b"4 Embedded" not in page.content
    late = client.post(url("page", token, number=1), {"version": "0", **filled(form.domains[0], 1)}, secure=True)
    assert b"Your answers have been sent" in late.content
    assert not invitation.answers.filter(level=1).exists()


def test_only_the_groups_questions_in_its_words_with_every_level_descriptor(world: World) -> None:
    _, token = invite(world.rounds["A"], "frontline", "frontline-9")
    rubric = load_rubric(RUBRIC)
    page = Client().get(url("page", token, number=1), secure=True).content.decode()
    assert Invitation.objects.get(respondent_id="frontline-9").opened_at is None  # seen, nothing saved: not started
    role_models = rubric.question("lead-role-models")
    assert role_models.text_for("frontline") != role_models.text  # the frontline wording differs
    assert role_models.text_for("frontline") in page and role_models.text not in page
    assert role_models.help_text_for("frontline") in page
    assert rubric.question("lead-executive-lead").text not in page  # asked of the board only
    for descriptor in role_models.levels:
        assert descriptor.descriptor.replace("'", "&#39;") in page
    assert 'value="na"' not in page  # no question on it allows N/A
    assert "-evidence" not in page  # frontline staff are not asked for evidence
    assert "Page 1 of " in page


# ---- Leaving and coming back, two tabs ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_respondent_who_leaves_mid_way_finds_their_answers_with_the_same_link(world: World) -> None:
    _, token = invite(world.rounds["A"], "frontline", "frontline-9")
    form = form_of("frontline")
    first = form.domains[0].questions
    assert save_page(Client(), token, 1, {first[0].question.id: "2", f"{first[0].question.id}-comment": "Rarely"})
    # The browser closed: a new client with nothing but the link.
    again = Client()
    start = again.get(url("start", token), secure=True).content.decode()
    assert f"You have answered 1 of {len(form.questions)} questions so far." in start
    assert f'href="{url("page", token, number=1)}"' in start and "Continue where you left off" in start
    page = again.get(url("page", token, number=1), secure=True).content.decode()
    assert re.search(
        rf'id="{first[0].question.id}-2" name="{first[0].question.id}" type="radio" value="2" checked', page
    )
    assert ">Rarely</textarea>" in page


def test_two_tabs_the_later_save_wins_and_the_next_page_says_so(world: World) -> None:
    invitation, token = invite(world.rounds["A"], "frontline", "frontline-9")
    qid = form_of("frontline").domains[0].questions[0].question.id
    browser = Client()  # two tabs of one browser share its cookies
    tab_one = version_on(browser.get(url("page", token, number=1), secure=True).content)
    tab_two = version_on(browser.get(url("page", token, number=1), secure=True).content)
    assert tab_one == tab_two == "0"

    saved = browser.post(url("page", token, number=1), {"version": tab_two, qid: "2"}, secure=True)
    assert saved.status_code == 302
    following = browser.get(saved["Location"], secure=True)
    assert b"also being changed in another tab" not in following.content  # nothing happened in between
    later = browser.post(url("page", token, number=1), {"version": tab_one, qid: "4"}, secure=True)
    assert later["Location"] == url("page", token, number=2)
    notice = browser.get(later["Location"], secure=True).content.decode()
    assert "also being changed in another tab or window" in notice
    assert "What you saved on page 1 (Leadership) replaced what had been saved there" in notice
    assert Answer.objects.get(invitation=invitation, question_id=qid).level == 4  # the later save
    invitation.refresh_from_db()
    assert invitation.version == 2  # one raise a save
    assert b"also being changed" not in browser.get(url("page", token, number=2), secure=True).content  # once


def test_a_question_left_blank_keeps_what_another_tab_saved(world: World) -> None:
    invitation, token = invite(world.rounds["A"], "frontline", "frontline-9")
    first, second = form_of("frontline").domains[0].questions[:2]
    client = Client()
    save_page(client, token, 1, {first.question.id: "3"})
    client.post(url("page", token, number=1), {"version": "0", second.question.id: "5"}, secure=True)
    assert {a.question_id: a.level for a in invitation.answers.all()} == {first.question.id: 3, second.question.id: 5}


# ---- Bad input: located errors, nothing saved ------------------------------------------------------------------

BOARD_EVIDENCE = "lead-executive-lead"  # page 1 of the board's form; evidence from level 4, no N/A
BOARD_NA = "gov-regulator-compact"  # page 2 (governance); N/A allowed with a justification


@pytest.mark.slow
@pytest.mark.parametrize(
    ("number", "field", "anchor", "message"),
    [
        (1, {BOARD_EVIDENCE: "7"}, BOARD_EVIDENCE, "choose one of the levels"),
        (1, {BOARD_EVIDENCE: "na"}, BOARD_EVIDENCE, "cannot be answered N/A"),
        (1, {f"{BOARD_EVIDENCE}-comment": "x" * 10_001}, f"{BOARD_EVIDENCE}-comment", "10,000 characters or fewer"),
        (1, {f"{BOARD_EVIDENCE}-evidence": "x" * 1_001}, f"{BOARD_EVIDENCE}-evidence", "1,000 characters or fewer"),
        (
            1,
            {
                f"{BOARD_EVIDENCE}-evidence": "Minutes",
                f"{BOARD_EVIDENCE}-evidence-date-day": "31",
                f"{BOARD_EVIDENCE}-evidence-date-month": "2",
                f"{BOARD_EVIDENCE}-evidence-date-year": "2026",
            },
            f"{BOARD_EVIDENCE}-evidence-date-day",
            "must be a real date",
        ),
        (
            1,
            {
                f"{BOARD_EVIDENCE}-evidence-date-day": "1",
                f"{BOARD_EVIDENCE}-evidence-date-month": "2",
                f"{BOARD_EVIDENCE}-evidence-date-year": "2026",
            },
            f"{BOARD_EVIDENCE}-evidence",
            "give the document&#39;s reference",
        ),
        (
            2,
            {BOARD_NA: "na", f"{BOARD_NA}-justification": "x" * 5_001},
            f"{BOARD_NA}-justification",
            "5,000 characters",
        ),
        (
            2,
            {BOARD_NA: "na", f"{BOARD_NA}-justification": ""},
            f"{BOARD_NA}-justification",
            "say why it does not apply",
        ),
        (2, {BOARD_NA: "3", f"{BOARD_NA}-justification": "Why"}, f"{BOARD_NA}-justification", "or choose N/A"),
    ],
)
def test_bad_input_is_shown_at_its_field_and_nothing_on_the_page_is_saved(
    world: World, number: int, field: dict[str, str], anchor: str, message: str
) -> None:
    invitation, token = invite(world.rounds["A"], "board", "board-9")
    domain = form_of("board").domains[number - 1]
    response = Client().post(
        url("page", token, number=number), {"version": "0", **filled(domain, 3, **field)}, secure=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="nhsuk-error-summary"') == 1
    assert re.search(rf'<a href="#{re.escape(anchor)}"\s*>\s*Question \d+\.\d+[ :][^<]*{message}', page)
    assert 'class="nhsuk-error-message"' in page
    assert "<title>Error: " in page
    assert not invitation.answers.exists()  # the page's good answers were not saved either
    invitation.refresh_from_db()
    assert invitation.version == 0


def test_texts_at_the_answers_schemas_limits_are_saved(world: World) -> None:
    invitation, token = invite(world.rounds["A"], "board", "board-9")
    fields = {
        f"{BOARD_EVIDENCE}-comment": "c" * 9_999 + "\r\n",  # 10,000 characters once the browser's CRLF is one
        BOARD_EVIDENCE: "4",
        f"{BOARD_EVIDENCE}-evidence": "e" * 1_000,
    }
    response = Client().post(url("page", token, number=1), {"version": "0", **fields}, secure=True)
    assert response.status_code == 302
    answer = invitation.answers.get(question_id=BOARD_EVIDENCE)
    assert len(answer.comment) == 9_999 and answer.evidence == [{"reference": "e" * 1_000}]  # trailing line end trimmed


def test_a_comment_without_an_answer_is_not_silently_dropped(world: World) -> None:
    invitation, token = invite(world.rounds["A"], "frontline", "frontline-9")
    qid = form_of("frontline").domains[0].questions[0].question.id
    response = Client().post(url("page", token, number=1), {"version": "0", f"{qid}-comment": "Hm"}, secure=True)
    assert response.status_code == 200 and "choose an answer, to save what you wrote" in response.content.decode()
    assert ">Hm</textarea>" in response.content.decode()  # what they typed is still on the page
    assert not invitation.answers.exists()


@pytest.mark.slow
def test_submit_is_refused_until_every_question_is_answered(world: World) -> None:
    invitation, token = invite(world.rounds["A"], "frontline", "frontline-9")
    form = form_of("frontline")
    client = Client()
    for number, domain in enumerate(form.domains, start=1):
        data = filled(domain)
        if number == 2:
            del data[domain.questions[-1].question.id]  # one question left
        save_page(client, token, number, data)
    left = form.domains[1].questions[-1]
    review = client.get(url("review", token), secure=True).content.decode()
    assert "Not answered" in review and f'href="{url("page", token, number=2)}#{left.question.id}"' in review
    refused = client.post(url("review", token), secure=True)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Answer every question before you send your answers" in page
    assert f'<a href="{url("page", token, number=2)}#{left.question.id}"' in page
    assert "1 question is not answered yet" in page
    assert f"Page 2, {form.domains[1].domain.title}: answer question {left.number}<" in page.replace("\n", "").replace(
        "  ", ""
    )
    invitation.refresh_from_db()
    assert invitation.submitted_at is None
    save_page(client, token, 2, {left.question.id: "1"})
    assert client.post(url("review", token), secure=True).status_code == 302
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None


# ---- Links that do not work --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_unknown_expired_closed_and_malformed_links_give_one_and_the_same_page(world: World) -> None:
    expired_round = Round.objects.create(
        organisation=world.organisations["A"],
        title="Riverside spring check",
        rubric_id=RUBRIC,
        rubric_version=world.rounds["A"].rubric_version,
        rubric_hash=world.rounds["A"].rubric_hash,
        assessment_date=datetime.date(2026, 1, 5),
        closes_on=datetime.date.today() - datetime.timedelta(days=1),
    )
    _, expired = invite(expired_round, "board", "board-1")
    Round.objects.filter(pk=world.rounds["B"].pk).update(status=Round.Status.CLOSED)
    closed = world.tokens["B"]  # its invitation never submitted
    unknown = new_token()[0]
    for name, extra in (("start", {}), ("page", {"number": 1}), ("review", {})):
        responses = [
            Client().get(url(name, token, **extra), secure=True)
            for token in (unknown, expired, closed, "x", world.tokens["A"][:-1])
        ]
        assert {response.status_code for response in responses} == {404}
        assert len({response.content for response in responses}) == 1
        assert b"This link is not valid" in responses[0].content
        assert b"contact the person who sent you the link" in responses[0].content
        headers = [{k: v for k, v in r.items() if k not in ("Date", "Expires")} for r in responses]
        assert all(h == headers[0] for h in headers)
    # Tokens no link could hold (a null character, 5,000 characters, bytes that are not UTF-8): the same page.
    odd = [Client().get(path, secure=True) for path in ("/r/%00abc/", "/r/" + "a" * 5000 + "/", "/r/%ff%fe/")]
    assert {(r.status_code, r.content) for r in odd} == {(404, responses[0].content)}
    # the day itself still counts: a round closing today still takes answers
    Round.objects.filter(pk=expired_round.pk).update(closes_on=datetime.date.today())
    assert Client().get(url("start", expired), secure=True).status_code == 200


@pytest.mark.slow
def test_failed_lookups_are_limited_per_address_whatever_the_token(world: World) -> None:
    client = Client()
    for _ in range(30):  # working links are not counted
        assert client.get(url("start", world.tokens["A"]), secure=True).status_code == 200
    for index in range(60):
        assert client.get(url("start", f"guess-{index}"), secure=True).status_code == 404
    limited = client.get(url("start", "guess-60"), secure=True)
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert b"Too many attempts" in limited.content
    # Over the limit, a working link gets the same answer: the limit tells nothing about a token.
    assert client.get(url("page", world.tokens["A"], number=1), secure=True).status_code == 429
    # Another address is not held back.
    other = client.get(url("start", world.tokens["A"]), secure=True, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


# ---- Each respondent sees only their own answers ---------------------------------------------------------------


@pytest.mark.slow
def test_a_respondent_sees_only_their_own_answers(world: World) -> None:
    form = form_of("frontline")
    mine, token = world.invitations["A"], world.tokens["A"]
    other, _ = invite(world.rounds["A"], "frontline", "frontline-2")
    for item in form.questions:
        Answer.objects.create(invitation=other, question_id=item.question.id, level=5, comment="OTHER-SECRET")
    for item in form.questions[:1]:
        Answer.objects.create(
            invitation=world.invitations["B"], question_id=item.question.id, level=1, comment="B-SECRET"
        )
    client = Client()
    save_page(
        client, token, 1, {form.questions[0].question.id: "2", f"{form.questions[0].question.id}-comment": "MINE"}
    )
    seen = [client.get(url("start", token), secure=True), client.get(url("review", token), secure=True)]
    seen += [client.get(url("page", token, number=n), secure=True) for n in range(1, len(form.domains) + 1)]
    text = "".join(page.content.decode() for page in seen)
    assert "MINE" in text and "OTHER-SECRET" not in text and "B-SECRET" not in text
    review = seen[1].content.decode()
    assert "5 Exemplary" not in review  # the other respondent's levels are not counted as this one's
    assert f"You have answered 1 of {len(form.questions)}" in review
    assert mine.answers.count() == 1 and other.answers.filter(level=5).count() == len(form.questions)


# ---- A round leaves the system as the answers file the command line reads ----------------------------------------


def _submitted_round(world: World) -> Round:
    """Round A with a respondent of every group, submitted, with N/A, evidence and comments among the answers."""
    round_ = world.rounds["A"]
    for group in ("board", "managers", "frontline", "patient-partners"):
        invitation, _ = invite(round_, group, f"{group}-7")
        for index, item in enumerate(form_of(group).questions):
            question = item.question
            if question.na_allowed and group == "board":
                Answer.objects.create(invitation=invitation, question_id=question.id, na=True, justification="None")
            elif item.evidence_level is not None and index % 2 == 0:
                Answer.objects.create(
                    invitation=invitation,
                    question_id=question.id,
                    level=4,
                    evidence=[{"reference": "Board paper 2026/041", "date": "2026-02-01"}],
                )
            else:
                Answer.objects.create(
                    invitation=invitation,
                    question_id=question.id,
                    level=1 + index % 5,
                    comment="Q" if index % 3 else "",
                )
        invitation.submitted_at = datetime.datetime(2026, 4, 2, tzinfo=datetime.UTC)
        invitation.save()
    return round_


def test_a_round_is_the_answers_document_of_its_submitted_respondents(world: World) -> None:
    round_ = _submitted_round(world)
    document = round_document(round_)
    assert document["rubric"] == {"id": "qi-readiness", "version": round_.rubric_version}
    assert document["organisation"] == {"id": "riverside", "name": "Riverside NHS Trust", "type": "acute"}
    assert document["date"] == "2026-03-31"
    # frontline-1 (the world's) has not submitted: it is left out
    assert [r["id"] for r in document["respondents"]] == ["board-7", "frontline-7", "managers-7", "patient-partners-7"]
    board = document["respondents"][0]["answers"]
    assert board["gov-regulator-compact"] == {"na": True, "justification": "None"}
    assert board["lead-executive-lead"] == {
        "level": 4,
        "evidence": [{"reference": "Board paper 2026/041", "date": "2026-02-01"}],
    }
    assert isinstance(board["lead-continuity"], int)
    assessment = round_assessment(round_)  # checked as a file is; raises on any problem
    assert len(assessment.respondents) == 4


@pytest.mark.slow
@pytest.mark.subprocess
def test_scoring_a_round_gives_what_the_command_line_gives_for_its_file(world: World, tmp_path: Path) -> None:
    round_ = _submitted_round(world)
    rubric = load_rubric(RUBRIC)
    path = tmp_path / "riverside.yaml"
    path.write_text(yaml.safe_dump(round_document(round_), sort_keys=False), encoding="utf-8")
    ran = subprocess.run(
        [sys.executable, "-m", "qimaturity", "score", RUBRIC, str(path), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    from_cli = json.loads(ran.stdout)
    from_web = json.loads(result_json(score(rubric, round_assessment(round_, rubric))))
    assert from_web == from_cli
    assert from_web == json.loads(result_json(score(rubric, load_assessment(path, rubric))))
    assert from_cli["organisation"]["id"] == "riverside" and from_cli["overall"]["level"] is not None


@pytest.mark.slow
def test_pages_post_only_with_the_forms_csrf_token(world: World) -> None:
    token = world.tokens["A"]
    client = Client(enforce_csrf_checks=True)
    for name, extra in (("page", {"number": 1}), ("review", {})):
        page = client.get(url(name, token, **extra), secure=True).content.decode()
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, name
        forged = client.post(
            url(name, token, **extra), {"version": "0"}, secure=True, headers={"referer": "https://testserver/"}
        )
        assert forged.status_code == 403
        sent = client.post(
            url(name, token, **extra),
            {"version": "0", "csrfmiddlewaretoken": found.group(1)},
            secure=True,
            headers={"referer": "https://testserver/"},
        )
        assert sent.status_code in (200, 302)


def test_no_log_line_carries_a_respondents_link(caplog: pytest.LogCaptureFixture) -> None:
    # Django logs a refused request with its path: "Not Found: /r/<link>/page/99/" would give whoever reads the log
    # the respondent's questionnaire. The site's console handler (set up with the settings, before this test's
    # capture) rewrites the record, so every handler after it, the capture included, sees it without the link.
    assert any(isinstance(f, HideLinks) for h in logging.getLogger().handlers for f in h.filters)
    world = make_world()
    token = world.tokens["A"]
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert Client().get(f"/r/{token}/page/99/", secure=True).status_code == 404
    messages = [record.getMessage() for record in caplog.records]
    assert any("/r/…/page/99/" in message for message in messages), messages
    assert not any(token in message for message in messages)


def test_a_save_or_submit_in_progress_when_the_round_closes_writes_nothing(world: World) -> None:
    # The link was checked when the request began; the round closes before the answers are written. The save reads
    # the round again under its lock and writes nothing, and so does a submit: the round's closed answers stay as
    # they were when it closed.
    from qimaturity.web.rounds import respondent

    invitation = world.invitations["A"]
    domain = form_of("frontline").domains[0]
    entries = [respondent.Entry(item=item, answer="3") for item in domain.questions]
    Round.objects.filter(pk=world.rounds["A"].pk).update(status=Round.Status.CLOSED)
    assert respondent._save(invitation, entries, 0) is None
    assert respondent._writable(invitation) is None
    assert not Answer.objects.filter(invitation=invitation).exists()
    invitation.refresh_from_db()
    assert invitation.version == 0 and invitation.submitted_at is None
    # Its closing date passing has the same effect as its closing: yesterday's round takes nothing.
    Round.objects.filter(pk=world.rounds["A"].pk).update(
        status=Round.Status.OPEN, closes_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    assert respondent._save(invitation, entries, 0) is None
    # Open again with time left: the same save is written.
    Round.objects.filter(pk=world.rounds["A"].pk).update(closes_on=datetime.date.today())
    assert respondent._save(invitation, entries, 0) is False
    assert Answer.objects.filter(invitation=invitation).count() == len(entries)
