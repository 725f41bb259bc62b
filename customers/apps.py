from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"

    def ready(self) -> None:
        from core.scope import register_staff_limit_resolver

        from .access import staff_customer_limit

        register_staff_limit_resolver(staff_customer_limit)

        # The overview's key contacts (primary and billing first).
        from .overview import OverviewSection, register_overview_section
        from .services_contacts import key_contacts_overview

        register_overview_section(
            OverviewSection(
                "contacts",
                key_contacts_overview,
                template="customers/contact_overview.html",
                order=5,
            )
        )
