"""The console's main navigation. An entry shows once its app provides the URL and the user's
role allows it, so apps plug in by defining the named route."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from core.policies import Capability, user_can


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    section: str
    capability: Capability = Capability.VIEW_CONSOLE


CONSOLE_NAV = [
    NavItem("Dashboard", "core:dashboard", "speedometer2", "dashboard"),
    NavItem("Customers", "customers:customer_list", "building", "customers"),
    NavItem("Locations", "locations:location_list", "geo-alt", "locations"),
    NavItem("Assets", "assets:asset_list", "hdd-stack", "assets"),
    NavItem("Projects", "billing:project_list", "kanban", "projects"),
    NavItem("Billing", "billing:invoice_list", "receipt", "billing"),
    NavItem("Settings", "core:settings", "gear", "settings"),
]


def console_nav_for(user, urlconf: str | None = None) -> list[dict]:
    items = []
    for item in CONSOLE_NAV:
        if not user_can(user, item.capability):
            continue
        try:
            url = reverse(item.url_name, urlconf=urlconf)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "icon": item.icon, "section": item.section})
    return items
