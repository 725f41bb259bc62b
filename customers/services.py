"""Writes on customers. Each one is atomic, validates, records history with the acting user
and a reason, and is the only way the pages (and later the API and imports) change customers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User
from core import privacy
from core.history import HIDDEN_FIELDS, display_value, field_label
from core.scope import Scope, forget_scope, scope_for
from core.services import ConcurrentEditError, save_with_history

from . import reactions
from .models import Customer, website_host

DUPLICATE_NAME_SIMILARITY = 0.5
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "web.de",
        "mail.com",
        "yandex.ru",
        "example.com",
    }
)


class EditConflict(ConcurrentEditError):
    """Someone saved the customer after the form was opened."""

    def __init__(self, current: Customer, changes: list[FieldChange]):
        super().__init__("The customer was changed by someone else.")
        self.current = current
        self.changes = changes


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


# A staff user limited to assigned customers adds customers only below one of theirs (where
# they keep seeing it): a new top-level customer would be out of their reach at once. The
# customers import applies the same rule to its rows.
NEW_TOP_LEVEL_REFUSED = (
    "You see only the customers assigned to you: a new customer needs a parent customer "
    "you can reach (it becomes its sub-account)."
)


def check_new_customer_in_reach(*, scope: Scope, parent_id: int | None) -> None:
    """Raise unless the new customer stays within ``scope``: a limited staff user's goes
    below one of their customers."""
    if scope.is_limited and not scope.reaches_customer(parent_id):
        raise ValidationError({"parent": NEW_TOP_LEVEL_REFUSED})


@transaction.atomic
def customer_create(*, actor: User | None, **fields: Any) -> Customer:
    customer = Customer(**fields)
    scope = scope_for(actor)
    check_new_customer_in_reach(scope=scope, parent_id=customer.parent_id)
    customer = save_with_history(customer, actor=actor, reason="Created", event="customer.created")
    if scope.is_limited:
        forget_scope(actor)  # their reach grew by the new sub-account
    return customer


@transaction.atomic
def customer_update(
    *, customer_id: int, data: dict[str, Any], expected_version: int, actor: User | None
) -> Customer:
    """Apply ``data`` unless someone saved since ``expected_version``; then raise EditConflict."""
    current = Customer.objects.select_for_update().get(pk=customer_id)
    if current.version != expected_version:
        raise EditConflict(current, changes_since(current, expected_version))
    for field, value in data.items():
        setattr(current, field, value)
    current.version += 1
    return save_with_history(current, actor=actor, reason="Edited", event="customer.updated")


def changes_since(customer: Customer, version: int) -> list[FieldChange]:
    """Field-by-field what changed between ``version`` and the customer as it is now."""
    then = customer.history.filter(version=version).order_by("-history_id").first()
    now = customer.history.order_by("-history_id").first()
    if then is None or now is None:
        return []
    return describe_delta(now, then)


def describe_delta(newer, older) -> list[FieldChange]:
    """The History tab's before → after (labels, choice names), as FieldChange rows."""
    hidden = sorted(HIDDEN_FIELDS & {f.name for f in Customer._meta.fields})
    delta = newer.diff_against(older, excluded_fields=hidden)
    return [
        FieldChange(
            field=change.field,
            label=field_label(Customer, change.field),
            old=display_value(Customer, change.field, change.old, {}),
            new=display_value(Customer, change.field, change.new, {}),
        )
        for change in delta.changes
    ]


@transaction.atomic
def customer_restore_fields(
    *, customer_id: int, history_id: int, fields: list[str], actor: User | None
) -> Customer:
    """Put back the values ``fields`` had in an earlier version (admins, from History)."""
    current = Customer.objects.select_for_update().get(pk=customer_id)
    record = current.history.filter(history_id=history_id).first()
    if record is None:
        raise ValidationError("That version does not belong to this customer.")
    restorable = set(restorable_fields())
    unknown = [field for field in fields if field not in restorable]
    if unknown or not fields:
        raise ValidationError("Choose one or more fields to restore.")
    for field in fields:
        setattr(current, field, getattr(record, field))
    current.version += 1
    when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")
    labels = ", ".join(field_label(Customer, field) for field in fields)
    return save_with_history(
        current, actor=actor, reason=f"Restored {labels} from {when}", event="customer.updated"
    )


