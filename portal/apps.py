from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The company portal and customer users. A tenant app of its own because the user table
    is shared with the public schema, where no customer exists to point at."""

    name = "portal"
    verbose_name = "Company portal"

    def ready(self) -> None:
        from customers.tabs import CustomerTab, register_tab

        register_tab(CustomerTab("users", "Users", "portal:customer_users", order=50))
