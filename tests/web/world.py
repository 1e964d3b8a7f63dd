"""A small world of every role and object, shared by the web tests (the access-control matrix walks it).

Organisations X (riverside) and Y (hillside) sit in their trusts' workspaces and in the regulator's workspace W;
organisation Z (lakeside) sits in another regulator's workspace V. Round A (X) and round B (Y) are open, each with
invitations; round C (X) is closed and holds submitted answers. Roles::

    anonymous, respondent_a, respondent_b, admin_x, admin_y, regulator_w, regulator_v, site_admin

A respondent has no account: their identity is their invitation link, so as a client they are anonymous, and
``world.tokens["A"]`` / ``world.tokens["B"]`` are the links they hold.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from qimaturity import load_rubric
from qimaturity.web.organisations.models import Membership, Organisation, Workspace
from qimaturity.web.rounds.models import Answer, Invitation, Round
from qimaturity.web.rounds.tokens import new_token

ROLES = ("anonymous", "respondent_a", "respondent_b", "admin_x", "admin_y", "regulator_w", "regulator_v", "site_admin")
RUBRIC = "qi-readiness"


@dataclass
class World:
    organisations: dict[str, Organisation] = field(default_factory=dict)  # "X", "Y", "Z"
    workspaces: dict[str, Workspace] = field(default_factory=dict)  # "X", "Y" (trusts), "W", "V" (regulators)
    rounds: dict[str, Round] = field(default_factory=dict)  # "A", "B" (open), "C" (closed)
    tokens: dict[str, str] = field(default_factory=dict)  # round -> one invitation's token (the link's secret)
    invitations: dict[str, Invitation] = field(default_factory=dict)  # round -> that invitation
    users: dict[str, Any] = field(default_factory=dict)  # role -> user (none for anonymous and respondents)

    def client(self, role: str) -> Client:
        """A client signed in as ``role`` (anonymous and respondents: signed in as no one)."""
        client = Client(enforce_csrf_checks=False)
        user = self.users.get(role)
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client


def _round(organisation: Organisation, title: str, status: str, assessment_date: datetime.date) -> Round:
    rubric = load_rubric(RUBRIC)
    return Round.objects.create(
        organisation=organisation,
        title=title,
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        rubric_hash=rubric.content_hash,
        assessment_date=assessment_date,
        # An open round's links work until its closing date: four weeks from today, whatever day the tests run.
        closes_on=(datetime.date.today() if status == Round.Status.OPEN else assessment_date)
        + datetime.timedelta(days=28),
        groups={"board": 1, "frontline": 2},
        status=status,
    )


def _invite(round_: Round, group: str, number: int) -> tuple[Invitation, str]:
    token, stored = new_token()
    invitation = Invitation.objects.create(
        round=round_, group=group, respondent_id=f"{group}-{number}", token_hash=stored
    )
    return invitation, token


def make_world() -> World:
    """Create the world in the test database (call inside a test marked ``django_db``)."""
    world = World()
    users = get_user_model().objects
    for key, code, name in (
        ("X", "riverside", "Riverside"),
        ("Y", "hillside", "Hillside"),
        ("Z", "lakeside", "Lakeside"),
    ):
        world.organisations[key] = Organisation.objects.create(code=code, name=f"{name} NHS Trust", type="acute")
    for key, kind, members in (
        ("X", Workspace.Kind.TRUST, "X"),
        ("Y", Workspace.Kind.TRUST, "Y"),
        ("W", Workspace.Kind.REGULATOR, "XY"),
        ("V", Workspace.Kind.REGULATOR, "Z"),
    ):
        workspace = Workspace.objects.create(slug=f"workspace-{key.lower()}", name=f"Workspace {key}", kind=kind)
        workspace.organisations.add(*(world.organisations[m] for m in members))
        world.workspaces[key] = workspace
    for role, membership in (
        ("admin_x", {"role": Membership.Role.ADMIN, "organisation": world.organisations["X"]}),
        ("admin_y", {"role": Membership.Role.ADMIN, "organisation": world.organisations["Y"]}),
        ("regulator_w", {"role": Membership.Role.ANALYST, "workspace": world.workspaces["W"]}),
        ("regulator_v", {"role": Membership.Role.ANALYST, "workspace": world.workspaces["V"]}),
    ):
        # No password: the world's clients sign in with force_login (test_sign_in.py tests passwords), and hashing
        # eight Argon2 passwords would cost each test that builds the world about two seconds.
        user = users.create_user(role)
        Membership.objects.create(user=user, **membership)
        world.users[role] = user
    world.users["site_admin"] = users.create_superuser("site_admin")

    spring = datetime.date(2026, 3, 31)
    world.rounds["A"] = _round(world.organisations["X"], "Riverside 2026", Round.Status.OPEN, spring)
    world.rounds["B"] = _round(world.organisations["Y"], "Hillside 2026", Round.Status.OPEN, spring)
    world.rounds["C"] = _round(
        world.organisations["X"], "Riverside 2025", Round.Status.CLOSED, datetime.date(2025, 3, 31)
    )
    for key in "AB":
        world.invitations[key], world.tokens[key] = _invite(world.rounds[key], "frontline", 1)
    # Round C: four submitted respondents, every question asked of their group answered at level 3 (enough to
    # score, nothing more: a patient partner answers the two questions asked of no board member or frontline
    # member).
    rubric = load_rubric(RUBRIC)
    world.rounds["C"].groups = {"board": 1, "frontline": 2, "patient-partners": 1}
    world.rounds["C"].save()
    for group, number in (("board", 1), ("frontline", 1), ("frontline", 2), ("patient-partners", 1)):
        invitation, token = _invite(world.rounds["C"], group, number)
        for domain in rubric.domains:
            for question in domain.questions:
                if not question.respondents or group in question.respondents:
                    Answer.objects.create(invitation=invitation, question_id=question.id, level=3)
        invitation.submitted_at = datetime.datetime(2025, 4, 1, tzinfo=datetime.UTC)
        invitation.save()
        world.invitations.setdefault("C", invitation)
        world.tokens.setdefault("C", token)
    return world
