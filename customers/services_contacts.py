"""Writes on contacts and the tenant's contact roles. Each is atomic, locks what it changes,
validates (a ValidationError and nothing written on bad input), records history with the
actor and a reason, and sends email only after commit. Pages, the API and the import call
these and nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q

from accounts.models import User
from core.events import emit_event
from core.services import archive_changes, model_update, save_with_history
from fields.services import apply_tags

from . import reactions
from .models import Customer
from .models_contacts import BILLING, PRIMARY, Contact, ContactRole, legacy_people

CONTACT_FIELDS = [
    "name",
    "title",
    "email",
    "other_emails",
    "phone",
    "mobile",
    "preferred_channel",
    "notes",
]
# Written with the contact's fields: the tenant's custom fields (checked against their
# definitions by the model) and, by ``chosen_tags``, its tags.
CUSTOM_FIELDS = ["custom_field_data"]
ROLE_FIELDS = ["name", "order"]
# The portal roles staff may give a contact they invite (the portal checks the actor may).
INVITE_ROLES = [("read_only", "Read-only"), ("full", "Full access"), ("admin", "Customer admin")]


def _check_customer(customer: Customer | None) -> None:
    if customer is None:
        raise ValidationError({"customer": "A contact belongs to a customer: choose one."})
    if customer.deleted_at is not None:
        raise ValidationError({"customer": "That customer has been deleted."})


def _roles(roles: Iterable[ContactRole | int] | None) -> list[ContactRole]:
    """The roles asked for, each a live role of the tenant (ids or objects)."""
    ids = sorted({role.pk if isinstance(role, ContactRole) else int(role) for role in roles or ()})
    found = list(ContactRole.objects.filter(pk__in=ids, is_archived=False))
    if len(found) != len(ids):
        raise ValidationError({"roles": "Choose roles from the list."})
    return sorted(found, key=lambda role: (role.order, role.name.lower()))


def _label(roles: list[ContactRole]) -> str:
    return ", ".join(role.name for role in roles)[:500]


# What a contact's webhook events report as changed: its own fields and its roles (kept as
# ``roles_label``, which is not editable, so a plain history diff would leave it out).
ANNOUNCED_FIELDS = [*CONTACT_FIELDS, "roles_label", "is_archived", "portal_user"]


def _announce(event: str, contact: Contact) -> None:
    """``contact.created`` / ``.updated`` / ``.archived`` for webhooks, with the contact's
    customer and its field-by-field changes."""

    def changes() -> list[dict]:
        records = list(contact.history.order_by("-history_date", "-history_id")[:2])
        if len(records) < 2:
            return []
        new, old = records
        changed = []
        for name in ANNOUNCED_FIELDS:
            attname = Contact._meta.get_field(name).attname
            before, after = getattr(old, attname), getattr(new, attname)
            if before != after:
                changed.append({"field": name, "old": before, "new": after})
        return changed

    emit_event(
        event,
        obj=contact,
        changes=changes,
        data={"name": contact.name, "customer_id": contact.customer_id},
    )


@transaction.atomic
def contact_create(
    *,
    customer: Customer,
    actor: User | None,
    roles: Iterable[ContactRole | int] = (),
    reason: str = "Created",
    tags: Iterable | None = None,
    **fields: Any,
) -> Contact:
    unknown = sorted(set(fields) - set(CONTACT_FIELDS) - set(CUSTOM_FIELDS))
    if unknown:
        raise ValueError(f"Contacts have no fields {unknown}")
    _check_customer(customer)
    chosen = _roles(roles)
    contact = Contact(customer=customer, **fields)
    if tags is not None:
        contact.chosen_tags = tags
    contact.roles_label = _label(chosen)
    save_with_history(contact, actor=actor, reason=reason)
    _announce("contact.created", contact)
    contact.roles.set(chosen)
    return contact


@transaction.atomic
def contact_update(
    *,
    contact_id: int,
    data: dict[str, Any],
    actor: User | None,
    roles: Iterable[ContactRole | int] | None = None,
    tags: Iterable | None = None,
) -> Contact:
    """Change the fields in ``data`` (and the roles and tags, when given); nothing is written
    when nothing differs."""
    contact = Contact.objects.select_for_update().get(pk=contact_id)
    if "customer" in data and getattr(data["customer"], "pk", data["customer"]) != (
        contact.customer_id
    ):
        raise ValidationError("A contact stays with its customer; add them to the other one.")
    data = {key: value for key, value in data.items() if key != "customer"}
    chosen = None if roles is None else _roles(roles)
    fields = [*CONTACT_FIELDS, *CUSTOM_FIELDS]
    if chosen is not None and _label(chosen) != contact.roles_label:
        data["roles_label"] = _label(chosen)
        fields.append("roles_label")
    contact, changed = model_update(
        instance=contact, fields=fields, data=data, actor=actor, reason="Edited"
    )
    if changed:  # before the roles: their own history row would hide this one's changes
        _announce("contact.updated", contact)
    if tags is not None:
        apply_tags(obj=contact, tags=list(tags), actor=actor)
    if chosen is not None:
        contact.roles.set(chosen)
    return contact


@transaction.atomic
def contact_set_roles(
    *, contact_id: int, roles: Iterable[ContactRole | int], actor: User | None
) -> Contact:
    contact = Contact.objects.select_for_update().get(pk=contact_id)
    chosen = _roles(roles)
    if set(contact.roles.values_list("pk", flat=True)) == {role.pk for role in chosen}:
        return contact
    contact.roles_label = _label(chosen)
    save_with_history(contact, actor=actor, reason=f"Roles: {contact.roles_label or 'none'}")
    _announce("contact.updated", contact)  # before the roles' own history row
    contact.roles.set(chosen)
    return contact


@transaction.atomic
def contact_set_archived(*, contact_id: int, archived: bool, actor: User | None) -> Contact:
    """Archive a contact who left (kept with the date, out of lists and of billing) or bring
    them back."""
    contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact_id)
    if contact.is_archived == archived:
        return contact
    if not archived:
        _check_customer(contact.customer)
    for field, value in archive_changes(archived).items():
        setattr(contact, field, value)
    save_with_history(
        contact, actor=actor, reason="Left the company (archived)" if archived else "Restored"
    )
    _announce("contact.archived" if archived else "contact.updated", contact)
    return contact


@transaction.atomic
def contact_invite_to_portal(
    *, contact_id: int, role: str, actor: User | None, base_url: str
) -> Contact:
    """Invite the contact to the company's portal with ``role``: the portal's own invitation
    (a welcome email with a one-time link, after commit); the new user stays linked to the
    contact."""
    contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact_id)
    if not reactions.can_invite_admin():
        raise ValidationError("The company portal is not available.")
    if contact.portal_user_id is not None:
        raise ValidationError(f"{contact.name} already has a portal account.")
    if contact.is_archived:
        raise ValidationError(f"{contact.name} has left the company: restore them first.")
    if not contact.email:
        raise ValidationError("Give the contact an email address first.")
    if role not in dict(INVITE_ROLES):
        raise ValidationError({"role": "Choose a portal role from the list."})
    _check_customer(contact.customer)
    first, _, last = contact.name.partition(" ")
    try:
        reactions.invite_customer_admin(
            customer=contact.customer,
            email=contact.email,
            first_name=first[:150],
            last_name=last[:150],
            actor=actor,
            base_url=base_url,
            role=role,
        )
    except PermissionDenied:
        raise ValidationError("You may not give that portal role.") from None
    contact.portal_user = User.objects.get(email__iexact=contact.email)
    save_with_history(contact, actor=actor, reason="Invited to the portal")
    _announce("contact.updated", contact)
    return contact


# --- The wizard's contact step --------------------------------------------------------------


def contacts_from_customer_fields(
    *, customer: Customer, fields: dict[str, Any], actor: User | None
) -> list[Contact]:
    """The primary and billing contact typed in the add-customer wizard, as contacts with
    those roles (one contact when they are the same person). Inside the caller's
    transaction."""
    roles = {role.key: role for role in ContactRole.objects.filter(~Q(key=""))}
    made = []
    for person in legacy_people(fields):
        made.append(
            contact_create(
                customer=customer,
                actor=actor,
                roles=[roles[key] for key in person["roles"] if key in roles],
                name=person["name"][:150],
                email=person["email"],
                phone=person["phone"],
                mobile=person["mobile"],
                notes=person["notes"],
            )
        )
    return made


# --- Billing's recipient ----------------------------------------------------------------------


def invoice_recipient(customer: Customer) -> tuple[str, str]:
    """Who a customer's invoices and payment reminders go to, as (name, email): its first
    current billing contact with an email; else its first current primary contact with one;
    else the company email. One query."""
    return invoice_recipients([customer])[customer.pk]


def invoice_recipients(customers) -> dict[int, tuple[str, str]]:
    """``invoice_recipient`` for many customers (an invoice run's chunk, its preview) in one
    query, keyed by customer id."""
    customers = list(customers)
    rows = (
        Contact.objects.filter(
            customer_id__in=[customer.pk for customer in customers],
            is_archived=False,
            roles__key__in=[BILLING, PRIMARY],
            roles__is_archived=False,
        )
        .exclude(email="")
        .order_by("customer_id", "name", "pk")
        .values_list("customer_id", "name", "email", "roles__key")
    )
    found: dict[tuple[int, str], tuple[str, str]] = {}
    for customer_id, name, email, key in rows:
        found.setdefault((customer_id, key), (name, email))
    return {
        customer.pk: found.get((customer.pk, BILLING))
        or found.get((customer.pk, PRIMARY))
        or ("", customer.company_email)
        for customer in customers
    }


def role_contacts(customer: Customer) -> dict[str, Contact]:
    """The customer's first current contact with the Primary role and with the Billing role
    (by name), keyed by role; one query. What its page and the portal show as the primary and
    billing contact."""
    found: dict[str, Contact] = {}
    contacts = (
        Contact.objects.filter(
            customer=customer,
            is_archived=False,
            roles__key__in=[BILLING, PRIMARY],
            roles__is_archived=False,
        )
        .annotate(role_key=F("roles__key"))
        .order_by("name", "pk")
    )
    for contact in contacts:
        found.setdefault(contact.role_key, contact)
    return found


@transaction.atomic
def primary_contact_set(
    *, customer: Customer, name: str, email: str, phone: Any, actor: User | None
) -> Contact | None:
    """The portal's "primary contact" fields: the customer's primary contact (the first
    current one) takes these details; without one, a contact with the Primary role is added.
    All three empty: the contact keeps its details and stops being the primary one. Nothing
    is written when nothing differs. Returns the primary contact (None: none now)."""
    current = role_contacts(customer).get(PRIMARY)
    name, email = (name or "").strip(), (email or "").strip()
    if not (name or email or phone):
        if current is not None:
            keep = [role for role in current.roles.all() if role.key != PRIMARY]
            contact_set_roles(contact_id=current.pk, roles=keep, actor=actor)
        return None
    data = {"name": (name or email or str(phone))[:150], "email": email, "phone": phone or ""}
    if current is not None:
        return contact_update(contact_id=current.pk, data=data, actor=actor)
    primary = ContactRole.objects.filter(key=PRIMARY, is_archived=False).first()
    return contact_create(
        customer=customer, actor=actor, roles=[primary] if primary else [], **data
    )


# --- The tenant's roles -----------------------------------------------------------------------


@transaction.atomic
def contact_role_create(*, name: str, order: int = 100, actor: User | None) -> ContactRole:
    role = ContactRole(name=name, order=order)
    return save_with_history(role, actor=actor, reason="Created")


@transaction.atomic
def contact_role_update(*, role_id: int, data: dict[str, Any], actor: User | None) -> ContactRole:
    """Rename or reorder a role. Contacts' history keeps the role names they had then."""
    role = ContactRole.objects.select_for_update().get(pk=role_id)
    role, _changed = model_update(
        instance=role, fields=ROLE_FIELDS, data=data, actor=actor, reason="Edited"
    )
    return role


@transaction.atomic
def contact_role_set_archived(*, role_id: int, archived: bool, actor: User | None) -> ContactRole:
    """An archived role is no longer offered; contacts keep it (and their history)."""
    role = ContactRole.objects.select_for_update().get(pk=role_id)
    if role.is_archived == archived:
        return role
    role.is_archived = archived
    return save_with_history(role, actor=actor, reason="Archived" if archived else "Restored")


def key_contacts_overview(customer_ids: list[int]) -> dict:
    """The customer page overview's card: its primary and billing contacts (then others), in
    two queries whatever the number of contacts."""
    contacts = (
        Contact.objects.filter(customer_id__in=customer_ids, is_archived=False)
        .with_roles()
        .ranked()[:KEY_CONTACTS_SHOWN]
    )
    return {"key_contacts": list(contacts)}


KEY_CONTACTS_SHOWN = 3
