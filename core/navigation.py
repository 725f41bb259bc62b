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
    shortcut: str = ""  # "g" then this key goes here (static/js/shortcuts.js)


CONSOLE_NAV = [
    NavItem("Dashboard", "core:dashboard", "speedometer2", "dashboard", shortcut="d"),
    NavItem("Customers", "customers:customer_list", "building", "customers", shortcut="c"),
    NavItem("Locations", "locations:location_list", "geo-alt", "locations", shortcut="l"),
    NavItem("Assets", "assets:asset_list", "hdd-stack", "assets", shortcut="a"),
    NavItem("Projects", "billing:project_list", "kanban", "projects", shortcut="p"),
    NavItem("Tickets", "tickets:ticket_list", "life-preserver", "tickets", shortcut="k"),
    NavItem("Contracts", "contracts:contract_list", "file-earmark-text", "contracts", shortcut="o"),
    NavItem("Billing", "billing:invoice_list", "receipt", "billing", shortcut="b"),
    NavItem("My tasks", "activity:my_tasks", "check2-square", "tasks", shortcut="t"),
    NavItem("Settings", "core:settings", "gear", "settings", shortcut="s"),
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
        items.append(
            {
                "label": item.label,
                "url": url,
                "icon": item.icon,
                "section": item.section,
                "shortcut": item.shortcut,
            }
        )
    return items
