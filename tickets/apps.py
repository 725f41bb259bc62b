from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Service desk"

    def ready(self) -> None:
        from customers.tabs import CustomerTab, register_tab

        from . import emails  # noqa: F401  (the email task, for the worker)
        from .views import CustomerTicketsView

        register_tab(
            CustomerTab("tickets", "Tickets", "customers:customer_tickets", order=4),
            view=CustomerTicketsView,
            route="tickets/",
        )
