"""Every write on a contract: create, edit, terminate, renew (by hand or automatically at the
end of an auto-renewing term), attach the signed copy, and the daily renewal reminders.
Each locks the contract's row, saves with history (actor and reason) and leaves emails and
webhooks to after the commit."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from billing.money import add_months
from core.events import emit_event
from core.notifications import NotificationKind, notify, staff_with
from core.policies import Capability
from core.querysets import access
from core.scope import scope_for
from core.services import save_with_history
from core.tasks import defer_after_commit
from customers.models import Customer
from documents import services as documents

from .models import Contract, ContractKind

logger = logging.getLogger(__name__)

EDITABLE = (
    "name",
    "kind",
    "start_date",
    "end_date",
    "auto_renew",
    "renewal_months",
    "notice_days",
    "reminder_days",
    "value",
    "billing_frequency",
    "hours_included",
    "overage_rate",
    "sla_policy",
    "owner",
    "notes",
)


def _check(actor: User, capability: Capability = Capability.EDIT_RECORDS):
    scope = scope_for(actor)
    if not (scope.is_staff and scope.can(capability)):
        raise PermissionDenied("Only your team's staff with the right role can do this.")
    return scope


def _contract_for(actor: User, contract_id) -> Contract:
    return access(
        Contract.objects.select_for_update(of=("self",)), scope_for(actor), contract_id, "change"
    )


def check_terms(contract: Contract) -> None:
    """The rules a contract's terms keep (the form, the API and the import share them)."""
    errors: dict[str, str] = {}
    if contract.kind == ContractKind.BLOCK_OF_HOURS:
        if not contract.hours_included:
            errors["hours_included"] = "A block of hours says how many hours it includes."
    else:
        if contract.hours_included:
            errors["hours_included"] = "Only a block-of-hours contract includes hours."
        if contract.overage_rate:
            errors["overage_rate"] = "Only a block-of-hours contract bills overage."
    if contract.kind == ContractKind.ONE_TIME and contract.auto_renew:
        errors["auto_renew"] = "A one-time contract does not renew."
    if contract.auto_renew and not contract.end_date:
        errors["end_date"] = "A contract that renews automatically needs an end date."
    if contract.end_date and contract.end_date < contract.start_date:
        errors["end_date"] = "The end comes after the start."
    if contract.owner_id and not (contract.owner.is_active and contract.owner.role):
        errors["owner"] = "The owner is an active member of your team."
    if errors:
        raise ValidationError(errors)


def contract_create(*, actor: User, customer_id, **fields: Any) -> Contract:
    """A new contract for a company the actor can change."""
    scope = _check(actor)
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Not a field of a contract."))
    with transaction.atomic():
        customer = access(Customer.objects.all(), scope, customer_id, "change")
        if customer.deleted_at is not None:
            raise Http404("No such record.")
        contract = Contract(customer=customer, **fields)
        if "owner" not in fields:
            contract.owner = actor
        check_terms(contract)
        return save_with_history(contract, actor=actor, reason="Created", event="contract.created")


def contract_update(*, actor: User, contract_id, data: dict[str, Any]) -> Contract:
    _check(actor)
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Not a field you can change here."))
    with transaction.atomic():
        contract = _contract_for(actor, contract_id)
        end_before = contract.end_date
        for name, value in data.items():
            setattr(contract, name, value)
        check_terms(contract)
        if contract.end_date != end_before:
            contract.reminded_for = None  # a new term is reminded again
        return save_with_history(contract, actor=actor, reason="Edited", event="contract.updated")


