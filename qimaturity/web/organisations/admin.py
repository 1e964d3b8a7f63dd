"""Workspaces, organisations, memberships and user accounts in the Django admin, where a site admin sets them up;
every save and delete is audited against the organisation concerned (none for a workspace, a membership over one,
or an account)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from qimaturity.web.audit.admin import AuditedAdmin
from qimaturity.web.audit.models import record
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


# User accounts: Django's own admin for them, audited like the rest (an account is of no organisation: its
# memberships say whose it is). A password set through the admin's password form is recorded too, never the password.
User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    def user_change_password(self, request, id, form_url=""):  # type: ignore[no-untyped-def]
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            if user is not None:
                record(request.user, "admin.password", user, organisation=None)
        return response
