"""Tabs of the customer page. Customers owns the overview, sub-accounts, linked accounts and
history; the apps above it (locations, assets, billing, the portal) register theirs with
register_tab() from their AppConfig.ready(), so this app imports none of them.

A tab registered with a ``view`` is served in the customers namespace, under the customer
(``register_tab(tab, view=CustomerLocationsView, route="locations/")`` answers
``/customers/<pk>/locations/`` as ``customers:customer_locations``): its URL stays the same
whichever app owns it. Other tabs (``billing:customer_billing``) route themselves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.policies import Capability


@dataclass(frozen=True)
class CustomerTab:
    key: str
    label: str
    url_name: str
    order: int = 100
    capability: Capability = Capability.VIEW_CONSOLE


@dataclass(frozen=True)
class CustomerTabRoute:
    route: str  # below "<int:pk>/"
    view: Callable  # a class-based view (CustomerPageMixin: the customer is "pk")
    name: str  # in the customers namespace


CUSTOMER_TABS: list[CustomerTab] = [
    CustomerTab("overview", "Overview", "customers:customer_detail", order=0),
    CustomerTab("contacts", "Contacts", "customers:customer_contacts", order=5),
    CustomerTab("subaccounts", "Sub-accounts", "customers:customer_subaccounts", order=80),
    CustomerTab("linked", "Linked organizations & accounts", "customers:customer_linked", order=85),
    CustomerTab("history", "History", "customers:customer_history", order=1000),
]
TAB_ROUTES: list[CustomerTabRoute] = []


def register_tab(tab: CustomerTab, *, view: Callable | None = None, route: str = "") -> None:
    if any(existing.key == tab.key for existing in CUSTOMER_TABS):
        return
    CUSTOMER_TABS.append(tab)
    CUSTOMER_TABS.sort(key=lambda t: t.order)
    if view is not None:
        namespace, _, name = tab.url_name.partition(":")
        if namespace != "customers" or not route:
            raise ValueError(f"{tab.url_name}: a tab served by customers needs customers:<name>")
        TAB_ROUTES.append(CustomerTabRoute(route=route, view=view, name=name))
