"""One row per admin action, written in the same transaction as the action itself."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from qimaturity.web.organisations.models import Organisation


class AuditEntry(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # The organisation the action concerns: its admins see the entry.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    action = models.CharField(max_length=60)  # round.create, invitation.create, round.close, ...
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type} {self.object_id}"


def record(actor: Any, action: str, target: models.Model, *, organisation: Organisation | None, **detail: Any) -> None:
    """Log ``actor``'s ``action`` on ``target`` (call inside the action's transaction)."""
    AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organisation=organisation,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        detail=detail,
    )
