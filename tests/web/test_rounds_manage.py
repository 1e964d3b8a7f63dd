"""The organisation admin's pages: creating a round and its links (shown once), new links, e-mails and reminders,
response rates, closing, the result, downloads (answers file, result JSON, HTML and PDF reports), uploads with
located problems, and the audit log; every object of another organisation is not found."""

from __future__ import annotations

import datetime
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from qimaturity import load_assessment, load_rubric, score
from qimaturity.cli.main import cli
from qimaturity.web.audit.models import AuditEntry
from qimaturity.web.rounds.assessment import round_document
from qimaturity.web.rounds.models import Answer, Invitation, Report, Round
from qimaturity.web.rounds.tokens import token_hash
from tests.web.world import RUBRIC, World, make_world

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https://testserver/[^\s<\"]*/([A-Za-z0-9_-]{43})/")
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def admin(world: World) -> Client:
    return world.client("admin_x")


def actions(world: World, key: str = "X") -> list[str]:
    return list(
        AuditEntry.objects.filter(organisation=world.organisations[key]).order_by("id").values_list("action", flat=True)
    )


def form_id(client: Client) -> str:
    """The one-time id of the round form the page shows (as a browser would send it back)."""
    page = client.get(reverse("rounds:create"), {"rubric": RUBRIC}, secure=True).content.decode()
    (found,) = re.findall(r'name="form_id" value="([^"]+)"', page)
    return found


def round_form(client: Client, world: World, title: str, days_open: int, **counts: int) -> dict[str, object]:
    """The round form of X as a browser sends it: its one-time id, assessed today, closing ``days_open`` later."""
    today = timezone.localdate()
    return {
        "form_id": form_id(client),
        "rubric": RUBRIC,
        "organisation": world.organisations["X"].pk,
        "title": title,
        "assessment_date": today.isoformat(),
        "closes_on": (today + datetime.timedelta(days=days_open)).isoformat(),
        **{f"group-{group}": count for group, count in counts.items()},
    }


def create(client: Client, world: World, **counts: int) -> tuple[Round, list[str]]:
    """Create a round of X through the form; returns it and the links the response shows."""
    data = round_form(client, world, "Riverside autumn", 21, **counts)
    response = client.post(reverse("rounds:create"), data, secure=True)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store", response.content.decode()[:2000]
    round_ = Round.objects.get(title="Riverside autumn")
    return round_, LINK.findall(response.content.decode())


def test_creating_a_round_makes_one_invitation_a_respondent_and_shows_each_link_once(world: World, admin: Client):
    round_, tokens = create(admin, world, board=2, managers=0, frontline=3, **{"patient-partners": 1})
    assert round_.groups == {"board": 2, "managers": 0, "frontline": 3, "patient-partners": 1}
    assert (round_.rubric_id, round_.rubric_version) == (RUBRIC, load_rubric(RUBRIC).version)
    invitations = list(round_.invitations.order_by("respondent_id"))
    assert [i.respondent_id for i in invitations] == [
        "board-1", "board-2", "frontline-1", "frontline-2", "frontline-3", "patient-partners-1",
    ]  # fmt: skip
    # Six links, each the token of one invitation (only its hash stored), never the same twice.
    assert len(tokens) == 6 == len(set(tokens))
    assert sorted(token_hash(t) for t in tokens) == sorted(i.token_hash for i in invitations)
    assert all(t not in str(i.token_hash) for t in tokens for i in invitations)
    # Shown once: in the response alone, kept nowhere else (not in the session, which is in the database).
    kept = repr([session.get_decoded() for session in Session.objects.all()])
    assert "_auth_user_id" in kept and tokens and not any(t in kept for t in tokens)
    assert actions(world) == ["round.create"] + ["invitation.create"] * 6


def test_sending_the_round_form_again_makes_no_second_round(world: World, admin: Client):
    # A reload of the links page sends the form again: its one-time id is used, so nothing is made and the lead is
    # told why; every invitation was made once.
    data = round_form(admin, world, "Sent twice", 0, board=2)
    assert admin.post(reverse("rounds:create"), data, secure=True).status_code == 200
    again = admin.post(reverse("rounds:create"), data, secure=True)
    assert again.status_code == 302 and again["Location"] == reverse("rounds:list")
    assert "That form was sent before" in admin.get(again["Location"], secure=True).content.decode()
    assert Round.objects.filter(title="Sent twice").count() == 1
    assert Invitation.objects.filter(round__title="Sent twice").count() == 2
    # A form with no id (or a made-up one) makes nothing either.
    assert admin.post(reverse("rounds:create"), {**data, "form_id": "made-up"}, secure=True).status_code == 302
    assert Round.objects.filter(title="Sent twice").count() == 1