def contract_terminate(
    *, actor: User, contract_id, on: date | None = None, reason: str = ""
) -> Contract:
    """End a contract early or record that it will not renew (``on`` defaults to its end
    date, else today). Managers only."""
    _check(actor, Capability.MANAGE_RECORDS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the contract ends (it is kept in history)."})
    with transaction.atomic():
        contract = _contract_for(actor, contract_id)
        if contract.terminated_on:
            raise ValidationError(f"{contract.reference} is already terminated.")
        on = on or contract.end_date or timezone.localdate()
        if on < contract.start_date:
            raise ValidationError({"on": "A contract ends on or after the day it starts."})
        if contract.end_date and on > contract.end_date:
            raise ValidationError({"on": f"The term ends on {contract.end_date:%Y-%m-%d}."})
        contract.terminated_on, contract.termination_reason = on, reason[:200]
        contract.auto_renew = False
        return save_with_history(
            contract, actor=actor, reason=f"Terminated: {reason}", event="contract.updated"
        )


def _renewed(contract: Contract) -> date:
    return add_months(contract.end_date, contract.renewal_months)


def contract_renew(*, actor: User | None, contract_id, system: bool = False) -> Contract:
    """Start the next term: the end date moves on by the renewal period (from the worker
    at the end of an auto-renewing term, or by hand)."""
    if not system:
        _check(actor)
    with transaction.atomic():
        if system:
            contract = Contract.objects.select_for_update().get(pk=contract_id)
        else:
            contract = _contract_for(actor, contract_id)
        if contract.terminated_on:
            raise ValidationError("A terminated contract does not renew.")
        if not contract.end_date:
            raise ValidationError("A contract without an end date has no term to renew.")
        if contract.kind == ContractKind.ONE_TIME:
            raise ValidationError("A one-time contract does not renew.")
        before = contract.end_date
        contract.end_date = _renewed(contract)
        contract.term_started_on = before + timedelta(days=1)
        contract.reminded_for = None
        how = "automatically" if system else "by hand"
        return save_with_history(
            contract,
            actor=actor,
            reason=f"Renewed {how}: {before:%Y-%m-%d} → {contract.end_date:%Y-%m-%d}",
            event="contract.updated",
        )


def contract_attach_signed(*, actor: User, contract_id, file) -> Contract:
    """The signed copy: a document on the customer (its Documents tab keeps the versions and
    checks the file), linked from the contract; a second upload is a new version."""
    _check(actor)
    contract = access(Contract.objects.all(), scope_for(actor), contract_id, "change")
    if contract.signed_document_id:
        documents.document_version_add(
            actor=actor, document_id=contract.signed_document_id, file=file
        )
        return contract
    document = documents.document_create(
        actor=actor,
        record_type="customer",
        record_id=contract.customer_id,
        file=file,
        title=f"Signed contract {contract.reference}: {contract.name}"[:200],
    )
    with transaction.atomic():
        contract = _contract_for(actor, contract_id)
        contract.signed_document = document
        return save_with_history(contract, actor=actor, reason="Signed copy attached")


# --- The daily renewal work -----------------------------------------------------------------


def renewals_run(today: date | None = None) -> tuple[int, int]:
    """Renew the auto-renewing contracts whose term ended, then remind the owners of the
    contracts whose reminder day has come (each term once). Returns (renewed, reminded)."""
    today = today or timezone.localdate()
    renewed = 0
    due = Contract.objects.filter(
        auto_renew=True, terminated_on__isnull=True, end_date__lt=today
    ).values_list("pk", flat=True)
    for contract_id in list(due):
        try:
            contract = contract_renew(actor=None, contract_id=contract_id, system=True)
            while contract.end_date < today:  # a worker that was down for a whole term
                contract = contract_renew(actor=None, contract_id=contract_id, system=True)
            renewed += 1
        except ValidationError:
            logger.warning("Contract %s could not renew", contract_id)
    reminded = 0
    for contract_id in list(
        Contract.objects.renewal_due(today)
        .exclude(reminded_for=F("end_date"))
        .values_list("pk", flat=True)
    ):
        reminded += contract_remind(contract_id=contract_id, today=today)
    return renewed, reminded


def contract_remind(*, contract_id: int, today: date) -> int:
    """Remind the owner (else the team's managers) of one contract's coming renewal, once
    per term: an email and a notification after commit, and a ``contract.renewal_due``
    webhook. Returns 1 when a reminder went out."""
    with transaction.atomic():
        contract = (
            Contract.objects.select_for_update(of=("self",))
            .select_related("customer", "owner")
            .get(pk=contract_id)
        )
        if contract.reminded_for == contract.end_date or not contract.end_date:
            return 0
        contract.reminded_for = contract.end_date
        save_with_history(contract, actor=None, reason="Renewal reminder sent")
        emit_event("contract.renewal_due", obj=contract)
        if contract.owner_id and contract.owner.is_active:
            recipients = [contract.owner]
        else:
            recipients = list(staff_with(Capability.MANAGE_RECORDS))
        verb = "renews automatically" if contract.auto_renew else "ends"
        notify(
            recipients,
            kind=NotificationKind.CONTRACT_RENEWAL_DUE,
            message=(
                f"{contract.reference} {contract.name} ({contract.customer.name}) {verb} on "
                f"{contract.end_date:%Y-%m-%d}; notice by {contract.notice_deadline:%Y-%m-%d}"
            ),
            url=contract.get_absolute_url(),
        )
        from .tasks import send_renewal_reminder

        defer_after_commit(
            send_renewal_reminder,
            contract_id=contract.pk,
            user_ids=[user.pk for user in recipients],
        )
    return 1
