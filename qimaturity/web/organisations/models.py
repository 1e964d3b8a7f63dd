"""Who works on which organisations, and in which role.

A **workspace** holds organisations: a trust's own, a consultancy's clients, a regulator's region. One organisation
may sit in several workspaces (its trust's and its regulator's). A **membership** gives one user one role, over a
whole workspace or over one organisation of it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from qimaturity._core.problems import InputError


class Workspace(models.Model):
    """The organisations a trust, a consultancy or a regulator works on."""

    class Kind(models.TextChoices):
        TRUST = "trust", "Trust"
        CONSULTANCY = "consultancy", "Consultancy"
        REGULATOR = "regulator", "Regulator"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TRUST)
    # A consultancy's brand for its clients' reports: the brand file's YAML text, checked as the CLI checks it.
    brand = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Check the brand as the CLI checks a brand file: every problem, located in the text, is shown on the brand
        field (in the Django admin) and the workspace is not saved. A brand kept here names no logo."""
        super().clean()
        if self.brand.strip() and self.kind != self.Kind.CONSULTANCY:
            raise ValidationError(
                {"brand": "Only a consultancy's brand is applied to reports: clear it, or make this a consultancy"}
            )
        if self.brand.strip():
            from qimaturity.report.branding import parse_brand

            try:
                parse_brand(self.brand, "brand")
            except InputError as error:
                raise ValidationError({"brand": [str(problem) for problem in error.problems]}) from None


class Organisation(models.Model):
    """One organisation assessed: its ``code`` is the answers file's ``organisation.id``."""

    code = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=100, blank=True, default="")
    region = models.CharField(max_length=100, blank=True, default="")
    metadata = models.JSONField(blank=True, default=dict)
    workspaces = models.ManyToManyField(Workspace, related_name="organisations", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One user's role over a workspace (every organisation in it) or over one organisation."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Organisation admin"  # runs rounds; sees answers of its own organisations' rounds
        ANALYST = "analyst", "Regulator or analyst"  # sees closed rounds' aggregates only, never an answer

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="membership_over_workspace_or_organisation",
                condition=models.Q(workspace__isnull=False, organisation__isnull=True)
                | models.Q(workspace__isnull=True, organisation__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} of {self.workspace or self.organisation}"
