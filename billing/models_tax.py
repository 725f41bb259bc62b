"""Who sends the invoice and what tax it carries: the tenant's seller profile (legal name,
address, tax id, contact, logo, payment instructions, how invoice emails are sent and how
numbers are written) and its tax rates. Imported by models.py, so Django finds them there.

The seller profile is its own row, not more columns on BillingSettings: issuing locks the
BillingSettings row for the invoice counter, and a profile with history would write a
history row every time the counter moved."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords


class NumberFormat(models.TextChoices):
    """Superseded by the workspace's locale (Tenant.locale, core.formats), which tenants'
    migration 0004 filled from this; the column stays until a billing migration drops it."""

    EN = "en", "1,234,567.89"
    DE = "de", "1.234.567,89"
    FR = "fr", "1 234 567,89"
    CH = "ch", "1'234'567.89"


class TaxTreatment(models.TextChoices):
    STANDARD = "standard", "Standard (tax charged)"
    EXEMPT = "exempt", "Exempt (no tax)"
    REVERSE_CHARGE = "reverse_charge", "Reverse charge (the customer accounts for the tax)"


class SellerProfile(models.Model):
    """One row per tenant: the seller's identity printed on every invoice."""

    legal_name = models.CharField(
        max_length=200, blank=True, help_text="Printed as the seller; the workspace name if empty."
    )
    address = models.TextField(blank=True, max_length=600, help_text="Street, city, country.")
    tax_id = models.CharField("tax / VAT number", max_length=40, blank=True)
    contact_email = models.EmailField("billing contact email", blank=True)
    contact_phone = models.CharField("billing contact phone", max_length=40, blank=True)
    logo = models.ImageField(upload_to="billing/logos/", blank=True)
    payment_instructions = models.TextField(
        blank=True, max_length=1000, help_text="Printed on every invoice, e.g. bank details."
    )
    email_from_name = models.CharField(
        "invoice emails: sender name",
        max_length=100,
        blank=True,
        help_text="Invoice emails come from this name (the workspace name if empty).",
    )
    email_reply_to = models.EmailField(
        "invoice emails: reply-to",
        blank=True,
        help_text="Replies to invoice emails go here (the billing contact email if empty).",
    )
    number_format = models.CharField(
        max_length=2,
        choices=NumberFormat,
        default=NumberFormat.EN,
        help_text="Thousands, decimals.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "seller profile"

    def __str__(self) -> str:
        return self.legal_name or "Seller profile"

    @classmethod
    def current(cls) -> SellerProfile:
        return cls.objects.get_or_create(pk=1)[0]


class TaxRate(models.Model):
    """A tax the tenant charges: for customers in ``country``, or for everyone else when
    ``country`` is empty. Applied per invoice line (see tax.py)."""

    name = models.CharField(max_length=60, help_text='e.g. "VAT" or "GST".')
    rate = models.DecimalField(
        "rate (%)",
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    country = CountryField(
        blank=True, help_text="Only for customers billed in this country; empty: everyone else."
    )
    is_active = models.BooleanField("in use", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["country", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country"],
                condition=models.Q(is_active=True),
                name="tax_rate_one_active_per_country",
                violation_error_message="Another rate in use already covers this country.",
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gte=0, rate__lte=100), name="tax_rate_0_to_100"
            ),
        ]

    def __str__(self) -> str:
        where = f" ({self.country.name})" if self.country else ""
        return f"{self.name} {self.rate.normalize():f}%{where}"

    def clean(self) -> None:
        super().clean()
        if self.rate is not None and not (Decimal("0") <= self.rate <= Decimal("100")):
            raise ValidationError({"rate": "A tax rate is between 0 and 100 %."})


# --- Fields that other billing models take in (abstract, so models.py stays short) ----------


class CustomerTaxFields(models.Model):
    """On BillingProfile: the customer's tax id and how its invoices are taxed."""

    tax_id = models.CharField(
        "tax / VAT number", max_length=40, blank=True, help_text="Printed on its invoices."
    )
    tax_treatment = models.CharField(
        max_length=20, choices=TaxTreatment, default=TaxTreatment.STANDARD
    )

    class Meta:
        abstract = True


class InvoiceTaxFields(models.Model):
    """On Invoice: who sold and how it was taxed, as they were when the invoice was made (a
    later change of address or tax id leaves issued invoices as they were sent)."""

    seller = models.JSONField(default=dict, blank=True, editable=False)
    customer_tax_id = models.CharField(max_length=40, blank=True, editable=False)
    tax_treatment = models.CharField(
        max_length=20, choices=TaxTreatment, default=TaxTreatment.STANDARD, editable=False
    )

    class Meta:
        abstract = True


class LineTaxFields(models.Model):
    """On InvoiceLine: the tax of this one line, rounded on its own (tax.py)."""

    tax_name = models.CharField(max_length=60, blank=True)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=3, default=Decimal("0"))
    tax_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        abstract = True
