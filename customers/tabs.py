"""Tabs of the customer page. Apps that come later (portal users, billing) register theirs
with register_tab() from their AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.policies import Capability


@dataclass(frozen=True)
class CustomerTab:
    key: str
    label: str
    url_name: str
    order: int = 100
    capability: Capability = Capability.VIEW_CONSOLE


CUSTOMER_TABS: list[CustomerTab] = [
    CustomerTab("overview", "Overview", "customers:customer_detail", order=0),
    CustomerTab("projects", "Projects", "customers:customer_projects", order=10),
    CustomerTab("locations", "Locations", "customers:customer_locations", order=20),
    CustomerTab(
        "assets_on_location",
        "Assets on location",
        "customers:customer_assets_on_location",
        order=30,
    ),
    CustomerTab("assets_owned", "Assets owned", "customers:customer_assets_owned", order=40),
    CustomerTab("subaccounts", "Sub-accounts", "customers:customer_subaccounts", order=80),
    CustomerTab("linked", "Linked organizations & accounts", "customers:customer_linked", order=85),
    CustomerTab("history", "History", "customers:customer_history", order=1000),
]


def register_tab(tab: CustomerTab) -> None:
    if all(existing.key != tab.key for existing in CUSTOMER_TABS):
        CUSTOMER_TABS.append(tab)
        CUSTOMER_TABS.sort(key=lambda t: t.order)