def test_the_first_step_asks_for_a_rubric_among_those_found(world: World, admin: Client):
    page = admin.get(reverse("rounds:create"), secure=True).content.decode()
    assert 'value="qi-readiness"' in page and 'value="qi-programme-stages"' in page
    unknown = admin.get(reverse("rounds:create"), {"rubric": "no-such-rubric"}, secure=True).content.decode()
    assert 'href="#rubric"' in unknown and "Choose the rubric" in unknown
    form = admin.get(reverse("rounds:create"), {"rubric": RUBRIC}, secure=True).content.decode()
    # The rubric's four respondent groups, each a count.
    assert re.findall(r'name="(group-[^"]+)"', form) == [
        "group-board", "group-managers", "group-frontline", "group-patient-partners",
    ]  # fmt: skip


def test_the_form_refuses_a_closing_date_before_the_assessment_date_and_an_empty_round(world: World, admin: Client):
    today = timezone.localdate()
    response = admin.post(
        reverse("rounds:create"),
        {
            "rubric": RUBRIC,
            "organisation": world.organisations["X"].pk,
            "title": "Too soon",
            "assessment_date": today.isoformat(),
            "closes_on": (today - datetime.timedelta(days=1)).isoformat(),
            "group-board": "0",
        },
        secure=True,
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Round.objects.filter(title="Too soon").exists()
    assert 'href="#id_closes_on"' in page and "on or after the assessment date" in page
    assert 'href="#id_group-board"' in page and "Invite at least one respondent" in page


def test_a_title_with_a_line_break_is_refused_at_its_field(world: World, admin: Client):
    # It would go into e-mail subjects (a header cannot hold a line break) and the answers file's first comment.
    today = timezone.localdate()
    title = "Q1)\nrubric: {id: other-rubric, version: 9.9.9}"
    response = admin.post(
        reverse("rounds:create"),
        {
            "rubric": RUBRIC,
            "organisation": world.organisations["X"].pk,
            "title": title,
            "assessment_date": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=7)).isoformat(),
            "group-board": "1",
        },
        secure=True,
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Round.objects.filter(title=title).exists()
    assert 'href="#id_title"' in page and "on one line" in page


def test_a_round_cannot_be_created_for_an_organisation_one_does_not_administer(world: World, admin: Client):
    today = timezone.localdate()
    response = admin.post(
        reverse("rounds:create"),
        {
            "rubric": RUBRIC,
            "organisation": world.organisations["Y"].pk,
            "title": "Not mine",
            "assessment_date": today.isoformat(),
            "closes_on": today.isoformat(),
            "group-board": "1",
        },
        secure=True,
    )
    assert response.status_code == 200 and 'href="#id_organisation"' in response.content.decode()
    assert not Round.objects.filter(title="Not mine").exists()


def test_a_new_link_replaces_the_old_one(world: World, admin: Client):
    invitation = world.invitations["A"]
    old = world.tokens["A"]
    url = reverse("rounds:new_link", kwargs={"pk": world.rounds["A"].pk, "invitation": invitation.pk})
    assert admin.get(url, secure=True).status_code == 405  # an action is a POST
    response = admin.post(url, secure=True)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    (new,) = LINK.findall(response.content.decode())
    invitation.refresh_from_db()
    assert invitation.token_hash == token_hash(new) != token_hash(old)
    assert not Invitation.objects.filter(token_hash=token_hash(old)).exists()  # the old link finds no one
    assert actions(world)[-1] == "invitation.new_link"


