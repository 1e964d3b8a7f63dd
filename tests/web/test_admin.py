"""The Django admin, through its own URLs as the site admin: an invitation's link and state and a round's status,
rubric and organisation cannot be changed there, rounds and invitations are not added there, and every save and
delete there writes an audit entry (actor, action, changed fields) that the organisation's admins read in their
audit log."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qimaturity.web.audit.models import AuditEntry
from qimaturity.web.organisations.models import Membership
from qimaturity.web.rounds.models import Invitation, Round
from tests.web.world import World, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def site_admin(world: World) -> Client:
    return world.client("site_admin")


def change_url(model: str, pk: int) -> str:
    app = "organisations" if model in ("workspace", "organisation", "membership") else "rounds"
    return reverse(f"admin:{app}_{model}_change", args=[pk])


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def _round_form(round_: Round, **changes: Any) -> dict[str, Any]:
    """Round A's change form as posted: its editable fields as they are, with ``changes``."""
    return {
        "title": round_.title,
        "assessment_date": round_.assessment_date.isoformat(),
        "closes_on": round_.closes_on.isoformat(),
        "_save": "Save",
        **changes,
    }


def test_the_invitation_form_shows_no_token_and_changes_only_the_email(world: World, site_admin: Client) -> None:
    invitation = world.invitations["A"]
    stored = invitation.token_hash
    assert stored
    url = change_url("invitation", invitation.pk)
    page = site_admin.get(url, secure=True).content.decode()
    assert 'name="token_hash"' not in page and stored not in page
    assert 'name="email"' in page and 'name="submitted_at' not in page and 'name="respondent_id"' not in page
    response = site_admin.post(
        url,
        {
            "email": "frontline.one@riverside.example",
            "token_hash": "0" * 64,  # a link the site admin chose
            "submitted_at_0": "2026-04-01",
            "submitted_at_1": "12:00:00",
            "respondent_id": "board-9",
            "version": "7",
            "_save": "Save",
        },
        secure=True,
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    invitation.refresh_from_db()
    assert invitation.email == "frontline.one@riverside.example"
    assert (invitation.token_hash, invitation.submitted_at, invitation.respondent_id, invitation.version) == (
        stored,
        None,
        "frontline-1",
        0,
    )
    [entry] = entries("admin.change")
    assert (entry.actor, entry.object_type, entry.object_id) == (
        world.users["site_admin"],
        "rounds.invitation",
        str(invitation.pk),
    )
    assert entry.organisation == world.organisations["X"] and entry.detail == {"fields": ["email"]}


def test_the_round_form_cannot_change_status_rubric_or_organisation(world: World, site_admin: Client) -> None:
    round_ = world.rounds["A"]
    before = (round_.status, round_.rubric_id, round_.rubric_version, round_.rubric_hash, round_.organisation_id)
    url = change_url("round", round_.pk)
    page = site_admin.get(url, secure=True).content.decode()
    for field in ("status", "rubric_id", "rubric_hash", "organisation", "groups", "closed_at"):
        assert f'name="{field}' not in page, field
    response = site_admin.post(
        url,
        _round_form(
            round_,
            title="Riverside spring 2026",
            status="closed",
            rubric_id="another-rubric",
            rubric_version="9.9",
            rubric_hash="sha256:" + "0" * 64,
            organisation=world.organisations["Y"].pk,
            groups='{"board": 99}',
        ),
        secure=True,
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    round_.refresh_from_db()
    assert round_.title == "Riverside spring 2026"
    assert (round_.status, round_.rubric_id, round_.rubric_version, round_.rubric_hash, round_.organisation_id) == (
        before
    )
    assert round_.groups == {"board": 1, "frontline": 2}
    [entry] = entries("admin.change")
    assert entry.organisation == world.organisations["X"] and entry.detail == {"fields": ["title"]}


def test_the_round_form_holds_the_round_pages_checks_on_title_and_dates(world: World, site_admin: Client) -> None:
    round_ = world.rounds["A"]
    url = change_url("round", round_.pk)
    # A line break in the title would inject a line into e-mail subjects and the answers file's header.
    response = site_admin.post(url, _round_form(round_, title="Riverside\nBcc: everyone"), secure=True)
    assert response.status_code == 200 and "on one line" in response.content.decode()
    day_before = (round_.assessment_date - datetime.timedelta(days=1)).isoformat()
    response = site_admin.post(url, _round_form(round_, closes_on=day_before), secure=True)
    assert response.status_code == 200 and "on or after the assessment date" in response.content.decode()
    round_.refresh_from_db()
    assert round_.title == "Riverside 2026" and round_.closes_on > round_.assessment_date
    assert not entries("admin.change")


def test_rounds_and_invitations_are_not_added_in_the_admin(site_admin: Client) -> None:
    for model in ("round", "invitation"):
        assert site_admin.get(reverse(f"admin:rounds_{model}_add"), secure=True).status_code == 403
        assert site_admin.post(reverse(f"admin:rounds_{model}_add"), {}, secure=True).status_code == 403


def test_a_change_of_an_organisation_is_audited_against_it(world: World, site_admin: Client) -> None:
    organisation = world.organisations["X"]
    url = change_url("organisation", organisation.pk)
    assert 'name="initial-metadata"' in site_admin.get(url, secure=True).content.decode()
    response = site_admin.post(
        url,
        {
            "code": "riverside",
            "name": "Riverside University NHS Trust",
            "type": "acute",
            "region": "North",
            "metadata": "{}",
            "initial-metadata": "{}",  # as the form holds it (a field with a callable default): unchanged
            "workspaces": [world.workspaces["X"].pk, world.workspaces["W"].pk],
            "_save": "Save",
        },
        secure=True,
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    [entry] = entries("admin.change")
    assert (entry.actor, entry.object_type, entry.object_id, entry.organisation) == (
        world.users["site_admin"],
        "organisations.organisation",
        str(organisation.pk),
        organisation,
    )
    assert entry.detail == {"fields": ["name", "region"]}


def test_a_change_of_a_membership_is_audited_against_its_organisations(world: World, site_admin: Client) -> None:
    membership = Membership.objects.get(user=world.users["admin_x"])
    url = change_url("membership", membership.pk)
    data = {"user": world.users["admin_x"].pk, "workspace": "", "_save": "Save"}
    response = site_admin.post(
        url, {**data, "role": "analyst", "organisation": world.organisations["X"].pk}, secure=True
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    [entry] = entries("admin.change")
    assert (entry.actor, entry.object_type, entry.organisation) == (
        world.users["site_admin"],
        "organisations.membership",
        world.organisations["X"],
    )
    assert entry.detail == {"fields": ["role"]}
    # Moved to Y: Y's admins see it arrive and X's see it leave (two entries, one each).
    response = site_admin.post(
        url, {**data, "role": "analyst", "organisation": world.organisations["Y"].pk}, secure=True
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    moved = entries("admin.change")[1:]
    assert {entry.organisation for entry in moved} == {world.organisations["X"], world.organisations["Y"]}
    assert [entry.detail for entry in moved] == [{"fields": ["organisation"]}] * 2


def test_additions_and_workspace_changes_are_audited(world: World, site_admin: Client) -> None:
    response = site_admin.post(
        reverse("admin:organisations_membership_add"),
        {"user": world.users["admin_y"].pk, "role": "admin", "organisation": world.organisations["X"].pk},
        secure=True,
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    [added] = entries("admin.add")
    membership = Membership.objects.get(user=world.users["admin_y"], organisation=world.organisations["X"])
    assert (added.object_id, added.organisation) == (str(membership.pk), world.organisations["X"])
    workspace = world.workspaces["W"]
    response = site_admin.post(
        change_url("workspace", workspace.pk),
        {"slug": workspace.slug, "name": "North regulator", "kind": workspace.kind, "brand": "", "_save": "Save"},
        secure=True,
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    [changed] = entries("admin.change")
    assert (changed.object_type, changed.organisation, changed.detail) == (
        "organisations.workspace",
        None,  # a workspace belongs to no one organisation: the site's audit log (the admin's) shows it
        {"fields": ["name"]},
    )


def test_deleting_invitations_writes_one_entry_each(world: World, site_admin: Client) -> None:
    # One through its delete page.
    single = world.invitations["A"]
    delete = reverse("admin:rounds_invitation_delete", args=[single.pk])
    response = site_admin.post(delete, {"post": "yes"}, secure=True)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert not Invitation.objects.filter(pk=single.pk).exists()
    # Two more through the change list's "delete selected": round C's board and first frontline respondents.
    bulk = list(Invitation.objects.filter(round=world.rounds["C"], respondent_id__in=["board-1", "frontline-1"]))
    response = site_admin.post(
        reverse("admin:rounds_invitation_changelist"),
        {"action": "delete_selected", "_selected_action": [i.pk for i in bulk], "post": "yes"},
        secure=True,
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert not Invitation.objects.filter(pk__in=[i.pk for i in bulk]).exists()
    deleted = entries("admin.delete")
    assert sorted(entry.object_id for entry in deleted) == sorted(str(i.pk) for i in [single, *bulk])
    assert {(entry.actor, entry.object_type, entry.organisation) for entry in deleted} == {
        (world.users["site_admin"], "rounds.invitation", world.organisations["X"])
    }
    assert deleted[0].detail == {"object": "frontline-1 of Riverside 2026 (Riverside NHS Trust)"}


def test_the_organisations_audit_log_lists_an_admin_change_of_its_round(world: World, site_admin: Client) -> None:
    round_ = world.rounds["A"]
    response = site_admin.post(
        change_url("round", round_.pk), _round_form(round_, title="Riverside spring 2026"), secure=True
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    url = reverse("rounds:audit", kwargs={"code": "riverside"})
    page = world.client("admin_x").get(url, secure=True).content.decode()
    assert "admin.change" in page and "site_admin" in page and "fields: title" in page
    assert f"rounds.round {round_.pk}" in page
    # Not Y's: its admins' log does not show it.
    other = world.client("admin_y").get(reverse("rounds:audit", kwargs={"code": "hillside"}), secure=True)
    assert "admin.change" not in other.content.decode()


def test_user_accounts_changed_in_the_admin_are_audited_passwords_never_written(
    world: World, site_admin: Client
) -> None:
    # Making someone a superuser is the largest change a site admin can make: it is in the log, with the field.
    user = world.users["admin_y"]
    url = reverse("admin:auth_user_change", args=[user.pk])
    page = site_admin.get(url, secure=True)
    assert page.status_code == 200
    form = {
        "username": user.username,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "09:00:00",
        "_save": "Save",
    }
    response = site_admin.post(url, form, secure=True)
    assert response.status_code == 302, response.content.decode()[-2000:]
    user.refresh_from_db()
    assert user.is_superuser
    (entry,) = entries("admin.change")
    assert entry.object_type == "auth.user" and entry.object_id == str(user.pk)
    assert {"is_staff", "is_superuser"} <= set(entry.detail["fields"]) and entry.organisation is None

    password = "a-long-new-password-for-hillside-77"
    changed = site_admin.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": password, "password2": password},
        secure=True,
    )
    assert changed.status_code == 302, changed.content.decode()[-2000:]
    (set_password,) = entries("admin.password")
    assert set_password.object_id == str(user.pk) and password not in repr(set_password.detail)
