from django.apps import AppConfig


class LocationsConfig(AppConfig):
    name = "locations"

    def ready(self) -> None:
        from customers.tabs import CustomerTab, register_tab

        from . import customer_page
        from .views import CustomerLocationsView

        customer_page.register()
        register_tab(
            CustomerTab("locations", "Locations", "customers:customer_locations", order=20),
            view=CustomerLocationsView,
            route="locations/",
        )
