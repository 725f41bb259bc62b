"""What the customer list does to selected rows (core.bulk): each row through the service a
single change of that kind uses, so history, events and locks are the same as one by one."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from core.bulk import BulkAction
from core.policies import Capability
from core.services import ConcurrentEditError

from . import services
from .models import BusinessType, Customer, CustomerStatus

CHANGED_MEANWHILE = "Someone changed this customer at the same moment; try again."


def _update_field(field: str):
    def apply(customer: Customer, *, actor, value: str) -> None:
        if getattr(customer, field) == value:
            return  # already so: no new version, no history row
        try:
            services.customer_update(
                customer_id=customer.pk,
                data={field: value},
                expected_version=customer.version,
                actor=actor,
            )
        except ConcurrentEditError as error:
            raise ValidationError(CHANGED_MEANWHILE) from error

    return apply


def _archive(customer: Customer, *, actor, value: str) -> None:
    if customer.is_archived:
        return
    services.customer_archive(customer_id=customer.pk, actor=actor)


SET_STATUS = BulkAction(
    key="status",
    label="Change status",
    model=Customer,
    apply=_update_field("status"),
    choices=lambda: CustomerStatus.choices,
    value_label="status",
)
SET_BUSINESS_TYPE = BulkAction(
    key="business_type",
    label="Change business type",
    model=Customer,
    apply=_update_field("business_type"),
    choices=lambda: BusinessType.choices,
    value_label="business type",
)
ARCHIVE = BulkAction(
    key="archive",
    label="Archive",
    model=Customer,
    apply=_archive,
    capability=Capability.MANAGE_RECORDS,
)

CUSTOMER_BULK_ACTIONS = (SET_STATUS, SET_BUSINESS_TYPE, ARCHIVE)
