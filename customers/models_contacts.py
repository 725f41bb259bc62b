"""A customer's people: any number of contacts, each with roles from the tenant's own list
(primary, billing, technical, decision maker…). Written only through
customers.services_contacts."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, validate_email
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from core.models import ArchivableFields
from core.policies import Capability
from core.querysets import STAFF_ACTIONS, ScopedQuerySet
from fields.models import CustomFieldsModel

SEARCH_MAX_LENGTH = 100
MIN_PHONE_DIGITS = 3
MAX_OTHER_EMAILS = 10

# The roles every tenant starts with (seeded by a data migration; renamable, archivable).
PRIMARY, BILLING, TECHNICAL, DECISION_MAKER = "primary", "billing", "technical", "decision_maker"
BUILT_IN_ROLES = [
    (PRIMARY, "Primary", 10),
    (BILLING, "Billing", 20),
    (TECHNICAL, "Technical", 30),
    (DECISION_MAKER, "Decision maker", 40),
]
ROLE_BADGES = {PRIMARY: "text-bg-primary", BILLING: "text-bg-success"}


class PreferredChannel(models.TextChoices):
    ANY = "any", "Any"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    SMS = "sms", "SMS"


class ContactRoleQuerySet(ScopedQuerySet):
    scope_paths = ()  # the tenant's list: staff only
    staff_actions = {**STAFF_ACTIONS, "change": Capability.MANAGE_RECORDS}
    portal_actions: dict[str, str] = {}

    def live(self) -> ContactRoleQuerySet:
        return self.filter(is_archived=False)


class ContactRole(models.Model):
    """A role a contact can have. ``key`` names the built-in ones the product relies on
    (billing: who gets invoices); a tenant's own roles have none."""

    name = models.CharField(max_length=60)
    key = models.SlugField(max_length=40, blank=True, editable=False)
    order = models.PositiveSmallIntegerField(
        default=100, help_text="Contacts with a lower-numbered role are listed first."
    )
    is_archived = models.BooleanField("archived", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ContactRoleQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="contact_role_name_ci_unique"),
            models.UniqueConstraint(
                fields=["key"], name="contact_role_key_unique", condition=~Q(key="")
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:contact_roles")

    def clean(self) -> None:
        super().clean()
        self.name = (self.name or "").strip()  # kept as typed inside (no control mangling)
        if not self.name:
            raise ValidationError({"name": "Give the role a name."})
        clash = ContactRole.objects.filter(name__iexact=self.name).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError({"name": "There is already a role with this name."})

    @property
    def badge_class(self) -> str:
        return ROLE_BADGES.get(self.key, "text-bg-secondary")


class ContactQuerySet(ScopedQuerySet):
    scope_paths = ("customer",)
    # The staff's contact list and pages; customer users never read it.
    portal_actions: dict[str, str] = {}

    def live(self) -> ContactQuerySet:
        return self.filter(is_archived=False)

    def search(self, term: str) -> ContactQuerySet:
        return self.filter(contact_search_condition(term, prefix=""))

    def with_roles(self) -> ContactQuerySet:
        """Roles for badges: one query for the whole page (prefetch)."""
        return self.prefetch_related(
            models.Prefetch("roles", queryset=ContactRole.objects.order_by("order", "name"))
        )

    def for_list(self) -> ContactQuerySet:
        return self.select_related("customer").with_roles()

    def ranked(self) -> ContactQuerySet:
        """Primary and billing contacts first (their roles' order), then by name."""
        return self.annotate(
            role_rank=models.Min("roles__order", filter=Q(roles__is_archived=False))
        ).order_by(models.F("role_rank").asc(nulls_last=True), "name", "pk")


def contact_search_condition(term: str, *, prefix: str) -> Q:
    """A contact's name, title or any email (part, any case), or its phones' digits whatever
    the formatting: both trigram-indexed columns. ``prefix`` reaches the contact from
    another model ("contacts__")."""
    term = " ".join((term or "").split())[:SEARCH_MAX_LENGTH]
    if not term:
        return Q()
    condition = Q(**{f"{prefix}search_text__contains": term.lower()})
    digits = re.sub(r"\D", "", term)
    if len(digits) >= MIN_PHONE_DIGITS and len(digits) * 2 >= len(term.replace(" ", "")):
        condition |= Q(**{f"{prefix}phone_digits__contains": digits})
    return condition


def split_emails(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", value or "") if part]


def search_fields_of(
    *, name: str, title: str, email: str, other_emails: str, phones
) -> tuple[str, str]:
    """The search haystack and phone digits of a contact (also used by the data migration,
    whose historical models have no save())."""
    phones = [str(phone) for phone in phones if phone]
    parts = [name, title, email, *split_emails(other_emails), *phones]
    text = " | ".join(part for part in parts if part).lower()
    digits = " ".join(re.sub(r"\D", "", phone) for phone in phones)
    return text, digits


class Contact(CustomFieldsModel, ArchivableFields):
    """Someone at a customer. Archived means they left (``archived_at`` is when)."""

    custom_field_kind = "contact"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=150)
    title = models.CharField("job title", max_length=150, blank=True)
    email = models.EmailField("email", blank=True)
    other_emails = models.TextField(
        "other emails",
        blank=True,
        validators=[MaxLengthValidator(2600)],
        help_text="Separated by commas.",
    )
    phone = PhoneNumberField("phone", blank=True, help_text="International format: +1 555…")
    mobile = PhoneNumberField("mobile", blank=True)
    preferred_channel = models.CharField(
        "preferred channel", max_length=10, choices=PreferredChannel, default=PreferredChannel.ANY
    )
    notes = models.TextField(blank=True, validators=[MaxLengthValidator(5000)])
    roles = models.ManyToManyField(ContactRole, related_name="contacts", blank=True)
    # The roles' names as set by the last change: history shows role changes field by field.
    roles_label = models.CharField("roles", max_length=500, blank=True, editable=False)
    portal_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact",
        editable=False,
        verbose_name="portal user",
    )
    search_text = models.TextField(editable=False, default="")
    phone_digits = models.CharField(max_length=100, editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_text", "phone_digits", "updated_at"])
    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            GinIndex(
                name="contact_search_trgm", fields=["search_text"], opclasses=["gin_trgm_ops"]
            ),
            GinIndex(
                name="contact_cf_data", fields=["custom_field_data"], opclasses=["jsonb_path_ops"]
            ),
            GinIndex(
                name="contact_phone_trgm", fields=["phone_digits"], opclasses=["gin_trgm_ops"]
            ),
            models.Index(fields=["customer", "name"], name="contact_customer_name"),
            models.Index(Lower("email"), name="contact_email_ci"),
            models.Index(
                fields=["name", "id"], name="contact_live_by_name", condition=Q(is_archived=False)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:contact_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        self.name = (self.name or "").strip()
        if not self.name:
            raise ValidationError({"name": "Enter the contact's name."})
        self.email = (self.email or "").strip()
        emails = split_emails(self.other_emails)
        if len(emails) > MAX_OTHER_EMAILS:
            raise ValidationError(
                {"other_emails": f"Keep to {MAX_OTHER_EMAILS} other emails or fewer."}
            )
        for address in emails:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(
                    {"other_emails": f"“{address[:60]}” is not an email address."}
                ) from None
        self.other_emails = ", ".join(dict.fromkeys(emails))
        if self.preferred_channel == PreferredChannel.EMAIL and not self.email:
            raise ValidationError({"email": "Email is the preferred channel: give an address."})
        if self.preferred_channel == PreferredChannel.SMS and not self.mobile:
            raise ValidationError({"mobile": "SMS is the preferred channel: give a mobile."})
        if self.preferred_channel == PreferredChannel.PHONE and not (self.phone or self.mobile):
            raise ValidationError({"phone": "Phone is the preferred channel: give a number."})
        # Every write goes through a service's full_clean(); the import refreshes these too.
        self.refresh_search_fields()

    @property
    def emails(self) -> list[str]:
        return [e for e in [self.email, *split_emails(self.other_emails)] if e]

    def refresh_search_fields(self) -> None:
        self.search_text, self.phone_digits = search_fields_of(
            name=self.name,
            title=self.title,
            email=self.email,
            other_emails=self.other_emails,
            phones=(self.phone, self.mobile),
        )


# --- The customer's old contact fields as people (data migration and the wizard) ----------


# The primary and billing contact by the names of the customer's old fields: the wizard's
# contact step and the customers import still take them so (``legacy_people``).
LEGACY_PEOPLE = (
    (PRIMARY, "contact_name", "contact_email", "contact_phone"),
    (BILLING, "billing_contact_name", "billing_email", "billing_phone"),
)
PEOPLE_FIELDS = tuple(name for _role, *names in LEGACY_PEOPLE for name in names)


def legacy_people(fields: dict) -> list[dict]:
    """The primary contact and billing contact written in a customer's old fields
    (``contact_*``, ``billing_*``) as contacts' values with role keys: one person with both
    roles when they are the same (same email; without two emails, same name; else same
    phone). Nothing typed is dropped: a second name or phone of the same person goes to
    their notes or mobile."""
    found = []
    for role, name, email, phone in LEGACY_PEOPLE:
        person = {
            "name": str(fields.get(name) or "").strip(),
            "email": str(fields.get(email) or "").strip(),
            "phone": str(fields.get(phone) or ""),
        }
        if any(person.values()):
            person["roles"] = [role]
            found.append(person)
    if len(found) == 2 and _same_person(*found):
        found = [_merged(*found)]
    for person in found:
        person.setdefault("mobile", "")
        person.setdefault("notes", "")
        if not person["name"]:
            label = "Primary contact" if PRIMARY in person["roles"] else "Billing contact"
            person["name"] = person["email"] or person["phone"] or label
    return found


def _same_person(a: dict, b: dict) -> bool:
    if a["email"] and b["email"]:
        return a["email"].lower() == b["email"].lower()
    if a["name"] and b["name"]:
        return a["name"].lower() == b["name"].lower()
    if a["phone"] and b["phone"]:
        return a["phone"] == b["phone"]
    return False


def _merged(primary: dict, billing: dict) -> dict:
    person = {
        "name": primary["name"] or billing["name"],
        "email": primary["email"] or billing["email"],
        "phone": primary["phone"] or billing["phone"],
        "mobile": "",
        "notes": "",
        "roles": [PRIMARY, BILLING],
    }
    notes = []
    if primary["name"] and billing["name"] and primary["name"].lower() != billing["name"].lower():
        notes.append(f"Named “{billing['name']}” as the billing contact.")
    if primary["phone"] and billing["phone"] and primary["phone"] != billing["phone"]:
        person["mobile"] = billing["phone"]
        notes.append("The mobile is the number given as the billing phone.")
    person["notes"] = " ".join(notes)
    return person
