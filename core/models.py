"""Field sets shared by several domain models."""

from django.db import models
from django_countries.fields import CountryField


class AddressFields(models.Model):
    address_line1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField("state / province", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = CountryField(blank=True)

    class Meta:
        abstract = True


class ArchivableFields(models.Model):
    is_archived = models.BooleanField("archived", default=False)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class RateCounter(models.Model):
    """Requests counted per rate-limit key and fixed time window (core.throttle): one UPSERT
    per request. Lives in the public schema; keys carry the tenant's schema name."""

    key = models.CharField(max_length=255)
    window = models.BigIntegerField(help_text="The window's start, in Unix seconds.")
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("key", "window"), name="rate_counter_key_window")
        ]
        indexes = [models.Index(fields=("window",), name="rate_counter_window")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window}: {self.hits}"
