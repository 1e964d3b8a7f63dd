"""Workspaces, organisations and memberships in the Django admin, where a site admin sets them up; every save and
delete is audited against the organisation concerned (none for a workspace or a membership over one)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from qimaturity.web.audit.admin import AuditedAdmin
from qimaturity.web.organisations.models import Membership, Organisation, Workspace


@admin.register(Workspace)
class WorkspaceAdmin(AuditedAdmin):
    list_display = ["name", "slug", "kind"]
    list_filter = ["kind"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "code", "type", "region"]
    search_fields = ["name", "code"]

    def audited_organisation(self, obj: Any) -> Organisation | None:
        return obj


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "role", "workspace", "organisation"]
    list_filter = ["role"]
    list_select_related = ["user", "workspace", "organisation"]

    def audited_organisation(self, obj: Any) -> Organisation | None:
        return obj.organisation