def test_e_mailing_a_link_sends_a_new_one_and_reminders_go_to_who_has_not_submitted(world: World, admin: Client):
    round_ = world.rounds["A"]
    invitation = world.invitations["A"]
    url = reverse("rounds:email_link", kwargs={"pk": round_.pk, "invitation": invitation.pk})
    bad = admin.post(url, {"email": "not an address"}, secure=True)
    assert bad.status_code == 400 and 'href="#id_email"' in bad.content.decode() and not mail.outbox
    assert admin.post(url, {"email": "nurse@example.org"}, secure=True).status_code == 302
    (message,) = mail.outbox
    assert message.to == ["nurse@example.org"]
    (token,) = LINK.findall(message.body)
    invitation.refresh_from_db()
    assert invitation.token_hash == token_hash(token) and invitation.email == "nurse@example.org"

    # A second respondent with an address who has submitted gets no reminder.
    Invitation.objects.create(
        round=round_, group="board", respondent_id="board-1", token_hash="f" * 64, email="chair@example.org",
        submitted_at=timezone.now(),
    )  # fmt: skip
    assert admin.post(reverse("rounds:remind", kwargs={"pk": round_.pk}), secure=True).status_code == 302
    assert [m.to for m in mail.outbox[1:]] == [["nurse@example.org"]]
    assert "reminder" in mail.outbox[1].body and not LINK.findall(mail.outbox[1].body)
    invitation.refresh_from_db()
    assert invitation.reminded_at is not None
    assert actions(world)[-2:] == ["invitation.email", "invitation.remind"]


def test_the_round_page_shows_response_rates_by_group(world: World, admin: Client):
    round_ = world.rounds["A"]  # frontline-1 invited (not opened)
    Invitation.objects.create(round=round_, group="frontline", respondent_id="frontline-2", token_hash="a" * 64,
                              opened_at=timezone.now())  # fmt: skip
    Invitation.objects.create(round=round_, group="frontline", respondent_id="frontline-3", token_hash="b" * 64,
                              opened_at=timezone.now(), submitted_at=timezone.now())  # fmt: skip
    Invitation.objects.create(round=round_, group="board", respondent_id="board-1", token_hash="c" * 64)
    page = admin.get(reverse("rounds:detail", kwargs={"pk": round_.pk}), secure=True).content.decode()
    rows = {
        name: re.findall(r"numeric\">([^<]*)<", row)
        for name, row in re.findall(r'<th scope="row" class="nhsuk-table__header">([^<]+)</th>(.*?)</tr>', page, re.S)
    }
    # Frontline: 3 invited, 2 opened (one of them submitted), 1 submitted: 1/3 = 33 %. Board: 1 invited, none.
    assert rows["Frontline staff"] == ["3", "2", "1", "33%", "0"]
    assert rows["Board"] == ["1", "0", "0", "0%", "0"]


def test_the_round_page_lists_respondents_in_natural_order(world: World, admin: Client):
    round_ = world.rounds["A"]  # frontline-1 invited
    for number in (10, 6):
        Invitation.objects.create(round=round_, group="frontline", respondent_id=f"frontline-{number}",
                                  token_hash=str(number) * 32)  # fmt: skip
    page = admin.get(reverse("rounds:detail", kwargs={"pk": round_.pk}), secure=True).content.decode()
    listed = re.findall(r'<td class="nhsuk-table__cell">(frontline-\d+)</td>', page)
    assert listed == ["frontline-1", "frontline-6", "frontline-10"]


def test_closing_asks_first_then_closes(world: World, admin: Client):
    round_ = world.rounds["A"]
    url = reverse("rounds:close", kwargs={"pk": round_.pk})
    confirm = admin.get(url, secure=True)
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    round_.refresh_from_db()
    assert round_.status == Round.Status.OPEN
    assert admin.post(url, secure=True).status_code == 302
    round_.refresh_from_db()
    assert round_.status == Round.Status.CLOSED and round_.closed_at is not None
    assert actions(world)[-1] == "round.close"


def test_the_closed_round_shows_its_result_from_the_scorer(world: World, admin: Client):
    round_ = world.rounds["C"]  # three respondents, every answer at level 3
    page = admin.get(reverse("rounds:detail", kwargs={"pk": round_.pk}), secure=True).content.decode()
    rubric = load_rubric(RUBRIC)
    expected = score(rubric, load_assessment(round_document(round_), rubric))
    assert f"level {expected.overall.level} ({expected.overall.level_name})" in page
    for domain in expected.domains:
        assert domain.title in page
    assert "Preview" not in page  # closed: the result is final
    # An open round shows the result of whoever has submitted as a preview.
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.OPEN)
    preview = admin.get(reverse("rounds:detail", kwargs={"pk": round_.pk}), secure=True).content.decode()
    assert "This is a preview" in preview


