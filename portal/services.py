"""Customer users: invitations, roles, access, and what happens to them with their company."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import queue_email, send_set_password_email, set_password_url
from core.events import emit_event
from core.policies import Capability, user_can
from core.services import model_update, save_with_history
from customers.models import Customer
from customers.services import changes_since, customer_update
from customers.services_contacts import primary_contact_set

from .domains import company_for_email
from .models import (
    ADMIN_ONLY_PERMISSIONS,
    CompanyProfile,
    JoinRequest,
    Membership,
    PermissionSet,
    PortalPermission,
    PortalRole,
    PortalSection,
)
from .policies import assignable_portal_roles, portal_can


def _check_role(actor: User | None, role: str) -> None:
    if actor is None:  # the system (demo data, imports) may assign any role
        return
    if role not in dict(assignable_portal_roles(actor)):
        raise PermissionDenied("You may not give that role.")


@dataclass(frozen=True)
class SeatUsage:
    """A company's active users against its subscription's seats (``limit`` None: no limit)."""

    company_name: str
    used: int
    limit: int | None

    @property
    def full(self) -> bool:
        return self.limit is not None and self.used >= self.limit

    @property
    def refusal(self) -> str:
        seats = f"{self.limit} seat{'s' if self.limit != 1 else ''}"
        return (
            f"{self.company_name}'s subscription has {seats}, all in use. Deactivate a user "
            "first, or ask your provider for more seats."
        )


def seat_usage(customer: Customer) -> SeatUsage:
    from billing.selectors import seat_limit

    limit = seat_limit(customer.pk)
    used = Membership.objects.filter(customer=customer, user__is_active=True).count()
    return SeatUsage(company_name=customer.name, used=used, limit=limit)


def _check_seat_free(customer: Customer) -> None:
    """A company's active users may not outnumber its subscription's seats. The company row
    is locked, so two admins inviting at once cannot both take the last seat."""
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    usage = seat_usage(customer)
    if usage.full:
        raise ValidationError(usage.refusal)


def _check_email_free(email: str) -> str:
    email = User.objects.normalize_email(email or "").strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone already uses this email address here."})
    return email


def _role_details(
    customer: Customer, role: str, sections, permission_set
) -> tuple[list[str], PermissionSet | None]:
    if role == PortalRole.LIMITED:
        chosen = sorted(set(sections or []) & set(PortalSection.values))
        if not chosen:
            raise ValidationError({"sections": "Choose at least one section for a Limited user."})
        return chosen, None
    if role == PortalRole.CUSTOM:
        if permission_set is None or permission_set.customer_id != customer.pk:
            raise ValidationError(
                {"permission_set": "Choose one of this company's permission sets."}
            )
        return [], permission_set
    return [], None


@transaction.atomic
def customer_user_create(
    *,
    customer: Customer,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    actor: User | None,
    base_url: str,
    password: str | None = None,
    sections=(),
    permission_set: PermissionSet | None = None,
    email_verified: bool = False,
) -> Membership:
    """Create a customer user. Without a password they get a welcome email with a one-time
    link to choose one (never a password in an email)."""
    if customer.deleted_at is not None:
        raise ValidationError("That customer has been deleted.")
    _check_role(actor, role)
    _check_seat_free(customer)
    email = _check_email_free(email)
    sections, permission_set = _role_details(customer, role, sections, permission_set)
    user = User(email=email, first_name=first_name, last_name=last_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
    membership = Membership(
        user=user,
        customer=customer,
        role=role,
        sections=sections,
        permission_set=permission_set,
        invited_by=actor,
        invitation_sent_at=timezone.now(),
    )
    membership._history_user = actor
    membership.save()
    send_set_password_email(
        user=user, base_url=base_url, workspace_name=customer.name, invited_by=actor
    )
    emit_event(
        "portal_user.invited",
        obj=membership,
        data={"email": email, "customer_id": customer.pk, "role": role},
    )
    return membership


@transaction.atomic
def customer_user_change_role(
    *, membership: Membership, role: str, actor: User, sections=(), permission_set=None
) -> Membership:
    if membership.user_id == actor.pk:
        raise PermissionDenied("You cannot change your own role.")
    if membership.role == PortalRole.ADMIN and not user_can(actor, Capability.MANAGE_RECORDS):
        raise PermissionDenied("Only your provider can change a customer admin's role.")
    _check_role(actor, role)
    membership.sections, membership.permission_set = _role_details(
        membership.customer, role, sections, permission_set
    )
    membership.role = role
    membership._history_user = actor
    membership._change_reason = f"Role set to {PortalRole(role).label}"
    membership.save()
    return membership


def _guard_other(membership: Membership, actor: User) -> None:
    if membership.user_id == actor.pk:
        raise PermissionDenied("You cannot do that to your own account.")
    if membership.role == PortalRole.ADMIN and not user_can(actor, Capability.MANAGE_RECORDS):
        raise PermissionDenied("Only your provider can change a customer admin's account.")


@transaction.atomic
def customer_user_set_active(*, membership: Membership, active: bool, actor: User) -> Membership:
    _guard_other(membership, actor)
    if active and not membership.user.is_active:
        _check_seat_free(membership.customer)
    user = membership.user
    user.is_active = active
    user.save(update_fields=["is_active"])
    return membership


@transaction.atomic
def customer_user_remove(*, membership: Membership, actor: User) -> None:
    """Delete the user (their email becomes free again); the history keeps the record."""
    _guard_other(membership, actor)
    membership._history_user = actor
    membership._change_reason = "Removed"
    user = membership.user
    membership.delete()
    user.delete()


def _check_can_sign_in(user: User) -> None:
    if not user.is_active:
        raise ValidationError(
            f"{user.email} is deactivated and cannot sign in; reactivate them first."
        )


@transaction.atomic
def customer_user_resend_invitation(
    *, membership: Membership, actor: User, base_url: str
) -> Membership:
    """Send the welcome email again, with a fresh one-time link to choose a password; only to
    someone who has not chosen one yet (the others get a password reset link)."""
    user = membership.user
    if user.has_usable_password():
        raise ValidationError(
            f"{user.email} has already chosen a password; send a password reset link instead."
        )
    _check_can_sign_in(user)
    send_set_password_email(
        user=user, base_url=base_url, workspace_name=membership.customer.name, invited_by=actor
    )
    membership.invitation_sent_at = timezone.now()
    membership._history_user = actor
    membership._change_reason = "Welcome email sent again"
    membership.save(update_fields=["invitation_sent_at"])
    return membership


def send_password_reset_link(*, user: User, base_url: str) -> None:
    _check_can_sign_in(user)
    context = {"user": user, "reset_url": set_password_url(user=user, base_url=base_url)}
    body = render_to_string("portal/email/password_reset_message.txt", context)
    queue_email(subject="[Clientele] Reset your password", body=body, to=[user.email])


def unlock_sign_in(*, request: HttpRequest, user: User) -> None:
    """Forget this user's failed sign-ins, so the rate limit lets them try again."""
    adapter = get_adapter(request)
    for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True):
        adapter._delete_login_attempts_cached_email(request, email=address)
    adapter._delete_login_attempts_cached_email(request, email=user.email)