def restorable_fields() -> list[str]:
    """Never the account status (its own services keep billing's and the portal's
    bookkeeping): a restore cannot suspend, reactivate or undelete a company."""
    from .account_status import ACCOUNT_STATUS_FIELDS

    editable = {field.attname for field in Customer._meta.concrete_fields if field.editable}
    return sorted(editable - {"id", "is_archived", *HIDDEN_FIELDS, *ACCOUNT_STATUS_FIELDS})


TRANSITION_EVENTS = {
    "Archived": "customer.archived",
    "Unarchived": "customer.unarchived",
    "Deleted": "customer.deleted",
    "Restored": "customer.restored",
}


def _transition(customer_id: int, *, actor: User | None, reason: str, **changes: Any) -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    for field, value in changes.items():
        setattr(customer, field, value)
    customer.version += 1
    return save_with_history(
        customer, actor=actor, reason=reason, event=TRANSITION_EVENTS.get(reason, "")
    )


@transaction.atomic
def customer_archive(*, customer_id: int, actor: User | None) -> Customer:
    return _transition(
        customer_id, actor=actor, reason="Archived", is_archived=True, archived_at=timezone.now()
    )


@transaction.atomic
def customer_unarchive(*, customer_id: int, actor: User | None) -> Customer:
    return _transition(
        customer_id, actor=actor, reason="Unarchived", is_archived=False, archived_at=None
    )


@transaction.atomic
def customer_soft_delete(*, customer_id: int, actor: User | None) -> Customer:
    """Hide the customer everywhere; it can be restored during the tenant's grace period.
    Apps react in the same transaction (the portal: the company's users lose access)."""
    customer = _transition(
        customer_id, actor=actor, reason="Deleted", deleted_at=timezone.now(), deleted_by=actor
    )
    reactions.react(reactions.on_customer_deleted, customer, actor=actor)
    return customer


@transaction.atomic
def customer_restore(*, customer_id: int, actor: User | None) -> Customer:
    merged_into = (
        Customer.objects.filter(pk=customer_id, merged_into__isnull=False)
        .values_list("merged_into__name", flat=True)
        .first()
    )
    if merged_into is not None:
        raise ValidationError(
            f"This customer was merged into {merged_into}: its records are there now, so it "
            "cannot be restored."
        )
    customer = _transition(
        customer_id, actor=actor, reason="Restored", deleted_at=None, deleted_by=None
    )
    reactions.react(reactions.on_customer_restored, customer, actor=actor)
    return customer


@transaction.atomic
def customer_purge(*, customer_id: int, actor: User | None = None) -> dict[str, int]:
    """Remove a soft-deleted customer for good. Its locations go with it (cascade); the apps
    that hold its other records react first, in the same transaction (assets: owned assets
    become the tenant's, assets at its locations lose their location, history says why;
    billing: projects keep the customer's name; the portal: its users are deleted). Linked
    accounts and sub-accounts are unlinked.

    Then its personal data is erased (core/privacy.py), also in the same transaction: the
    registered personal fields of its rows and of their history (the customer's, its
    locations', memberships', join requests', drafts' recipients), of its users' history
    and of their sign-ins, and mentions of them in free text. History rows stay, with their
    dates, change types and actors. Issued invoices keep their recipient as printed:
    accounting law requires them unchanged (billing/privacy.py). Returns the rows erased
    per model."""
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if customer.deleted_at is None:
        raise ValidationError("Only a deleted customer can be purged.")
    # Who and what to erase, read before the reactions delete its users and unlink its rows.
    targets = privacy.customer_targets(customer.pk)
    strings = privacy.collect_mentions(targets)
    reactions.react(reactions.on_customer_purged, customer, actor=actor)
    customer._history_user = actor
    customer._change_reason = "Purged"
    customer.delete()
    return privacy.erase(targets, strings=strings)


