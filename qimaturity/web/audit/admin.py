"""The audit log in the Django admin (read there, never changed), and the mixin that audits the other admins."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import router, transaction

from qimaturity.web.audit.models import AuditEntry, record
from qimaturity.web.organisations.models import Organisation


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "organisation"]
    list_filter = ["action"]

    # The log is kept as it was written: no one edits or deletes it through the admin.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class AuditedAdmin(admin.ModelAdmin):
    """A model's admin whose every save and delete writes an audit entry (``admin.add``, ``admin.change`` with the
    changed fields' names, ``admin.delete``) in the same transaction, against the object's organisation, so that the
    organisation's admins read it in their audit log. A subclass says what that organisation is."""

    def audited_organisation(self, obj: Any) -> Organisation | None:
        """The organisation ``obj`` belongs to (its admins see the entry), or None for one of no organisation."""
        return None

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # The organisation as stored before this change: a membership moved to another organisation is seen by both.
        before = self.audited_organisation(type(obj)._default_manager.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        after = self.audited_organisation(obj)
        if change:
            fields = list(form.changed_data)
            concerned: list[Organisation | None] = [o for o in dict.fromkeys([after, before]) if o is not None]
            for organisation in concerned or [None]:
                record(request.user, "admin.change", obj, organisation=organisation, fields=fields)
        else:
            record(request.user, "admin.add", obj, organisation=after, object=str(obj))

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        # Written first: once the row is gone its id (and, for a membership, its organisation) is not.
        with transaction.atomic(using=self._database()):
            record(request.user, "admin.delete", obj, organisation=self.audited_organisation(obj), object=str(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        """The change list's "delete selected": one entry an object, all with the deletion or none."""
        with transaction.atomic(using=self._database()):
            for obj in queryset:
                record(request.user, "admin.delete", obj, organisation=self.audited_organisation(obj), object=str(obj))
            super().delete_queryset(request, queryset)

    def _database(self) -> str:
        return router.db_for_write(self.model)
