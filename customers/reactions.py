"""What other apps do when a customer is deleted, restored or purged, and how the add-customer
wizard invites the customer's first admin. Customers sits below the apps that react, so they
register here from their ``AppConfig.ready()`` and this app imports none of them:

    register(on_customer_purged, asset_customer_purged)

Reactions run in registration order (INSTALLED_APPS order), inside the customer service's
transaction: if one fails, nothing of the change is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# reaction(customer, *, actor): the customer as just changed (purge: before it is deleted).
CustomerReaction = Callable[..., None]

on_customer_deleted: list[CustomerReaction] = []
on_customer_restored: list[CustomerReaction] = []
on_customer_purged: list[CustomerReaction] = []

# inviter(*, customer, email, first_name, last_name, actor, base_url): the portal's.
AdminInviter = Callable[..., Any]
admin_inviters: list[AdminInviter] = []


def register(reactions: list, reaction: Callable) -> None:
    if reaction not in reactions:
        reactions.append(reaction)


def react(reactions: list[CustomerReaction], customer, *, actor) -> None:
    for reaction in reactions:
        reaction(customer, actor=actor)


def can_invite_admin() -> bool:
    """Whether an app (the portal) can invite a customer's admin: else the wizard skips it."""
    return bool(admin_inviters)


def invite_customer_admin(**invitation: Any) -> None:
    for inviter in admin_inviters:
        inviter(**invitation)
