"""A consultancy's brand on its clients' reports: the HTML and PDF gap reports a consultant makes wear the firm's
brand; the same organisation's own admin gets the default look; a brand is checked when saved, as the CLI checks a
brand file, and a hostile brand is refused at its place without reaching a file or the network."""

from __future__ import annotations

import datetime
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from qimaturity import load_rubric
from qimaturity.web.organisations.brands import brand_text_for
from qimaturity.web.organisations.models import Membership, Workspace
from qimaturity.web.rounds.models import Answer, Report, Round
from tests.hostile.corpus import logo_symlink_brand
from tests.web.world import RUBRIC, World, _invite, make_world

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PURPLE = "#6a1b9a"  # the firm's primary colour: the default brand's is #1d3557
BRAND = f"""\
name: Northgate Improvement Partners
colours:
  primary: "{PURPLE}"
cover_text: Prepared by Northgate for its client.
"""


@pytest.fixture
def world() -> World:
    world = make_world()
    # Round B (Y) is closed with submitted answers too: its frontline invitation, a board member and a patient
    # partner answer every question asked of their group at level 2.
    rubric = load_rubric(RUBRIC)
    invitations = [
        world.invitations["B"],
        _invite(world.rounds["B"], "board", 1)[0],
        _invite(world.rounds["B"], "patient-partners", 1)[0],
    ]
    for invitation in invitations:
        for domain in rubric.domains:
            for question in domain.questions:
                if not question.respondents or invitation.group in question.respondents:
                    Answer.objects.create(invitation=invitation, question_id=question.id, level=2)
        invitation.submitted_at = datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC)
        invitation.save()
    Round.objects.filter(pk=world.rounds["B"].pk).update(status=Round.Status.CLOSED)
    return world


@pytest.fixture
def consultant(world: World) -> Client:
    """An admin over the consultancy workspace N, whose clients are X and Y (each also in its trust's workspace)."""
    firm = Workspace.objects.create(slug="northgate", name="Northgate", kind=Workspace.Kind.CONSULTANCY, brand=BRAND)
    firm.full_clean()
    firm.organisations.add(world.organisations["X"], world.organisations["Y"])
    user = get_user_model().objects.create_user("consultant")
    Membership.objects.create(user=user, role=Membership.Role.ADMIN, workspace=firm)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def html_report(client: Client, round_: Round) -> str:
    response = client.get(reverse("rounds:download_html", kwargs={"pk": round_.pk}), secure=True)
    assert response.status_code == 200, response.content[:2000]
    return response.content.decode()


@pytest.mark.slow
def test_a_consultants_html_reports_of_both_clients_wear_the_firms_brand(world: World, consultant: Client):
    for key in "CB":  # round C is X's, round B is Y's
        html = html_report(consultant, world.rounds[key])
        assert f"--primary: {PURPLE};" in html
        assert "Northgate Improvement Partners" in html and "Prepared by Northgate for its client." in html
        assert world.rounds[key].organisation.name in html


@pytest.mark.slow
def test_the_trusts_own_admin_gets_the_default_look(world: World, consultant: Client):
    html = html_report(world.client("admin_x"), world.rounds["C"])
    assert "--primary: #1d3557;" in html and PURPLE not in html and "Northgate" not in html
    # The regulator's workspace W holds X too, but it is not a consultancy: no brand however it is set.
    Workspace.objects.filter(pk=world.workspaces["W"].pk).update(brand=BRAND)
    assert brand_text_for(world.users["regulator_w"], world.organisations["X"]) is None
    assert brand_text_for(world.users["admin_x"], world.organisations["X"]) is None


def test_of_two_consultancies_holding_the_client_the_first_by_name_with_a_brand_applies(
    world: World, consultant: Client
):
    user = get_user_model().objects.get(username="consultant")
    other = Workspace.objects.create(slug="acme", name="Acme", kind=Workspace.Kind.CONSULTANCY, brand="name: Acme\n")
    other.organisations.add(world.organisations["X"])
    Membership.objects.create(user=user, role=Membership.Role.ADMIN, workspace=other)
    assert brand_text_for(user, world.organisations["X"]) == ("acme", "name: Acme\n")
    assert brand_text_for(user, world.organisations["Y"]) == ("northgate", BRAND)  # Acme does not hold Y
    Workspace.objects.filter(pk=other.pk).update(brand="")
    assert brand_text_for(user, world.organisations["X"]) == ("northgate", BRAND)


@pytest.mark.slow
@override_settings(TASKS=IMMEDIATE)
def test_a_consultants_pdf_report_wears_the_firms_brand(world: World, consultant: Client):
    from pypdf import PdfReader

    # One PDF, of the second client's round (each takes tens of seconds on a busy machine): the HTML test shows both
    # clients' reports wear the brand, and the worker renders with the same brand as the HTML download.
    round_ = world.rounds["B"]
    response = consultant.post(reverse("rounds:report_request", kwargs={"pk": round_.pk}), secure=True)
    assert response.status_code == 302
    report = Report.objects.get(round=round_)
    assert report.file and not report.error
    url = reverse("rounds:report_download", kwargs={"pk": round_.pk, "report": report.pk})
    pdf = b"".join(consultant.get(url, secure=True).streaming_content)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Northgate Improvement Partners" in text and round_.organisation.name in text
    assert reader.metadata is not None and reader.metadata.author == "Northgate Improvement Partners"


