from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Service desk"

    def ready(self) -> None:
        from customers import reactions
        from customers.tabs import CustomerTab, register_tab

        from . import emails, mailbox, tasks  # noqa: F401  (their tasks, for the worker)
        from .services import tickets_customer_purged
        from .views import CustomerTicketsView

        register_tab(
            CustomerTab("tickets", "Tickets", "customers:customer_tickets", order=6),
            view=CustomerTicketsView,
            route="tickets/",
        )
        reactions.register(reactions.on_customer_purged, tickets_customer_purged)
        # The customer's History tab shows its tickets' changes.
        from customers.history import register_history_source

        from .history import tickets_history

        register_history_source(tickets_history)
        # Support and satisfaction on the analytics pages.
        from billing.analytics_sections import AnalyticsSection, register_analytics_section

        from .analytics import support_figures

        register_analytics_section(
            AnalyticsSection("support", "tickets/_analytics.html", support_figures, order=10)
        )
        # A deleted email (an erased sender) takes its stored raw message with it.
        from django.db.models.signals import post_delete

        from .models import InboundEmail
        from .storage_cleanup import discard_raw_after_commit, known_attachments, known_raw_emails

        post_delete.connect(discard_raw_after_commit, sender=InboundEmail)
        # Files stored for a ticket or an email whose rows never committed are swept.
        from documents.services import register_swept_folder

        register_swept_folder("tickets", known_attachments)
        register_swept_folder("tickets-inbound", known_raw_emails)
