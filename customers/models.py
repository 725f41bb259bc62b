"""A tenant's customers and the external organizations and accounts linked to them."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from fields.models import CustomFieldsModel

from .querysets import CustomerQuerySet, LinkedAccountQuerySet


class BusinessType(models.TextChoices):
    ENTERPRISE = "enterprise", "Enterprise"
    SMB = "smb", "SMB"
    STARTUP = "startup", "Startup"
    GOVERNMENT = "government", "Government"
    EDUCATION = "education", "Education"
    HEALTHCARE = "healthcare", "Healthcare"
    OTHER = "other", "Other"


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    PROSPECT = "prospect", "Prospect"
    FORMER = "former", "Former"


STATUS_BADGE_CLASSES = {
    CustomerStatus.ACTIVE: "text-bg-success",
    CustomerStatus.INACTIVE: "text-bg-danger",
    CustomerStatus.PROSPECT: "text-bg-primary",
    CustomerStatus.FORMER: "text-bg-warning",
}


class PortalAccess(models.TextChoices):
    """The company's account status (customers.account_status: one service per transition),
    not to be confused with ``CustomerStatus``, the relationship. Deleted is ``deleted_at``."""

    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    DEACTIVATED = "deactivated", "Inactive"


MAX_PARENT_DEPTH = 20


def check_parent_chain(
    customer_id: int | None, parent_id: int, parent_of: Callable[[int], int | None]
) -> None:
    """Refuse a parent below the customer itself, or a chain deeper than MAX_PARENT_DEPTH.
    ``parent_of`` gives an ancestor's parent (a query per level, or a preloaded map)."""
    ancestor_id, seen = parent_id, set()
    for _ in range(MAX_PARENT_DEPTH):
        above = parent_of(ancestor_id)
        if ancestor_id in seen or above is None:
            return
        if customer_id is not None and above == customer_id:
            raise ValidationError(
                {"parent": "That customer is already below this one; pick another parent."}
            )
        seen.add(ancestor_id)
        ancestor_id = above
    raise ValidationError({"parent": "The parent chain is too deep."})


MAX_CUSTOM_ATTRIBUTES = 50


