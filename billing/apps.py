from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        from customers.tabs import CustomerTab, register_tab

        register_tab(CustomerTab("billing", "Billing", "billing:customer_billing", order=60))
