from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from core.services import archive_changes, save_with_history
from customers.models import Customer

from .models import Location


@transaction.atomic
def location_create(*, actor: User | None, **fields: Any) -> Location:
    location = Location(**fields)
    _check_customer(location.customer)
    return save_with_history(location, actor=actor, reason="Created", event="location.created")


@transaction.atomic
def location_update(*, location_id: int, data: dict[str, Any], actor: User | None) -> Location:
    location = Location.objects.select_for_update().get(pk=location_id)
    if "customer" in data and data["customer"].pk != location.customer_id:
        raise ValidationError("Moving a location to another customer is its own action.")
    for field, value in data.items():
        setattr(location, field, value)
    return save_with_history(location, actor=actor, reason="Edited", event="location.updated")


@transaction.atomic
def location_set_archived(*, location_id: int, archived: bool, actor: User | None) -> Location:
    location = Location.objects.select_for_update().get(pk=location_id)
    for field, value in archive_changes(archived).items():
        setattr(location, field, value)
    return save_with_history(
        location,
        actor=actor,
        reason="Archived" if archived else "Unarchived",
        event="location.updated",
    )


@transaction.atomic
def location_move(*, location_id: int, customer: Customer, actor: User | None) -> Location:
    """Give a location to another customer: an explicit, recorded act."""
    location = Location.objects.select_for_update().select_related("customer").get(pk=location_id)
    _check_customer(customer)
    if customer.pk == location.customer_id:
        raise ValidationError("The location already belongs to that customer.")
    previous = location.customer.name
    location.customer = customer
    return save_with_history(
        location,
        actor=actor,
        reason=f"Moved from {previous} to {customer.name}",
        event="location.updated",
    )


def _check_customer(customer: Customer | None) -> None:
    if customer is None:
        raise ValidationError({"customer": "A location belongs to a customer: choose one."})
    if customer.deleted_at is not None:
        raise ValidationError({"customer": "That customer has been deleted."})