def change_email_with_verification(*, request, user: User, new_email: str) -> EmailAddress:
    """Staff change a customer user's email: the new address gets a verification link; the
    old one stays the login until the new one is confirmed."""
    new_email = _check_email_free(new_email)
    return EmailAddress.objects.add_new_email(request, user, new_email)


# --- With the company -----------------------------------------------------------------


def company_deleted(customer: Customer, *, actor: User | None = None) -> None:
    """A soft-deleted company's users lose access (kept, to come back with a restore)."""
    member_ids = list(
        Membership.objects.filter(customer=customer, user__is_active=True).values_list(
            "pk", flat=True
        )
    )
    Membership.objects.filter(pk__in=member_ids).update(deactivated_with_company=True)
    User.objects.filter(membership__pk__in=member_ids).update(is_active=False)


def company_restored(customer: Customer, *, actor: User | None = None) -> None:
    member_ids = list(
        Membership.objects.filter(customer=customer, deactivated_with_company=True).values_list(
            "pk", flat=True
        )
    )
    User.objects.filter(membership__pk__in=member_ids).update(is_active=True)
    Membership.objects.filter(pk__in=member_ids).update(deactivated_with_company=False)


def company_purged(customer: Customer, *, actor: User | None = None) -> None:
    """Purge deletes the users, so their emails can be used again."""
    user_ids = list(Membership.objects.filter(customer=customer).values_list("user_id", flat=True))
    User.objects.filter(pk__in=user_ids).delete()


ACCOUNT_STATUS_SUBJECTS = {
    "active": "{company}'s account is active again",
    "inactive": "{company}'s account has been deactivated",
    "suspended": "{company}'s account is suspended",
    "deleted": "{company}'s account has been deleted",
}