def test_the_answers_file_and_result_json_are_what_the_command_line_reads_and_writes(
    world: World, admin: Client, tmp_path: Path
):
    round_ = world.rounds["C"]
    answers = admin.get(reverse("rounds:download_answers", kwargs={"pk": round_.pk}), secure=True)
    assert answers["Content-Type"] == "application/yaml; charset=utf-8"
    assert answers["Content-Disposition"].startswith('attachment; filename="riverside-2025-03-31-round-')
    document = yaml.safe_load(answers.content)
    assert document["organisation"] == {"id": "riverside", "name": "Riverside NHS Trust", "type": "acute"}
    assert [(r["id"], r["group"]) for r in document["respondents"]] == [
        ("board-1", "board"), ("frontline-1", "frontline"), ("frontline-2", "frontline"),
        ("patient-partners-1", "patient-partners"),
    ]  # fmt: skip
    path = tmp_path / "round.yaml"
    path.write_bytes(answers.content)
    cli_json = CliRunner().invoke(cli, ["score", RUBRIC, str(path), "--format", "json"])
    assert cli_json.exit_code == 0, cli_json.output
    result = admin.get(reverse("rounds:download_result", kwargs={"pk": round_.pk}), secure=True)
    assert result["Content-Type"] == "application/json"
    assert result.content.decode() == cli_json.stdout
    assert actions(world)[-2:] == ["round.download", "round.download"]


def test_a_round_with_no_submitted_answers_has_no_result_to_download(world: World, admin: Client):
    url = reverse("rounds:download_result", kwargs={"pk": world.rounds["A"].pk})
    assert admin.get(url, secure=True).status_code == 404


