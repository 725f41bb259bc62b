from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"

    def ready(self) -> None:
        from core.scope import register_staff_limit_resolver

        from .access import staff_customer_limit

        register_staff_limit_resolver(staff_customer_limit)
