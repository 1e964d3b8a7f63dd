"""Rounds and invitations in the Django admin: a site admin corrects a round's title or dates and a respondent's
e-mail address, or deletes either, and nothing else. What a round's integrity rests on (its rubric as opened, its
status, its organisation) and what a respondent's link rests on (its token, its answers' state) is shown read-only:
rounds are opened, closed and given links on the round's pages. Every save and delete is audited
(:class:`~qimaturity.web.audit.admin.AuditedAdmin`). Answers are not registered: a site admin manages accounts and
rounds, not what a respondent said."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from qimaturity.web.audit.admin import AuditedAdmin
from qimaturity.web.organisations.models import Organisation
from qimaturity.web.rounds.manage import one_line_title
from qimaturity.web.rounds.models import Invitation, Round


class RoundAdminForm(forms.ModelForm):
    """The round's own form's checks on what the admin may change: a one-line title, a closing date not before the
    assessment date."""

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"]
        one_line_title(title)
        return title

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("assessment_date"), data.get("closes_on")
        if start and end and end < start:
            self.add_error("closes_on", "The closing date must be on or after the assessment date")
        return data


@admin.register(Round)
class RoundAdmin(AuditedAdmin):
    form = RoundAdminForm
    list_display = ["title", "organisation", "status", "assessment_date", "closes_on"]
    list_filter = ["status", "organisation", "assessment_date", "closes_on"]
    list_select_related = ["organisation"]
    search_fields = ["title", "organisation__name", "organisation__code"]
    # Closing goes through the round's page (it audits and stops the links); the rubric is the one the answers were
    # given against, and the groups the ones links were made for: a change would misstate what was answered.
    readonly_fields = [
        "organisation",
        "status",
        "closed_at",
        "rubric_id",
        "rubric_version",
        "rubric_hash",
        "groups",
        "created_by",
        "created_at",
    ]
    fields = ["title", "assessment_date", "closes_on", *readonly_fields]

    def audited_organisation(self, obj: Any) -> Organisation | None:
        return obj.organisation

    # A round is opened on the round pages, which check its rubric and make its links.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Invitation)
class InvitationAdmin(AuditedAdmin):
    list_display = ["respondent_id", "round", "group", "source", "link_set", "opened_at", "submitted_at"]
    list_filter = ["source", "round__organisation", "round"]
    list_select_related = ["round__organisation"]
    search_fields = ["respondent_id", "email", "round__title"]
    # The token's hash is not shown at all (only whether the link is set): the link is the respondent's identity.
    fields = [
        "round",
        "group",
        "respondent_id",
        "source",
        "link_set",
        "email",
        "created_at",
        "opened_at",
        "reminded_at",
        "submitted_at",
        "version",
    ]
    readonly_fields = [
        "round",
        "group",
        "respondent_id",
        "source",
        "link_set",
        "created_at",
        "opened_at",
        "reminded_at",
        "submitted_at",
        "version",
    ]

    @admin.display(boolean=True, description="Link set")
    def link_set(self, obj: Invitation) -> bool:
        return obj.token_hash is not None

    def audited_organisation(self, obj: Any) -> Organisation | None:
        return obj.round.organisation

    # Links are made on the round's pages, which show each link once.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