def purge_due_customers(*, grace_days: int, now=None) -> int:
    """Purge every customer deleted more than ``grace_days`` ago; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=grace_days)
    due = list(Customer.objects.filter(deleted_at__lt=cutoff).values_list("pk", flat=True))
    for customer_id in due:
        customer_purge(customer_id=customer_id)
    return len(due)


def likely_duplicates(
    *,
    name: str,
    website: str = "",
    emails: tuple[str, ...] = (),
    exclude_id: int | None = None,
    limit: int = 5,
    scope: Scope | None = None,
) -> list[Customer]:
    """Customers that are probably the same company: a similar name, the same website host or
    the same (non-webmail) email domain. Archived ones count; deleted ones do not. With a
    ``scope``, only customers it reaches are named (a limited user learns no other names)."""
    name = (name or "").strip()
    condition = Q()
    by_contact = contact_email_condition(emails)
    if by_contact is not None:
        condition |= by_contact
    if name:
        condition |= Q(name__trigram_similar=name) | Q(search_text__contains=name.lower())
    host = website_host(website)
    if host:
        condition |= Q(search_text__contains=host)
    for email in emails:
        domain = (email or "").rpartition("@")[2].strip().lower()
        if domain and domain not in FREE_MAIL_DOMAINS:
            condition |= Q(search_text__contains=f"@{domain}")
    if not condition:
        return []
    base = Customer.objects.filter(deleted_at__isnull=True)
    if scope is not None:
        base = Customer.objects.restrict(scope)
    candidates = (
        base.filter(condition)
        .annotate(
            similarity=TrigramSimilarity(Lower("name"), name.lower()),
            same_contact=by_contact if by_contact is not None else Value(False),
        )
        .order_by("-same_contact", "-similarity", "name")
    )
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    result = []
    for candidate in candidates[: limit * 4]:
        same_site = host and candidate.website_host == host
        if (
            candidate.similarity >= DUPLICATE_NAME_SIMILARITY
            or candidate.same_contact
            or same_site
            or not name
            or any(
                f"@{(e or '').rpartition('@')[2].lower()}" in candidate.search_text
                for e in emails
                if e and (e or "").rpartition("@")[2].lower() not in FREE_MAIL_DOMAINS
            )
        ):
            result.append(candidate)
        if len(result) == limit:
            break
    return result


def contact_email_condition(emails: tuple[str, ...]):
    """Customers with a contact (current or former) who has one of ``emails`` (any case, as
    their email or one of their other emails), or an email at the same company domain (not
    a webmail one): an Exists over the contacts' indexed columns, or None without emails."""
    from .models_contacts import Contact

    addresses = sorted({(e or "").strip().lower() for e in emails if "@" in (e or "")})
    if not addresses:
        return None
    matches = Q()
    for address in addresses:
        domain = address.rpartition("@")[2]
        if domain and domain not in FREE_MAIL_DOMAINS:
            matches |= Q(search_text__contains=f"@{domain}")
        else:
            matches |= Q(email_lower=address) | Q(search_text__contains=address)
    contacts = Contact.objects.annotate(email_lower=Lower("email")).filter(
        matches, customer=OuterRef("pk")
    )
    return Exists(contacts)


@transaction.atomic
def linked_account_add(
    *, customer: Customer, provider: str, kind: str, external_id: str, name: str, actor: User | None
):
    """Link an external organization/account; an existing unlinked one is re-linked."""
    from .models import LinkedAccount

    account = (
        LinkedAccount.objects.select_for_update()
        .filter(provider__iexact=provider, kind=kind, external_id__iexact=external_id)
        .first()
    )
    if account is not None and account.customer_id not in (None, customer.pk):
        raise ValidationError(f"{account} is already linked to another customer.")
    if account is None:
        account = LinkedAccount(provider=provider, kind=kind, external_id=external_id)
    account.customer, account.name = customer, name or account.name
    account._history_user = actor
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def linked_account_unlink(*, account, actor: User | None) -> None:
    account.customer = None
    account._history_user = actor
    account._change_reason = "Unlinked"
    account.save()
