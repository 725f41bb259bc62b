from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        from customers import reactions
        from customers.tabs import CustomerTab, register_tab

        from . import customer_page
        from .services.projects import projects_customer_purged
        from .views.analytics import CustomerAnalyticsView
        from .views.projects import CustomerProjectsView

        customer_page.register()
        register_tab(
            CustomerTab("projects", "Projects", "customers:customer_projects", order=10),
            view=CustomerProjectsView,
            route="projects/",
        )
        register_tab(CustomerTab("billing", "Billing", "billing:customer_billing", order=60))
        register_tab(
            CustomerTab("analytics", "Analytics", "customers:customer_analytics", order=65),
            view=CustomerAnalyticsView,
            route="analytics/",
        )
        reactions.register(reactions.on_customer_purged, projects_customer_purged)
        # Merging two customers: how billing's one-per-customer rows are combined.
        from . import merging

        merging.register()
