"""Projects: fixed-fee work for a customer, billed by the day it runs."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from core.services import bulk_change_with_history, save_with_history

from ..models import Project


@transaction.atomic
def project_create(*, actor: User | None, locations=(), **fields: Any) -> Project:
    project = Project(**fields)
    if project.customer_id is None:
        raise ValidationError({"customer": "A project belongs to a customer: choose one."})
    if project.customer.deleted_at is not None:
        raise ValidationError({"customer": "That customer has been deleted."})
    project.customer_name = project.customer.name
    save_with_history(project, actor=actor, reason="Created")
    project.locations.set(locations)
    return project


@transaction.atomic
def project_update(
    *, project_id: int, data: dict[str, Any], actor: User | None, locations=None
) -> Project:
    project = Project.objects.select_for_update().get(pk=project_id)
    for name, value in data.items():
        setattr(project, name, value)
    if project.customer_id:
        project.customer_name = project.customer.name
    save_with_history(project, actor=actor, reason="Edited")
    if locations is not None:
        project.locations.set(locations)
    return project


def projects_customer_purged(customer, *, actor: User | None) -> None:
    """Reaction to a customer's purge (registered in BillingConfig.ready): its projects are
    kept, with the customer's name."""
    bulk_change_with_history(
        list(Project.objects.filter(customer=customer)),
        fields=["customer", "customer_name"],
        actor=actor,
        reason=f"Customer {customer.name} was purged; the project is kept",
        customer=None,
        customer_name=customer.name,
    )
