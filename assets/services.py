from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from core.scope import Scope, scope_for
from core.services import archive_changes, bulk_change_with_history, save_with_history
from locations.models import Location

from .models import Asset, AssetStatus

# A staff user limited to assigned customers keeps each asset they add or edit where they see
# it: owned by, or at a site of, one of their customers (else it would vanish from their
# view at once). The assets import applies the same rule to its rows.
ASSET_OUT_OF_REACH = (
    "You see only the customers assigned to you: give an owner, or a location, of one of them."
)


def check_asset_in_reach(asset: Asset, *, scope: Scope) -> None:
    """Raise unless ``asset`` as it will be saved stays within ``scope``."""
    if not scope.is_limited:
        return
    site_customer_id = (
        Location.objects.filter(pk=asset.location_id).values_list("customer_id", flat=True).first()
        if asset.location_id is not None
        else None
    )
    if not {asset.owner_id, site_customer_id} & scope.customer_ids:
        raise ValidationError({"owner": ASSET_OUT_OF_REACH})


@transaction.atomic
def asset_create(*, actor: User | None, **fields: Any) -> Asset:
    asset = Asset(**fields)
    check_asset_in_reach(asset, scope=scope_for(actor))
    return save_with_history(asset, actor=actor, reason="Created", event="asset.created")


@transaction.atomic
def asset_update(*, asset_id: int, data: dict[str, Any], actor: User | None) -> Asset:
    asset = Asset.objects.select_for_update().get(pk=asset_id)
    for field, value in data.items():
        setattr(asset, field, value)
    check_asset_in_reach(asset, scope=scope_for(actor))
    return save_with_history(asset, actor=actor, reason="Edited", event="asset.updated")


@transaction.atomic
def asset_set_archived(*, asset_id: int, archived: bool, actor: User | None) -> Asset:
    asset = Asset.objects.select_for_update().get(pk=asset_id)
    for field, value in archive_changes(archived).items():
        setattr(asset, field, value)
    return save_with_history(
        asset, actor=actor, reason="Archived" if archived else "Unarchived", event="asset.updated"
    )


BULK_ACTIONS = {
    "move": "Move to location",
    "status": "Change status",
    "archive": "Archive",
}


@transaction.atomic
def assets_bulk_change(
    *,
    visible: Any,
    asset_ids: list[int],
    action: str,
    actor: User | None,
    location: Location | None = None,
    status: str | None = None,
) -> int:
    """Apply one change to every selected asset, or to none: if any selected asset is not
    visible to the user (or has vanished), nothing changes."""
    ids = sorted(set(asset_ids))
    if not ids:
        raise ValidationError("Select at least one asset.")
    assets = list(visible.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(assets) != len(ids):
        missing = len(ids) - len(assets)
        raise ValidationError(
            f"{missing} of the selected assets no longer exist or are not yours to change; "
            "nothing was changed. Reload the list and try again."
        )
    if action == "move":
        if location is None:
            raise ValidationError("Choose the location to move the assets to.")
        if location.customer.deleted_at is not None or location.is_archived:
            raise ValidationError("Choose a current location.")
        return bulk_change_with_history(
            assets,
            event="asset.updated",
            fields=["location"],
            actor=actor,
            reason=f"Moved to {location.name} (bulk)",
            location=location,
        )
    if action == "status":
        if status not in AssetStatus.values:
            raise ValidationError("Choose a status.")
        label = AssetStatus(status).label
        return bulk_change_with_history(
            assets,
            event="asset.updated",
            fields=["status"],
            actor=actor,
            reason=f"Status set to {label} (bulk)",
            status=status,
        )
    if action == "archive":
        return bulk_change_with_history(
            assets,
            event="asset.updated",
            fields=["is_archived", "archived_at"],
            actor=actor,
            reason="Archived (bulk)",
            **archive_changes(True),
        )
    raise ValidationError("Choose an action.")


def assets_customer_purged(customer, *, actor: User | None) -> None:
    """Reaction to a customer's purge (registered in AssetsConfig.ready): what it owned
    becomes the tenant's, what sat at its locations loses its location; history says why."""
    bulk_change_with_history(
        list(Asset.objects.filter(owner=customer)),
        event="asset.updated",
        fields=["owner"],
        actor=actor,
        reason=f"Owner {customer.name} was purged; now owned by your business",
        owner=None,
    )
    bulk_change_with_history(
        list(Asset.objects.filter(location__customer=customer)),
        event="asset.updated",
        fields=["location"],
        actor=actor,
        reason=f"Location removed: its customer {customer.name} was purged",
        location=None,
    )