@pytest.mark.slow
def test_the_html_report_is_an_attachment(world: World, admin: Client):
    response = admin.get(reverse("rounds:download_html", kwargs={"pk": world.rounds["C"].pk}), secure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"Riverside NHS Trust" in response.content
    assert actions(world)[-1] == "round.download"


def test_asking_for_the_pdf_enqueues_a_task_in_the_database_queue(world: World, admin: Client):
    from django_tasks_db.models import DBTaskResult

    round_ = world.rounds["C"]
    response = admin.post(reverse("rounds:report_request", kwargs={"pk": round_.pk}), secure=True)
    assert response.status_code == 302
    report = Report.objects.get(round=round_)
    queued = DBTaskResult.objects.get()
    assert str(queued.id) == report.task_id and queued.status == "READY"
    assert queued.task_path == "qimaturity.web.rounds.tasks.render_pdf_report" and queued.args_kwargs["args"] == [
        report.pk
    ]
    page = admin.get(reverse("rounds:detail", kwargs={"pk": round_.pk}), secure=True).content.decode()
    # Not rendered yet (no worker has run): the page says so and offers no download.
    assert "Being prepared" in page and ".pdf" not in page
    assert not report.file
    assert actions(world)[-1] == "report.request"


@pytest.mark.slow
@override_settings(TASKS=IMMEDIATE)
def test_the_pdf_task_renders_a_real_pdf_served_as_an_attachment_from_the_data_folder(world: World, admin: Client):
    from django.conf import settings
    from pypdf import PdfReader

    round_ = world.rounds["C"]
    assert admin.post(reverse("rounds:report_request", kwargs={"pk": round_.pk}), secure=True).status_code == 302
    report = Report.objects.get(round=round_)
    assert report.file and report.finished_at is not None and not report.error
    assert (Path(settings.DATA) / "reports" / report.file).is_file()
    page = admin.get(reverse("rounds:detail", kwargs={"pk": round_.pk}), secure=True).content.decode()
    url = reverse("rounds:report_download", kwargs={"pk": round_.pk, "report": report.pk})
    assert url in page
    response = admin.get(url, secure=True)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    pdf = b"".join(response.streaming_content)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Riverside NHS Trust" in text
    # Another organisation's admin does not find it.
    assert world.client("admin_y").get(url, secure=True).status_code == 404
    # Asked for again: the new PDF is kept and the earlier one deleted (one a round), its download not found.
    assert admin.post(reverse("rounds:report_request", kwargs={"pk": round_.pk}), secure=True).status_code == 302
    first, latest = Report.objects.filter(round=round_).order_by("pk")
    assert latest.file and (Path(settings.DATA) / "reports" / latest.file).is_file()
    assert first.file == "" and not (Path(settings.DATA) / "reports" / report.file).exists()
    assert admin.get(url, secure=True).status_code == 404


UPLOAD = """\
rubric: {{id: qi-readiness, version: "2.0.0"}}
organisation: {{id: riverside, name: Riverside NHS Trust}}
date: "2026-03-31"
respondents:
  - id: partner-1
    group: patient-partners
    answers:
      pat-partner-feedback: {level}
"""


def upload(client: Client, round_: Round, name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("rounds:upload", kwargs={"pk": round_.pk}), {"file": SimpleUploadedFile(name, content)}, secure=True
    )


def test_an_upload_with_problems_shows_them_located_and_saves_nothing(world: World, admin: Client):
    from django.conf import settings

    round_ = world.rounds["A"]
    before = Invitation.objects.count(), Answer.objects.count()
    folder = Path(settings.UPLOADS) / f"round-{round_.pk}"  # shared by the tests of one process (round ids repeat)
    files = set(folder.glob("*"))
    response = upload(admin, round_, "partners.yaml", UPLOAD.format(level=9).encode())
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#problems"' in page and "nothing was saved" in page
    # The file's name, the line of the bad level (line 8) and the question's place in the document.
    row = re.search(r"<td[^>]*>partners.yaml</td>\s*<td[^>]*>8(:\d+)?</td>\s*<td[^>]*><code>([^<]+)</code>", page)
    assert row and row.group(2) == "/respondents/0/answers/pat-partner-feedback"
    assert (Invitation.objects.count(), Answer.objects.count()) == before
    assert set(folder.glob("*")) == files  # the refused file is not kept
    assert "round.upload" not in actions(world)


def test_an_upload_refuses_the_answers_of_another_organisation(world: World, admin: Client):
    text = UPLOAD.format(level=3).replace("id: riverside", "id: hillside")
    page = upload(admin, world.rounds["A"], "other.yaml", text.encode()).content.decode()
    assert "/organisation/id" in page and not Invitation.objects.filter(respondent_id="partner-1").exists()


def test_an_upload_too_large_or_of_another_kind_is_refused_before_reading(world: World, admin: Client):
    big = upload(admin, world.rounds["A"], "big.yaml", b"#" * (2 * 1024 * 1024 + 1))
    assert big.status_code == 400 and "smaller than 2 MB" in big.content.decode()
    # Far larger: refused by its length before the body is read.
    huge = upload(admin, world.rounds["A"], "huge.yaml", b"#" * (3 * 1024 * 1024))
    assert huge.status_code == 413 and 'href="#id_file"' in huge.content.decode()
    exe = upload(admin, world.rounds["A"], "answers.html", b"<script>")
    assert exe.status_code == 400 and 'href="#id_file"' in exe.content.decode()


def test_a_good_upload_adds_its_respondents_as_submitted_invitations(world: World, admin: Client):
    from django.conf import settings

    round_ = world.rounds["A"]
    response = upload(admin, round_, "partners.yaml", UPLOAD.format(level=3).encode())
    assert response.status_code == 302
    invitation = Invitation.objects.get(round=round_, respondent_id="partner-1")
    assert invitation.source == Invitation.Source.UPLOAD and invitation.submitted_at is not None
    assert invitation.token_hash is None and invitation.group == "patient-partners"
    assert [(a.question_id, a.level) for a in invitation.answers.all()] == [("pat-partner-feedback", 3)]
    (stored,) = (Path(settings.UPLOADS) / f"round-{round_.pk}").glob("*.yaml")
    assert stored.read_bytes() == UPLOAD.format(level=3).encode()
    entry = AuditEntry.objects.filter(action="round.upload").get()
    assert entry.detail == {"file": "partners.yaml", "stored": stored.name, "respondents": 1}
    # The same respondent again is refused at its place.
    again = upload(admin, round_, "partners.yaml", UPLOAD.format(level=3).encode()).content.decode()
    assert "/respondents/0/id" in again and "already a respondent" in again


def test_a_survey_export_is_read_as_the_import_command_reads_it(world: World, admin: Client):
    csv = (
        "organisation_id,organisation_name,date,respondent_id,group,cult-teamwork\n"
        "riverside,Riverside NHS Trust,2026-03-31,s-1,frontline,2\n"
        "riverside,Riverside NHS Trust,2026-03-31,s-2,frontline,4\n"
    )
    response = upload(admin, world.rounds["A"], "survey.csv", csv.encode())
    assert response.status_code == 302, response.content.decode()[-3000:]
    added = Invitation.objects.filter(round=world.rounds["A"], source=Invitation.Source.UPLOAD)
    assert sorted((i.respondent_id, i.answers.get().level) for i in added) == [("s-1", 2), ("s-2", 4)]


def test_the_audit_page_shows_the_organisations_entries_to_its_admins_only(world: World, admin: Client):
    admin.post(reverse("rounds:close", kwargs={"pk": world.rounds["A"].pk}), secure=True)
    url = reverse("rounds:audit", kwargs={"code": "riverside"})
    page = admin.get(url, secure=True).content.decode()
    assert "round.close" in page and "admin_x" in page
    create(admin, world, board=1)
    page = admin.get(url, secure=True).content.decode()
    assert "groups: board 1" in page and "respondent: board-1" in page
    assert world.client("admin_y").get(url, secure=True).status_code == 404
    assert world.client("regulator_w").get(url, secure=True).status_code == 404


@pytest.mark.parametrize(
    ("name", "kwargs", "method"),
    [
        ("rounds:detail", lambda w: {"pk": w.rounds["B"].pk}, "get"),
        ("rounds:close", lambda w: {"pk": w.rounds["B"].pk}, "post"),
        ("rounds:remind", lambda w: {"pk": w.rounds["B"].pk}, "post"),
        ("rounds:upload", lambda w: {"pk": w.rounds["B"].pk}, "get"),
        ("rounds:download_answers", lambda w: {"pk": w.rounds["B"].pk}, "get"),
        ("rounds:report_request", lambda w: {"pk": w.rounds["B"].pk}, "post"),
        ("rounds:invitation", lambda w: {"pk": w.rounds["B"].pk, "invitation": w.invitations["B"].pk}, "get"),
        ("rounds:new_link", lambda w: {"pk": w.rounds["B"].pk, "invitation": w.invitations["B"].pk}, "post"),
        # Round A is X's, but the invitation is B's: not found through A either.
        ("rounds:new_link", lambda w: {"pk": w.rounds["A"].pk, "invitation": w.invitations["B"].pk}, "post"),
        ("rounds:audit", lambda w: {"code": "hillside"}, "get"),
    ],
)
def test_another_organisations_objects_are_not_found(world: World, admin: Client, name, kwargs, method):
    before = Round.objects.get(pk=world.rounds["B"].pk).status, world.invitations["B"].token_hash
    response = getattr(admin, method)(reverse(name, kwargs=kwargs(world)), secure=True)
    assert response.status_code == 404
    after = Round.objects.get(pk=world.rounds["B"].pk).status, Invitation.objects.get(pk=world.invitations["B"].pk)
    assert (after[0], after[1].token_hash) == before
    assert not AuditEntry.objects.exists()


def test_the_rounds_list_shows_only_administered_organisations(world: World, admin: Client):
    page = admin.get(reverse("rounds:list"), secure=True).content.decode()
    assert "Riverside 2026" in page and "Riverside 2025" in page and "Hillside" not in page
    assert world.client("regulator_w").get(reverse("rounds:list"), secure=True).status_code == 403
    assert world.client("anonymous").get(reverse("rounds:list"), secure=True).status_code == 302


def test_the_round_document_is_the_submitted_answers_in_the_answers_format(world: World):
    invitation = world.invitations["C"]  # board-1, level 3 everywhere
    answer = invitation.answers.order_by("question_id").first()
    assert answer is not None
    Answer.objects.filter(pk=answer.pk).update(
        level=None, na=True, justification="No board here", comment="see minutes"
    )
    other = invitation.answers.order_by("question_id")[1]
    Answer.objects.filter(pk=other.pk).update(evidence=[{"reference": "Board minutes", "date": "2025-01-01"}])
    document = round_document(world.rounds["C"])
    first = document["respondents"][0]
    assert first["id"] == "board-1"
    assert first["answers"][answer.question_id] == {"na": True, "justification": "No board here",
                                                    "comment": "see minutes"}  # fmt: skip
    assert first["answers"][other.question_id] == {
        "level": 3, "evidence": [{"reference": "Board minutes", "date": "2025-01-01"}],
    }  # fmt: skip
    assert document["rubric"] == {"id": RUBRIC, "version": "2.0.0"} and document["date"] == "2025-03-31"
    assert json.loads(json.dumps(document)) == document


# many-columns.csv takes a minute to refuse (as on the command line); the blank questionnaire is made by a process.
SKIPPED = {"many-columns.csv", "blank-questionnaire.xlsx"}


@pytest.mark.slow
def test_every_hostile_answers_file_and_export_is_refused_on_the_page(world: World, admin: Client, tmp_path: Path):
    """The hostile corpus's answers files and exports (those under the upload limit), uploaded into a round: each
    is refused with its problems on the page (400), or by its size (413), never a server error, and nothing is
    saved."""
    from tests.hostile.corpus import ANSWERS_COMMANDS, CASES, EXPORT_COMMANDS

    round_ = world.rounds["A"]
    before = Invitation.objects.count()
    outcomes = {}
    for case in CASES:
        if case.commands[0] not in (ANSWERS_COMMANDS[0], EXPORT_COMMANDS[0]) or case.name in SKIPPED:
            continue  # brand files, rubrics and mappings are not uploaded
        path = case.build(tmp_path)
        content = path.read_bytes()
        response = upload(admin, round_, path.name, content)
        outcomes[case.name] = response.status_code
        if response.status_code == 400:
            assert "nothing was saved" in response.content.decode(), case.name
    assert set(outcomes.values()) <= {400, 413}, outcomes
    assert len(outcomes) >= 15
    assert Invitation.objects.count() == before


@override_settings(TASKS=IMMEDIATE)
def test_a_pdf_task_that_fails_records_why_and_the_round_page_says_so(world: World, admin: Client):
    from qimaturity.web.rounds.tasks import render_pdf_report

    round_ = world.rounds["A"]  # nothing submitted: nothing to render
    report = Report.objects.create(round=round_, requested_by=world.users["admin_x"])
    outcome = render_pdf_report.enqueue(report.pk)
    assert outcome.status == "FAILED"
    report.refresh_from_db()
    assert report.finished_at is not None and not report.file and "/respondents" in report.error
    # The latest report of a round with a result failed: the page says so, with the reason, and offers no download.
    Report.objects.create(round=world.rounds["C"], finished_at=timezone.now(), error="the disk is full")
    page = admin.get(reverse("rounds:detail", kwargs={"pk": world.rounds["C"].pk}), secure=True).content.decode()
    assert "could not be prepared" in page and "the disk is full" in page and ".pdf" not in page


def _answer(invitation: Invitation, count: int) -> None:
    for number in range(count):
        Answer.objects.create(invitation=invitation, question_id=f"question-{number}", level=3)


def test_a_new_link_asks_what_becomes_of_the_answers_saved_through_the_old_one(world: World, admin: Client):
    # The new link may go to someone else: they must not find the previous person's answers, so the lead says
    # whether the 2 answers saved so far are kept or deleted; with none saved the question is not asked.
    round_, invitation = world.rounds["A"], world.invitations["A"]
    page = reverse("rounds:invitation", kwargs={"pk": round_.pk, "invitation": invitation.pk})
    new_link = reverse("rounds:new_link", kwargs={"pk": round_.pk, "invitation": invitation.pk})
    assert 'name="saved"' not in admin.get(page, secure=True).content.decode()
    _answer(invitation, 2)
    Invitation.objects.filter(pk=invitation.pk).update(opened_at=timezone.now())
    shown = admin.get(page, secure=True).content.decode()
    assert "The 2 answers saved through the current link" in shown and shown.count('name="saved"') == 4

    unanswered = admin.post(new_link, secure=True)
    text = unanswered.content.decode()
    assert unanswered.status_code == 400 and 'href="#link-saved"' in text and 'id="link-saved"' in text
    invitation.refresh_from_db()
    assert invitation.token_hash == token_hash(world.tokens["A"])  # nothing changed

    kept = admin.post(new_link, {"saved": "keep"}, secure=True)
    assert kept.status_code == 200 and len(LINK.findall(kept.content.decode())) == 1
    assert Answer.objects.filter(invitation=invitation).count() == 2

    deleted = admin.post(new_link, {"saved": "delete"}, secure=True)
    (token,) = LINK.findall(deleted.content.decode())
    invitation.refresh_from_db()
    assert not Answer.objects.filter(invitation=invitation).exists() and invitation.opened_at is None
    assert invitation.token_hash == token_hash(token)
    entry = AuditEntry.objects.filter(action="invitation.new_link").order_by("id").last()
    assert entry is not None and entry.detail["answers_deleted"] == 2


def test_an_e_mailed_link_asks_too_and_its_errors_link_to_its_own_fields(world: World, admin: Client):
    round_, invitation = world.rounds["A"], world.invitations["A"]
    _answer(invitation, 1)
    url = reverse("rounds:email_link", kwargs={"pk": round_.pk, "invitation": invitation.pk})
    refused = admin.post(url, {"email": "nurse@example.org"}, secure=True)
    text = refused.content.decode()
    assert refused.status_code == 400 and 'href="#email-saved"' in text and 'id="email-saved"' in text
    assert not mail.outbox
    assert admin.post(url, {"email": "nurse@example.org", "saved": "delete"}, secure=True).status_code == 302
    assert len(mail.outbox) == 1 and not Answer.objects.filter(invitation=invitation).exists()


def test_past_its_closing_date_a_round_makes_no_link_and_sends_no_reminder(world: World, admin: Client):
    # Still open (its lead has not closed it) but its closing date has passed: its links take no answer, so a new
    # link or a reminder would send someone to the "not valid" page.
    round_, invitation = world.rounds["A"], world.invitations["A"]
    Round.objects.filter(pk=round_.pk).update(closes_on=timezone.localdate() - datetime.timedelta(days=1))
    Invitation.objects.filter(pk=invitation.pk).update(email="nurse@example.org")
    new_link = reverse("rounds:new_link", kwargs={"pk": round_.pk, "invitation": invitation.pk})
    assert admin.post(new_link, secure=True).status_code == 404
    assert admin.post(reverse("rounds:remind", kwargs={"pk": round_.pk}), secure=True).status_code == 404
    invitation.refresh_from_db()
    assert invitation.token_hash == token_hash(world.tokens["A"]) and not mail.outbox


@override_settings(EMAIL_BACKEND="tests.web.failing_mail.EmailBackend")
def test_a_mail_server_that_fails_is_said_on_the_page_and_records_no_reminder(world: World, admin: Client):
    round_, invitation = world.rounds["A"], world.invitations["A"]
    url = reverse("rounds:email_link", kwargs={"pk": round_.pk, "invitation": invitation.pk})
    sent = admin.post(url, {"email": "nurse@example.org"}, secure=True)
    page = admin.get(sent["Location"], secure=True).content.decode()
    assert "could not be e-mailed to nurse@example.org (Connection unexpectedly closed)" in page
    assert "Try again, or make a new link to copy" in page
    remind = admin.post(reverse("rounds:remind", kwargs={"pk": round_.pk}), secure=True)
    shown = admin.get(remind["Location"], secure=True).content.decode()
    assert "Reminders not sent: 1: frontline-1 (Connection unexpectedly closed)" in shown
    invitation.refresh_from_db()
    assert invitation.reminded_at is None
    assert "invitation.remind" not in actions(world)


def test_x_forwarded_proto_is_believed_only_behind_a_proxy_said_to_set_it(monkeypatch: pytest.MonkeyPatch):
    import runpy

    from qimaturity.web import settings

    monkeypatch.delenv("QIMATURITY_BEHIND_PROXY", raising=False)
    assert "SECURE_PROXY_SSL_HEADER" not in runpy.run_path(settings.__file__)
    monkeypatch.setenv("QIMATURITY_BEHIND_PROXY", "1")
    assert runpy.run_path(settings.__file__)["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_an_upload_whose_reading_fails_unexpectedly_leaves_no_file_behind(
    world: World, admin: Client, monkeypatch: pytest.MonkeyPatch
):
    # A failure no reader foresaw (the server answers 500) keeps neither answers nor the stored file.
    from django.conf import settings

    from qimaturity.web.rounds import manage

    def fails(*args: object) -> None:
        raise RuntimeError("a reader's own failure")

    monkeypatch.setattr(manage, "read_upload", fails)
    round_ = world.rounds["A"]
    folder = Path(settings.UPLOADS) / f"round-{round_.pk}"  # shared by the tests of one process (round ids repeat)
    before = set(folder.glob("*"))
    with pytest.raises(RuntimeError):
        upload(admin, round_, "partners.yaml", UPLOAD.format(level=3).encode())
    assert set(folder.glob("*")) == before
    assert not Invitation.objects.filter(round=round_, source=Invitation.Source.UPLOAD).exists()


def test_the_round_forms_errors_say_what_to_do_in_its_own_words(world: World, admin: Client):
    response = admin.post(
        reverse("rounds:create"),
        {
            "rubric": RUBRIC,
            "organisation": world.organisations["Y"].pk,  # not administered by this user
            "title": "",
            "assessment_date": "2026-02-31",
            "closes_on": "",
            "group-board": "many",
            "group-frontline": "-1",
        },
        secure=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    for message in (
        "Choose one of the organisations you administer",
        "Enter a title for the round",
        "The assessment date must be a real date, like 2026-03-31",
        "Enter the closing date",
        "Enter how many to invite from Board as a whole number, like 5",
        "Enter how many to invite from Frontline staff: 0 or more",
    ):
        assert message in page, message
