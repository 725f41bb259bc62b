"""The record of each erasure: who, when, why and how many rows per model, never whose."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ErasureRecord(models.Model):
    """An erasure on request. It holds nothing of the erased person: no email, no name, and
    no hash of them either (a hash of an address is still personal data)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.CharField(max_length=500)
    rows = models.JSONField(default=dict, help_text="Rows changed or deleted, by model.")
    accounts_deactivated = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Erasure of {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())
