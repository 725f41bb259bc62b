from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The company portal and customer users. A tenant app of its own because the user table
    is shared with the public schema, where no customer exists to point at."""

    name = "portal"
    verbose_name = "Company portal"

    def ready(self) -> None:
        from core.scope import register_customer_user_resolver
        from customers.tabs import CustomerTab, register_tab

        from .policies import customer_user_grant

        register_customer_user_resolver(customer_user_grant)

        register_tab(CustomerTab("users", "Users", "portal:customer_users", order=50))