class Customer(CustomFieldsModel):
    custom_field_kind = "customer"

    name = models.CharField("customer name", max_length=200)
    industry = models.CharField(max_length=100, blank=True)
    business_type = models.CharField(
        max_length=20, choices=BusinessType, default=BusinessType.OTHER
    )
    website = models.URLField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=CustomerStatus, default=CustomerStatus.ACTIVE)
    description = models.TextField(blank=True, validators=[MaxLengthValidator(5000)])

    company_email = models.EmailField("company email", blank=True)
    company_phone = PhoneNumberField("company phone", blank=True)

    address_line1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField("state / province", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = CountryField(blank=True)

    billing_address_line1 = models.CharField("billing address line 1", max_length=200, blank=True)
    billing_address_line2 = models.CharField("billing address line 2", max_length=200, blank=True)
    billing_city = models.CharField("billing city", max_length=100, blank=True)
    billing_state = models.CharField("billing state / province", max_length=100, blank=True)
    billing_postal_code = models.CharField("billing postal code", max_length=20, blank=True)
    billing_country = CountryField("billing country", blank=True)

    custom_attributes = models.JSONField(default=dict, blank=True)
    internal_notes = models.TextField(blank=True, validators=[MaxLengthValidator(20000)])
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subsidiaries",
        verbose_name="parent customer",
    )
    # The account status: changed only by customers.account_status (never by a form, an
    # import or restoring fields from history: not editable).
    portal_access = models.CharField(
        "account status",
        max_length=20,
        choices=PortalAccess,
        default=PortalAccess.ACTIVE,
        editable=False,
    )
    account_status_reason = models.CharField(
        "account status reason", max_length=300, blank=True, editable=False
    )
    external_id = models.CharField(
        "external ID", max_length=100, blank=True, help_text="The customer's ID in your CRM/ERP."
    )

    is_archived = models.BooleanField("archived", default=False)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # A duplicate merged into another customer (customers.services_merge): soft-deleted, its
    # records moved to this survivor, its page and API answer point there.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        editable=False,
        verbose_name="merged into",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the relationship began (the figures count customers by it), not when the row was
    # made: an import of long-standing customers sets it.
    customer_since = models.DateField(
        "customer since",
        default=timezone.localdate,
        help_text="When this customer relationship began (defaults to the day it was added).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Maintained on save: one lowercase haystack and the digits of every phone number, both
    # trigram-indexed, so a search is a single indexed scan.
    search_text = models.TextField(editable=False, default="")
    phone_digits = models.CharField(max_length=100, editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_text", "phone_digits", "updated_at"])
    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            GinIndex(
                name="customer_search_trgm", fields=["search_text"], opclasses=["gin_trgm_ops"]
            ),
            GinIndex(name="customer_name_trgm", fields=["name"], opclasses=["gin_trgm_ops"]),
            # Other apps find tickets and contracts by their company's name with icontains
            # (UPPER(name) LIKE UPPER('%term%')): this answers it from an index.
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="customer_name_uc_trgm"),
            GinIndex(
                name="customer_cf_data", fields=["custom_field_data"], opclasses=["jsonb_path_ops"]
            ),
            GinIndex(
                name="customer_phone_trgm", fields=["phone_digits"], opclasses=["gin_trgm_ops"]
            ),
            models.Index(
                fields=["name", "id"],
                name="customer_live_by_name",
                condition=Q(deleted_at__isnull=True, is_archived=False),
            ),
            models.Index(fields=["business_type", "name"], name="customer_type_name"),
            models.Index(
                fields=["business_type"],
                name="customer_live_by_type",
                condition=Q(deleted_at__isnull=True, is_archived=False),
            ),
            models.Index(fields=["status", "name"], name="customer_status_name"),
            models.Index(fields=["industry"], name="customer_industry"),
            models.Index(fields=["country"], name="customer_country"),
            models.Index(fields=["deleted_at"], name="customer_deleted_at"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(deleted_at__isnull=True),
                name="customer_live_created_at",
            ),
            models.Index(
                fields=["business_type", "status"],
                condition=models.Q(deleted_at__isnull=True),
                name="customer_live_type_status",
            ),
            models.Index(
                fields=["customer_since"],
                condition=models.Q(deleted_at__isnull=True),
                name="customer_live_since",
            ),
            # Suspended and inactive companies (few): the dashboard's attention panel and the
            # list's account-status filter.
            models.Index(
                fields=["portal_access"],
                condition=models.Q(deleted_at__isnull=True) & ~models.Q(portal_access="active"),
                name="customer_live_not_active",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("external_id"),
                name="customer_external_id_ci_unique",
                condition=~Q(external_id=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.refresh_search_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text", "phone_digits"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("customers:customer_detail", kwargs={"pk": self.pk})

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def status_badge_class(self) -> str:
        return STATUS_BADGE_CLASSES.get(self.status, "text-bg-secondary")

    @property
    def website_host(self) -> str:
        return website_host(self.website)

    def clean(self) -> None:
        super().clean()
        self.clean_name()
        self._check_parent()
        self._check_customer_since()

    def clean_name(self) -> None:
        if self.name and not self.name.strip():
            raise ValidationError({"name": "Enter the customer's name."})
        self.name = (self.name or "").strip()

    def _check_customer_since(self) -> None:
        since = self.customer_since
        if since is None or not hasattr(since, "year"):
            return  # the field's own validation says what is wrong
        if since > timezone.localdate():
            raise ValidationError({"customer_since": "A customer cannot start in the future."})
        if since.year < 1900:
            raise ValidationError({"customer_since": "Enter a year from 1900 on."})

    def _check_parent(self) -> None:
        if self.parent_id is None:
            return
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": "A customer cannot be its own parent."})
        check_parent_chain(
            self.pk,
            self.parent_id,
            lambda pk: Customer.objects.filter(pk=pk).values_list("parent_id", flat=True).first(),
        )

    def refresh_search_fields(self) -> None:
        phones = [str(self.company_phone)] if self.company_phone else []
        parts = [
            self.name,
            self.industry,
            self.get_business_type_display(),
            self.website,
            self.company_email,
            self.external_id,
            *phones,
            *self.custom_search_parts(),
        ]
        self.search_text = " | ".join(part for part in parts if part).lower()
        self.phone_digits = " ".join(re.sub(r"\D", "", phone) for phone in phones)


def website_host(url: str) -> str:
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", (url or "").strip().lower())
    host = host.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    return host.removeprefix("www.")


class LinkedAccount(models.Model):
    """An external organization or account (cloud organization, ERP/CRM record) of a customer.

    Survives the customer: purging a customer unlinks it."""

    class Kind(models.TextChoices):
        ORGANIZATION = "organization", "Organization"
        ACCOUNT = "account", "Account"

    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_accounts",
    )
    provider = models.CharField(
        max_length=50, help_text="e.g. AWS, Azure, Google Cloud, Salesforce"
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.ACCOUNT)
    external_id = models.CharField("external ID", max_length=100)
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = LinkedAccountQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "kind", "name", "external_id"]
        constraints = [
            models.UniqueConstraint(
                Lower("provider"),
                "kind",
                Lower("external_id"),
                name="linked_account_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        label = self.name or self.external_id
        return f"{self.provider} {self.get_kind_display().lower()} {label}"


from .models_contacts import Contact, ContactRole  # noqa: E402, F401 - models of this app
from .teams import StaffCustomerAssignment, Team  # noqa: E402, F401 - models of this app
