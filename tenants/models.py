"""The tenant registry (public schema): one row and one PostgreSQL schema per platform tenant."""

import zoneinfo

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

from core.formats import DEFAULT_LOCALE, LOCALE_CHOICES
from core.outbound import validate_allow_list

from .querysets import TenantQuerySet

CURRENCY_CHOICES = [
    ("USD", "US dollar (USD)"),
    ("EUR", "Euro (EUR)"),
    ("GBP", "Pound sterling (GBP)"),
    ("CHF", "Swiss franc (CHF)"),
    ("CAD", "Canadian dollar (CAD)"),
    ("AUD", "Australian dollar (AUD)"),
    ("JPY", "Japanese yen (JPY)"),
    ("SEK", "Swedish krona (SEK)"),
    ("NOK", "Norwegian krone (NOK)"),
    ("DKK", "Danish krone (DKK)"),
    ("PLN", "Polish złoty (PLN)"),
    ("INR", "Indian rupee (INR)"),
    ("BRL", "Brazilian real (BRL)"),
    ("ZAR", "South African rand (ZAR)"),
    ("NZD", "New Zealand dollar (NZD)"),
    ("SGD", "Singapore dollar (SGD)"),
]
TIMEZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


def validate_outbound_allowed_networks(value: list[str]) -> None:
    """Each entry a network, an address or a host name (``core.outbound``'s rules)."""
    try:
        validate_allow_list(value or [])
    except ValueError as error:
        raise ValidationError(str(error), code="invalid") from None


class Tenant(TenantMixin):
    class Kind(models.TextChoices):
        PUBLIC = "public", "Platform (public schema)"
        TEMPLATE = "template", "Template schema"
        CUSTOMER = "tenant", "Tenant"

    name = models.CharField("display name", max_length=100)
    slug = models.SlugField(max_length=40, unique=True)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.CUSTOMER)
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Inactive tenants keep their data but nobody can reach their host.",
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    timezone = models.CharField(max_length=64, choices=TIMEZONE_CHOICES, default="UTC")
    locale = models.CharField(
        "number and date format",
        max_length=5,
        choices=LOCALE_CHOICES,
        default=DEFAULT_LOCALE,
        help_text="How numbers, money and dates are written on pages, PDFs and emails "
        "(CSV exports stay machine-readable). The interface stays in English.",
    )
    soft_delete_grace_days = models.PositiveSmallIntegerField(
        "grace period for deleted records (days)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Deleted customers can be restored for this many days, then they are purged.",
    )
    # The platform operator's decision (platform admin only, never the tenant's own staff):
    # internal receivers this tenant's webhooks may reach although they are not public.
    outbound_allowed_networks = ArrayField(
        models.CharField(max_length=255),
        verbose_name="internal addresses allowed for webhooks",
        default=list,
        blank=True,
        validators=[validate_outbound_allowed_networks],
        help_text=(
            "One per line: networks (10.20.0.0/16), addresses (192.168.1.20) or host names "
            "(crm.internal) this tenant's webhooks may reach although they are loopback, "
            "private or link-local. Empty: public addresses only."
        ),
    )
    # Kept by the tenant's own mail-in settings (tickets.imap): whether the worker reads an
    # IMAP mailbox for it, so the minute's poll enters only those tenants' schemas.
    reads_imap = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = False

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_routable(self) -> bool:
        return self.kind == self.Kind.CUSTOMER


class Domain(DomainMixin):
    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
