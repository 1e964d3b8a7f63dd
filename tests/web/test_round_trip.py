"""A round can always leave the system: its answers file, downloaded and uploaded into a new round of the same
organisation, exports again the same, and its result JSON is the command line's score of the downloaded file,
with N/A answers and their reasons, comments and dated evidence on the way out and back."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from qimaturity.cli.main import cli
from qimaturity.web.rounds.models import Answer, Invitation, Round
from tests.web.world import RUBRIC, World, _round, make_world

pytestmark = pytest.mark.django_db

# What the respondent pages save (respondent._answer_fields): N/A with its reason, a comment of several lines, and
# one evidence item with its date, on board-1's answers of round C; text a YAML writer must quote or keep whole.
RICH = {
    "gov-regulator-compact": {
        "level": None,
        "na": True,
        "justification": "No regulator compact here: we are a community trust (see the 2025 letter).",
        "comment": "Reviewed again in March.\nStill not applicable: #1 on next year's list.",
    },
    "gov-board-time": {
        "level": 4,
        "comment": "yes",  # a word YAML 1.1 would read as true, unquoted
        "evidence": [{"reference": "Board paper 2026/041: QI strategy", "date": "2026-02-14"}],
    },
    "lead-executive-lead": {
        "level": 5,
        "comment": "=SUM(A1) 'quoted' \"double\" – café, 2026",
        "evidence": [{"reference": "0123"}],  # digits that must stay text, and an item with no date
    },
    "gov-data-for-improvement": {"level": 2, "comment": "  leading spaces and a trailing one "},
}


@pytest.fixture
def world() -> World:
    world = make_world()
    board = Invitation.objects.get(round=world.rounds["C"], respondent_id="board-1")
    for question_id, fields in RICH.items():
        Answer.objects.filter(invitation=board, question_id=question_id).update(
            level=fields["level"],
            na=fields.get("na", False),
            justification=fields.get("justification", ""),
            comment=fields.get("comment", ""),
            evidence=fields.get("evidence", []),
        )
    return world


@pytest.mark.slow
def test_a_rounds_answers_file_uploaded_into_a_new_round_exports_again_the_same(world: World, tmp_path: Path) -> None:
    admin: Client = world.client("admin_x")
    old = world.rounds["C"]
    exported = admin.get(reverse("rounds:download_answers", kwargs={"pk": old.pk}), secure=True).content
    document = yaml.safe_load(exported)
    board = next(r for r in document["respondents"] if r["id"] == "board-1")
    # Nothing of what was said is missing from the file.
    assert board["answers"]["gov-regulator-compact"] == {
        "na": True,
        "justification": RICH["gov-regulator-compact"]["justification"],
        "comment": RICH["gov-regulator-compact"]["comment"],
    }
    assert board["answers"]["gov-board-time"] == RICH["gov-board-time"]
    assert board["answers"]["lead-executive-lead"] == RICH["lead-executive-lead"]
    assert board["answers"]["gov-data-for-improvement"] == RICH["gov-data-for-improvement"]

    # A new round of the same organisation, the same assessment date (the answers file's date is the round's).
    new = _round(old.organisation, "Riverside 2025 again", Round.Status.OPEN, old.assessment_date)
    upload = SimpleUploadedFile("round.yaml", exported, content_type="application/yaml")
    response = admin.post(reverse("rounds:upload", kwargs={"pk": new.pk}), {"file": upload}, secure=True)
    assert response.status_code == 302, response.content.decode()[-3000:]
    again = admin.get(reverse("rounds:download_answers", kwargs={"pk": new.pk}), secure=True).content

    # Identical as parsed documents, and byte for byte but for the first line: the comment naming the round the
    # file comes from ("# Imported from round 3 (Riverside 2025) ...") names the new round.
    assert yaml.safe_load(again) == document
    first, _, rest = exported.partition(b"\n")
    first_again, _, rest_again = again.partition(b"\n")
    assert first.startswith(b"# ") and first_again.startswith(b"# ") and first != first_again
    assert rest_again == rest

    # The result JSON of either round is the command line's score of the downloaded file (N/A, comments and
    # evidence included: an N/A answer and evidence counted differently would change the scores).
    path = tmp_path / "round.yaml"
    path.write_bytes(exported)
    cli_json = CliRunner().invoke(cli, ["score", RUBRIC, str(path), "--format", "json"])
    assert cli_json.exit_code == 0, cli_json.output
    for round_ in (old, new):
        result = admin.get(reverse("rounds:download_result", kwargs={"pk": round_.pk}), secure=True)
        assert result.content.decode() == cli_json.stdout


def test_the_upload_keeps_an_n_a_answers_reason_and_dated_evidence_as_the_respondent_pages_save_them(
    world: World,
) -> None:
    admin = world.client("admin_x")
    old = world.rounds["C"]
    exported = admin.get(reverse("rounds:download_answers", kwargs={"pk": old.pk}), secure=True).content
    new = _round(old.organisation, "Riverside 2025 again", Round.Status.OPEN, datetime.date(2025, 3, 31))
    upload = SimpleUploadedFile("round.yaml", exported, content_type="application/yaml")
    assert admin.post(reverse("rounds:upload", kwargs={"pk": new.pk}), {"file": upload}, secure=True).status_code == 302
    saved = {
        a.question_id: a for a in Answer.objects.filter(invitation__round=new, invitation__respondent_id="board-1")
    }
    for question_id, fields in RICH.items():
        answer = saved[question_id]
        assert (answer.level, answer.na, answer.justification, answer.comment, answer.evidence) == (
            fields["level"],
            fields.get("na", False),
            fields.get("justification", ""),
            fields.get("comment", ""),
            fields.get("evidence", []),
        ), question_id