def company_account_status_changed(
    customer: Customer, *, old: str, new: str, reason: str, actor: User | None
) -> None:
    """The account status changed (customers.account_status): an Inactive or Deleted
    company's users lose their API tokens at once (their sessions end on their next request:
    PortalAccessMiddleware; a Suspended one's tokens are refused until it is active again),
    and the company's admins are emailed after commit."""
    from accounts.models import ApiToken

    if new in ("inactive", "deleted"):
        ApiToken.objects.filter(
            user__membership__customer=customer, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
    admins = list(
        User.objects.filter(
            membership__customer=customer,
            membership__role=PortalRole.ADMIN,
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not admins:
        return
    body = render_to_string(
        "portal/email/account_status_message.txt",
        {"company": customer, "new": new, "reason": reason},
    )
    queue_email(
        subject=ACCOUNT_STATUS_SUBJECTS[new].format(company=customer.name), body=body, to=admins
    )


# --- Joining by email domain ----------------------------------------------------------


def companies_for_domain(email: str):
    """The company people at ``email``'s domain may ask to join: the one that verified the
    domain (at most one per tenant) and whose admins allow joining; none for webmail."""
    company = company_for_email(email)
    if company is None:
        return Customer.objects.none()
    return Customer.objects.filter(pk=company.pk)


@transaction.atomic
def join_request_create(
    *, customer: Customer, email: str, first_name: str, last_name: str, base_url: str
) -> JoinRequest | None:
    """Someone who confirmed ``email`` asks to join ``customer``; its customer admins (and no
    one else) get their name and address. Nothing when the domain is not ``customer``'s
    verified one, when they already asked, or when the address is taken."""
    email = (email or "").strip().lower()
    if not companies_for_domain(email).filter(pk=customer.pk).exists():
        return None
    existing = JoinRequest.objects.filter(
        customer=customer, email__iexact=email, status=JoinRequest.Status.PENDING
    ).first()
    if existing or User.objects.filter(email__iexact=email).exists():
        return existing
    join_request = JoinRequest(
        customer=customer, email=email, first_name=first_name[:150], last_name=last_name[:150]
    )
    join_request.full_clean()
    join_request.save()
    admins = list(
        User.objects.filter(
            membership__customer=customer, membership__role=PortalRole.ADMIN, is_active=True
        ).values_list("email", flat=True)
    )
    if admins:
        body = render_to_string(
            "portal/email/join_request_message.txt",
            {
                "request": join_request,
                "company": customer,
                "url": base_url.rstrip("/") + reverse("portal:users", args=[customer.pk]),
            },
        )
        queue_email(
            subject=f"[Clientele] {join_request.email} asks to join {customer.name}",
            body=body,
            to=admins,
        )
    return join_request


@transaction.atomic
def join_request_decide(
    *, request_obj: JoinRequest, approve: bool, actor: User, base_url: str
) -> JoinRequest:
    if not portal_can(actor, "manage_users") and not user_can(actor, Capability.MANAGE_RECORDS):
        raise PermissionDenied("You may not decide on join requests.")
    if request_obj.status != JoinRequest.Status.PENDING:
        raise ValidationError("This request was already decided.")
    if approve:
        customer_user_create(
            customer=request_obj.customer,
            email=request_obj.email,
            first_name=request_obj.first_name,
            last_name=request_obj.last_name,
            role=PortalRole.READ_ONLY,
            actor=actor,
            base_url=base_url,
            email_verified=True,
        )
    request_obj.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    request_obj.decided_by = actor
    request_obj.save(update_fields=["status", "decided_by"])
    return request_obj


# --- Permission sets and company settings: what a customer admin configures -------------


@transaction.atomic
def permission_set_save(
    *,
    company: Customer,
    permission_set: PermissionSet | None = None,
    name: str,
    permissions: list[str],
    actor: User | None,
) -> PermissionSet:
    """Create a permission set for ``company`` or change one of its sets (name and
    permissions). Only someone who manages the company's users may (``actor=None`` is the
    system). The company's row is locked so two admins cannot create the same name at once;
    an existing set is locked and read afresh, and nothing is written when nothing changes.
    History names the actor and "Created" or "Changed"."""
    if actor is not None and not portal_can(actor, PortalPermission.MANAGE_USERS):
        raise PermissionDenied("Your role does not include managing users.")
    unknown = sorted(set(permissions) - set(PortalPermission.values))
    if unknown:
        raise ValidationError({"permissions": f"Unknown permissions: {', '.join(unknown)}."})
    if set(permissions) & ADMIN_ONLY_PERMISSIONS:
        raise ValidationError({"permissions": "Managing users stays with the customer admin role."})
    if not permissions:
        raise ValidationError({"permissions": "Choose at least one permission."})
    name = (name or "").strip()
    Customer.objects.select_for_update().filter(pk=company.pk).first()
    if permission_set is not None:
        permission_set = (
            PermissionSet.objects.select_for_update()
            .filter(pk=permission_set.pk, customer=company)
            .first()
        )
        if permission_set is None:
            raise ValidationError("That permission set does not belong to this company.")
    clash = PermissionSet.objects.filter(customer=company, name__iexact=name)
    if permission_set is not None:
        clash = clash.exclude(pk=permission_set.pk)
    if clash.exists():
        raise ValidationError({"name": "This company already has a permission set with that name."})
    data = {"name": name, "permissions": [p for p in PortalPermission.values if p in permissions]}
    if permission_set is None:
        created = PermissionSet(customer=company, **data)
        return save_with_history(created, actor=actor, reason="Created")
    permission_set, _ = model_update(
        instance=permission_set,
        fields=["name", "permissions"],
        data=data,
        actor=actor,
        reason="Changed",
    )
    return permission_set


# What a customer admin changes of their company on the portal's Settings page.
COMPANY_DETAILS_FIELDS = [
    "company_email",
    "company_phone",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "state",
    "country",
]
COMPANY_PROFILE_FIELDS = [
    "logo",
    "accent_colour",
    "notify_invoices",
    "notify_usage",
    "notify_users",
    "usage_alert_percent",
    "allow_domain_join",
]


@transaction.atomic
def company_settings_update(
    *,
    company: Customer,
    details: dict,
    profile: dict,
    expected_version: int | None,
    actor: User | None,
    primary_contact: dict | None = None,
) -> tuple[Customer, CompanyProfile | None]:
    """Save a company's contact details (through ``customer_update``: its version, history
    and ``customer.updated`` event) and its portal profile together: both or neither.

    ``expected_version`` is the customer's version when the form was opened (``None``: the
    current one). If someone saved any of these details since, nothing is written and a
    ValidationError (code ``"conflict"``) names what they changed; changes to fields the
    portal does not show (e.g. the provider's internal notes) do not conflict. Nothing is
    written for a part where nothing changed; a company without a profile gets one on its
    first change. ``primary_contact`` (name, email, phone), when given, is the company's
    primary contact (``customers.services_contacts.primary_contact_set``). Returns the
    customer and its profile (``None`` if it still has none)."""
    unknown = sorted(
        (set(details) - set(COMPANY_DETAILS_FIELDS)) | (set(profile) - set(COMPANY_PROFILE_FIELDS))
    )
    if unknown:
        raise ValueError(f"Not company settings: {unknown}")
    if actor is not None and not (
        portal_can(actor, PortalPermission.MANAGE_SETTINGS)
        or user_can(actor, Capability.EDIT_RECORDS)
    ):
        raise PermissionDenied("Your role does not include changing the company's settings.")
    customer = Customer.objects.select_for_update().get(pk=company.pk)
    if expected_version is not None and customer.version != expected_version:
        _refuse_conflicting_changes(customer, expected_version)
    changed_details = {
        name: value for name, value in details.items() if not _same(getattr(customer, name), value)
    }
    if changed_details:
        customer = customer_update(
            customer_id=customer.pk,
            data=changed_details,
            expected_version=customer.version,
            actor=actor,
        )
    if primary_contact is not None:
        primary_contact_set(customer=customer, actor=actor, **primary_contact)
    row = CompanyProfile.objects.select_for_update().filter(customer=customer).first()
    row, changed_profile = model_update(
        instance=row or CompanyProfile(customer=customer),
        fields=COMPANY_PROFILE_FIELDS,
        data=profile,
        actor=actor,
        reason="Company settings changed",
    )
    return customer, row if row.pk else None


def _refuse_conflicting_changes(customer: Customer, expected_version: int) -> None:
    changes = changes_since(customer, expected_version)
    shown = [change for change in changes if change.field in COMPANY_DETAILS_FIELDS]
    if changes and not shown:
        return  # only fields this page does not show changed: nothing of theirs is lost
    if shown:
        what = ", ".join(change.label for change in shown)
        message = (
            f"Someone else changed these settings after you opened this page: {what}. "
            "Nothing was saved: reload the page to see their changes, then make yours again."
        )
    else:
        message = (
            "Someone else changed these settings after you opened this page. Nothing was "
            "saved: reload the page to see their changes, then make yours again."
        )
    raise ValidationError(message, code="conflict")


def _same(old, new) -> bool:
    """Equal, counting an empty value and a missing one (``""``/``None``) as the same."""
    if old in (None, "") and new in (None, ""):
        return True
    return old == new
