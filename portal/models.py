"""Customer users, their roles and the company's portal settings."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.policies import Capability
from core.querysets import ScopedQuerySet

from .domain_names import display_domain, normalize_domain
from .querysets import JoinRequestQuerySet, MembershipQuerySet, PermissionSetQuerySet


class PortalRole(models.TextChoices):
    ADMIN = "admin", "Customer admin"
    FULL = "full", "Full access"
    READ_ONLY = "read_only", "Read-only"
    LIMITED = "limited", "Limited"
    CUSTOM = "custom", "Custom"


class PortalPermission(models.TextChoices):
    """The fixed catalogue custom permission sets are built from."""

    VIEW_OVERVIEW = "view_overview", "See the company overview"
    VIEW_USERS = "view_users", "See the company's users"
    MANAGE_USERS = "manage_users", "Invite and manage users"
    VIEW_LOCATIONS = "view_locations", "See locations"
    MANAGE_LOCATIONS = "manage_locations", "Edit locations"
    VIEW_ASSETS = "view_assets", "See assets"
    MANAGE_SETTINGS = "manage_settings", "Change company settings"
    VIEW_BILLING = "view_billing", "See billing"
    VIEW_DOCUMENTS = "view_documents", "See shared documents"
    VIEW_TICKETS = "view_tickets", "See the company's support tickets"
    OPEN_TICKETS = "open_tickets", "Open and answer support tickets"


# Held by the customer admin role only: a permission set can never carry it, so a customer
# admin cannot make another user a customer admin in all but name (seed 002).
ADMIN_ONLY_PERMISSIONS = frozenset({PortalPermission.MANAGE_USERS})


class PortalSection(models.TextChoices):
    """What a Limited user may be given: whole sections, read-only."""

    OVERVIEW = "overview", "Overview"
    USERS = "users", "Users"
    LOCATIONS = "locations", "Locations"
    ASSETS = "assets", "Assets"
    BILLING = "billing", "Billing"
    DOCUMENTS = "documents", "Documents"
    TICKETS = "tickets", "Support tickets"


class PermissionSet(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="permission_sets"
    )
    name = models.CharField(max_length=100)
    permissions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PermissionSetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "name"], name="permission_set_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """Makes a user a customer user: which company, which role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=PortalRole, default=PortalRole.READ_ONLY)
    sections = models.JSONField(
        default=list, blank=True, help_text="Sections a Limited user may see."
    )
    permission_set = models.ForeignKey(
        PermissionSet, null=True, blank=True, on_delete=models.SET_NULL
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    deactivated_with_company = models.BooleanField(
        default=False,
        help_text="Set when the company was deleted; restoring the company reactivates.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__first_name", "user__last_name", "user__email"]
        indexes = [models.Index(fields=["customer", "role"], name="membership_customer_role")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()} of {self.customer})"


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1a73e8.")


class CompanyProfile(models.Model):
    """What a customer admin configures in the portal."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="portal_profile"
    )
    logo = models.ImageField(
        upload_to="logos/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "gif", "webp"])],
    )
    accent_colour = models.CharField(max_length=7, default="#0d6efd", validators=[hex_colour])
    notify_invoices = models.BooleanField("email me about invoices", default=True)
    notify_usage = models.BooleanField("email me about usage alerts", default=True)
    notify_users = models.BooleanField("email me when users join or leave", default=False)
    usage_alert_percent = models.PositiveSmallIntegerField(
        "usage alert threshold (% of plan)", default=80, help_text="Between 1 and 100."
    )
    allow_domain_join = models.BooleanField(
        "let people at our verified email domains ask to join",
        default=False,
        help_text="Only domains your company has verified (Settings → Domains); "
        "requests still need an admin's approval.",
    )
    require_two_factor = models.BooleanField(
        "require two-factor authentication for our users",
        default=False,
        help_text="Users without a second factor set one up the next time they sign in.",
    )

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Portal settings of {self.customer}"


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="join_requests"
    )
    email = models.EmailField()
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.customer}"


class CompanyDomainQuerySet(ScopedQuerySet):
    """A company's email domains: its customer admins see and manage them."""

    scope_paths = ("customer",)
    staff_actions = {"view": Capability.VIEW_CONSOLE, "change": Capability.MANAGE_RECORDS}
    portal_actions = {"view": "manage_users", "change": "manage_users"}

    def verified(self) -> CompanyDomainQuerySet:
        return self.filter(verified_at__isnull=False)


def validate_domain(value: str) -> None:
    if normalize_domain(value) != value:
        raise ValidationError("Store the domain in its normalised form.", code="invalid")


class CompanyDomain(models.Model):
    """An email domain a company claims; people at it may ask to join the company only once
    the company proved it (a DNS TXT record or a link mailed to an admin address at the
    domain). Within a tenant, one company at most has verified a domain."""

    class Method(models.TextChoices):
        DNS = "dns", "DNS TXT record"
        EMAIL = "email", "Link mailed to an admin address"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="email_domains"
    )
    domain = models.CharField(
        max_length=253,
        validators=[validate_domain],
        help_text="Lower case, international names in their ASCII (IDNA) form.",
    )
    method = models.CharField(max_length=10, choices=Method, default=Method.DNS)
    token = models.CharField(max_length=64, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    link_sent_to = models.EmailField(blank=True)
    link_sent_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_how = models.CharField(max_length=300, blank=True)

    objects = CompanyDomainQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "domain"], name="company_domain_once_per_company"
            ),
            # One company per verified domain: two verifications racing cannot both win.
            models.UniqueConstraint(
                fields=["domain"],
                condition=models.Q(verified_at__isnull=False),
                name="company_domain_verified_once",
            ),
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        return display_domain(self.domain)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def txt_record(self) -> str:
        return f"clientele-verification={self.token}"


class PortalUsage(models.Model):
    """How often a company's user opened a portal feature on a day (portal.adoption)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    feature = models.CharField(max_length=30)
    day = models.DateField()
    uses = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "user", "feature", "day"], name="portal_usage_one_row_a_day"
            )
        ]
        indexes = [models.Index(fields=["day", "customer"], name="portal_usage_day")]

    def __str__(self) -> str:
        return f"{self.feature} on {self.day}"
