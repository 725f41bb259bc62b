from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "assets"

    def ready(self) -> None:
        from customers import reactions
        from customers.tabs import CustomerTab, register_tab
        from locations.views import register_location_panel

        from . import customer_page
        from .services import assets_customer_purged
        from .views import (
            CustomerAssetsOnLocationView,
            CustomerAssetsOwnedView,
            LocationAssetsPanel,
        )

        customer_page.register()
        register_tab(
            CustomerTab(
                "assets_on_location",
                "Assets on location",
                "customers:customer_assets_on_location",
                order=30,
            ),
            view=CustomerAssetsOnLocationView,
            route="assets-on-location/",
        )
        register_tab(
            CustomerTab(
                "assets_owned", "Assets owned", "customers:customer_assets_owned", order=40
            ),
            view=CustomerAssetsOwnedView,
            route="assets-owned/",
        )
        register_location_panel(LocationAssetsPanel)
        reactions.register(reactions.on_customer_purged, assets_customer_purged)
