"""People who sign in. The same table exists in the public schema (platform operators) and in
every tenant schema (the tenant's staff, later its customers' users)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.policies import StaffRole

from .managers import UserManager


class CustomerAccess(models.TextChoices):
    ALL = "all", "All customers"
    ASSIGNED = "assigned", "Only assigned customers"


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", max_length=254)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(
        max_length=10,
        choices=StaffRole,
        blank=True,
        help_text="Staff role inside a tenant. Empty for platform operators.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive users cannot sign in; their data is kept."
    )
    is_staff = models.BooleanField(
        "platform operator",
        default=False,
        help_text="In the public schema: may use the platform administration.",
    )
    date_joined = models.DateTimeField(default=timezone.now)
    customer_access = models.CharField(
        max_length=10,
        choices=CustomerAccess,
        default=CustomerAccess.ALL,
        help_text="Staff: every customer, or only those of their teams and direct assignments.",
    )

    objects = UserManager()
    # Who changed a role, an active flag or a customer limit, and when. Secrets and sign-in
    # bookkeeping are not history.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["first_name", "last_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def has_perm(self, perm, obj=None) -> bool:
        # A tenant's owner administers their own schema through /admin/.
        if self.is_active and self.role == StaffRole.OWNER:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_active and self.role == StaffRole.OWNER:
            return True
        return super().has_module_perms(app_label)


class SignInEvent(models.Model):
    """One sign-in attempt on this schema's host, successful or not."""

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="sign_in_events"
    )
    email = models.CharField(max_length=254, blank=True)
    succeeded = models.BooleanField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        outcome = "succeeded" if self.succeeded else "failed"
        return f"Sign-in by {self.email} {outcome} at {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored; the secret is shown once, at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class SecurityPolicy(models.Model):
    """The workspace's sign-in rules: one row (``pk=1``), changed by the owner through
    ``accounts.services.security_policy_update``; no row means the defaults."""

    require_two_factor_for_staff = models.BooleanField(
        "require two-factor authentication for staff",
        default=False,
        help_text="Staff without a second factor (an authenticator app or a passkey) set one "
        "up right after they next sign in, before they can open anything else.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "security policy"
        verbose_name_plural = "security policy"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="accounts_security_policy_one")
        ]

    def __str__(self) -> str:
        return "Security policy"

    @classmethod
    def current(cls) -> SecurityPolicy:
        """The saved policy, or the defaults (unsaved) when the owner never changed it."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


# Per-user list choices (columns, saved views, bulk changes): defined beside the list machinery
# in core, stored in each tenant's schema as this app's tables.
from core.list_prefs_models import (  # noqa: E402, F401
    BulkJob,
    ExportJob,
    ListPreference,
    SavedView,
)
from core.notifications import Notification  # noqa: E402, F401