# --- checked when saved -------------------------------------------------------------------------------------------


@contextmanager
def watched() -> Iterator[list[tuple[str, Any]]]:
    """The files opened and the network reached while inside (Python's audit events), from then on."""
    seen: list[tuple[str, Any]] = []
    watching = [True]

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if watching[0] and (event == "open" or event.startswith("socket.")):
            seen.append((event, args[0] if args else None))

    sys.addaudithook(hook)  # an audit hook cannot be removed: it stops listening on leaving
    try:
        yield seen
    finally:
        watching[0] = False


def hostile_brands(folder: Path) -> dict[str, tuple[str, str]]:
    """Hostile brand texts and the located problem each must be refused with."""
    return {
        # The corpus's logo that is a symbolic link to /etc/hostname: a brand kept in the site names no file.
        "logo-symlink": (
            logo_symlink_brand(folder).read_text(encoding="utf-8"),
            "brand:2:7: /logo: a brand kept in the site has no logo",
        ),
        "css-injection": (
            'colours:\n  primary: "red; } body { background: url(https://example.org/x) }"\n',
            "brand:2:12: /colours/primary:",
        ),
        "alias": ("name: &a Northgate\ncover_text: *a\n", "brand:2:1: /cover_text: YAML aliases are not allowed"),
    }


@pytest.mark.parametrize("case", ["logo-symlink", "css-injection", "alias"])
def test_a_hostile_brand_is_refused_at_its_place_reading_no_file_and_no_network(
    world: World, tmp_path: Path, case: str
):
    text, problem = hostile_brands(tmp_path)[case]
    workspace = Workspace(slug="hostile", name="Hostile", kind=Workspace.Kind.CONSULTANCY, brand=text)
    with watched() as seen, pytest.raises(ValidationError) as raised:
        workspace.full_clean()
    messages = raised.value.message_dict["brand"]
    assert any(message.startswith(problem) for message in messages), messages
    assert not [args for event, args in seen if event.startswith("socket.")]
    opened = [str(args) for event, args in seen if event == "open"]
    assert not [path for path in opened if path.startswith(str(tmp_path)) or "hostname" in path], opened


@pytest.mark.slow
def test_the_django_admin_shows_a_brands_located_problems_and_saves_nothing(world: World, tmp_path: Path):
    text, problem = hostile_brands(tmp_path)["logo-symlink"]
    admin = world.client("site_admin")
    data = {"slug": "hostile", "name": "Hostile", "kind": "consultancy", "brand": text}
    with watched() as seen:
        response = admin.post(reverse("admin:organisations_workspace_add"), data, secure=True)
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert not Workspace.objects.filter(slug="hostile").exists()
    assert not [args for event, args in seen if event == "open" and str(args).startswith(str(tmp_path))]
    assert not [args for event, args in seen if event.startswith("socket.")]
    # A good brand saves.
    data["brand"] = BRAND
    assert admin.post(reverse("admin:organisations_workspace_add"), data, secure=True).status_code == 302
    assert Workspace.objects.get(slug="hostile").brand == BRAND.strip()  # the form strips the text


@pytest.mark.slow
@override_settings(TASKS=IMMEDIATE)
def test_a_stored_brand_that_no_longer_reads_is_said_never_dropped(world: World, consultant: Client):
    # Written past the check (as an older site or a database edit could): a logo, which a brand kept here cannot name.
    Workspace.objects.filter(slug="northgate").update(brand=BRAND + "logo: firm.png\n")
    round_ = world.rounds["C"]
    response = consultant.get(reverse("rounds:download_html", kwargs={"pk": round_.pk}), secure=True, follow=True)
    page = response.content.decode()
    assert response.redirect_chain and "The brand of this report cannot be used" in page
    assert "brand of workspace northgate:5:7: /logo: a brand kept in the site has no logo" in page
    consultant.post(reverse("rounds:report_request", kwargs={"pk": round_.pk}), secure=True)
    report = Report.objects.get(round=round_)
    assert not report.file and "/logo: a brand kept in the site has no logo" in report.error


def test_a_brand_is_kept_only_by_a_consultancy(world: World):
    regulator = world.workspaces["W"]
    regulator.brand = BRAND
    with pytest.raises(ValidationError) as raised:
        regulator.full_clean()
    assert raised.value.message_dict["brand"] == [
        "Only a consultancy's brand is applied to reports: clear it, or make this a consultancy"
    ]
    regulator.kind = Workspace.Kind.CONSULTANCY
    regulator.full_clean()
